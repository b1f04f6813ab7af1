"""Returns computed from NAV histories (and benchmarks' levels): growth of one unit, the periods, the
figures, and the growth-of-10,000 chart.

The conventions are the house's `PERFORMANCE.md` (a copy is in tests/data/house-export/):

- Growth of one unit, dividends reinvested at the ex-date NAV: `G(inception) = 1` and
  `G(t) = G(t-1) × (unit_nav(t) + dividend(t)) / unit_nav(t-1)`; a return from day a to day b is
  `G(b) / G(a) - 1`; a benchmark's is the ratio of its levels.
- Every period ends on the *end day*, the last dealing day on or before `as_of`. A period starts on
  the last dealing day on or before its nominal start: the same calendar day 1, 3 or 5 years before
  the end day (29 February -> 28 February), 31 December of the year before (year to date, calendar
  years), or the inception date. A period exists when the fund existed on its nominal start
  (inception <= that calendar day). The benchmark's start and end days are found the same way on
  its own dates.
- Since inception is also annualised, `(1 + R) ** (365 / days) - 1` with `days` the calendar days
  from inception to the end day, when `days >= 365`. Calendar year Y runs from the last dealing day
  on or before 31 December Y-1 to the last on or before 31 December Y; the launch year is partial
  (from inception); the year of `as_of` is never a calendar year (it is year to date).
- Percentages are rounded half up (away from zero) to two decimals; `Figure.exact` keeps the
  float64 value.

Everything is linear in the rows: numpy computes G in one pass and finds every period's days with
one binary search. Which of the figures a factsheet may show is `display_rules.py`'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from ..errors import FactsheetError
from ..fund.dates import years_before
from ..fund.nav import MAX_GAP, LevelSeries, NavHistory

PERIODS = ("ytd", "1y", "3y", "5y", "since_inception", "since_inception_annualised")
TRAILING_YEARS = {"1y": 1, "3y": 3, "5y": 5}
CHART_YEARS = 5  # the growth chart covers since inception, or the last five years of an older fund
CHART_BASE = 10_000.0

_CENT = Decimal("0.01")


class PerformanceError(FactsheetError):
    """A history that cannot give the figures asked for (it starts after inception, it is stale...)."""

    def __init__(self, source: str, messages: list[str]):
        self.source = source
        self.messages = messages
        super().__init__("\n".join(f"{source}: {m}" for m in messages))


def year_end(year: int) -> dt.date:
    """31 December of `year`: where calendar year `year` ends and year to date of the next starts from."""
    return dt.date(year, 12, 31)


# --- figures ----------------------------------------------------------------------------------------


def percent(fraction: float) -> Decimal:
    """A return as a percentage rounded half up (away from zero) to two decimals: 0.123456 -> 12.35.
    The float is first written with nine decimals of percent, far coarser than float64's error over
    any history, so that a return exactly half way (2.2469 / 2.0000 - 1 = 12.345 %) rounds up as it
    does on paper instead of following its binary approximation."""
    value = Decimal(f"{fraction * 100:.9f}").quantize(_CENT, ROUND_HALF_UP)
    return value if value else _CENT * 0  # no "-0.00"


@dataclass(frozen=True)
class Figure:
    """One figure: a return over a period, as a percentage for display and the float it comes from."""

    key: str  # "ytd", "1y", "3y", "5y", "since_inception", "since_inception_annualised", or a year "2024"
    value: Decimal  # percent, two decimals, half up: Decimal("12.34") (per year when annualised)
    exact: float  # the return as a fraction, full float64 precision
    start: dt.date  # the day the period starts from (for a class's launch year and since inception: inception)
    end: dt.date  # the dealing day it ends on
    partial: bool = False  # the launch year, from inception: label it with `start`
    annualised: bool = False

    @property
    def year(self) -> int | None:
        return int(self.key) if self.key.isdigit() else None


@dataclass(frozen=True)
class Returns(Mapping[str, Figure]):
    """One series' figures (a share class or a benchmark), an ordered mapping key -> Figure: the
    periods in PERIODS order, then calendar years, oldest first."""

    source: str
    end: dt.date | None  # the series' end day (None: no data on or before as_of)
    figures: Mapping[str, Figure] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Figure:
        return self.figures[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.figures)

    def __len__(self) -> int:
        return len(self.figures)

    def percents(self) -> dict[str, Decimal]:
        """key -> the displayed percentage, Decimal("12.34")."""
        return {k: f.value for k, f in self.figures.items()}

    def only(self, keys: Iterable[str]) -> Returns:
        """The figures among `keys` that this series has, in `keys` order."""
        return Returns(self.source, self.end, {k: self.figures[k] for k in keys if k in self.figures})


@dataclass(frozen=True)
class _Period:
    key: str
    start: dt.date  # nominal: the series starts on its last date on or before it
    end: dt.date | None  # nominal; None: the end day
    partial: bool = False


def _periods(inception: dt.date, as_of: dt.date, end: dt.date) -> list[_Period]:
    """Every period the fund existed for, with its nominal calendar days."""
    last_dec = year_end(as_of.year - 1)
    out = [_Period("ytd", last_dec, None)] if inception <= last_dec else []
    out += [_Period(k, years_before(end, n), None) for k, n in TRAILING_YEARS.items() if inception <= years_before(end, n)]
    out += [_Period("since_inception", inception, None)]
    out += [_Period(str(y), inception if y == inception.year else year_end(y - 1), year_end(y), y == inception.year)
            for y in range(inception.year, as_of.year)]
    return out


def _days(days: list[dt.date]) -> np.ndarray:
    """Dates as datetime64[D], faster than numpy's conversion of date objects."""
    return (np.fromiter((d.toordinal() for d in days), dtype=np.int64, count=len(days)) - _EPOCH).astype("datetime64[D]")


_EPOCH = dt.date(1970, 1, 1).toordinal()


def growth(history: NavHistory) -> np.ndarray:
    """G, the growth of one unit with dividends reinvested at the ex-date NAV: G[0] = 1 and
    G[t] = G[t-1] * (unit_nav[t] + dividend[t]) / unit_nav[t-1].

    Computed in the equivalent form G[t] = unit_nav[t] / unit_nav[0] * prod(1 + dividend[s] / unit_nav[s])
    over the dividend days s in 1..t, whose rounding error does not grow with the number of days."""
    unit = history.unit_nav
    reinvest = 1.0 + history.dividend / unit
    reinvest[0] = 1.0  # G(inception) = 1, whatever the first row says
    return unit / unit[0] * np.cumprod(reinvest)


def _values(series: NavHistory | LevelSeries) -> np.ndarray:
    return growth(series) if isinstance(series, NavHistory) else series.levels


def total_return(series: NavHistory | LevelSeries, start: dt.date, end: dt.date) -> float:
    """The return (a fraction) from the last dealing day on or before `start` to the last on or
    before `end`: G(b) / G(a) - 1 for a NAV history, the ratio of levels for a benchmark."""
    a, b = series.index_on_or_before(start), series.index_on_or_before(end)
    if a is None or b is None:
        raise PerformanceError(series.source, [f"the history starts on {series.first_date}, after {start if a is None else end}"])
    values = _values(series)
    return float(values[b] / values[a] - 1.0)


def returns(series: NavHistory | LevelSeries, *, inception: dt.date, as_of: dt.date, keys: Iterable[str] | None = None,
            max_gap: int | None = MAX_GAP) -> Returns:
    """Every figure of a class's NAV history (or a benchmark's levels) that the fund existed for,
    restricted to `keys` when given. A NAV history must start on the inception date; a series may
    not end more than `max_gap` dealing days before as_of (PerformanceError)."""
    if as_of < inception:
        raise PerformanceError(series.source, [f"as_of {as_of} is before the inception date {inception}"])
    problems = []
    if not len(series):
        raise PerformanceError(series.source, ["the history has no rows"])
    if isinstance(series, NavHistory) and series.first_date != inception:
        problems.append(f"the history starts on {series.first_date}, not on the inception date {inception}")
    last = series.index_on_or_before(as_of)
    if last is None:
        problems.append(f"the history starts on {series.first_date}, after as_of {as_of}")
    elif max_gap is not None:
        behind = int(np.busday_count(series.dates[last] + 1, np.datetime64(as_of, "D") + 1))
        if behind > max_gap:
            problems.append(f"the history ends on {series.date(last)}, {behind} dealing days before as_of {as_of}")
    if problems:
        raise PerformanceError(series.source, problems)
    assert last is not None
    end_day = series.date(last)
    periods = _periods(inception, as_of, end_day)
    if keys is not None:
        wanted = set(keys)
        periods = [p for p in periods if p.key in wanted or (p.key == "since_inception" and "since_inception_annualised" in wanted)]
    values = _values(series)
    nominal = _days([p.start for p in periods] + [p.end or end_day for p in periods])
    found = np.searchsorted(series.dates, nominal, side="right") - 1
    exists = (found[: len(periods)] >= 0) & (found[len(periods):] >= 0)  # a benchmark may start later
    starts, ends = found[: len(periods)][exists], found[len(periods):][exists]
    ratios = (values[ends] / values[starts] - 1.0).tolist()
    start_days, end_days = series.dates[starts].tolist(), series.dates[ends].tolist()
    figures: dict[str, Figure] = {}
    for p, exact, start_day, last_day in zip([p for p, ok in zip(periods, exists) if ok], ratios, start_days, end_days):
        figures[p.key] = Figure(p.key, percent(exact), exact, start_day, last_day, partial=p.partial)
        if p.key == "since_inception":
            days = (end_day - inception).days
            if days >= 365:
                yearly = float((1.0 + exact) ** (365.0 / days) - 1.0)
                figures["since_inception_annualised"] = Figure("since_inception_annualised", percent(yearly), yearly,
                                                               inception, end_day, annualised=True)
    order = {k: i for i, k in enumerate(PERIODS)}
    ranked = sorted(figures, key=lambda k: (order.get(k, len(order)), k))
    if keys is not None:
        ranked = [k for k in ranked if k in wanted]
    return Returns(series.source, end_day, {k: figures[k] for k in ranked})


# --- chart -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrowthChart:
    """The value of 10,000 invested at `dates[0]`, dividends reinvested, for a line chart: the
    window's first day, the last dealing day of every month after it, and the end day (the fund's
    dates; the benchmark's level is taken on its last date on or before each). Since inception
    for a fund up to five years old, else the last five years. Values to two decimals."""

    dates: tuple[dt.date, ...]
    fund: tuple[float, ...]
    benchmark: tuple[float, ...] | None
    since_inception: bool

    @property
    def start(self) -> dt.date:
        return self.dates[0]

    @property
    def end(self) -> dt.date:
        return self.dates[-1]


def growth_chart(history: NavHistory, *, inception: dt.date, as_of: dt.date, benchmark: LevelSeries | None = None,
                 years: int = CHART_YEARS) -> GrowthChart:
    last = history.index_on_or_before(as_of)
    if last is None:
        raise PerformanceError(history.source, [f"the history starts on {history.first_date}, after as_of {as_of}"])
    end_day = history.date(last)
    window = years_before(end_day, years)
    since_inception = inception >= window
    first = 0 if since_inception else history.index_on_or_before(window) or 0
    months = history.dates[first:last + 1].astype("datetime64[M]")
    month_ends = np.flatnonzero(months[1:] != months[:-1]) + first
    points = np.concatenate(([first], month_ends, [last]))
    points = points[np.concatenate(([True], points[1:] > points[:-1]))]  # ascending already: drop repeats
    g = growth(history)
    fund = np.round(CHART_BASE * g[points] / g[first], 2)
    bench = None
    if benchmark is not None and len(benchmark):
        at = np.searchsorted(benchmark.dates, history.dates[points], side="right") - 1
        if at[0] >= 0:
            bench = tuple(np.round(CHART_BASE * benchmark.levels[at] / benchmark.levels[at[0]], 2).tolist())
    dates = tuple(history.dates[points].tolist())
    return GrowthChart(dates, tuple(fund.tolist()), bench, since_inception)
