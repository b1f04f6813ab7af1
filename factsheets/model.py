"""The fund file, as Pydantic v2 models.

Rules that involve several fields live on the smallest model that holds them, so
that a problem in one section never hides a problem in another: every problem is
reported at once. Such a rule raises `rule_error(...)`, which carries the exact
dotted sub-path of each problem; `validate.py` turns them into messages.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal
from enum import Enum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

LANGS = ("en", "zh-CN", "zh-HK")  # every language a text may be given in
REQUIRED_LANGS = ("en", "zh-CN")

# Characters that make one code or name look like another (bidi overrides, zero widths).

# Unicode categories no reader-visible text may hold: controls (tab and line breaks aside),
# format characters (bidi overrides and isolates, zero widths, soft hyphen, tag characters),
# surrogates, private use and unassigned code points. They are invisible, reorder what is
# shown, or cannot be drawn by any configured font. Free text is treated as names are: the
# text is rejected, never silently changed, so that what is approved is what is printed.
_HIDDEN_CATEGORIES = {"Cc": "control", "Cf": "invisible or bidirectional", "Cs": "surrogate",
                      "Co": "private-use", "Cn": "unassigned"}
_ALLOWED_CONTROLS = frozenset("\t\n\r")

# Dates: nothing before 1900 (a typo, or year 0), nothing after the file's as_of, and as_of
# itself no later than tomorrow (a fund house in UTC+8 may date a file a day ahead of a UTC clock).
MIN_DATE = dt.date(1900, 1, 1)
AS_OF_LEAD = dt.timedelta(days=1)
# Money amounts and ratios have an upper bound: a typo of ten digits is caught, and formatting
# an absurd exponent (1e999999) can neither exhaust memory nor overflow decimal precision.
MAX_AMOUNT = Decimal(10) ** 15


def _hidden_chars(value: str) -> str:
    for position, char in enumerate(value):
        kind = _HIDDEN_CATEGORIES.get(unicodedata.category(char))
        if kind and char not in _ALLOWED_CONTROLS:
            name = unicodedata.name(char, "")
            raise PydanticCustomError(
                "invisible_char",
                "contains the {kind} character U+{code}{name} at position {position}: remove it",
                {"kind": kind, "code": f"{ord(char):04X}", "name": f" ({name})" if name else "", "position": position},
            )
    return value


def _today(info: ValidationInfo) -> dt.date:
    today = (info.context or {}).get("today")
    return today if isinstance(today, dt.date) else dt.date.today()


def _not_in_future(value: dt.date, info: ValidationInfo) -> dt.date:
    today = _today(info)
    if value > today + AS_OF_LEAD:
        raise PydanticCustomError(
            "date_in_future", "{value} is in the future (today is {today})",
            {"value": value.isoformat(), "today": today.isoformat()},
        )
    return value


def _not_after_as_of(value: dt.date, info: ValidationInfo) -> dt.date:
    as_of = (info.context or {}).get("as_of")
    if isinstance(as_of, dt.date) and value > as_of:
        raise PydanticCustomError(
            "date_after_as_of", "{value} is after as_of {as_of}: a fund file cannot describe its future",
            {"value": value.isoformat(), "as_of": as_of.isoformat()},
        )
    return value


def _unique_years(value: object) -> object:
    """`2020` and `"2020"` are different YAML keys but the same year: one would silently win."""
    if isinstance(value, dict):
        seen: dict[object, object] = {}
        for key in value:
            norm: object = key
            if isinstance(key, (str, int, Decimal)) and not isinstance(key, bool):
                try:
                    norm = int(key)
                except (ValueError, ArithmeticError):
                    pass
            if norm in seen:
                raise PydanticCustomError(
                    "duplicate_key", "year {year} is given twice ({first!r} and {second!r})",
                    {"year": norm, "first": seen[norm], "second": key},
                )
            seen[norm] = key
    return value


CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"  # codes name files: ASCII, no separators
Code = Annotated[str, StringConstraints(strict=True, pattern=CODE_PATTERN)]
Text = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=10_000),
                 AfterValidator(_hidden_chars)]
Percent = Annotated[Decimal, Field(ge=-100, le=10_000, allow_inf_nan=False)]
Weight = Annotated[Decimal, Field(ge=0, le=100, allow_inf_nan=False)]
Amount = Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False)]
SignedAmount = Annotated[Decimal, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT, allow_inf_nan=False)]
Ratio = Annotated[Decimal, Field(gt=0, le=100_000, allow_inf_nan=False)]
Year = Annotated[int, Field(ge=1900, le=2200)]
YearReturns = Annotated[dict[Year, Percent], BeforeValidator(_unique_years)]
Date = Annotated[dt.date, Field(ge=MIN_DATE), AfterValidator(_not_after_as_of)]
AsOfDate = Annotated[dt.date, Field(ge=MIN_DATE), AfterValidator(_not_in_future)]


def rule_error(problems: list[tuple[str, str]]) -> PydanticCustomError:
    """One error carrying several (sub-path, message) problems of a cross-field rule."""
    return PydanticCustomError(
        "fund_rule", "{summary}", {"problems": problems, "summary": "; ".join(m for _, m in problems)}
    )


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalizedText(Strict):
    """A reader-visible text; `en` and `zh-CN` are required, `zh-HK` is optional."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    en: Text
    zh_CN: Text = Field(alias="zh-CN")
    zh_HK: Text | None = Field(default=None, alias="zh-HK")

    def get(self, lang: str) -> str | None:
        return {"en": self.en, "zh-CN": self.zh_CN, "zh-HK": self.zh_HK}[lang]

    def __getitem__(self, lang: str) -> str:
        text = self.get(lang)
        if text is None:
            raise KeyError(lang)
        return text


class Name(LocalizedText):
    """A name. Like every text it admits no invisible or direction-changing character (which would
    let one fund pose as another): `Text` rejects them all."""


class Category(str, Enum):
    etf = "etf"
    etf_feeder = "etf_feeder"
    open_ended = "open_ended"
    money_market = "money_market"


RiskRating = Literal["R1", "R2", "R3", "R4", "R5"]
InvestorClass = Literal["C1", "C2", "C3", "C4", "C5"]


class Risk(Strict):
    rating: RiskRating
    min_investor: InvestorClass
    notes: list[LocalizedText] = []

    @field_validator("min_investor")
    @classmethod
    def _suits_rating(cls, value: str, info: ValidationInfo) -> str:
        # Rn may only be sold to investors assessed Cn or above.
        rating = info.data.get("rating")
        if rating and int(value[1]) < int(rating[1]):
            needed = f"C{rating[1]}"
            raise PydanticCustomError(
                "min_investor_too_low",
                "{value} is below {needed}, the minimum for an {rating} fund",
                {"value": value, "needed": needed, "rating": rating},
            )
        return value


class Trading(Strict):
    intraday_t0: StrictBool = False
    qdii_quota_required: StrictBool = False


class ShareClass(Strict):
    class_: Annotated[str, StringConstraints(strict=True, pattern=r"^[A-Za-z0-9]{1,8}$")] = Field(alias="class")
    code: Code
    listed: StrictBool = False
    feeder: StrictBool = False
    name: Name | None = None


class Fund(Strict):
    code: Code
    exchange: Annotated[str, StringConstraints(strict=True, pattern=r"^[A-Z]{2,8}$")] | None = None
    name: Name
    category: Category
    currency: Annotated[str, StringConstraints(strict=True, pattern=r"^[A-Z]{3}$")]
    inception_date: Date | None = None
    risk: Risk
    aum: Amount | None = None
    avg_daily_turnover: Amount | None = None
    trading: Trading | None = None
    share_classes: list[ShareClass] = Field(min_length=1)

    @field_validator("share_classes")
    @classmethod
    def _unique_codes(cls, classes: list[ShareClass]) -> list[ShareClass]:
        seen: dict[str, int] = {}
        problems = []
        for i, share_class in enumerate(classes):
            if share_class.code in seen:
                problems.append((f"{i}.code", f"{share_class.code} is also the code of share class {seen[share_class.code]}"))
            seen.setdefault(share_class.code, i)
        if problems:
            raise rule_error(problems)
        return classes


def _check_years(returns: dict[int, Decimal], info: ValidationInfo, prefix: str = "") -> list[tuple[str, str]]:
    """Calendar-year returns may not lie after the fund file's as_of date (passed as context)."""
    as_of = (info.context or {}).get("as_of")
    if not isinstance(as_of, dt.date):
        return []
    return [
        (f"{prefix}{year}", f"a return for {year} is after as_of {as_of.isoformat()}")
        for year in sorted(returns)
        if year > as_of.year
    ]


class Peer(Strict):
    name: Name
    pe_ratio: Ratio


class Valuation(Strict):
    as_of: Date
    pe_ratio: Ratio
    pe_percentile_10y: Annotated[Decimal, Field(ge=0, le=100, allow_inf_nan=False)] | None = None
    peers: list[Peer] = []


class Index(Strict):
    name: Name
    provider: Text
    base_date: Date
    launch_date: Date
    annual_returns: YearReturns = {}
    valuation: Valuation | None = None

    @field_validator("launch_date")
    @classmethod
    def _after_base(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        base = info.data.get("base_date")
        if base and base > value:
            raise PydanticCustomError(
                "base_after_launch",
                "base date {base} is after launch date {launch}",
                {"base": base.isoformat(), "launch": value.isoformat()},
            )
        return value

    @field_validator("annual_returns")
    @classmethod
    def _years(cls, value: dict[int, Decimal], info: ValidationInfo) -> dict[int, Decimal]:
        if problems := _check_years(value, info):
            raise rule_error(problems)
        return dict(sorted(value.items()))


class AnnualReturns(Strict):
    fund: Annotated[YearReturns, Field(min_length=1)]
    benchmark: YearReturns = {}

    @model_validator(mode="after")
    def _years(self, info: ValidationInfo) -> AnnualReturns:
        problems = _check_years(self.fund, info, "fund.") + _check_years(self.benchmark, info, "benchmark.")
        problems += [
            (f"benchmark.{year}", f"a benchmark return for {year} has no fund return beside it")
            for year in sorted(set(self.benchmark) - set(self.fund))
        ]
        if problems:
            raise rule_error(problems)
        return self


class Performance(Strict):
    basis: LocalizedText
    benchmark: LocalizedText | None = None
    annual_returns: AnnualReturns


class Holding(Strict):
    name: Name
    weight: Weight


class Holdings(Strict):
    top10_weight: Weight | None = None
    top: list[Holding] = Field(min_length=1)

    @model_validator(mode="after")
    def _weights(self) -> Holdings:
        problems = []
        weights = [h.weight for h in self.top]
        for i in range(1, len(weights)):
            if weights[i] > weights[i - 1]:
                problems.append(
                    (f"top.{i}.weight", f"{weights[i]} is larger than {weights[i - 1]} before it: list holdings largest first")
                )
        if (total := sum(weights)) > 100:
            problems.append(("top", f"weights sum to {total}, above 100"))
        ten = sum(sorted(weights, reverse=True)[:10])
        if self.top10_weight is not None and self.top10_weight < ten:
            problems.append(
                ("top10_weight", f"{self.top10_weight} is below {ten}, the sum of the ten largest listed weights")
            )
        if problems:
            raise rule_error(problems)
        return self


class Flow(Strict):
    days: Annotated[int, Field(strict=True, ge=1, le=3660)]
    net_inflow: SignedAmount  # negative: net outflow


class Market(Strict):
    day_change_pct: Percent | None = None
    flows: list[Flow] = []
    source: LocalizedText


class FundFile(Strict):
    """A whole fund file: the root of the schema (`schema: fund/v1`)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schema_: Literal["fund/v1"] = Field(alias="schema")
    as_of: AsOfDate
    jurisdiction: Literal["CN"]
    fund: Fund
    index: Index | None = None
    performance: Performance | None = None
    holdings: Holdings | None = None
    market: Market | None = None
    commentary: LocalizedText | None = None

    @model_validator(mode="after")
    def _returns_after_inception(self) -> FundFile:
        # Across sections, so it runs once the sections are valid: a fund has no return for a
        # year before the one it started in.
        start = self.fund.inception_date
        if start is None or self.performance is None:
            return self
        returns = self.performance.annual_returns
        problems = [
            (f"performance.annual_returns.{series}.{year}", f"a return for {year} is before the fund's inception on {start.isoformat()}")
            for series, values in (("fund", returns.fund), ("benchmark", returns.benchmark))
            for year in sorted(values)
            if year < start.year
        ]
        if problems:
            raise rule_error(problems)
        return self

    @property
    def code(self) -> str:
        return self.fund.code

    def texts(self) -> list[tuple[str, LocalizedText]]:
        """Every reader-visible text with its dotted path, for language and wording checks."""
        found: list[tuple[str, LocalizedText]] = []

        def walk(value: object, path: str) -> None:
            if isinstance(value, LocalizedText):
                found.append((path, value))
            elif isinstance(value, BaseModel):
                for name, field in type(value).model_fields.items():
                    walk(getattr(value, name), f"{path}.{field.alias or name}" if path else (field.alias or name))
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    walk(item, f"{path}.{i}")

        walk(self, "")
        return found

    def free_texts(self, langs: tuple[str, ...]) -> list[str]:
        """The fund's own prose (commentary, risk notes) in the given languages: text a statement
        could be quoted in, which must not count as the statement itself."""
        texts = [*self.fund.risk.notes, *([self.commentary] if self.commentary else [])]
        return [value for text in texts for lang in langs if (value := text.get(lang))]

    def gives_lang(self, lang: str) -> bool:
        """Whether the fund is meant for a language at all: some text is given in it."""
        return any(text.get(lang) for _, text in self.texts())

    def has_lang(self, lang: str) -> bool:
        return all(text.get(lang) for _, text in self.texts())
