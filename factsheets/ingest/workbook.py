"""The export's workbook as tables: each mapped sheet's rows, its columns found by their (mapped) headers,
and the place of every value in the export (`Ref`: `share_classes!F7 (management_fee_pct)`, or a history
file's line), which is where each problem of the import is said to be (`ImportProblem`).

A sheet or a column the format needs and the workbook lacks is a problem of the export's structure: it
stops the whole import (`ExportError`), every such problem at once. A column the format does not know is
only a warning: it is not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Literal

from ..errors import FactsheetError
from .mapping import SHEETS, Mapping

MAX_WORKBOOK_BYTES = 256 * 1024 * 1024

Severity = Literal["error", "warning"]


class ExportError(FactsheetError):
    """An export that cannot be imported at all (no workbook, a sheet or a column missing): every problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


# --- where a value came from ------------------------------------------------------------------------


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_ref(name: str) -> str:
    """A sheet's name as Excel writes it in a reference: quoted when it is not a plain name."""
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name) else "'" + name.replace("'", "''") + "'"


@dataclass(frozen=True)
class Ref:
    """A place in the export: cells of a sheet (with the column's header), or a line of a file."""

    file: str
    sheet: str | None = None
    cells: tuple[tuple[int, int], ...] = ()  # (row number from 1, column index from 0)
    header: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        if self.sheet is None:
            return f"{self.file}:{self.line}" if self.line else self.file
        return f"{self.file}: {self.short}" + (f" ({self.header})" if self.header else "")

    @property
    def short(self) -> str:
        """`share_classes!C2`, or `nav/990101.csv:12`: the place without the workbook's name."""
        if self.sheet is None:
            return str(self)
        cells = sorted(set(self.cells))
        columns = {c for _, c in cells}
        rows = [r for r, _ in cells]
        if len(cells) > 1 and len(columns) == 1 and rows == list(range(rows[0], rows[0] + len(rows))):
            where = f"{column_letter(cells[0][1])}{rows[0]}:{column_letter(cells[0][1])}{rows[-1]}"
        else:
            where = ",".join(f"{column_letter(c)}{r}" for r, c in cells)
        return f"{sheet_ref(self.sheet)}!{where}"


@dataclass(frozen=True)
class ImportProblem:
    """One problem of the export: `where: message` (where: `fund-range.xlsx: funds!C3 (category)` or
    `nav/990101.csv:1234`); `fund` is the fund it keeps from being written (None: no fund's)."""

    where: str
    message: str
    fund: str | None = None
    severity: Severity = "error"

    def format(self) -> str:
        return f"{self.where}: {'warning: ' if self.severity == 'warning' else ''}{self.message}"

    def __str__(self) -> str:
        return self.format()


# --- reading the workbook -----------------------------------------------------------------------------


def read_workbook(path: str | Path, sheets: Iterable[str] | None = None) -> dict[str, list[list[Any]]]:
    """Every row of the named sheets (all when None) from A1, as python-calamine gives them: blank cells
    as "", numbers as float or int, dates as date (datetime when the cell has a time). python-calamine
    reads a large workbook several times faster than openpyxl, to the same values (bench/import_xlsx.py)."""
    from python_calamine import CalamineWorkbook

    path = Path(path)
    book = CalamineWorkbook.from_path(str(path))
    try:
        names = book.sheet_names if sheets is None else [n for n in sheets if n in book.sheet_names]
        out = {}
        for name in names:
            out[name] = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        return out
    finally:
        if (close := getattr(book, "close", None)) is not None:  # python-calamine 0.3 and later
            close()


def read_mapped_sheets(workbook: Path, mapping: Mapping) -> dict[str, list[list[Any]]]:
    """The rows of the sheets the mapping names, by the export's sheet names; ExportError when the
    workbook is too large or cannot be read (damaged, protected, not a workbook)."""
    size = workbook.stat().st_size
    if size > MAX_WORKBOOK_BYTES:
        raise ExportError([f"{workbook}: {size:,} bytes, above the limit of {MAX_WORKBOOK_BYTES:,}"])
    try:
        return read_workbook(workbook, [n for s in SHEETS if (n := mapping.sheet_name(s))])
    except Exception as error:  # calamine raises its own types for a damaged or protected file
        raise ExportError([f"{workbook}: cannot read the workbook: {type(error).__name__}: {error}"]) from None


@dataclass
class Table:
    """A sheet as read, with its columns found by their (mapped) headers."""

    sheet: str  # our name
    name: str  # the export's
    file: str
    index: dict[str, int]  # our column -> its index
    headers: dict[str, str]  # our column -> the export's header
    rows: list[Row] = field(default_factory=list)

    def ref(self, rows: Iterable[int], column: str) -> Ref:
        """The cells of a column in some rows (the column's first cell where it is not in the sheet)."""
        i = self.index.get(column)
        return Ref(self.file, self.name, tuple((r, i if i is not None else 0) for r in rows),
                   self.headers.get(column, column) if i is not None else None)


@dataclass
class Row:
    """A row of a sheet that is not blank, its values read by our column names."""

    table: Table
    number: int  # from 1, as Excel numbers it
    values: list[Any]

    def get(self, column: str) -> Any:
        """The cell's value: None when blank or when the sheet has no such column; a text trimmed."""
        i = self.table.index.get(column)
        if i is None or i >= len(self.values):
            return None
        value = self.values[i]
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    def has(self, column: str) -> bool:
        return column in self.table.index

    def ref(self, column: str) -> Ref:
        return self.table.ref([self.number], column)


def read_tables(book: dict[str, list[list[Any]]], mapping: Mapping, file: str) -> tuple[dict[str, Table], list[ImportProblem]]:
    """The mapped sheets as tables (by our sheet names), and a warning for each column not read; ExportError
    with every problem of the structure (a sheet or a column missing, an empty sheet, a header twice)."""
    tables, problems, warnings = {}, [], []
    for sheet in SHEETS:
        name = mapping.sheet_name(sheet)
        if name is None:
            continue
        rows = book.get(name)
        if rows is None:
            problems.append(f"{file}: no sheet {name!r} (the export's sheets are {', '.join(map(repr, book)) or 'none'}): "
                            + mapping.how_to_map(sheet))
            continue
        header_at = next((i for i, row in enumerate(rows) if any(not _blank(v) for v in row)), None)
        if header_at is None:
            problems.append(f"{file}: {sheet_ref(name)}: the sheet is empty: its first row names the columns "
                            f"({', '.join(SHEETS[sheet].columns)})")
            continue
        index, headers = _columns(sheet, name, rows[header_at], header_at + 1, mapping, file, problems, warnings)
        table = Table(sheet, name, file, index, headers)
        width = max(index.values(), default=-1) + 1
        for r in range(header_at + 1, len(rows)):
            values = rows[r][:width]
            if not all(_blank(v) for v in values):
                table.rows.append(Row(table, r + 1, values))
        tables[sheet] = table
    if problems:
        raise ExportError(problems)
    return tables, warnings


def _columns(sheet: str, name: str, header: list[Any], row: int, mapping: Mapping, file: str, problems: list[str],
             warnings: list[ImportProblem]) -> tuple[dict[str, int], dict[str, str]]:
    """A sheet's columns found in its header row (number `row`): our column -> its index, and -> the export's
    header. A header given twice and a column the format needs that is not there go to `problems`, a column
    not read to `warnings`."""
    spec = SHEETS[sheet]
    found: dict[str, int] = {}
    for i, value in enumerate(header):
        text = (str(value).strip() if value is not None else "")
        if not text:
            continue
        if text in found:
            problems.append(f"{file}: {sheet_ref(name)}!{column_letter(i)}{row}: the column {text!r} is also "
                            f"column {column_letter(found[text])}")
        found.setdefault(text, i)
    index, headers, used = {}, {}, set()
    for column in spec.all_columns:
        theirs = mapping.column_name(sheet, column)
        if theirs is None:
            continue
        if theirs in found:
            index[column], headers[column] = found[theirs], theirs
            used.add(theirs)
        elif column in spec.columns:
            problems.append(f"{file}: {sheet_ref(name)}: no column {theirs!r} (the sheet's columns are "
                            f"{', '.join(map(repr, found))}): " + mapping.how_to_map(sheet, column))
    for text, i in found.items():
        if text not in used:
            warnings.append(ImportProblem(f"{file}: {sheet_ref(name)}!{column_letter(i)}{row}",
                                          f"the column {text!r} is not read (not part of the export's format)",
                                          severity="warning"))
    return index, headers


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
