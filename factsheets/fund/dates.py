"""Calendar arithmetic on fund dates: the one definition of "N months" and "N years before" in the
project, used by the model's rules, the importer and the performance figures alike."""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later (earlier when negative), clamped to the month's
    last day: add_months(2024-08-31, 6) = 2025-02-28, add_months(2024-02-29, -12) = 2023-02-28.
    The one definition of "six months", "one year" (12) and "three months" in the project."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` years earlier; 29 February falls back to 28 February."""
    return add_months(day, -12 * years)


def year_before(as_of: dt.date) -> dt.date:
    """The same day a year before as_of (29 February: the 28th): "the 12 months to as_of" are the days
    after it, up to as_of (a dividend's ex-date, for instance)."""
    return years_before(as_of, 1)
