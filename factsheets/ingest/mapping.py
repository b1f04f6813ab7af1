"""The house export's format (its sheets, columns and files) and a house's TOML mapping of its own
names onto it, for `factsheets import --mapping FILE`.

    workbook = "Fund range.xlsx"            # the workbook in the export folder (default fund-range.xlsx)

    [files]                                 # where the histories are, relative to the export folder
    nav = "NAV/{class_code}.csv"            # default nav/{class_code}.csv
    benchmark = "Benchmarks/{fund_code}.csv"  # default benchmark/{fund_code}.csv

    [sheets]                                # our name = the export's sheet name
    funds = "Fund master"
    priips = ""                             # "": the export has no such sheet

    [columns.funds]                         # our name = the export's column header
    fund_code = "Fund code"
    name_zh_hk = ""                         # "": no such column, every value blank

Anything not named keeps its default name. A mapping with problems is refused, with every problem
at once, each as `mapping.toml: columns.funds.fund_cod: ...`.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import FactsheetError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True)
class SheetSpec:
    """A sheet of the export: its columns as the house's README names them, the columns an export
    may also have (read when present), and the columns it can never be without."""

    columns: tuple[str, ...]
    optional: tuple[str, ...] = ()
    key: tuple[str, ...] = ("fund_code",)

    @property
    def all_columns(self) -> tuple[str, ...]:
        return self.columns + self.optional


_TEXT = ("en", "zh_cn", "zh_hk")

SHEETS: dict[str, SheetSpec] = {
    "funds": SheetSpec((
        "fund_code", "jurisdiction", "category", "currency", "inception_date", "as_of", "risk_rating", "min_investor",
        "languages", "name_en", "name_zh_cn", "name_zh_hk", "benchmark_en", "benchmark_zh_cn", "benchmark_zh_hk", "aum",
        "performance_source_en", "performance_source_zh_cn", "performance_source_zh_hk", "domicile")),
    "share_classes": SheetSpec((
        "fund_code", "class", "class_code", "currency", "inception_date", "management_fee_pct", "custody_fee_pct",
        "sales_service_fee_pct", "max_subscription_fee_pct", "max_redemption_fee_pct", "ongoing_charges_pct",
        "min_investment", "distribution"), optional=("initial_nav",), key=("fund_code", "class_code")),
    "managers": SheetSpec(("fund_code", "name_en", "name_zh_cn", "name_zh_hk", "since")),
    "holdings": SheetSpec(("fund_code", "rank", "name_en", "name_zh_cn", "name_zh_hk", "weight_pct"), optional=("code",),
                          key=("fund_code", "rank")),
    "allocations": SheetSpec(("fund_code", "dimension", "bucket_en", "bucket_zh_cn", "bucket_zh_hk", "weight_pct"),
                             key=("fund_code", "dimension")),
    "commentary": SheetSpec(("fund_code", "language", "text"), key=("fund_code", "language", "text")),
    "priips": SheetSpec((
        "fund_code", "class_code", "recommended_holding_period_years", "credit_risk_class", "entry_cost_pct",
        "exit_cost_pct", "ongoing_costs_pct", "transaction_costs_pct", "performance_fee_pct", "manufacturer",
        "manufacturer_website", "manufacturer_phone", "competent_authority", "objective_en", "intended_investor_en",
        "proxy_file"), optional=("objective_zh_cn", "objective_zh_hk", "intended_investor_zh_cn", "intended_investor_zh_hk")),
}
REQUIRED_SHEETS = ("funds", "share_classes")
DEFAULT_WORKBOOK = "fund-range.xlsx"
DEFAULT_FILES = {"nav": "nav/{class_code}.csv", "benchmark": "benchmark/{fund_code}.csv"}
_PLACEHOLDER = {"nav": "{class_code}", "benchmark": "{fund_code}"}


class MappingError(FactsheetError):
    """A mapping file that cannot be used: every problem, each naming the key."""

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {key}: {message}" if key else f"{source}: {message}" for key, message in problems))


@dataclass(frozen=True)
class Mapping:
    """How an export names the sheets, columns and files of the house format (the defaults: as the
    house's README names them)."""

    workbook: str = DEFAULT_WORKBOOK
    files: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_FILES))
    sheets: dict[str, str | None] = field(default_factory=dict)  # ours -> the export's (None: not in the export)
    columns: dict[tuple[str, str], str | None] = field(default_factory=dict)  # (sheet, ours) -> the export's
    source: str | None = None  # the mapping file, for messages

    def sheet_name(self, sheet: str) -> str | None:
        return self.sheets.get(sheet, sheet)

    def column_name(self, sheet: str, column: str) -> str | None:
        return self.columns.get((sheet, column), column)

    def nav_path(self, class_code: str) -> str:
        return self.files["nav"].replace("{class_code}", class_code)

    def benchmark_path(self, fund_code: str) -> str:
        return self.files["benchmark"].replace("{fund_code}", fund_code)

    def how_to_map(self, sheet: str, column: str | None = None) -> str:
        """A hint saying where the mapping names a sheet or a column."""
        if column is None:
            return f"name it in the mapping file's [sheets] ({sheet} = \"...\"), or write {sheet} = \"\" if the export has none"
        return (f"name it in the mapping file's [columns.{sheet}] ({column} = \"...\"), or write {column} = \"\" if the "
                f"export has no such column")


def _listing(names: list[str] | tuple[str, ...]) -> str:
    return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]


def relative_csv_problem(value: str) -> str | None:
    """Why a path is not a relative .csv path inside the export, or None."""
    path = PurePosixPath(value)
    if not value.endswith(".csv"):
        return "must name a .csv file"
    if value.startswith("/") or "\\" in value or re.match(r"[A-Za-z]:", value):
        return "must be relative to the export folder, with / between folders"
    if any(part in ("..", ".") for part in path.parts):
        return "must lie inside the export folder (no '.' or '..')"
    return None


def parse_mapping(data: dict[str, Any], source: str = "mapping") -> Mapping:
    """A mapping from parsed TOML, or MappingError listing every problem."""
    problems: list[tuple[str, str]] = []
    for key in data:
        if key not in ("workbook", "files", "sheets", "columns"):
            problems.append((key, "unknown key: a mapping has workbook, [files], [sheets] and [columns.SHEET]"))

    workbook = data.get("workbook", DEFAULT_WORKBOOK)
    if not isinstance(workbook, str) or not workbook.strip():
        problems.append(("workbook", "must be the workbook's file name, in quotes, e.g. \"Fund range.xlsx\""))
        workbook = DEFAULT_WORKBOOK
    elif not workbook.lower().endswith((".xlsx", ".xlsm")):
        problems.append(("workbook", f"{workbook!r} is not an Excel workbook (.xlsx or .xlsm)"))
    elif workbook.startswith("/") or ".." in PurePosixPath(workbook).parts:
        problems.append(("workbook", "must be relative to the export folder and inside it"))

    files = dict(DEFAULT_FILES)
    given = data.get("files", {})
    if not isinstance(given, dict):
        problems.append(("files", "must be a table: [files] with nav = \"...\" and benchmark = \"...\""))
        given = {}
    for key, value in given.items():
        if key not in DEFAULT_FILES:
            problems.append((f"files.{key}", f"unknown file kind: the kinds are {_listing(list(DEFAULT_FILES))} "
                                             "(proxy files are named by the priips sheet's proxy_file column)"))
        elif not isinstance(value, str):
            problems.append((f"files.{key}", f"must be a path in quotes, e.g. \"{DEFAULT_FILES[key]}\""))
        elif _PLACEHOLDER[key] not in value:
            problems.append((f"files.{key}", f"must contain {_PLACEHOLDER[key]}, which is replaced by each code, e.g. "
                                             f"\"{DEFAULT_FILES[key]}\""))
        elif re.search(r"[{}]", value.replace(_PLACEHOLDER[key], "")):
            problems.append((f"files.{key}", f"the only placeholder it may hold is {_PLACEHOLDER[key]}"))
        elif why := relative_csv_problem(value):
            problems.append((f"files.{key}", why))
        else:
            files[key] = value

    sheets: dict[str, str | None] = {}
    given = data.get("sheets", {})
    if not isinstance(given, dict):
        problems.append(("sheets", "must be a table: [sheets] with funds = \"...\" and so on"))
        given = {}
    for key, value in given.items():
        if key not in SHEETS:
            problems.append((f"sheets.{key}", f"unknown sheet: the sheets are {_listing(list(SHEETS))}"))
        elif not isinstance(value, str):
            problems.append((f"sheets.{key}", "must be the export's sheet name in quotes (\"\" if it has none)"))
        elif not value.strip() and key in REQUIRED_SHEETS:
            problems.append((f"sheets.{key}", f"an export cannot be without its {key} sheet"))
        else:
            sheets[key] = value.strip() or None
    seen: dict[str, str] = {}
    for ours in SHEETS:
        theirs = sheets.get(ours, ours)
        if theirs is None:
            continue
        if theirs in seen:
            problems.append((f"sheets.{ours}", f"{theirs!r} is also the sheet of {seen[theirs]}"))
        seen.setdefault(theirs, ours)

    columns: dict[tuple[str, str], str | None] = {}
    given = data.get("columns", {})
    if not isinstance(given, dict):
        problems.append(("columns", "must hold a table per sheet: [columns.funds] with fund_code = \"...\" and so on"))
        given = {}
    for sheet, names in given.items():
        spec = SHEETS.get(sheet)
        if spec is None:
            problems.append((f"columns.{sheet}", f"unknown sheet: the sheets are {_listing(list(SHEETS))}"))
            continue
        if not isinstance(names, dict):
            problems.append((f"columns.{sheet}", f"must be a table: [columns.{sheet}] with one line per column"))
            continue
        for column, value in names.items():
            where = f"columns.{sheet}.{column}"
            if column not in spec.all_columns:
                problems.append((where, f"unknown column of {sheet}: its columns are {_listing(spec.all_columns)}"))
            elif not isinstance(value, str):
                problems.append((where, "must be the export's column header in quotes (\"\" if it has none)"))
            elif not value.strip() and column in spec.key:
                problems.append((where, f"{sheet} cannot be read without its {column} column"))
            else:
                columns[(sheet, column)] = value.strip() or None
        seen = {}
        for column in spec.all_columns:
            theirs = columns.get((sheet, column), column)
            if theirs is None:
                continue
            if theirs in seen:
                problems.append((f"columns.{sheet}.{column}", f"{theirs!r} is also the column of {seen[theirs]}"))
            seen.setdefault(theirs, column)
    if problems:
        raise MappingError(source, problems)
    return Mapping(workbook.strip(), files, sheets, columns, source)


def load_mapping(path: str | Path) -> Mapping:
    """Read and check a mapping file; MappingError lists every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise MappingError(str(path), [("", f"cannot read: {error.strerror or error}")]) from None
    except UnicodeDecodeError:
        raise MappingError(str(path), [("", "not UTF-8 text")]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise MappingError(str(path), [("", f"not valid TOML: {error}")]) from None
    return parse_mapping(data, str(path))
