"""The performance stage: a fund's figures as its documents show them (`fund_figures`), computed from
the NAV history of each share class that has one (`class_performance`, beside its benchmark), or taken
from the calendar-year returns typed in the fund file.

The conventions are the house's `PERFORMANCE.md` (a copy is in tests/data/house-export/): how returns
are computed is `returns.py`'s, which of them a factsheet may show (CSRC for CN, SFC for HK)
`display_rules.py`'s. Their names stay importable from here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..fund.dates import add_months, years_before  # noqa: F401 - importable from performance
from ..fund.nav import MAX_GAP, LevelSeries, NavHistory
from .display_rules import (  # noqa: F401 - the display rules stay importable from performance
    CN_MAX_YEARS,
    CN_MIN_YEARS,
    HK_MAX_AGE_MONTHS,
    HK_YEARS,
    Allowed,
    Jurisdiction,
    TypedYears,
    allowed,
    figures_too_old,
    last_publication_day,
    too_young,
    typed_calendar_years,
)
from .returns import (  # noqa: F401 - the returns stay importable from performance
    CHART_BASE,
    CHART_YEARS,
    PERIODS,
    TRAILING_YEARS,
    Figure,
    GrowthChart,
    PerformanceError,
    Returns,
    growth,
    growth_chart,
    percent,
    returns,
    total_return,
)

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
