"""The house's own data export -> one validated fund file (fund/v2) per fund, with its histories.

    result = import_export("house-export/", "funds/")            # or mapping=load_mapping("house.toml")
    for problem in result.problems:
        print(problem.format())   # fund-range.xlsx: share_classes!F7 (management_fee_pct): '1.2%' is not a number: ...

The export is a workbook (`fund-range.xlsx`: sheets funds, share_classes, managers, holdings,
allocations, commentary, priips) and the daily histories beside it (`nav/<class_code>.csv`,
`benchmark/<fund_code>.csv`, the proxy files the priips sheet names); `mapping.py` describes it and
reads a house's renaming of it. For each fund the importer

1. reads its rows (values converted exactly: numbers as Decimal at the precision Excel shows, Excel
   dates as dates, blank cells as "not given"), keeping for every dotted model path the cell it
   came from (`fund.share_classes.1.fees.management` -> `share_classes!F3`);
2. reads and checks every history file (`nav.read_nav` / `read_levels`: each problem with file:line),
   and derives the dividends of the last 12 months from the NAV file;
3. validates the built fund data with the model, translating each problem's dotted path back to
   the cell (or the history file's line) it came from;
4. writes `<out>/<fund_code>.yaml` and the history copies under `<out>/history/` (atomically, and
   only when the bytes changed) if, and only if, the fund has no problem at all.

A fund with problems gets no file and no history copies, and a file from an earlier import is left
as it was; the other funds are still written. Problems of the export's structure (a sheet or a
column that is not there) stop the whole import (`ExportError`).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable, Iterable, Literal

import numpy as np

from ..errors import FactsheetError, FundFileError
from ..files import write_atomic
from ..fund.dump import dump_fund
from ..fund.model import CODE_PATTERN, LANGS
from ..fund.nav import NavProblems, read_levels, read_nav
from ..fund.validate import validate_data
from .mapping import SHEETS, Mapping, relative_csv_problem

MAX_WORKBOOK_BYTES = 256 * 1024 * 1024
LANG_SUFFIX = {"en": "en", "zh-CN": "zh_cn", "zh-HK": "zh_hk"}
DISTRIBUTIONS = ("accumulating", "monthly", "quarterly", "semi_annual", "annual")
DIMENSIONS = ("asset", "sector", "region", "rating")
FEES = (("management", "management_fee_pct"), ("custody", "custody_fee_pct"), ("sales_service", "sales_service_fee_pct"),
        ("max_subscription", "max_subscription_fee_pct"), ("max_redemption", "max_redemption_fee_pct"),
        ("ongoing_charges", "ongoing_charges_pct"))
COSTS = (("entry", "entry_cost_pct"), ("exit", "exit_cost_pct"), ("ongoing", "ongoing_costs_pct"),
         ("transaction", "transaction_costs_pct"), ("performance_fee", "performance_fee_pct"))
_CODE = re.compile(CODE_PATTERN)
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

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


def _sheet_ref(name: str) -> str:
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
        return f"{_sheet_ref(self.sheet)}!{where}"


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
    table: Table
    number: int  # from 1, as Excel numbers it
    values: list[Any]

    def get(self, column: str) -> Any:
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


def _tables(book: dict[str, list[list[Any]]], mapping: Mapping, file: str) -> tuple[dict[str, Table], list[str], list[ImportProblem]]:
    """The mapped sheets as tables; problems of structure (stop the import) and warnings (columns not read)."""
    tables, problems, warnings = {}, [], []
    for sheet, spec in SHEETS.items():
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
            problems.append(f"{file}: {_sheet_ref(name)}: the sheet is empty: its first row names the columns "
                            f"({', '.join(spec.columns)})")
            continue
        header = rows[header_at]
        found: dict[str, int] = {}
        for i, value in enumerate(header):
            text = (str(value).strip() if value is not None else "")
            if not text:
                continue
            if text in found:
                problems.append(f"{file}: {_sheet_ref(name)}!{column_letter(i)}{header_at + 1}: the column {text!r} is also "
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
                problems.append(f"{file}: {_sheet_ref(name)}: no column {theirs!r} (the sheet's columns are "
                                f"{', '.join(map(repr, found))}): " + mapping.how_to_map(sheet, column))
        for text, i in found.items():
            if text not in used:
                warnings.append(ImportProblem(f"{file}: {_sheet_ref(name)}!{column_letter(i)}{header_at + 1}",
                                              f"the column {text!r} is not read (not part of the export's format)",
                                              severity="warning"))
        table = Table(sheet, name, file, index, headers)
        width = max(index.values(), default=-1) + 1
        for r in range(header_at + 1, len(rows)):
            values = rows[r][:width]
            if not all(_blank(v) for v in values):
                table.rows.append(Row(table, r + 1, values))
        tables[sheet] = table
    return tables, problems, warnings


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- cell values -------------------------------------------------------------------------------------

_HOW = {
    "percent": "write it as a plain number of percent, e.g. 1.2 for 1.2 %, without the % sign",
    "amount": "write it as a plain number in units of the currency, e.g. 4862000000, without commas, 亿, units or text",
    "nav": "write it as a plain number, e.g. 1.0000",
}


def _decimal_of(value: float | int) -> Decimal:
    """A number as Excel shows it: 15 significant digits (no float artefacts such as 1.2000000000000002)."""
    if isinstance(value, int):
        return Decimal(value)
    number = Decimal(format(value, ".15g"))
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number


def as_text(value: Any) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    if isinstance(value, bool):
        return None, f"{value!r} is not a text"
    if isinstance(value, (int, float)):
        return format(_decimal_of(value), "f"), None
    if isinstance(value, dt.datetime):
        return None, f"{value:%Y-%m-%d %H:%M} is a date, not a text"
    if isinstance(value, dt.date):
        return value.isoformat(), None
    return str(value).strip() or None, None


def as_number(value: Any, kind: str) -> tuple[Decimal | None, str | None]:
    if value is None:
        return None, None
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.time, dt.timedelta)):
        return None, f"{_shown(value)} is not a number: {_HOW[kind]}"
    if isinstance(value, (int, float)):
        if value != value or value in (float("inf"), float("-inf")):
            return None, f"{value} is not a number: {_HOW[kind]}"
        return _decimal_of(value), None
    text = str(value).strip()
    if _PLAIN_NUMBER.fullmatch(text):  # a number stored as text
        try:
            return _decimal_of(float(text)) if len(text) > 40 else Decimal(text).normalize() if "." in text else Decimal(text), None
        except (InvalidOperation, ValueError):
            pass
    return None, f"{_shown(text)} is not a number: {_HOW[kind]}"


def as_whole(value: Any) -> tuple[int | None, str | None]:
    number, problem = as_number(value, "amount")
    if problem:
        return None, f"{_shown(value)} is not a whole number: write it in digits, e.g. 3"
    if number is None:
        return None, None
    if number != number.to_integral_value():
        return None, f"{number} is not a whole number: write it in digits, e.g. 3"
    return int(number), None


def as_date(value: Any) -> tuple[dt.date | None, str | None]:
    if value is None:
        return None, None
    if isinstance(value, dt.datetime):
        if value.time() != dt.time():
            return None, f"{value:%Y-%m-%d %H:%M} has a time of day: a date is a day, e.g. 2025-10-31"
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return None, f"{_decimal_of(value)} is a number, not a date: enter a date (format the cell as a date), e.g. 2025-10-31"
    text = str(value).strip()
    if _ISO_DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text), None
        except ValueError:
            return None, f"{text} is not a date (no such day)"
    return None, f"{_shown(text)} is not a date: enter a date, or a text YYYY-MM-DD, e.g. 2025-10-31"


def _shown(value: Any, limit: int = 40) -> str:
    text = str(value)
    text = text if len(text) <= limit else text[:limit] + "…"
    return "'" + "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text) + "'"


def _year_before(as_of: dt.date) -> dt.date:
    """The same day a year before (29 February: the 28th), as the model's dividend rule counts it."""
    return as_of.replace(year=as_of.year - 1, day=28 if (as_of.month, as_of.day) == (2, 29) else as_of.day)


# --- one fund ----------------------------------------------------------------------------------------


@dataclass
class FundImport:
    """One fund as built from the export: its data (as the fund file will hold it), where each value came
    from, the history files to copy, and its problems."""

    code: str
    row: Row
    data: dict[str, Any] = field(default_factory=dict)
    cells: dict[str, Ref] = field(default_factory=dict)  # dotted model path -> where it came from
    copies: dict[str, Path] = field(default_factory=dict)  # path relative to the fund file -> the export's file
    problems: list[ImportProblem] = field(default_factory=list)
    languages: tuple[str, ...] = LANGS
    absent: dict[str, str] = field(default_factory=dict)  # dotted path of a text -> the column the export lacks for it
    sources: list[str] = field(default_factory=list)  # files besides the workbook its data came from (prospectus texts)

    @property
    def errors(self) -> list[ImportProblem]:
        return [p for p in self.problems if p.severity == "error"]

    def error(self, where: Ref | str, message: str, severity: Severity = "error") -> None:
        self.problems.append(ImportProblem(str(where), message, self.code, severity))

    def value(self, path: str, row: Row, column: str, convert: Callable[[Any], tuple[Any, str | None]]) -> Any:
        """The converted value of a cell (None when blank or wrong; a wrong one is reported), recorded as `path`'s."""
        ref = row.ref(column)
        self.cells[path] = ref
        value, problem = convert(row.get(column))
        if problem:
            self.error(ref, problem)
            return None
        return value

    def text(self, path: str, row: Row, stem: str) -> dict[str, str] | None:
        """A text per language from the columns `<stem>_en`, `<stem>_zh_cn`, `<stem>_zh_hk`: the languages the fund
        publishes in, and only those."""
        columns = [(lang, f"{stem}_{LANG_SUFFIX[lang]}") for lang in LANGS if row.has(f"{stem}_{LANG_SUFFIX[lang]}")]
        published = [(lang, column) for lang, column in columns if lang in self.languages] or columns
        self.cells[path] = row.ref(published[0][1] if published else f"{stem}_en")
        for lang in self.languages:  # a language it publishes in that the export has no column for
            if not row.has(f"{stem}_{LANG_SUFFIX[lang]}"):
                self.absent[f"{path}.{lang}"] = f"{stem}_{LANG_SUFFIX[lang]}"
        out = {}
        for lang, column in columns:
            self.cells[f"{path}.{lang}"] = row.ref(column)
            if lang in self.languages and (text := self.value(f"{path}.{lang}", row, column, as_text)):
                out[lang] = text
        return out or None


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if value is not None and value != {} and value != []:
        target[key] = value


class _Build:
    """Builds every fund of an export."""

    def __init__(self, folder: Path, tables: dict[str, Table], mapping: Mapping, file: str, today: dt.date | None,
                 texts: Path | None = None):
        self.folder, self.tables, self.mapping, self.file, self.today = folder, tables, mapping, file, today
        self.texts = texts  # the folder of prospectus texts (<fund code>.yaml), or None
        self.problems: list[ImportProblem] = []  # not of one fund
        self.timings: dict[str, float] = defaultdict(float)

    def children(self, codes: set[str]) -> dict[str, dict[str, list[Row]]]:
        """Each fund's rows of every other sheet; a row of no known fund is a problem."""
        out: dict[str, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
        for sheet, table in self.tables.items():
            if sheet == "funds":
                continue
            for row in table.rows:
                code, problem = as_text(row.get("fund_code"))
                if problem or not code:
                    self.problems.append(ImportProblem(str(row.ref("fund_code")), problem or "is empty: which fund is this row of?"))
                elif code not in codes:
                    self.problems.append(ImportProblem(str(row.ref("fund_code")), f"no fund {code} on the "
                                                       f"{self.tables['funds'].name} sheet"))
                else:
                    out[code][sheet].append(row)
        return out

    def funds(self) -> list[FundImport]:
        table = self.tables["funds"]
        rows_of: dict[str, list[Row]] = defaultdict(list)
        for row in table.rows:
            code, problem = as_text(row.get("fund_code"))
            if problem or not code:
                self.problems.append(ImportProblem(str(row.ref("fund_code")), problem or "is empty: every fund needs its code"))
            else:
                rows_of[code].append(row)
        children = self.children(set(rows_of))
        built = []
        for code, rows in rows_of.items():
            fund = FundImport(code, rows[0])
            if len(rows) > 1:
                first = rows[0].number
                for row in rows[1:]:
                    fund.error(row.ref("fund_code"), f"{code} is also the fund code of row {first}: a code names one fund, "
                                                     "so neither row is imported")
                fund.error(rows[0].ref("fund_code"), f"{code} is also the fund code of row"
                                                     f"{'s' if len(rows) > 2 else ''} {', '.join(str(r.number) for r in rows[1:])}")
            start = time.perf_counter()
            self.build(fund, children.get(code, {}))
            self.timings["build and check histories"] += time.perf_counter() - start
            built.append(fund)
        self.cross_fund(built)
        for fund in built:
            if self.texts is not None:
                self.add_texts(fund)
            start = time.perf_counter()
            self.validate(fund)
            self.timings["validate"] += time.perf_counter() - start
        return built

    def cross_fund(self, funds: list[FundImport]) -> None:
        """A share class belongs to one fund (its history file is named by its code)."""
        owner: dict[str, tuple[FundImport, Ref]] = {}
        for fund in funds:
            for i, share_class in enumerate(fund.data.get("fund", {}).get("share_classes", [])):
                code, ref = share_class.get("code"), fund.cells.get(f"fund.share_classes.{i}.code")
                if code is None or ref is None:
                    continue
                if code in owner and owner[code][0] is not fund:
                    other, other_ref = owner[code]
                    fund.error(ref, f"{code} is also a share class of fund {other.code} ({other_ref.short}): a class "
                                    "belongs to one fund")
                    other.error(other_ref, f"{code} is also a share class of fund {fund.code} ({ref.short}): a class "
                                           "belongs to one fund")
                owner.setdefault(code, (fund, ref))

    # -- the sections ----------------------------------------------------------------------------

    def build(self, fund: FundImport, rows: dict[str, list[Row]]) -> None:
        row, data = fund.row, fund.data
        fund.cells[""] = fund.cells["fund"] = fund.cells["fund.code"] = row.ref("fund_code")
        languages = self.languages(fund, row)
        fund.languages = tuple(lang for lang in LANGS if lang in languages) if languages else LANGS
        as_of = fund.value("as_of", row, "as_of", as_date)
        data["schema"] = "fund/v2"
        _put(data, "as_of", as_of)
        _put(data, "jurisdiction", fund.value("jurisdiction", row, "jurisdiction", as_text))
        fund.cells["languages"] = row.ref("languages")
        _put(data, "languages", languages)
        section: dict[str, Any] = {"code": fund.code}
        _put(section, "name", fund.text("fund.name", row, "name"))
        _put(section, "category", fund.value("fund.category", row, "category", as_text))
        _put(section, "domicile", fund.value("fund.domicile", row, "domicile", as_text))
        _put(section, "currency", fund.value("fund.currency", row, "currency", as_text))
        inception = fund.value("fund.inception_date", row, "inception_date", as_date)
        _put(section, "inception_date", inception)
        risk: dict[str, Any] = {}
        _put(risk, "rating", fund.value("fund.risk.rating", row, "risk_rating", as_text))
        _put(risk, "min_investor", fund.value("fund.risk.min_investor", row, "min_investor", as_text))
        fund.cells["fund.risk"] = row.ref("risk_rating")
        _put(section, "risk", risk)
        _put(section, "aum", fund.value("fund.aum", row, "aum", lambda v: as_number(v, "amount")))
        fund.cells["fund.share_classes"] = row.ref("fund_code")
        classes = [self.share_class(fund, i, r, section, as_of) for i, r in enumerate(rows.get("share_classes", []))]
        if not classes:
            fund.error(row.ref("fund_code"), f"the fund has no share class on the {self.tables['share_classes'].name} sheet")
        section["share_classes"] = classes
        _put(section, "managers", [self.manager(fund, i, r) for i, r in enumerate(rows.get("managers", []))])
        _put(section, "benchmark", fund.text("fund.benchmark", row, "benchmark"))
        data["fund"] = section
        performance: dict[str, Any] = {}
        _put(performance, "source", fund.text("performance.source", row, "performance_source"))
        _put(data, "performance", performance)
        self.benchmark_history(fund, as_of)
        _put(data, "allocations", self.allocations(fund, rows.get("allocations", [])))
        _put(data, "holdings", self.holdings(fund, rows.get("holdings", [])))
        _put(data, "commentary", self.commentary(fund, rows.get("commentary", [])))
        priips = rows.get("priips", [])
        for extra in priips[1:]:
            fund.error(extra.ref("fund_code"), f"a second {extra.table.name} row for fund {fund.code} (the first is row {priips[0].number})")
        if priips:
            _put(data, "priips", self.priips(fund, priips[0], as_of))

    def languages(self, fund: FundImport, row: Row) -> list[str] | None:
        text, problem = as_text(row.get("languages"))
        ref = row.ref("languages")
        if problem or not text:
            fund.error(ref, problem or "is empty: list the languages the fund publishes in, comma-separated, e.g. en,zh-CN")
            return None
        canonical = {lang.lower().replace("_", "-"): lang for lang in LANGS}
        found, ok = [], True
        for part in (p.strip() for p in text.replace("，", ",").split(",")):
            lang = canonical.get(part.lower().replace("_", "-"))
            if lang is None:
                fund.error(ref, f"{_shown(part)} is not a language: the languages are en, zh-CN and zh-HK, comma-separated")
                ok = False
            elif lang in found:
                fund.error(ref, f"{lang} is listed twice")
            else:
                found.append(lang)
        for i in range(len(found)):
            fund.cells[f"languages.{i}"] = ref
        return found if ok and found else None

    def share_class(self, fund: FundImport, i: int, row: Row, section: dict, as_of: dt.date | None) -> dict[str, Any]:
        path = f"fund.share_classes.{i}"
        fund.cells[path] = row.ref("class_code")
        out: dict[str, Any] = {}
        _put(out, "class", fund.value(f"{path}.class", row, "class", as_text))
        code = fund.value(f"{path}.code", row, "class_code", as_text)
        _put(out, "code", code)
        currency = fund.value(f"{path}.currency", row, "currency", as_text)
        _put(out, "currency", currency)
        inception = fund.value(f"{path}.inception_date", row, "inception_date", as_date)
        _put(out, "inception_date", inception)
        fees: dict[str, Any] = {}
        fund.cells[f"{path}.fees"] = row.ref("management_fee_pct")
        for key, column in FEES:
            _put(fees, key, fund.value(f"{path}.fees.{key}", row, column, lambda v: as_number(v, "percent")))
        _put(out, "fees", fees)
        _put(out, "min_investment", fund.value(f"{path}.min_investment", row, "min_investment", lambda v: as_number(v, "amount")))
        distribution = fund.value(f"{path}.distribution", row, "distribution", as_text)
        if distribution is not None and distribution.lower().replace("-", "_") not in DISTRIBUTIONS:
            fund.error(row.ref("distribution"), f"{_shown(distribution)} is not a distribution: blank or accumulating for an "
                                                f"accumulating class, else {', '.join(DISTRIBUTIONS[1:])}")
            distribution = None
        if distribution is not None and distribution.lower().replace("-", "_") != "accumulating":
            out["distribution"] = distribution.lower().replace("-", "_")
        fund.cells[f"{path}.dividends"] = row.ref("distribution")
        initial = fund.value(f"{path}.initial_nav", row, "initial_nav", lambda v: as_number(v, "nav")) if row.has("initial_nav") else None
        if code is None or not _CODE.fullmatch(code):
            return out  # the model says what is wrong with the code; no file is looked for by it
        relative = self.mapping.nav_path(code)
        source = self.folder / relative
        start = time.perf_counter()
        if not source.is_file():
            fund.error(row.ref("class_code"), f"no NAV history {relative} in the export: every share class needs its daily "
                                              "NAVs (date,unit_nav,acc_nav,dividend_per_unit)")
            return out
        try:
            history = read_nav(source, inception=inception or section.get("inception_date"), initial_nav=initial,
                               currency=currency or section.get("currency"), as_of=as_of, base=self.folder)
        except NavProblems as problems:
            for p in problems.problems:
                fund.error(Ref(relative, line=p.line), p.message, p.severity)
            return out
        finally:
            self.timings["read NAV files"] += time.perf_counter() - start
        for p in history.warnings:
            fund.error(Ref(relative, line=p.line), p.message, p.severity)
        dividends = []
        if as_of is not None:  # the dividends with an ex-date in the 12 months to as_of, each placed at its line
            since = _year_before(as_of)
            for j, (day, amount) in zip(np.flatnonzero(history.dividend), history.dividends()):
                if since < day <= as_of:
                    fund.cells[f"{path}.dividends.{len(dividends)}"] = Ref(relative, line=int(history.lines[j]))
                    dividends.append({"ex_date": day, "amount": amount})
        _put(out, "dividends", dividends)
        target = f"history/nav/{code}.csv"
        out["nav"] = target
        fund.cells[f"{path}.nav"] = row.ref("class_code")
        fund.copies[target] = source
        return out

    def manager(self, fund: FundImport, i: int, row: Row) -> dict[str, Any]:
        path = f"fund.managers.{i}"
        fund.cells[path] = row.ref("fund_code")
        out: dict[str, Any] = {}
        _put(out, "name", fund.text(f"{path}.name", row, "name"))
        _put(out, "since", fund.value(f"{path}.since", row, "since", as_date))
        return out

    def benchmark_history(self, fund: FundImport, as_of: dt.date | None) -> None:
        if not _CODE.fullmatch(fund.code):
            return
        relative = self.mapping.benchmark_path(fund.code)
        source = self.folder / relative
        if not source.is_file():
            return  # a fund without a benchmark has no file
        if self.levels(fund, source, relative, as_of):
            target = f"history/benchmark/{fund.code}.csv"
            fund.data["history"] = {"benchmark": target}
            fund.cells["history"] = fund.cells["history.benchmark"] = Ref(relative)
            fund.copies[target] = source

    def levels(self, fund: FundImport, source: Path, relative: str, as_of: dt.date | None) -> bool:
        start = time.perf_counter()
        try:
            series = read_levels(source, as_of=as_of, base=self.folder)
        except NavProblems as problems:
            for p in problems.problems:
                fund.error(Ref(relative, line=p.line), p.message, p.severity)
            return False
        finally:
            self.timings["read NAV files"] += time.perf_counter() - start
        for p in series.warnings:
            fund.error(Ref(relative, line=p.line), p.message, p.severity)
        return True

    def holdings(self, fund: FundImport, rows: list[Row]) -> dict[str, Any] | None:
        if not rows:
            return None
        ranked: list[tuple[int, Row]] = []
        unranked: list[Row] = []
        seen: dict[int, Row] = {}
        for row in rows:
            rank, problem = as_whole(row.get("rank"))
            if problem or rank is None or rank < 1:
                fund.error(row.ref("rank"), problem or ("is empty: " if rank is None else f"{rank} is not a rank: ")
                           + "rank the holdings 1, 2, 3, … from the largest")
                unranked.append(row)
            elif rank in seen:
                fund.error(row.ref("rank"), f"rank {rank} is also row {seen[rank].number}")
                unranked.append(row)
            else:
                seen[rank] = row
                ranked.append((rank, row))
        ordered = [row for _, row in sorted(ranked, key=lambda x: x[0])] + unranked
        top = []
        fund.cells["holdings"] = fund.cells["holdings.top"] = self.tables["holdings"].ref([r.number for r in ordered], "weight_pct")
        previous: tuple[int, Decimal, Row] | None = None
        for i, row in enumerate(ordered):
            path = f"holdings.top.{i}"
            fund.cells[path] = row.ref("rank")
            holding: dict[str, Any] = {}
            _put(holding, "name", fund.text(f"{path}.name", row, "name"))
            weight = fund.value(f"{path}.weight", row, "weight_pct", lambda v: as_number(v, "percent"))
            _put(holding, "weight", weight)
            if row.has("code"):
                _put(holding, "code", fund.value(f"{path}.code", row, "code", as_text))
            rank = next((r for r, x in ranked if x is row), None)
            if weight is not None and rank is not None and previous is not None and weight > previous[1]:
                fund.error(row.ref("weight_pct"), f"rank {rank} weighs {weight}, more than rank {previous[0]} ({previous[1]}, row "
                                                  f"{previous[2].number}): rank the holdings by weight, largest first")
            if weight is not None and rank is not None:
                previous = (rank, weight, row)
            top.append(holding)
        return {"top": top}

    def allocations(self, fund: FundImport, rows: list[Row]) -> dict[str, Any] | None:
        by_dimension: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            dimension, problem = as_text(row.get("dimension"))
            key = dimension.lower() if dimension else None
            if problem or key not in DIMENSIONS:
                fund.error(row.ref("dimension"), problem or f"{_shown(dimension) if dimension else 'an empty cell'} is not a "
                                                            f"dimension: the dimensions are {', '.join(DIMENSIONS)}")
                continue
            by_dimension[key].append(row)
        out: dict[str, Any] = {}
        for dimension in DIMENSIONS:
            if not by_dimension[dimension]:
                continue
            fund.cells[f"allocations.{dimension}"] = self.tables["allocations"].ref([r.number for r in by_dimension[dimension]],
                                                                                    "weight_pct")
            buckets = []
            for i, row in enumerate(by_dimension[dimension]):
                path = f"allocations.{dimension}.{i}"
                fund.cells[path] = row.ref("dimension")
                bucket: dict[str, Any] = {}
                _put(bucket, "name", fund.text(f"{path}.name", row, "bucket"))
                _put(bucket, "weight", fund.value(f"{path}.weight", row, "weight_pct", lambda v: as_number(v, "percent")))
                buckets.append(bucket)
            out[dimension] = buckets
        if rows:
            fund.cells["allocations"] = self.tables["allocations"].ref([r.number for r in rows], "dimension")
        return out or None

    def commentary(self, fund: FundImport, rows: list[Row]) -> dict[str, str] | None:
        if not rows:
            return None
        fund.cells["commentary"] = self.tables["commentary"].ref([r.number for r in rows], "language")
        canonical = {lang.lower().replace("_", "-"): lang for lang in LANGS}
        out: dict[str, str] = {}
        first: dict[str, Row] = {}
        for row in rows:
            given, problem = as_text(row.get("language"))
            lang = canonical.get(given.lower().replace("_", "-")) if given else None
            if problem or lang is None:
                fund.error(row.ref("language"), problem or f"{_shown(given) if given else 'an empty cell'} is not a language: "
                                                           "the languages are en, zh-CN and zh-HK")
                continue
            if lang in first:
                fund.error(row.ref("language"), f"a second {lang} commentary (the first is row {first[lang].number})")
                continue
            first[lang] = row
            if lang in fund.languages and (text := fund.value(f"commentary.{lang}", row, "text", as_text)):
                out[lang] = text
            elif lang in fund.languages:
                fund.error(row.ref("text"), "is empty: the commentary's text")
        return out or None

    def priips(self, fund: FundImport, row: Row, as_of: dt.date | None) -> dict[str, Any]:
        fund.cells["priips"] = row.ref("fund_code")
        out: dict[str, Any] = {}
        _put(out, "class_code", fund.value("priips.class_code", row, "class_code", as_text))
        _put(out, "recommended_holding_period_years",
             fund.value("priips.recommended_holding_period_years", row, "recommended_holding_period_years", as_whole))
        _put(out, "credit_risk_class", fund.value("priips.credit_risk_class", row, "credit_risk_class", as_whole))
        costs: dict[str, Any] = {}
        fund.cells["priips.costs"] = row.ref("entry_cost_pct")
        for key, column in COSTS:
            _put(costs, key, fund.value(f"priips.costs.{key}", row, column, lambda v: as_number(v, "percent")))
        out["costs"] = costs
        _put(out, "manufacturer", fund.value("priips.manufacturer", row, "manufacturer", as_text))
        _put(out, "website", fund.value("priips.website", row, "manufacturer_website", as_text))
        _put(out, "phone", fund.value("priips.phone", row, "manufacturer_phone", as_text))
        _put(out, "competent_authority", fund.value("priips.competent_authority", row, "competent_authority", as_text))
        _put(out, "objective", fund.text("priips.objective", row, "objective"))
        _put(out, "intended_investor", fund.text("priips.intended_investor", row, "intended_investor"))
        proxy = fund.value("priips.proxy", row, "proxy_file", as_text)
        if proxy is not None:
            if why := relative_csv_problem(proxy):
                fund.error(row.ref("proxy_file"), f"{_shown(proxy)}: the proxy file {why}")
            elif not (self.folder / proxy).is_file():
                fund.error(row.ref("proxy_file"), f"no proxy file {proxy} in the export")
            elif _CODE.fullmatch(fund.code) and self.levels(fund, self.folder / proxy, proxy, as_of):
                target = f"history/proxy/{fund.code}.csv"
                out["proxy"] = target
                fund.copies[target] = self.folder / proxy
        return out

    # -- the prospectus texts ----------------------------------------------------------------------

    def add_texts(self, fund: FundImport) -> None:
        """The fund's prospectus texts (`<texts>/<fund code>.yaml`, `ingest.prospectus.merge_texts`) laid over
        what the workbook gives, each text recorded at its line of that file; read as a fund file is
        (`load`: a bounded regular file, safe YAML), never through a symbolic link. A fund without such a
        file keeps the workbook's texts (its key facts name what they lack)."""
        from ..fund.load import data_from_bytes, read_bytes
        from .prospectus import merge_texts

        if fund.errors or not _CODE.fullmatch(fund.code):  # a bad code is a problem of its own: no path is made of it
            return
        path = self.texts / f"{fund.code}.yaml"
        if not path.exists() and not path.is_symlink():
            return
        name = f"{self.texts.name}/{path.name}"
        if path.is_symlink():
            fund.error(name, "a symbolic link: refusing to read the prospectus texts through it")
            return
        positions: dict[str, tuple[int, int]] = {}
        try:
            prospectus = data_from_bytes(read_bytes(path), name, positions)
            fund.data = merge_texts(fund.data, prospectus, name)
        except FundFileError as error:
            for problem in error.problems:
                line = problem.line or positions.get(problem.path, (None, None))[0]
                fund.error(Ref(name, line=line), f"{problem.path}: {problem.message}" if problem.path else problem.message)
            return
        for key in prospectus["texts"]:
            fund.cells[f"fund.{key}"] = Ref(name, line=positions.get(f"texts.{key}", (None, None))[0])
            for path_, (line, _) in positions.items():  # a problem inside a text (key_risks.2.title) at its own line
                if path_.startswith(f"texts.{key}."):
                    fund.cells[f"fund.{key}.{path_[len(f'texts.{key}.'):]}"] = Ref(name, line=line)
        fund.sources.append(name)

    # -- the model's judgement -------------------------------------------------------------------

    def validate(self, fund: FundImport) -> None:
        """The model's problems of the built data, each placed at the cell its path came from. A cell
        already reported by the import is not reported again."""
        reported = {p.where for p in fund.problems if p.severity == "error"}
        try:
            model = validate_data(fund.data, f"{fund.code}.yaml", self.today)
        except FundFileError as error:
            for problem in error.problems:
                ref, rest = locate(problem.path, fund.cells)
                if str(ref) in reported and not rest:
                    continue
                reported.add(str(ref))
                message = f"{rest}: {problem.message}" if rest else problem.message
                if problem.path in fund.absent:
                    message += f" (the {ref.sheet} sheet has no column {fund.absent[problem.path]})"
                fund.error(ref, message)
            return
        for where, relative in model.history_paths():  # the fund file's references, against what is copied
            if relative not in fund.copies:
                fund.error(fund.cells.get(where, fund.cells[""]), f"refers to {relative}, which the import does not write")


def locate(path: str, cells: dict[str, Ref]) -> tuple[Ref, str]:
    """The place a dotted model path came from: the longest recorded prefix, and the rest of the path."""
    parts = path.split(".") if path else []
    for k in range(len(parts), -1, -1):
        ref = cells.get(".".join(parts[:k]))
        if ref is not None:
            return ref, ".".join(parts[k:])
    return cells[""], path


# --- writing -----------------------------------------------------------------------------------------


def fund_yaml(data: dict[str, Any], workbook: str, texts: list[str] | tuple[str, ...] = ()) -> bytes:
    """The fund file's bytes: a header saying where it came from (the export's as_of, never the clock;
    the prospectus texts laid over it), then the data in the model's order."""
    body = dump_fund(data)
    also = "".join(f" and {name}" for name in texts)
    header = (f"# Generated by `factsheets import` from {workbook}{also} as of {data['as_of'].isoformat()}.\n"
              "# Do not edit: correct the export and import it again (its histories are copied under history/).\n")
    return (header + body).encode("utf-8")


def _write(target: Path, data: bytes) -> bool:
    """Write when the bytes differ; True when written."""
    try:
        if target.is_file() and not target.is_symlink() and target.stat().st_size == len(data) and target.read_bytes() == data:
            return False
    except OSError:
        pass
    write_atomic(target, data)
    return True


def _inside(out: Path, relative: str) -> Path:
    target = out / relative
    resolved = target.parent.resolve()
    if target.is_symlink() or (resolved != out and out not in resolved.parents):
        raise ExportError([f"{target}: a symbolic link or outside {out}: refusing to write through it"])
    return target


# --- the whole import --------------------------------------------------------------------------------


@dataclass
class ImportResult:
    funds: list[FundImport]
    problems: list[ImportProblem]  # every problem, of the funds and of none, in order
    written: list[str] = field(default_factory=list)  # codes of the funds whose files are written (or already up to date)
    changed: list[Path] = field(default_factory=list)  # files actually rewritten
    kept: list[str] = field(default_factory=list)  # codes of funds not written whose earlier file is left as it was
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def failed(self) -> list[str]:
        return [f.code for f in self.funds if f.errors]

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


def import_export(export: str | Path, out: str | Path | None = None, mapping: Mapping | None = None,
                  today: dt.date | None = None, texts: str | Path | None = None) -> ImportResult:
    """Import an export folder (or its workbook) into `out` (None: check only, write nothing), with the
    prospectus texts of `texts` (a folder of `<fund code>.yaml`, schema prospectus/v1) laid over each
    fund's. Raises ExportError when the export cannot be read at all."""
    mapping = mapping or Mapping()
    export = Path(export)
    timings: dict[str, float] = {}
    if export.is_dir():
        folder, workbook = export, export / mapping.workbook
    else:
        folder, workbook = export.parent, export
    if not workbook.is_file():
        raise ExportError([f"{workbook}: no such workbook" + ("" if export.is_dir() or export.exists() else
                                                              " or export folder")])
    if workbook.stat().st_size > MAX_WORKBOOK_BYTES:
        raise ExportError([f"{workbook}: {workbook.stat().st_size:,} bytes, above the limit of {MAX_WORKBOOK_BYTES:,}"])
    start = time.perf_counter()
    try:
        book = read_workbook(workbook, [n for s in SHEETS if (n := mapping.sheet_name(s))])
    except Exception as error:  # calamine raises its own types for a damaged or protected file
        raise ExportError([f"{workbook}: cannot read the workbook: {type(error).__name__}: {error}"]) from None
    timings["read workbook"] = time.perf_counter() - start
    name = workbook.name
    tables, structure, warnings = _tables(book, mapping, name)
    if structure:
        raise ExportError(structure)
    if texts is not None and not Path(texts).is_dir():
        raise ExportError([f"{texts}: no such folder of prospectus texts"])
    build = _Build(folder, tables, mapping, name, today, Path(texts) if texts is not None else None)
    funds = build.funds()
    timings.update(build.timings)
    problems = warnings + build.problems + [p for f in funds for p in f.problems]
    if texts is not None:  # a file of texts for no fund of the export (a typo in its name?) is said, not ignored
        codes = {f.code for f in funds}
        problems += [ImportProblem(f"{Path(texts).name}/{p.name}", "no fund of that code in the export: its texts are not used",
                                   None, "warning") for p in sorted(Path(texts).glob("*.yaml")) if p.stem not in codes]
    result = ImportResult(funds, problems, timings=timings)
    if out is None:
        return result
    start = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    out = out.resolve()
    for fund in funds:
        target = _inside(out, f"{fund.code}.yaml") if _CODE.fullmatch(fund.code) else None
        if fund.errors or target is None:
            if target is not None and target.exists():
                result.kept.append(fund.code)
            continue
        for relative, source in sorted(fund.copies.items()):  # the histories first: a fund file never refers to a missing one
            destination = _inside(out, relative)
            if _write(destination, source.read_bytes()):
                result.changed.append(destination)
        if _write(target, fund_yaml(fund.data, name, fund.sources)):
            result.changed.append(target)
        result.written.append(fund.code)
    timings["write"] = time.perf_counter() - start
    return result
