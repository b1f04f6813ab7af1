"""The performance scenarios of a PRIIPs KID (Annex IV points 5-11 of the RTS): stress, unfavourable,
moderate and favourable outcomes at 1 year and at the recommended holding period, after the entry and
exit costs. The readings taken are in `priips.py`'s docstring.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from statistics import NormalDist

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .priips_inputs import PriipsError, as_series, check_rhp, on_or_before, to_date, years_before_each
from .priips_risk import TRADING_DAYS, MarketRisk, market_risk

SCENARIO_YEARS = 10  # Annex IV point 6 (RHP of 5 years or less)
INVESTMENT = 10_000  # Annex V / VII: the KID illustrates 10 000 in the class's currency

# The rows of the KID's tables, in the order of the Annex V and VII templates.
SCENARIO_NAMES = ("stress", "unfavourable", "moderate", "favourable")


@dataclass(frozen=True)
class Outcome:
    """One scenario at one holding period."""

    scenario: str  # stress, unfavourable, moderate, favourable
    years: int
    price_ratio: float  # the product's growth over the period, before entry and exit costs
    amount: float  # what you might get back after costs
    average_return: float  # each year: (amount / investment)^(1/years) − 1
    window: tuple[date, date] | None = None  # the past period it comes from (a median of an even number of
    # outcomes, the mean of the two middle ones: the lower of them, where this type of scenario occurred)


@dataclass(frozen=True)
class Scenarios:
    """Annex IV performance scenarios at each holding period (1 year and the RHP)."""

    investment: float
    periods: tuple[int, ...]
    outcomes: tuple[Outcome, ...]
    observation_start: date | None  # the first price a window may start from (the history's first day); None: stated
    windows: tuple[int, ...]  # number of full-length windows per period
    stressed_volatility: tuple[float, ...]  # σ_S per period (Annex IV point 10)
    stress_capped: tuple[bool, ...]  # stress set to the unfavourable outcome (reading 6 in `priips.py`)

    def get(self, scenario: str, years: int) -> Outcome:
        for outcome in self.outcomes:
            if outcome.scenario == scenario and outcome.years == years:
                return outcome
        raise KeyError((scenario, years))


def holding_periods(rhp_years: int) -> tuple[int, ...]:
    """The periods a KID shows (Annex V as amended): 1 year and the RHP (just 1 year when the RHP is 1)."""
    return (1,) if rhp_years == 1 else (1, rhp_years)


def observation_years(rhp_years: int) -> int:
    """The years in which a window's end must fall: the last 10 (spec/priips.md; RHPs are below 10)."""
    return SCENARIO_YEARS


def _stressed_volatility(returns: np.ndarray, years: int) -> float:
    """Annex IV point 10: the population volatility of every run of w consecutive returns (w = 21
    for 1 year, 63 beyond), and its 99th (1 year) or 95th (beyond) percentile, interpolated linearly."""
    w, q = (21, 99.0) if years <= 1 else (63, 95.0)
    rolling = sliding_window_view(returns, w).std(axis=1)
    return float(np.percentile(rolling, q))


def _stress_factor(sigma_s: float, skew: float, kurt: float, years: int) -> float:
    """Annex IV point 11: exp(σ_S √N (z + (z²−1)/6 μ1/√N + (z³−3z)/24 μ2/N − (2z³−5z)/36 μ1²/N) − σ_S² N/2),
    with z the normal quantile at 1 % for 1 year and 5 % for longer periods, and N = 256 × years."""
    z = NormalDist().inv_cdf(0.01 if years <= 1 else 0.05)
    n = TRADING_DAYS * years
    root = math.sqrt(n)
    expansion = (z + (z * z - 1) / 6 * skew / root + (z**3 - 3 * z) / 24 * kurt / n
                 - (2 * z**3 - 5 * z) / 36 * skew**2 / n)
    return math.exp(sigma_s * root * expansion - 0.5 * sigma_s**2 * n)


def scenarios(dates: Sequence, prices: Sequence, rhp_years: int, investment: float = INVESTMENT, *,
              entry_cost_pct: Decimal = Decimal(0), exit_cost_pct: Decimal = Decimal(0),
              risk: MarketRisk | None = None) -> Scenarios:
    """Stress, unfavourable, moderate and favourable outcomes at 1 year and at the RHP (Annex IV
    points 5-11, readings 4-7 in `priips.py`), after the entry and exit costs (the NAV is
    already net of the recurring costs). ``risk`` is this history's :func:`market_risk` when already
    computed (the stress scenario uses its returns, skew and kurtosis)."""
    rhp_years = check_rhp(rhp_years)
    days, values = as_series(dates, prices, "prices")
    risk = risk if risk is not None else market_risk(days, values, rhp_years)
    keep = (1 - float(entry_cost_pct) / 100) * (1 - float(exit_cost_pct) / 100)
    span = observation_years(rhp_years)
    # A window counts when it ends after the same day `span` years before the last date and the history
    # holds its start; the history itself must cover the `span` years (Annex IV point 5).
    cutoff = years_before_each(days[-1:], span)[0]
    first_end = int(np.searchsorted(days, cutoff, side="right"))
    if days[0] > cutoff:
        raise PriipsError(
            f"the performance scenarios need {span} years of prices (spec/priips.md, Annex IV points 5-6); the "
            f"history has {len(days)} days (from {days[0]} to {days[-1]}), so it needs prices back to {cutoff}: "
            f"extend it with a proxy")
    periods = [_period_outcomes(days, values, years, first_end, investment, keep, risk)
               for years in holding_periods(rhp_years)]
    return Scenarios(investment=float(investment), periods=holding_periods(rhp_years),
                     outcomes=tuple(o for found in periods for o in found[0]),
                     observation_start=to_date(days[0]), windows=tuple(p[1] for p in periods),
                     stressed_volatility=tuple(p[2] for p in periods), stress_capped=tuple(p[3] for p in periods))


def _period_outcomes(days: np.ndarray, values: np.ndarray, years: int, first_end: int, investment: float,
                     keep: float, risk: MarketRisk) -> tuple[list[Outcome], int, float, bool]:
    """The four outcomes at one holding period, the number of full windows, σ_S and whether the
    stress was set to the unfavourable outcome."""

    def outcome(name: str, ratio: float, window: tuple[int, int] | None = None) -> Outcome:
        amount = investment * keep * ratio
        return Outcome(name, years, ratio, amount, (amount / investment) ** (1 / years) - 1,
                       (to_date(days[window[0]]), to_date(days[window[1]])) if window else None)

    # Points 7(a), 8, 9: every window of `years` calendar years ending in the last 10 years whose start
    # the history holds.
    starts = on_or_before(days, years_before_each(days, years))
    ends = np.arange(first_end, len(days))
    ends = ends[starts[ends] >= 0]
    starts = starts[ends]
    ratios = values[ends] / values[starts]
    # Point 7(b): windows ending on the last date, starting from `years` to 1 year before it.
    first = int(on_or_before(days, years_before_each(days[-1:], years))[0])
    last = int(on_or_before(days, years_before_each(days[-1:], 1))[0])
    short = values[-1] / values[first:last + 1]

    worst_full, worst_short = int(np.argmin(ratios)), int(np.argmin(short))
    if short[worst_short] < ratios[worst_full]:
        unfavourable = outcome("unfavourable", float(short[worst_short]), (first + worst_short, len(days) - 1))
    else:
        unfavourable = outcome("unfavourable", float(ratios[worst_full]), (starts[worst_full], ends[worst_full]))
    middle = len(ratios) // 2
    if len(ratios) % 2:  # one middle window: name it
        at = int(np.argpartition(ratios, middle)[middle])
        moderate = outcome("moderate", float(ratios[at]), (starts[at], ends[at]))
    else:  # the mean of the two middle outcomes; its type of scenario occurred in the lower middle window
        lower = int(np.argsort(ratios, kind="stable")[middle - 1])
        moderate = outcome("moderate", float(np.median(ratios)), (starts[lower], ends[lower]))
    best = int(np.argmax(ratios))
    favourable = outcome("favourable", float(ratios[best]), (starts[best], ends[best]))
    # Points 10-11, and point 2: never above the unfavourable outcome.
    sigma_s = _stressed_volatility(risk.returns, years)
    stress = outcome("stress", _stress_factor(sigma_s, risk.skew, risk.excess_kurtosis, years))
    capped = stress.amount > unfavourable.amount
    if capped:
        stress = outcome("stress", unfavourable.price_ratio)
    return [stress, unfavourable, moderate, favourable], len(ratios), sigma_s, capped
