"""A cell's value as the fund file holds it, converted exactly: numbers as Decimal at the precision Excel
shows, Excel dates as dates, blank cells as "not given". Each conversion gives `(value, problem)`: the
value (None when blank or wrong) and, for a wrong one, what is wrong and how to write it instead."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
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
    """A text; a number as Excel shows it, a date as YYYY-MM-DD (a code or a year may be typed as either)."""
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
    """A number (`kind`: percent, amount or nav, for the hint); a plain number stored as text is one too."""
    if value is None:
        return None, None
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.time, dt.timedelta)):
        return None, f"{shown(value)} is not a number: {_HOW[kind]}"
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
    return None, f"{shown(text)} is not a number: {_HOW[kind]}"


def as_whole(value: Any) -> tuple[int | None, str | None]:
    """A whole number (a rank, a number of years, a risk class)."""
    number, problem = as_number(value, "amount")
    if problem:
        return None, f"{shown(value)} is not a whole number: write it in digits, e.g. 3"
    if number is None:
        return None, None
    if number != number.to_integral_value():
        return None, f"{number} is not a whole number: write it in digits, e.g. 3"
    return int(number), None


def as_date(value: Any) -> tuple[dt.date | None, str | None]:
    """A day: a date cell without a time of day, or a text YYYY-MM-DD (never a bare number of days)."""
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
    return None, f"{shown(text)} is not a date: enter a date, or a text YYYY-MM-DD, e.g. 2025-10-31"


def shown(value: Any, limit: int = 40) -> str:
    """A value as a message quotes it: at most `limit` characters, what cannot be printed escaped."""
    text = str(value)
    text = text if len(text) <= limit else text[:limit] + "…"
    return "'" + "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text) + "'"
