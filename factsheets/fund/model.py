"""The fund file, as Pydantic v2 models (`schema: fund/v2`; `fund/v1` files still validate).

Rules that involve several fields live on the smallest model that holds them, so
that a problem in one section never hides a problem in another: every problem is
reported at once. Such a rule raises `rule_error(...)`, which carries the exact
dotted sub-path of each problem; `validate.py` turns them into messages. What a rule
needs from elsewhere in the file (as_of, the languages the fund publishes in, its
jurisdiction) is read from the raw data first and passed as validation context, so
that those rules run in the same pass as every field check.

fund/v2 adds to fund/v1: `languages` (the languages the fund publishes in: every
reader-visible text is required in each, and in no other), Hong Kong funds
(`jurisdiction: HK`, no R/C rating), more categories, the domicile, share-class terms
(fees, charges, minimum investment, distribution, dividends, NAV history), managers,
custodian, benchmark definition, allocations, the texts key facts documents need, and
PRIIPs inputs. A fund/v1 file publishes in en and zh-CN (and zh-HK when it gives zh-HK
texts); `factsheets migrate` rewrites it as fund/v2.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from enum import Enum
from typing import Annotated, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import WithJsonSchema
from pydantic_core import PydanticCustomError

from .dates import year_before

LANGS = ("en", "zh-CN", "zh-HK")  # every language a text may be given in
V1_LANGS = ("en", "zh-CN")  # the languages every fund/v1 text must have
Lang = Literal["en", "zh-CN", "zh-HK"]
JURISDICTIONS = ("CN", "HK")

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


def shown(value: str, limit: int = 60) -> str:
    """A value as a message may quote it: invisible and direction-changing characters escaped (a
    message must not reorder the terminal it is printed in), long values cut."""
    text = "".join(f"\\u{ord(c):04x}" if unicodedata.category(c) in _HIDDEN_CATEGORIES else c for c in value)
    return text if len(text) <= limit else text[:limit] + "…"


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


def _matches(pattern: str, what: str):
    """A string check whose message says in words what is allowed (never the regular expression);
    the pattern itself goes to the JSON Schema."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise PydanticCustomError("string_pattern_mismatch", "'{value}' is not allowed: {what}", {"value": shown(value), "what": what})
        return value
    return AfterValidator(check)


def _number(value: object) -> object:
    """Numbers are numbers: "38.62%" or "1.2亿" in a fund file is text, and says so (not
    Pydantic's "Input should be a valid decimal")."""
    if isinstance(value, bool) or isinstance(value, str):
        raise PydanticCustomError(
            "not_a_number", "'{value}' is not a number: write it as a plain number, e.g. 38.62, without %, 亿, units or quotes",
            {"value": value})
    return value


def _schema(**extra: object) -> WithJsonSchema:
    return WithJsonSchema(extra)


def _num(low: float | None, high: float | None, description: str, *, gt: bool = False) -> object:
    schema: dict[str, object] = {"type": "number", "description": description}
    if low is not None:
        schema["exclusiveMinimum" if gt else "minimum"] = low
    if high is not None:
        schema["maximum"] = high
    return WithJsonSchema(schema)


CODE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}"  # codes name files: ASCII, no separators
Code = Annotated[str, StringConstraints(strict=True), _matches(CODE_PATTERN, "a code is 1 to 32 ASCII letters, digits, '-' or '_', "
                                                               "starting with a letter or digit"),
                 _schema(type="string", pattern=f"^{CODE_PATTERN}$", description="A code: 1-32 ASCII letters, digits, - or _")]
Text = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=10_000),
                 AfterValidator(_hidden_chars)]
Number = BeforeValidator(_number)
Percent = Annotated[Decimal, Number, Field(ge=-100, le=10_000, allow_inf_nan=False),
                    _num(-100, 10_000, "Percent: 19.22 means 19.22 %")]
FeePercent = Annotated[Decimal, Number, Field(ge=0, le=100, allow_inf_nan=False), _num(0, 100, "Percent: 1.2 means 1.2 %")]
Weight = Annotated[Decimal, Number, Field(ge=0, le=100, allow_inf_nan=False), _num(0, 100, "Weight in percent: 19.22 means 19.22 %")]
Amount = Annotated[Decimal, Number, Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False),
                   _num(0, float(MAX_AMOUNT), "An amount in whole units of the currency")]
SignedAmount = Annotated[Decimal, Number, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT, allow_inf_nan=False),
                         _num(-float(MAX_AMOUNT), float(MAX_AMOUNT), "An amount in units of the currency; negative for an outflow")]
Ratio = Annotated[Decimal, Number, Field(gt=0, le=100_000, allow_inf_nan=False), _num(0, 100_000, "A ratio (24.68 for 24.68x)", gt=True)]
PerUnit = Annotated[Decimal, Number, Field(gt=0, le=MAX_AMOUNT, allow_inf_nan=False),
                    _num(0, float(MAX_AMOUNT), "An amount per unit, in the class's currency", gt=True)]
Year = Annotated[int, Field(ge=1900, le=2200)]
YEAR_KEY = r"^(19|2[0-1])[0-9]{2}$|^2200$"
YearReturns = Annotated[dict[Year, Percent], BeforeValidator(_unique_years),
                        _schema(type="object", propertyNames={"pattern": YEAR_KEY},
                                additionalProperties={"type": "number", "minimum": -100, "maximum": 10_000},
                                description="Calendar-year returns in percent, by year (1900-2200)")]
Date = Annotated[dt.date, Field(ge=MIN_DATE), AfterValidator(_not_after_as_of)]
AsOfDate = Annotated[dt.date, Field(ge=MIN_DATE), AfterValidator(_not_in_future)]
Currency = Annotated[str, StringConstraints(strict=True), _matches(r"[A-Z]{3}", "a currency is its three-letter ISO 4217 code in "
                                                                   "capitals, e.g. CNY, USD"),
                     _schema(type="string", pattern="^[A-Z]{3}$", description="ISO 4217 currency code, e.g. CNY")]
Country = Annotated[str, StringConstraints(strict=True), _matches(r"[A-Z]{2}", "a country is its two-letter ISO 3166 code in "
                                                                  "capitals, e.g. CN, LU"),
                    _schema(type="string", pattern="^[A-Z]{2}$", description="ISO 3166-1 alpha-2 country code, e.g. LU")]
HistoryPath = Annotated[str, StringConstraints(strict=True, max_length=200),
                        _matches(r"(?!/)(?!.*(^|/)\.\.?(/|$))[A-Za-z0-9_./ -]+\.csv",
                                 "a history file is a .csv path relative to the fund file's folder, inside it "
                                 "(no leading /, no '..')"),
                        _schema(type="string", pattern=r"^[A-Za-z0-9_./ -]+\.csv$",
                                description="A CSV file, relative to the fund file's folder")]


def rule_error(problems: list[tuple[str, ...]]) -> PydanticCustomError:
    """One error carrying several (sub-path, message[, kind]) problems of a cross-field rule."""
    return PydanticCustomError(
        "fund_rule", "{summary}", {"problems": problems, "summary": "; ".join(p[1] for p in problems)}
    )


def _context(info: ValidationInfo) -> dict:
    return info.context or {}


def _with(error: ValidationError, extra: PydanticCustomError) -> ValidationError:
    """A model's field errors and one more error of the same model, as one ValidationError: a rule
    is reported in the same run as the field errors it would otherwise wait for."""
    details = []
    for item in error.errors(include_url=False):
        kind, ctx = item["type"], item.get("ctx")
        try:  # Pydantic's own error types are rebuilt from their type and context
            ValidationError.from_exception_data("x", [{"type": kind, "loc": (), "input": item["input"], **({"ctx": ctx} if ctx else {})}])
            detail = {"type": kind, "loc": item["loc"], "input": item["input"], **({"ctx": ctx} if ctx else {})}
        except (KeyError, TypeError, ValueError):  # ours: kept with their message (and sub-problems)
            template = "{summary}" if ctx and "summary" in ctx else item["msg"].replace("{", "{{").replace("}", "}}")
            detail = {"type": PydanticCustomError(kind, template, ctx), "loc": item["loc"], "input": item["input"]}
        details.append(detail)
    details.append({"type": extra, "loc": (), "input": None})
    return ValidationError.from_exception_data(error.title, details)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalizedText(Strict):
    """A reader-visible text, per language. Each language the fund publishes in is required
    (fund/v1: en and zh-CN); others are optional."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              json_schema_extra={"minProperties": 1, "description": "A text per language (en, zh-CN, zh-HK)"})

    REQUIRED: ClassVar[tuple[str, ...]] = ()  # the languages required whatever the fund publishes in (none: the fund's)

    en: Text | None = None
    zh_CN: Text | None = Field(default=None, alias="zh-CN")
    zh_HK: Text | None = Field(default=None, alias="zh-HK")

    @model_validator(mode="wrap")
    @classmethod
    def _languages(cls, data: object, handler, info: ValidationInfo) -> LocalizedText:
        """Each language the fund publishes in is required. Checked on the raw mapping too, so that a
        text with another problem (an unknown language key) is reported missing in the same run."""
        required = cls.REQUIRED or _context(info).get("languages") or V1_LANGS
        given = data if isinstance(data, dict) else {}
        missing = [(lang, f"is required: the fund publishes in {lang}", "missing_translation")
                   for lang in required if given.get(lang) is None and given.get(lang.replace("-", "_")) is None]
        if isinstance(data, dict) and not any(given.get(k) for k in (*LANGS, "zh_CN", "zh_HK")) and not missing:
            missing = [("", "give the text in at least one language", "missing_translation")]
        try:
            value = handler(data)
        except ValidationError as error:
            if not missing or not isinstance(data, dict):
                raise
            raise _with(error, rule_error(missing)) from None
        if missing:
            raise rule_error(missing)
        return value

    def get(self, lang: str) -> str | None:
        return {"en": self.en, "zh-CN": self.zh_CN, "zh-HK": self.zh_HK}[lang]

    def __getitem__(self, lang: str) -> str:
        text = self.get(lang)
        if text is None:
            raise KeyError(lang)
        return text


class KidText(LocalizedText):
    """A text of the PRIIPs KID, which is in English whatever languages the fund's other documents are in."""

    REQUIRED: ClassVar[tuple[str, ...]] = ("en",)


class Name(LocalizedText):
    """A name. Like every text it admits no invisible or direction-changing character (which would
    let one fund pose as another): `Text` rejects them all."""


class Category(str, Enum):
    equity = "equity"
    hybrid = "hybrid"
    bond = "bond"
    money_market = "money_market"
    index = "index"
    etf = "etf"
    qdii = "qdii"
    fof = "fof"
    etf_feeder = "etf_feeder"  # fund/v1
    open_ended = "open_ended"  # fund/v1


RiskRating = Literal["R1", "R2", "R3", "R4", "R5"]
InvestorClass = Literal["C1", "C2", "C3", "C4", "C5"]


class Risk(Strict):
    """Mainland funds carry a risk rating (R1-R5) and the lowest investor class they suit (C1-C5);
    Hong Kong funds have neither. Fund-specific risk notes are shown with the risk block."""

    rating: RiskRating | None = None
    min_investor: InvestorClass | None = None
    notes: list[LocalizedText] = []

    @field_validator("min_investor")
    @classmethod
    def _suits_rating(cls, value: str | None, info: ValidationInfo) -> str | None:
        # Rn may only be sold to investors assessed Cn or above.
        rating = info.data.get("rating")
        if value and rating and int(value[1]) < int(rating[1]):
            needed = f"C{rating[1]}"
            raise PydanticCustomError(
                "min_investor_too_low",
                "{value} is below {needed}, the minimum for an {rating} fund",
                {"value": value, "needed": needed, "rating": rating},
            )
        return value

    @model_validator(mode="after")
    def _jurisdiction(self, info: ValidationInfo) -> Risk:
        jurisdiction = _context(info).get("jurisdiction")
        problems = []
        if jurisdiction == "CN":
            problems += [(key, "is required for a mainland (CN) fund", "missing")
                         for key in ("rating", "min_investor") if getattr(self, key) is None]
        elif jurisdiction == "HK":
            problems += [(key, "Hong Kong (HK) funds carry no mainland R/C rating: remove it", "hk_rating")
                         for key in ("rating", "min_investor") if getattr(self, key) is not None]
        if problems:
            raise rule_error(problems)
        return self


class Trading(Strict):
    intraday_t0: StrictBool = False
    qdii_quota_required: StrictBool = False


class Fees(Strict):
    """A share class's fees and charges, in percent."""

    management: FeePercent | None = Field(None, description="Management fee, % a year")
    custody: FeePercent | None = Field(None, description="Custody (trustee) fee, % a year")
    sales_service: FeePercent | None = Field(None, description="Sales service fee, % a year (mainland C classes)")
    max_subscription: FeePercent | None = Field(None, description="Maximum subscription (entry) charge, % one-off")
    max_redemption: FeePercent | None = Field(None, description="Maximum redemption (exit) charge, % one-off")
    ongoing_charges: FeePercent | None = Field(None, description="Ongoing charges over a year, % (Hong Kong)")


class Dividend(Strict):
    ex_date: Date
    amount: PerUnit = Field(description="Cash dividend per unit, in the class's currency")


class Distribution(str, Enum):
    accumulating = "accumulating"
    monthly = "monthly"
    quarterly = "quarterly"
    semi_annual = "semi_annual"
    annual = "annual"


class ShareClass(Strict):
    class_: Annotated[str, StringConstraints(strict=True, max_length=16),
                      _matches(r"[A-Za-z0-9]+( [A-Za-z0-9]+)*", "a class is letters, digits and single spaces, at most 16 "
                                                                  "characters (A, C, A USD Acc)"),
                      _schema(type="string", maxLength=16, pattern="^[A-Za-z0-9]+( [A-Za-z0-9]+)*$",
                              description="Class name: letters, digits and spaces (A, C, A USD Acc)")] = Field(alias="class")
    code: Code
    listed: StrictBool = False
    feeder: StrictBool = False
    name: Name | None = None
    currency: Currency | None = Field(None, description="The class's currency; the fund's when not given")
    inception_date: Date | None = None
    fees: Fees | None = None
    min_investment: Amount | None = Field(None, description="Minimum investment, in the class's currency")
    distribution: Distribution = Distribution.accumulating
    dividends: list[Dividend] = Field([], description="Dividends with an ex-date in the 12 months to as_of")
    nav: HistoryPath | None = Field(None, description="Daily NAV history (date,unit_nav,acc_nav,dividend_per_unit)")

    @model_validator(mode="after")
    def _dividends(self, info: ValidationInfo) -> ShareClass:
        problems = []
        as_of = _context(info).get("as_of")
        if self.dividends and self.distribution is Distribution.accumulating:
            problems.append(("dividends", "an accumulating class pays no dividends: set `distribution`"))
        if isinstance(as_of, dt.date):
            since = year_before(as_of)
            problems += [(f"dividends.{i}.ex_date", f"{d.ex_date.isoformat()} is more than 12 months before as_of {as_of.isoformat()}")
                         for i, d in enumerate(self.dividends) if d.ex_date <= since]
        dates = [d.ex_date for d in self.dividends]
        problems += [(f"dividends.{i}.ex_date", "list dividends oldest first, one per ex-date")
                     for i in range(1, len(dates)) if dates[i] <= dates[i - 1]]
        if self.inception_date and any(d < self.inception_date for d in dates):
            problems.append(("dividends", f"a dividend before the class's inception on {self.inception_date.isoformat()}"))
        if problems:
            raise rule_error(problems)
        return self


class Manager(Strict):
    name: Name
    since: Date = Field(description="The day the manager took the fund on")


class CustodianRole(str, Enum):
    custodian = "custodian"
    trustee = "trustee"
    depositary = "depositary"


class Custodian(Strict):
    name: Name
    role: CustodianRole = CustodianRole.custodian


class Dealing(str, Enum):
    daily = "daily"
    weekly = "weekly"
    monthly = "monthly"


class KeyRisk(Strict):
    title: LocalizedText
    text: LocalizedText


Website = Annotated[str, StringConstraints(strict=True, max_length=200),
                    _matches(r"https://[^\s/$.?#][^\s]*", "a website is an https:// address"),
                    _schema(type="string", pattern=r"^https://\S+$", format="uri")]
Phone = Annotated[str, StringConstraints(strict=True, max_length=40),
                  _matches(r"\+?[0-9][0-9 ()-]{4,38}", "a phone number is digits, spaces, ( ) and -, optionally starting with +"),
                  _schema(type="string", maxLength=40, pattern=r"^\+?[0-9][0-9 ()-]{4,38}$")]


class Contact(Strict):
    """Where investors find the offering documents and the latest prices (key facts: Additional
    information; 其他资料查询方式)."""

    website: Website
    phone: Phone | None = None


MonthDay = Annotated[str, StringConstraints(strict=True),
                     _matches(r"(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])", "a month and day as MM-DD, e.g. 12-31"),
                     _schema(type="string", pattern="^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$", description="MM-DD")]


class LegalForm(str, Enum):
    """What the fund is in law, which decides what it issues: shares (an investment company: a SICAV, an OEIC,
    公司型) or units (a unit trust; a mainland 契约型 contractual fund)."""

    investment_company = "investment_company"
    unit_trust = "unit_trust"
    contractual_fund = "contractual_fund"


class Fund(Strict):
    code: Code
    exchange: Annotated[str, StringConstraints(strict=True), _matches(r"[A-Z]{2,8}", "an exchange is 2 to 8 capital letters (SSE, SZSE, HKEX)"),
                        _schema(type="string", pattern="^[A-Z]{2,8}$", description="Exchange (SSE, SZSE, HKEX)")] | None = None
    name: Name
    category: Category
    domicile: Country | None = None
    currency: Currency
    inception_date: Date | None = Field(None, description="The day the fund contract took effect (mainland) or the fund launched")
    risk: Risk | None = None
    aum: Amount | None = Field(None, description="Fund size, in the fund's currency")
    avg_daily_turnover: Amount | None = None
    trading: Trading | None = None
    share_classes: list[ShareClass] = Field(min_length=1)
    management_company: Name | None = None
    custodian: Custodian | None = None
    managers: list[Manager] = []
    benchmark: LocalizedText | None = Field(None, description="The benchmark's definition, as the fund contract words it")
    objective: LocalizedText | None = None
    strategy: LocalizedText | None = None
    key_risks: list[KeyRisk] = []
    dealing: Dealing | None = None
    financial_year_end: MonthDay | None = None
    derivatives: LocalizedText | None = Field(None, description="Use of derivatives, as the offering document words it")
    guarantee: LocalizedText | None = Field(None, description="A guarantee the fund has; none when not given")
    product: LocalizedText | None = Field(None, description="What the product is: its legal form, umbrella and home "
                                                            "regulator (Hong Kong key facts: What is this product?)")
    risk_return: LocalizedText | None = Field(None, description="The risk-return profile, as the fund contract words it "
                                                                "(mainland key facts: 风险收益特征)")
    additional_information: LocalizedText | None = Field(None, description="Dealing cut-off, where prices are published, "
                                                                           "and the like (key facts: Additional information)")
    contact: Contact | None = None
    legal_form: LegalForm | None = Field(None, description="investment_company (issues shares), unit_trust or "
                                                           "contractual_fund (issue units)")
    ucits: StrictBool | None = Field(None, description="Whether the fund is a UCITS (Directive 2009/65/EC)")
    past_performance_url: Website | None = Field(None, description="Where the class's past performance is published "
                                                                   "(KID: Other relevant information)")
    scenarios_url: Website | None = Field(None, description="Where previous performance scenario calculations are "
                                                            "published (KID: Other relevant information)")

    @field_validator("share_classes")
    @classmethod
    def _unique_codes(cls, classes: list[ShareClass]) -> list[ShareClass]:
        seen: dict[str, int] = {}
        named: dict[str, int] = {}
        problems = []
        for i, share_class in enumerate(classes):
            if share_class.code in seen:
                problems.append((f"{i}.code", f"{share_class.code} is also the code of share class {seen[share_class.code]}"))
            if share_class.class_ in named:
                problems.append((f"{i}.class", f"class {share_class.class_} is also share class {named[share_class.class_]}"))
            seen.setdefault(share_class.code, i)
            named.setdefault(share_class.class_, i)
        if problems:
            raise rule_error(problems)
        return classes

    @model_validator(mode="after")
    def _dates(self) -> Fund:
        problems = []
        if self.inception_date:
            problems += [(f"managers.{i}.since", f"{m.since.isoformat()} is before the fund's inception on {self.inception_date.isoformat()}")
                         for i, m in enumerate(self.managers) if m.since < self.inception_date]
            problems += [(f"share_classes.{i}.inception_date", f"{c.inception_date.isoformat()} is before the fund's inception on "
                          f"{self.inception_date.isoformat()}")
                         for i, c in enumerate(self.share_classes) if c.inception_date and c.inception_date < self.inception_date]
        if problems:
            raise rule_error(problems)
        return self

    def class_currency(self, share_class: ShareClass) -> str:
        return share_class.currency or self.currency

    @property
    def distributes(self) -> bool:
        return any(c.distribution is not Distribution.accumulating for c in self.share_classes)


def _check_years(returns: dict[int, Decimal], info: ValidationInfo, prefix: str = "") -> list[tuple[str, str]]:
    """Calendar-year returns may not lie after the fund file's as_of date (passed as context)."""
    as_of = _context(info).get("as_of")
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
    pe_percentile_10y: Annotated[Decimal, Number, Field(ge=0, le=100, allow_inf_nan=False),
                                 _num(0, 100, "Percentile of the P/E within its 10-year range")] | None = None
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
    fund: Annotated[YearReturns, Field(min_length=1, json_schema_extra={"minProperties": 1})]
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
    """Typed figures (fund/v1, or a fund without NAV history), and where the figures come from.
    With NAV history (`share_classes[].nav`) the figures are computed and none may be typed."""

    basis: LocalizedText | None = None
    source: LocalizedText | None = Field(None, description="Who computed the figures (Hong Kong: named next to them)")
    benchmark: LocalizedText | None = Field(None, description="fund/v1: the benchmark's name; fund/v2: use fund.benchmark")
    annual_returns: AnnualReturns | None = None

    @model_validator(mode="after")
    def _basis(self) -> Performance:
        if self.annual_returns is not None and self.basis is None:
            raise rule_error([("basis", "is required with typed annual_returns: how the figures were computed", "missing")])
        return self


class History(Strict):
    benchmark: HistoryPath | None = Field(None, description="Daily benchmark levels (date,level)")


class Holding(Strict):
    name: Name
    weight: Weight
    code: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=32)] | None = None


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


class Bucket(Strict):
    name: LocalizedText
    weight: Weight


Buckets = Annotated[list[Bucket], Field(min_length=1)]


class Allocations(Strict):
    """Breakdowns of the portfolio, each in percent of net assets, largest first; each sums to 100 at most."""

    asset: Buckets | None = None
    sector: Buckets | None = None
    region: Buckets | None = None
    rating: Buckets | None = None

    @model_validator(mode="after")
    def _weights(self) -> Allocations:
        problems = []
        for dimension in ("asset", "sector", "region", "rating"):
            buckets = getattr(self, dimension) or []
            if (total := sum(b.weight for b in buckets)) > Decimal("100.05"):  # rounded weights may sum to 100.04
                problems.append((dimension, f"weights sum to {total}, above 100"))
        if problems:
            raise rule_error(problems)
        return self

    def dimensions(self) -> list[tuple[str, list[Bucket]]]:
        return [(d, getattr(self, d)) for d in ("asset", "sector", "region", "rating") if getattr(self, d)]


class Flow(Strict):
    days: Annotated[int, Field(strict=True, ge=1, le=3660)]
    net_inflow: SignedAmount  # negative: net outflow


class Market(Strict):
    day_change_pct: Percent | None = None
    flows: list[Flow] = []
    source: LocalizedText


class PriipsCosts(Strict):
    entry: FeePercent = Field(description="One-off entry cost, % of the amount invested")
    exit: FeePercent = Field(description="One-off exit cost, %")
    ongoing: FeePercent = Field(description="Management fees and other administrative or operating costs, % a year")
    transaction: FeePercent = Field(description="Transaction costs, % a year")
    performance_fee: FeePercent = Field(Decimal(0), description="Performance fees, % a year")


class PriipsCostsOverTime(Strict):
    """One column of the KID's "Costs over time" as the house states it (10,000 invested)."""

    years: Annotated[int, Field(strict=True, ge=1, le=40)] = Field(description="If you exit after this many years")
    total_costs: Amount | None = Field(None, description="Total costs, in the class's currency")
    annual_cost_impact: Percent | None = Field(None, description="Annual cost impact, % (2.5 means 2.5 %)")


class Priips(Strict):
    """Inputs of the PRIIPs Key Information Document (Regulation (EU) 2017/653)."""

    class_code: Code = Field(description="The representative share class")
    recommended_holding_period_years: Annotated[int, Field(strict=True, ge=1, le=40)]
    credit_risk_class: Annotated[int, Field(strict=True, ge=1, le=6)]
    costs: PriipsCosts
    manufacturer: Text
    website: Annotated[str, StringConstraints(strict=True, max_length=200),
                       _matches(r"https://[^\s/$.?#][^\s]*", "a website is an https:// address"),
                       _schema(type="string", pattern=r"^https://\S+$", format="uri")]
    phone: Annotated[str, StringConstraints(strict=True, max_length=40), _matches(r"\+?[0-9][0-9 ()-]{4,38}", "a phone number is digits, "
                                                                                  "spaces, ( ) and -, optionally starting with +")]
    competent_authority: Text
    objective: KidText
    intended_investor: KidText
    proxy: HistoryPath | None = Field(None, description="A proxy price series (date,level) extending the class's history back")
    # Figures the house's own systems state, never printed: the KID prints what `priips.py` computes, and
    # `check` (KD003) and the build refuse a KID whose fund file states other figures.
    sri: Annotated[int, Field(strict=True, ge=1, le=7)] | None = Field(
        None, description="The summary risk indicator the house states (1-7), checked against the computed one")
    costs_over_time: list[PriipsCostsOverTime] = Field(
        [], description="Costs over time the house states, checked against the computed ones")


class FundFile(Strict):
    """A whole fund file: the root of the schema (`schema: fund/v2`, or `fund/v1`)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schema_: Literal["fund/v1", "fund/v2"] = Field(alias="schema")
    as_of: AsOfDate
    jurisdiction: Annotated[str, StringConstraints(strict=True), _matches("CN|HK", "the jurisdictions are CN (mainland China, "
                                                                          "CSRC) and HK (Hong Kong, SFC)"),
                            _schema(type="string", enum=list(JURISDICTIONS))]
    languages: Annotated[list[Lang], Field(min_length=1, max_length=3)] | None = Field(
        None, description="fund/v2: the languages the fund publishes in; every text is required in each")
    fund: Fund
    index: Index | None = None
    performance: Performance | None = None
    history: History | None = None
    allocations: Allocations | None = None
    holdings: Holdings | None = None
    market: Market | None = None
    commentary: LocalizedText | None = None
    priips: Priips | None = None

    _files: dict = PrivateAttr(default_factory=dict)  # history file (relative path) -> bytes, read by the load stage
    _cache: dict = PrivateAttr(default_factory=dict)  # what later stages computed from this fund once (its figures)

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str] | None, info: ValidationInfo) -> list[str] | None:
        if value is None:
            return value
        problems = [(f"{i}", f"{lang} is listed twice") for i, lang in enumerate(value) if lang in value[:i]]
        if info.data.get("jurisdiction") == "HK":
            problems += [(f"{i}", f"{lang} is not a language of Hong Kong documents: use en and zh-HK")
                         for i, lang in enumerate(value) if lang == "zh-CN"]
        if problems:
            raise rule_error(problems)
        return value

    @model_validator(mode="after")
    def _cross_sections(self) -> FundFile:
        # Across sections, so it runs once the sections are valid.
        problems: list[tuple[str, ...]] = []
        if self.schema_ == "fund/v2" and self.languages is None:
            problems.append(("languages", "is required in fund/v2: the languages the fund publishes in", "missing"))
        if self.schema_ == "fund/v1" and self.jurisdiction == "HK":
            problems.append(("jurisdiction", "Hong Kong funds need schema fund/v2 (with `languages`)"))
        if self.fund.risk is None and self.jurisdiction == "CN":
            problems.append(("fund.risk", "is required for a mainland (CN) fund: its rating and minimum investor class", "missing"))
        start = self.fund.inception_date
        if start is not None and self.performance is not None and self.performance.annual_returns is not None:
            returns = self.performance.annual_returns
            problems += [
                (f"performance.annual_returns.{series}.{year}", f"a return for {year} is before the fund's inception on {start.isoformat()}")
                for series, values in (("fund", returns.fund), ("benchmark", returns.benchmark))
                for year in sorted(values)
                if year < start.year
            ]
        navs = [i for i, c in enumerate(self.fund.share_classes) if c.nav]
        if navs and self.fund.inception_date is None:
            problems.append(("fund.inception_date", "is required with a NAV history: performance is measured from it", "missing"))
        if self.history and self.history.benchmark and not navs:
            problems.append(("history.benchmark", "a benchmark history needs the classes' NAV history (share_classes[].nav)"))
        if self.priips is not None:
            codes = [c.code for c in self.fund.share_classes]
            if self.priips.class_code not in codes:
                problems.append(("priips.class_code", f"{self.priips.class_code} is not a share class of the fund ({', '.join(codes)})"))
        if problems:
            raise rule_error(problems)
        return self

    @property
    def code(self) -> str:
        return self.fund.code

    @property
    def publishes(self) -> tuple[str, ...]:
        """The languages the fund publishes in: `languages` (fund/v2); en and zh-CN for fund/v1, and
        zh-HK when a fund/v1 file gives any zh-HK text (and must then give them all)."""
        if self.languages is not None:
            return tuple(lang for lang in LANGS if lang in self.languages)
        return V1_LANGS + (("zh-HK",) if self.gives_lang("zh-HK") else ())

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
        """Every reader-visible text of the fund in the given languages: prose a statement could be
        quoted in, which must not count as the statement itself."""
        return [value for _, text in self.texts() for lang in langs if (value := text.get(lang))]

    def gives_lang(self, lang: str) -> bool:
        """Whether some text is given in a language (the KID's English texts aside)."""
        return any(text.get(lang) for _, text in self.texts() if not text.REQUIRED)

    def has_lang(self, lang: str) -> bool:
        return all(text.get(lang) for _, text in self.texts() if not text.REQUIRED)

    @property
    def priips_class(self) -> ShareClass | None:
        """The PRIIPs representative share class (`priips.class_code`), or None without PRIIPs data."""
        if self.priips is None:
            return None
        return next((c for c in self.fund.share_classes if c.code == self.priips.class_code), None)

    @property
    def files(self) -> dict[str, bytes]:
        """The history files the fund refers to, as the load stage read them (relative path -> bytes)."""
        return self._files

    def history_paths(self) -> list[tuple[str, str]]:
        """(dotted path of the reference, relative file path) of every history file referred to."""
        found = [(f"fund.share_classes.{i}.nav", c.nav) for i, c in enumerate(self.fund.share_classes) if c.nav]
        if self.history and self.history.benchmark:
            found.append(("history.benchmark", self.history.benchmark))
        if self.priips and self.priips.proxy:
            found.append(("priips.proxy", self.priips.proxy))
        return found
