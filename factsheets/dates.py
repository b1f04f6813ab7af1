"""Calendar arithmetic the rules share: "six months after inception" means one thing everywhere."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import FundFile


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later (or earlier), clamped to the end of a shorter month:
    31 August + 6 months is 28 (or 29) February."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def too_young(fund: FundFile) -> bool:
    """A fund whose contract has been effective (or whose track record is) for less than six months at
    as_of shows no performance of its own (CSRC Announcement [2020] No. 59, Art. 4; SFC Advertising
    Guidelines). A fund without an inception date is not judged young."""
    start = fund.fund.inception_date
    return start is not None and fund.as_of < add_months(start, 6)
