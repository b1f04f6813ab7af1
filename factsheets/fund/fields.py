"""The field types of the fund file and their checks: codes, texts, numbers, amounts, dates, paths.

Each type carries its constraint, the message a reader gets when it is broken (in words, never a
regular expression) and its JSON Schema. `rule_error` is how a rule involving several fields reports
its problems, each at its dotted sub-path. The models (`model.py`) are built from these types.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, ValidationInfo
from pydantic.json_schema import WithJsonSchema
from pydantic_core import PydanticCustomError

LANGS = ("en", "zh-CN", "zh-HK")  # every language a text may be given in
V1_LANGS = ("en", "zh-CN")  # the languages every fund/v1 text must have
Lang = Literal["en", "zh-CN", "zh-HK"]
JURISDICTIONS = ("CN", "HK", "EU")  # EU: a fund of the EU whose one document here is its PRIIPs KID

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


def matches(pattern: str, what: str):
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


def json_schema(**extra: object) -> WithJsonSchema:
    return WithJsonSchema(extra)


def number_schema(low: float | None, high: float | None, description: str, *, gt: bool = False) -> object:
    schema: dict[str, object] = {"type": "number", "description": description}
    if low is not None:
        schema["exclusiveMinimum" if gt else "minimum"] = low
    if high is not None:
        schema["maximum"] = high
    return WithJsonSchema(schema)


CODE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}"  # codes name files: ASCII, no separators
Code = Annotated[str, StringConstraints(strict=True), matches(CODE_PATTERN, "a code is 1 to 32 ASCII letters, digits, '-' or '_', "
                                                              "starting with a letter or digit"),
                 json_schema(type="string", pattern=f"^{CODE_PATTERN}$", description="A code: 1-32 ASCII letters, digits, - or _")]
Text = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=10_000),
                 AfterValidator(_hidden_chars)]
Number = BeforeValidator(_number)
Percent = Annotated[Decimal, Number, Field(ge=-100, le=10_000, allow_inf_nan=False),
                    number_schema(-100, 10_000, "Percent: 19.22 means 19.22 %")]
FeePercent = Annotated[Decimal, Number, Field(ge=0, le=100, allow_inf_nan=False), number_schema(0, 100, "Percent: 1.2 means 1.2 %")]
Weight = Annotated[Decimal, Number, Field(ge=0, le=100, allow_inf_nan=False), number_schema(0, 100, "Weight in percent: 19.22 means 19.22 %")]
Amount = Annotated[Decimal, Number, Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False),
                   number_schema(0, float(MAX_AMOUNT), "An amount in whole units of the currency")]
SignedAmount = Annotated[Decimal, Number, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT, allow_inf_nan=False),
                         number_schema(-float(MAX_AMOUNT), float(MAX_AMOUNT), "An amount in units of the currency; negative for an outflow")]
Ratio = Annotated[Decimal, Number, Field(gt=0, le=100_000, allow_inf_nan=False), number_schema(0, 100_000, "A ratio (24.68 for 24.68x)", gt=True)]
PerUnit = Annotated[Decimal, Number, Field(gt=0, le=MAX_AMOUNT, allow_inf_nan=False),
                    number_schema(0, float(MAX_AMOUNT), "An amount per unit, in the class's currency", gt=True)]
Year = Annotated[int, Field(ge=1900, le=2200)]
YEAR_KEY = r"^(19|2[0-1])[0-9]{2}$|^2200$"
YearReturns = Annotated[dict[Year, Percent], BeforeValidator(_unique_years),
                        json_schema(type="object", propertyNames={"pattern": YEAR_KEY},
                                    additionalProperties={"type": "number", "minimum": -100, "maximum": 10_000},
                                    description="Calendar-year returns in percent, by year (1900-2200)")]
Date = Annotated[dt.date, Field(ge=MIN_DATE), AfterValidator(_not_after_as_of)]
AsOfDate = Annotated[dt.date, Field(ge=MIN_DATE), AfterValidator(_not_in_future)]
Currency = Annotated[str, StringConstraints(strict=True), matches(r"[A-Z]{3}", "a currency is its three-letter ISO 4217 code in "
                                                                  "capitals, e.g. CNY, USD"),
                     json_schema(type="string", pattern="^[A-Z]{3}$", description="ISO 4217 currency code, e.g. CNY")]
Country = Annotated[str, StringConstraints(strict=True), matches(r"[A-Z]{2}", "a country is its two-letter ISO 3166 code in "
                                                                 "capitals, e.g. CN, LU"),
                    json_schema(type="string", pattern="^[A-Z]{2}$", description="ISO 3166-1 alpha-2 country code, e.g. LU")]
HistoryPath = Annotated[str, StringConstraints(strict=True, max_length=200),
                        matches(r"(?!/)(?!.*(^|/)\.\.?(/|$))[A-Za-z0-9_./ -]+\.csv",
                                "a history file is a .csv path relative to the fund file's folder, inside it "
                                "(no leading /, no '..')"),
                        json_schema(type="string", pattern=r"^[A-Za-z0-9_./ -]+\.csv$",
                                    description="A CSV file, relative to the fund file's folder")]
Website = Annotated[str, StringConstraints(strict=True, max_length=200),
                    matches(r"https://[^\s/$.?#][^\s]*", "a website is an https:// address"),
                    json_schema(type="string", pattern=r"^https://\S+$", format="uri")]
PHONE_PATTERN = r"\+?[0-9][0-9 ()-]{4,38}"
PHONE_CHECK = matches(PHONE_PATTERN, "a phone number is digits, spaces, ( ) and -, optionally starting with +")
Phone = Annotated[str, StringConstraints(strict=True, max_length=40), PHONE_CHECK,
                  json_schema(type="string", maxLength=40, pattern=f"^{PHONE_PATTERN}$")]
MonthDay = Annotated[str, StringConstraints(strict=True),
                     matches(r"(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])", "a month and day as MM-DD, e.g. 12-31"),
                     json_schema(type="string", pattern="^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$", description="MM-DD")]


def rule_error(problems: list[tuple[str, ...]]) -> PydanticCustomError:
    """One error carrying several (sub-path, message[, kind]) problems of a cross-field rule."""
    return PydanticCustomError(
        "fund_rule", "{summary}", {"problems": problems, "summary": "; ".join(p[1] for p in problems)}
    )


def context_of(info: ValidationInfo) -> dict:
    """What a rule needs from elsewhere in the file (as_of, the languages the fund publishes in, its
    jurisdiction, today), read from the raw data first by `validate.validation_context`."""
    return info.context or {}
