"""Reading an EPT file: a workbook (.xlsx, one row per share class under a header row of the template's field
names), a CSV file (the same, comma- or semicolon-separated), or a JSON or YAML row set (one mapping per
row, as `ept.schema.json` describes). Each row keeps where it stands, so that every problem names the row,
the ISIN and the field: the sheet's row and the field's column, the CSV line, or the item of the row set
(and, in YAML, the field's line).

    found = read_ept("findatex-ept-2023-12-29.xlsx")
    for row in found.rows:
        row.values["01090_SRI"], row.where("01090_SRI")   # 2.0, (3, 27): sheet row 3, column 27
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import FactsheetError
from .ept_fields import VERSION_FIELD, blank, by_name, text

SUFFIXES = (".xlsx", ".csv", ".json", ".yaml", ".yml")
MAX_BYTES = 64 * 1024 * 1024


class EptFileError(FactsheetError):
    """An EPT file that cannot be read at all (not a workbook, no header row, not a row set)."""


@dataclass
class EptRow:
    number: int  # the row as its file counts it: the sheet row or CSV line; the item (from 1) of a JSON/YAML row set
    values: dict[str, object]  # field -> value as read (blank cells left out)
    lines: dict[str, tuple[int, int | None]] = field(default_factory=dict)  # field -> (line, column) where known
    line: int | None = None  # the row's own line (sheet row, CSV line, YAML item)
    unknown: list[str] = field(default_factory=list)  # keys that are no field of the template

    @property
    def code(self) -> str:
        """The row's identifying data (00030): its ISIN, mostly."""
        value = self.values.get("00030_Portfolio_Identifying_Data")
        return "" if blank(value) else text(value)

    @property
    def label(self) -> str:
        return f"row {self.number}" + (f" ({self.code})" if self.code else "")

    def where(self, name: str) -> tuple[int | None, int | None]:
        """(line, column) of a field of this row, or of the row itself."""
        return self.lines.get(name, (self.line, None))


@dataclass
class EptFile:
    path: Path
    kind: str  # xlsx, csv, json, yaml
    rows: list[EptRow]
    columns: list[str] = field(default_factory=list)  # the header, for tabular files


def looks_like_ept(path: Path) -> bool:
    """Whether a file is an EPT file by its content: a header (or a row's key) `00001_EPT_Version`."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".xlsx":
            from python_calamine import CalamineWorkbook

            book = CalamineWorkbook.from_path(str(path))
            sheet = book.get_sheet_by_index(0).to_python(nrows=1)
            return bool(sheet) and VERSION_FIELD in [str(c).strip() for c in sheet[0]]
        if suffix == ".csv":
            with path.open(encoding="utf-8-sig", errors="replace") as f:
                return VERSION_FIELD in f.readline()
        if suffix in (".json", ".yaml", ".yml"):
            with path.open(encoding="utf-8", errors="replace") as f:
                return VERSION_FIELD in f.read(4096)
    except Exception:  # noqa: BLE001 - an unreadable file is not an EPT file; its reader says why
        return False
    return False


def read_ept(path: str | Path) -> EptFile:
    """Every row of an EPT file (EptFileError when the file cannot be read as one)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise EptFileError(f"{path}: an EPT file is .xlsx, .csv, .json or .yaml, not {suffix or 'without a suffix'}")
    if not path.is_file():
        raise EptFileError(f"{path}: no such file")
    if path.stat().st_size > MAX_BYTES:
        raise EptFileError(f"{path}: larger than {MAX_BYTES // (1024 * 1024)} MB: not an EPT file")
    if suffix == ".xlsx":
        return _read_xlsx(path)
    data = path.read_bytes()
    if suffix == ".csv":
        return _read_csv(path, data)
    return _read_rows(path, data, "json" if suffix == ".json" else "yaml")


def _tabular(path: Path, kind: str, table: list[list[object]], first_line: int = 1) -> EptFile:
    if not table or VERSION_FIELD not in [str(c).strip() for c in table[0]]:
        raise EptFileError(f"{path}: no header row with the template's field names ({VERSION_FIELD}, ...) on its first line")
    header = [str(c).strip() for c in table[0]]
    known = by_name()
    rows = []
    for offset, cells in enumerate(table[1:], start=1):
        if all(blank(c) for c in cells):
            continue
        number = first_line + offset
        values, lines = {}, {}
        for column, name in enumerate(header, start=1):
            value = cells[column - 1] if column <= len(cells) else None
            if name:
                lines[name] = (number, column)  # a blank cell too: a missing field is reported at its cell
            if name and not blank(value):
                values[name] = value
        rows.append(EptRow(number, values, lines, number, [name for name in values if name not in known]))
    return EptFile(path, kind, rows, header)


def _read_xlsx(path: Path) -> EptFile:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        table = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as error:  # noqa: BLE001 - calamine raises its own types for a file that is no workbook
        raise EptFileError(f"{path}: not a readable workbook ({type(error).__name__}: {error})") from None
    return _tabular(path, "xlsx", [list(row) for row in table])


def _read_csv(path: Path, data: bytes) -> EptFile:
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise EptFileError(f"{path}: not UTF-8 text (byte {error.start})") from None
    first = content.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    table = [list(row) for row in csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)]
    return _tabular(path, "csv", table)


def _read_rows(path: Path, data: bytes, kind: str) -> EptFile:
    lines: list[dict[str, tuple[int, int]]] = []
    try:
        if kind == "json":
            loaded = json.loads(data)
        else:
            loaded, lines = _yaml_rows(data)
    except (ValueError, yaml.YAMLError) as error:
        raise EptFileError(f"{path}: not {kind.upper()}: {error}") from None
    items = loaded if isinstance(loaded, list) else [loaded]
    if not items or not all(isinstance(item, dict) for item in items):
        raise EptFileError(f"{path}: an EPT row set is a mapping of fields, or a list of them")
    known = by_name()
    rows = []
    for number, item in enumerate(items, start=1):
        item_lines = lines[number - 1] if number - 1 < len(lines) else {}
        values = {str(k): v for k, v in item.items() if not blank(v)}
        row_line = min((line for line, _ in item_lines.values()), default=None)
        rows.append(EptRow(number, values, {k: (line, col) for k, (line, col) in item_lines.items()}, row_line,
                           [k for k in values if k not in known]))
    return EptFile(path, kind, rows)


def _yaml_rows(data: bytes) -> tuple[object, list[dict[str, tuple[int, int]]]]:
    """The YAML row set (safe: no tags, no aliases needed) and, per item, each key's line and column (from 1)."""
    text_ = data.decode("utf-8")
    loaded = yaml.safe_load(text_)
    node = yaml.compose(text_, Loader=yaml.SafeLoader)
    items = node.value if isinstance(node, yaml.SequenceNode) else [node] if node is not None else []
    lines = []
    for item in items:
        found = {}
        if isinstance(item, yaml.MappingNode):
            for key, _ in item.value:
                found[str(key.value)] = (key.start_mark.line + 1, key.start_mark.column + 1)
        lines.append(found)
    return loaded, lines
