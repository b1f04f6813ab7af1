"""Which performance figures a factsheet may show (CSRC for CN, SFC for HK): `allowed()` for a fund or
share class of a given age, `typed_calendar_years()` for calendar-year returns typed in a fund file,
and the ages the rules count (`too_young`, `figures_too_old`). The figures themselves are `returns.py`'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from ..fund.dates import add_months, years_before
from .returns import TRAILING_YEARS, year_end

Jurisdiction = Literal["CN", "HK"]

CN_MAX_YEARS = 10  # CN: every complete calendar year, but no more than the last ten
CN_MIN_YEARS = 5  # CN, five years or older: the last five complete years are required
HK_YEARS = 5  # HK: the last five complete calendar years
HK_MAX_AGE_MONTHS = 3  # HK: figures more than three months old may not be published


# --- ages -------------------------------------------------------------------------------------------


def too_young(inception: dt.date, as_of: dt.date) -> bool:
    """Less than six months since inception on as_of: no performance of the fund's own (CN and HK)."""
    return as_of < add_months(inception, 6)


def last_publication_day(as_of: dt.date) -> dt.date:
    """HK: the last day figures as of `as_of` may be published, three months on (SFC)."""
    return add_months(as_of, HK_MAX_AGE_MONTHS)


def figures_too_old(as_of: dt.date, day: dt.date) -> bool:
    """HK: figures as of `as_of` may not be published on `day` when they are more than three months old.
    The one definition of the rule: `check` (FD007) and `allowed()` (its `publish_by`) use it."""
    return day > last_publication_day(as_of)


def _longer_than_six_months(start: dt.date, end: dt.date) -> bool:
    return end > add_months(start, 6)


# --- display rules ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Allowed:
    """Which figures a factsheet shows for a fund (or share class) of `inception` on `as_of`.

    `periods` are keys of PERIODS, in display order; `years` the calendar years, oldest first, the
    partial launch year (`partial_year`) included when it is shown. `keys` is both, years as strings:
    the keys of a `Returns`. `optional` lists the keys the rules permit without requiring them. A
    key is shown only when it can also be computed (the engine drops, say, `since_inception_annualised`
    when as_of falls on a weekend and the end day is less than 365 days after inception)."""

    jurisdiction: Jurisdiction
    inception: dt.date
    as_of: dt.date
    end: dt.date
    too_young: bool  # the approved too-young statement applies; nothing of the fund's own is shown
    periods: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    partial_year: int | None = None
    optional: frozenset[str] = frozenset()
    chart: bool = False
    publish_by: dt.date | None = None  # HK: the last day the figures may be published

    @property
    def keys(self) -> tuple[str, ...]:
        return self.periods + tuple(str(y) for y in self.years)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(k for k in self.keys if k not in self.optional)

    def __contains__(self, key: object) -> bool:
        return str(key) in self.keys


def allowed(jurisdiction: Jurisdiction, inception: dt.date, as_of: dt.date, *, end: dt.date | None = None) -> Allowed:
    """The figures a factsheet shows under PERFORMANCE.md, "Which figures a factsheet may show".

    Ages are counted in calendar months from inception to as_of (`add_months`): younger than six
    months, nothing (`too_young`). The lengths of periods are measured to `end`, the end day (as_of
    when not given): trailing N years exist when inception <= end - N years; annualised since
    inception needs 365 days.

    CN (CSRC): six months to a year, since inception only (from the day the fund is six months old,
    as "six months or more" reads). One year on: year to date (when the fund existed on 31 December
    and the end day is after 30 June, so that more than six months of the year have passed),
    1 year, 3 years where old enough, since inception and annualised, and every complete calendar
    year, with the launch year as a partial year when that part is longer than six months (no
    period of six months or less is ever shown). Five years on: also 5 years; calendar years are
    capped at the last ten (the last five required, older ones optional). Year to date and the
    partial launch year are optional.

    HK (SFC): six months on, year to date where the fund existed on 31 December, 1, 3 and 5 years
    where old enough, since inception (annualised from 365 days), and the last five complete calendar
    years; the launch year is not shown (Product Key Facts practice; the approved insufficient-data
    statement covers the years without a figure). Figures may be published until as_of + 3 months.
    """
    if jurisdiction not in ("CN", "HK"):
        raise ValueError(f"jurisdiction must be CN or HK, not {jurisdiction!r}")
    if as_of < inception:
        raise ValueError(f"as_of {as_of} is before the inception date {inception}")
    end = as_of if end is None else end
    if end > as_of or end < inception:
        raise ValueError(f"the end day {end} must lie between the inception date {inception} and as_of {as_of}")
    publish_by = last_publication_day(as_of) if jurisdiction == "HK" else None
    if too_young(inception, as_of):
        return Allowed(jurisdiction, inception, as_of, end, True, publish_by=publish_by)
    last_dec = year_end(as_of.year - 1)
    annualised = (end - inception).days >= 365
    trailing = [k for k, n in TRAILING_YEARS.items() if inception <= years_before(end, n)]
    complete = [y for y in range(inception.year + 1, as_of.year)]  # inception <= 31 Dec of y - 1

    if jurisdiction == "HK":
        periods = (["ytd"] if inception <= last_dec else []) + trailing + ["since_inception"]
        periods += ["since_inception_annualised"] if annualised else []
        years = tuple(y for y in complete if y >= as_of.year - HK_YEARS)
        return Allowed(jurisdiction, inception, as_of, end, False, tuple(periods), years, chart=True, publish_by=publish_by)

    if as_of < add_months(inception, 12):
        return Allowed(jurisdiction, inception, as_of, end, False, ("since_inception",), chart=True)
    five = as_of >= add_months(inception, 60)
    periods = ["ytd"] if inception <= last_dec and _longer_than_six_months(last_dec, end) else []
    periods += [k for k in trailing if k != "5y" or five] + ["since_inception"]
    periods += ["since_inception_annualised"] if annualised else []
    first_year = as_of.year - CN_MAX_YEARS
    years = [y for y in complete if y >= first_year]
    optional = {"ytd"}
    if five:
        optional |= {str(y) for y in years[:-CN_MIN_YEARS]}
    partial = None
    if first_year <= inception.year < as_of.year and _longer_than_six_months(inception, year_end(inception.year)):
        partial = inception.year
        years.insert(0, partial)
        optional.add(str(partial))
    return Allowed(jurisdiction, inception, as_of, end, False, tuple(periods), tuple(years), partial,
                   frozenset(optional & set(periods + [str(y) for y in years])), chart=True)


# --- typed calendar-year returns (funds without a history) --------------------------------------


@dataclass(frozen=True)
class TypedYears:
    """Calendar-year returns typed in a fund file, under the same display rules: `fund` and
    `benchmark` hold the years shown (oldest first), `hidden` the typed years that may not be shown
    with the reason, `missing` the years the rules require that are not typed."""

    allowed: Allowed
    fund: dict[int, Decimal]
    benchmark: dict[int, Decimal]
    partial_year: int | None  # shown as a partial year from the inception date
    hidden: dict[int, str]
    missing: tuple[int, ...]


def _why_hidden(rules: Allowed, year: int) -> str:
    inception, as_of = rules.inception, rules.as_of
    if rules.too_young:
        return "the fund is younger than six months at as_of: no performance may be shown"
    if year >= as_of.year:
        return f"{year} is not a complete year at as_of {as_of} (the current year is year to date)"
    if year < inception.year:
        return f"{year} is before the inception on {inception}"
    if year == inception.year:
        if rules.jurisdiction == "HK":
            return f"{year} is the launch year, a partial year, which Hong Kong factsheets do not show"
        if not _longer_than_six_months(inception, year_end(year)):
            return f"{year} is the launch year, a partial year of six months or less (from {inception})"
    if rules.jurisdiction == "CN" and as_of < add_months(inception, 12):
        return "a fund younger than a year shows only its return since inception"
    limit = HK_YEARS if rules.jurisdiction == "HK" else CN_MAX_YEARS
    return f"{year} is before the last {limit} calendar years"


def typed_calendar_years(jurisdiction: Jurisdiction, inception: dt.date, as_of: dt.date, fund: Mapping[int, Decimal],
                         benchmark: Mapping[int, Decimal] | None = None) -> TypedYears:
    """Which typed calendar-year returns a factsheet may show, under `allowed()`'s rules."""
    rules = allowed(jurisdiction, inception, as_of)
    shown = [y for y in rules.years if y in fund]
    benchmark = benchmark or {}
    hidden = {y: _why_hidden(rules, y) for y in sorted(fund) if y not in rules.years}
    missing = tuple(y for y in rules.years if y not in fund and str(y) not in rules.optional)
    return TypedYears(rules, {y: fund[y] for y in shown}, {y: benchmark[y] for y in shown if y in benchmark},
                      rules.partial_year if rules.partial_year in fund else None, hidden, missing)
