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

Anything not named keeps its default name. The mapping is a Pydantic model (`Mapping`), validated the way
`config/schema.py` validates factsheets.toml: a mapping with problems is refused with every problem at
once, each naming its TOML key, as `mapping.toml: columns.funds.fund_cod: ...` (`MappingError`).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    create_model,
)
from pydantic_core import PydanticCustomError

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


# --- the values: each check raises its problem in the mapping's words ---------------------------------


def _problem(kind: str, message: str) -> PydanticCustomError:
    # The message goes in as context, not as the template: it may hold braces ({class_code}).
    return PydanticCustomError(kind, "{message}", {"message": message})


def _workbook(value: Any) -> str:
    """The workbook's file name: an Excel workbook in the export folder (trimmed, as the sheet and column
    names are)."""
    if not isinstance(value, str) or not value.strip():
        raise _problem("workbook", "must be the workbook's file name, in quotes, e.g. \"Fund range.xlsx\"")
    value = value.strip()
    if not value.lower().endswith((".xlsx", ".xlsm")):
        raise _problem("workbook", f"{value!r} is not an Excel workbook (.xlsx or .xlsm)")
    if value.startswith("/") or ".." in PurePosixPath(value).parts:
        raise _problem("workbook", "must be relative to the export folder and inside it")
    return value


def _history_path(value: Any, info: ValidationInfo) -> str:
    """A history file's path (`files.nav`, `files.benchmark`): relative, a .csv, with the code's placeholder
    and no other."""
    kind = info.field_name
    placeholder, default = _PLACEHOLDER[kind], DEFAULT_FILES[kind]
    if not isinstance(value, str):
        raise _problem("path", f"must be a path in quotes, e.g. \"{default}\"")
    if placeholder not in value:
        raise _problem("placeholder", f"must contain {placeholder}, which is replaced by each code, e.g. \"{default}\"")
    if re.search(r"[{}]", value.replace(placeholder, "")):
        raise _problem("placeholder", f"the only placeholder it may hold is {placeholder}")
    if why := relative_csv_problem(value):
        raise _problem("path", why)
    return value


def _export_name(what: str, blank: str | None) -> Any:
    """The type of an entry of [sheets] or [columns.SHEET]: the export's name of one of our sheets or columns
    (`what`: "sheet" or "column"), trimmed; "" (None: the export has none) is refused with `blank` when the
    export cannot be without it. A name may be given once: an entry whose name an earlier one (in the format's
    order, given or not) already has is refused."""

    def given(value: Any) -> str | None:
        if not isinstance(value, str):
            header = "sheet name" if what == "sheet" else "column header"
            raise _problem("name", f"must be the export's {header} in quotes (\"\" if it has none)")
        if not value.strip() and blank is not None:
            raise _problem("required", blank)
        return value.strip() or None

    def distinct(value: str | None, info: ValidationInfo) -> str | None:
        first = next((ours for ours, theirs in info.data.items() if value is not None and theirs == value), None)
        if first is not None:
            raise _problem("twice", f"{value!r} is also the {what} of {first}")
        return value

    return Annotated[str | None, BeforeValidator(given), AfterValidator(distinct)]


# --- the tables ---------------------------------------------------------------------------------------


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _names_table(title: str, names: tuple[str, ...], what: str, blank: dict[str, str]) -> type[_Table]:
    """A table naming each of `names` (ours, by default the export's too) as the export names it; the
    fields are checked in the order of `names`, so a name given twice is reported at its later entry."""
    fields: dict[str, Any] = {name: (_export_name(what, blank.get(name)), Field(name, validate_default=True)) for name in names}
    return create_model(title, __base__=_Table, **fields)


SheetNames = _names_table("SheetNames", tuple(SHEETS), "sheet",
                          {s: f"an export cannot be without its {s} sheet" for s in REQUIRED_SHEETS})
ColumnNames = {sheet: _names_table(f"ColumnNames_{sheet}", spec.all_columns, "column",
                                   {c: f"{sheet} cannot be read without its {c} column" for c in spec.key})
               for sheet, spec in SHEETS.items()}
Columns = create_model("Columns", __base__=_Table,
                       **{sheet: (model, Field(default_factory=model)) for sheet, model in ColumnNames.items()})


class Files(_Table):
    nav: Annotated[str, BeforeValidator(_history_path)] = DEFAULT_FILES["nav"]
    benchmark: Annotated[str, BeforeValidator(_history_path)] = DEFAULT_FILES["benchmark"]


class Mapping(_Table):
    """How an export names the workbook, the sheets, the columns and the history files of the house format
    (the defaults: as the house's README names them)."""

    workbook: Annotated[str, BeforeValidator(_workbook)] = DEFAULT_WORKBOOK
    files: Files = Field(default_factory=Files)
    sheets: SheetNames = Field(default_factory=SheetNames)  # type: ignore[valid-type]
    columns: Columns = Field(default_factory=Columns)  # type: ignore[valid-type]

    def sheet_name(self, sheet: str) -> str | None:
        """The export's name of our sheet; None: the export has no such sheet."""
        return getattr(self.sheets, sheet)

    def column_name(self, sheet: str, column: str) -> str | None:
        """The export's header of our column; None: the export has no such column."""
        return getattr(getattr(self.columns, sheet), column)

    def nav_path(self, class_code: str) -> str:
        return self.files.nav.replace("{class_code}", class_code)

    def benchmark_path(self, fund_code: str) -> str:
        return self.files.benchmark.replace("{fund_code}", fund_code)

    def how_to_map(self, sheet: str, column: str | None = None) -> str:
        """A hint saying where the mapping names a sheet or a column."""
        if column is None:
            return f"name it in the mapping file's [sheets] ({sheet} = \"...\"), or write {sheet} = \"\" if the export has none"
        return (f"name it in the mapping file's [columns.{sheet}] ({column} = \"...\"), or write {column} = \"\" if the "
                f"export has no such column")


# --- reading a mapping --------------------------------------------------------------------------------


def _table_problem(loc: tuple[str | int, ...], kind: str) -> str:
    """What is wrong with the table at `loc` (() for the mapping itself): a key it does not have (`kind`
    "unknown", loc the key), or a value that is not a table ("not a table")."""
    sheets = _listing(list(SHEETS))
    if kind == "unknown":
        table = loc[:-1]
        if not table:
            return "unknown key: a mapping has workbook, [files], [sheets] and [columns.SHEET]"
        if table == ("files",):
            return (f"unknown file kind: the kinds are {_listing(list(DEFAULT_FILES))} (proxy files are named by the "
                    "priips sheet's proxy_file column)")
        if table in (("sheets",), ("columns",)):
            return f"unknown sheet: the sheets are {sheets}"
        return f"unknown column of {table[1]}: its columns are {_listing(SHEETS[str(table[1])].all_columns)}"
    if not loc:
        return "must be a TOML table of workbook, [files], [sheets] and [columns.SHEET]"
    if loc == ("files",):
        return "must be a table: [files] with nav = \"...\" and benchmark = \"...\""
    if loc == ("sheets",):
        return "must be a table: [sheets] with funds = \"...\" and so on"
    if loc == ("columns",):
        return "must hold a table per sheet: [columns.funds] with fund_code = \"...\" and so on"
    return f"must be a table: [columns.{loc[1]}] with one line per column"


def parse_mapping(data: dict[str, Any], source: str = "mapping") -> Mapping:
    """A mapping from parsed TOML, or MappingError listing every problem (in the order of the model: its
    keys, then the keys it does not have)."""
    try:
        return Mapping.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors(include_url=False):
            loc = tuple(item["loc"])
            if item["type"] == "extra_forbidden":
                message = _table_problem(loc, "unknown")
            elif item["type"] == "model_type":
                message = _table_problem(loc, "not a table")
            else:
                message = item["msg"]
            problems.append((".".join(str(part) for part in loc), message))
        raise MappingError(source, problems) from None


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
