"""Performance figures computed from NAV histories, and which of them a factsheet may show.

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

`allowed()` says which of them a factsheet may show (CSRC for CN, SFC for HK); `class_performance()`
puts the two together for one share class and its benchmark, with a growth-of-10,000 chart series;
`typed_calendar_years()` applies the same rules to calendar-year returns typed in a fund file.
Everything is linear in the rows: numpy computes G in one pass and finds every period's days with
one binary search.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

import numpy as np

from ..errors import FactsheetError
from ..fund.dates import add_months, years_before
from ..fund.nav import MAX_GAP, LevelSeries, NavHistory

Jurisdiction = Literal["CN", "HK"]

PERIODS = ("ytd", "1y", "3y", "5y", "since_inception", "since_inception_annualised")
TRAILING_YEARS = {"1y": 1, "3y": 3, "5y": 5}
CN_MAX_YEARS = 10  # CN: every complete calendar year, but no more than the last ten
CN_MIN_YEARS = 5  # CN, five years or older: the last five complete years are required
HK_YEARS = 5  # HK: the last five complete calendar years
HK_MAX_AGE_MONTHS = 3  # HK: figures more than three months old may not be published
CHART_YEARS = 5  # the growth chart covers since inception, or the last five years of an older fund
CHART_BASE = 10_000.0

_CENT = Decimal("0.01")


class PerformanceError(FactsheetError):
    """A history that cannot give the figures asked for (it starts after inception, it is stale...)."""

    def __init__(self, source: str, messages: list[str]):
        self.source = source
        self.messages = messages
        super().__init__("\n".join(f"{source}: {m}" for m in messages))


# --- dates ------------------------------------------------------------------------------------------


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


def _year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


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
    last_dec = _year_end(as_of.year - 1)
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
    if first_year <= inception.year < as_of.year and _longer_than_six_months(inception, _year_end(inception.year)):
        partial = inception.year
        years.insert(0, partial)
        optional.add(str(partial))
    return Allowed(jurisdiction, inception, as_of, end, False, tuple(periods), tuple(years), partial,
                   frozenset(optional & set(periods + [str(y) for y in years])), chart=True)


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
    last_dec = _year_end(as_of.year - 1)
    out = [_Period("ytd", last_dec, None)] if inception <= last_dec else []
    out += [_Period(k, years_before(end, n), None) for k, n in TRAILING_YEARS.items() if inception <= years_before(end, n)]
    out += [_Period("since_inception", inception, None)]
    out += [_Period(str(y), inception if y == inception.year else _year_end(y - 1), _year_end(y), y == inception.year)
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


# --- one share class --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassPerformance:
    """A share class's figures as a factsheet shows them, beside its benchmark's.

    `fund` holds the figures to show (allowed and computable) in display order; `benchmark` the
    benchmark's for the same keys (those its data covers); `computed` every figure of the class,
    shown or not, for checks. `chart` is None when no chart may be shown."""

    code: str
    allowed: Allowed
    fund: Returns
    benchmark: Returns | None
    computed: Returns
    chart: GrowthChart | None

    @property
    def too_young(self) -> bool:
        return self.allowed.too_young

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.fund)

    @property
    def missing_benchmark(self) -> tuple[str, ...]:
        """Figures shown for the class without a benchmark figure beside them (CN requires one)."""
        if self.benchmark is None:
            return self.keys
        return tuple(k for k in self.fund if k not in self.benchmark)


def class_performance(history: NavHistory, *, jurisdiction: Jurisdiction, inception: dt.date, as_of: dt.date,
                      benchmark: LevelSeries | None = None, code: str | None = None,
                      max_gap: int | None = MAX_GAP) -> ClassPerformance:
    """Compute a share class's figures (and its benchmark's) and keep the ones a factsheet may show.
    `inception` is the class's inception date, the first date of its history."""
    computed = returns(history, inception=inception, as_of=as_of, max_gap=max_gap)
    assert computed.end is not None
    rules = allowed(jurisdiction, inception, as_of, end=computed.end)
    shown = computed.only(rules.keys)
    bench = None
    if benchmark is not None:
        bench = returns(benchmark, inception=inception, as_of=as_of, keys=tuple(shown), max_gap=max_gap)
    chart = growth_chart(history, inception=inception, as_of=as_of, benchmark=benchmark) if rules.chart else None
    return ClassPerformance(code or history.source, rules, shown, bench, computed, chart)


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
        if not _longer_than_six_months(inception, _year_end(year)):
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


# --- a fund's figures: the performance stage of the pipeline ---------------------------------------


@dataclass(frozen=True)
class FundFigures:
    """What a fund's documents may show of its performance: computed from the NAV history of each class
    that has one (`classes`, the first being the representative class of the charts), or, for a fund
    without history, its typed calendar-year returns under the same rules (`typed`). A fund younger
    than six months shows nothing of its own (`too_young`)."""

    jurisdiction: Jurisdiction | None
    too_young: bool
    classes: tuple[tuple[str, ClassPerformance], ...] = ()  # (share class code, its figures)
    typed: TypedYears | None = None
    has_benchmark: bool = False

    @property
    def lead(self) -> ClassPerformance | None:
        return self.classes[0][1] if self.classes else None

    @property
    def shows_performance(self) -> bool:
        if self.too_young:
            return False
        if self.classes:
            return any(len(c.fund) for _, c in self.classes)
        return bool(self.typed and self.typed.fund)

    @property
    def shows_calendar_years(self) -> bool:
        if self.too_young:
            return False
        if self.classes:
            return any(k.isdigit() for _, c in self.classes for k in c.fund)
        return bool(self.typed and self.typed.fund)


def fund_figures(fund) -> FundFigures:
    """The performance stage: a validated fund (with its history files, `FundFile.files`) -> the figures
    its documents show. Computed once per fund and kept on it. Raises PerformanceError (or
    nav.NavProblems) naming the file and line of a history that cannot give them."""
    cached = fund._cache.get("figures")
    if cached is None:
        cached = fund._cache["figures"] = _fund_figures(fund)
    return cached


def _fund_figures(fund) -> FundFigures:
    from ..fund.nav import NavProblems, read_levels, read_nav

    info = fund.fund
    jurisdiction = fund.jurisdiction if fund.jurisdiction in ("CN", "HK") else None
    inception = info.inception_date
    young = inception is not None and too_young(inception, fund.as_of)
    histories = [c for c in info.share_classes if c.nav]
    if histories and jurisdiction is not None and inception is not None:
        files = fund.files
        benchmark = None
        problems: list = []
        if fund.history and fund.history.benchmark:
            try:
                benchmark = read_levels(fund.history.benchmark, as_of=fund.as_of, data=files[fund.history.benchmark])
            except NavProblems as error:
                problems += error.errors
        classes = []
        for share_class in histories:
            start = share_class.inception_date or inception
            try:
                history = read_nav(share_class.nav, inception=start, as_of=fund.as_of, data=files[share_class.nav],
                                   currency=info.class_currency(share_class))
            except NavProblems as error:
                problems += error.errors
                continue
            classes.append((share_class.code, class_performance(history, jurisdiction=jurisdiction, inception=start,
                                                                as_of=fund.as_of, benchmark=benchmark, code=share_class.code)))
        if problems:
            raise NavProblems(problems)
        return FundFigures(jurisdiction, young, tuple(classes), None, benchmark is not None)
    typed = None
    if fund.performance and fund.performance.annual_returns and jurisdiction is not None and inception is not None:
        returns_ = fund.performance.annual_returns
        typed = typed_calendar_years(jurisdiction, inception, fund.as_of, returns_.fund, returns_.benchmark)
    elif fund.performance and fund.performance.annual_returns and not young:
        # No inception date: the complete calendar years typed, as given (fund/v1 files without one).
        returns_ = fund.performance.annual_returns
        last = fund.as_of.year - (0 if (fund.as_of.month, fund.as_of.day) == (12, 31) else 1)
        shown = {y: v for y, v in returns_.fund.items() if y <= last}
        typed = TypedYears(allowed(jurisdiction or "CN", dt.date(min(shown or [fund.as_of.year]), 1, 1), fund.as_of), shown,
                           {y: v for y, v in returns_.benchmark.items() if y in shown}, None,
                           {y: "not a complete calendar year" for y in returns_.fund if y > last}, ())
    return FundFigures(jurisdiction, young, (), typed, bool(typed and typed.benchmark))
