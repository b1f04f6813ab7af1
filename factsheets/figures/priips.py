"""The figures of a PRIIPs Key Information Document for a category 2 PRIIP (a UCITS fund).

Regulation (EU) No 1286/2014; its RTS, Commission Delegated Regulation (EU) 2017/653 as amended by
(EU) 2021/2268 ("the RTS" below). What the figures are is in ``spec/priips.md``; every formula below
cites its annex and point. Everything is computed in floating point from the price history and rounded
only by :meth:`KidFigures.display`.

    figures = compute(inputs, dates, prices)   # dates and prices from price_history(...)
    figures.sri, figures.display().scenarios["moderate"]

Readings taken where the RTS leaves a choice (the README quotes them; "Annex IV 7(a)" is point 7(a) of
Annex IV):

1. Price history: the class's total-return price (dividends reinvested), extended before its first
   day by the proxy's returns, chain-linked on the class's first day (``price_history``).
2. Market risk (Annex II points 11-13): daily log returns of the last 5 years, meaning every return
   whose end date is after the same calendar day 5 years before the last date (29 February falls back
   to 28 February); the first of them starts from the last price on or before that day, as the house's
   trailing periods do (PERFORMANCE.md). At least 2 years of prices are needed (Annex II point 5): the
   first date must be on or before the same day 2 years before the last, else ``PriipsError``.
3. Moments are population moments (divided by M0), exactly as priips.md writes them.
4. Performance scenarios (Annex IV points 5-9): windows are calendar periods, not observation counts.
   Every price date is the end of one window; the window starts on the last price date on or before
   the same calendar day 1 year (or the RHP) earlier. 256 observations per year would drift from the
   calendar (about 252-261 dealing days a year), and the KID says "if you exit after 1 year"; the
   house's trailing periods use the same calendar rule. A window counts when its END falls within
   the last 10 years of the price history, as ``spec/priips.md`` sets it out (the RTS's "calculated
   over the last 10 years", point 6, leaves open whether a window must also start within them; the
   spec reads it by the end; a window whose start lies before the history's first price does not
   exist). The history must cover the 10 years (point 5). RHPs of 10 years or more are refused. "Start or end in each of the months" (point 7(a)) is read as every
   dealing day, which contains every month and uses all the data.
5. Unfavourable = lowest, moderate = median, favourable = highest of the window outcomes (points
   7-9). The unfavourable also counts the shorter windows of point 7(b): those ending on the last
   date and starting between the RHP and 1 year before it, whose outcome is taken as the outcome over
   the RHP (the ESAs' "linear transformation", Q&A on Annex IV 7(c)(iv)). With an even number of
   windows the median is the mean of the two middle outcomes.
6. Stress (Annex IV points 10-11), per horizon: for 1 year, windows of w = 21 returns, the 99th
   percentile of their volatilities and z at the 1st percentile; for longer periods, w = 63, the
   95th percentile and z at the 5th percentile (point 10 table "1 year / > 1 year"; point 11 "1 % for
   1 year and 5 % for the other holding periods"; the ESAs' Q&A, May 2025, Q24 on the 99th/95th
   percentiles). priips.md has the two z percentiles the other way round; the RTS wins. The rolling
   volatilities are population standard deviations of every run of w consecutive returns of the
   market-risk sample (the last 5 years), the same sample whose skew and kurtosis point 11 uses;
   percentiles interpolate linearly between ranks (spreadsheets' PERCENTILE.INC). z is the exact
   normal quantile. The stress outcome is never above the unfavourable one (point 2: the stress
   scenario shows impacts "not covered in the unfavourable scenario"); where it would be, it is set
   to the unfavourable.
7. Costs: the NAV is already net of ongoing, transaction and performance costs, so a scenario's
   amount after costs is ``investment x (1 - entry) x price ratio x (1 - exit)``: the entry cost is
   taken off the amount paid in, the exit cost off the amount paid out. "Costs over time" (Annex VI
   as amended, with the assumptions of the Annex VII template): at 1 year the product returns 0 %
   before costs; at the RHP it performs as the moderate scenario, whose return before costs is the
   NAV's return grossed up by the recurring costs: (1 + g) = (1 + m) / (1 - r), with r the sum of
   the ongoing, transaction and performance percentages, taken from the value once a year. Then
   ``V_before = I (1 + g)^T``, ``V_after = I (1 - entry) (1 + g)^T (1 - r)^T (1 - exit)`` (equal to
   the moderate scenario after costs), total costs ``V_before - V_after`` and the annual cost impact
   ``g - ((V_after / I)^(1/T) - 1)``. "Composition of costs" gives the amounts if you exit after
   1 year (0 % growth): entry ``I x entry``, recurring items ``I (1 - entry) x pct``, exit
   ``I (1 - entry) (1 - r) x exit``; they add up to the 1-year total. An exit cost of 0 shows "N/A".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from statistics import NormalDist

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..errors import FactsheetError

TRADING_DAYS = 256  # Annex II point 12: N = 256 x T for daily prices
MRM_YEARS = 5  # Annex II: the moments come from the last 5 years of daily prices
MIN_YEARS = 2  # Annex II point 5: at least 2 years of daily prices
SCENARIO_YEARS = 10  # Annex IV point 6 (RHP of 5 years or less)
INVESTMENT = 10_000  # Annex V / VII: the KID illustrates 10 000 in the class's currency

# Annex II point 2 (as amended by 2021/2268): the lower bound of MRM classes 2..7 ("≥ ... and < ...").
MRM_BOUNDS = (0.005, 0.05, 0.12, 0.20, 0.30, 0.80)

# Annex II Part 3 point 52 (priips.md): SRI by MRM class (rows 1-7) and credit risk class (columns 1-6).
SRI_TABLE = (
    (1, 1, 3, 5, 5, 6),
    (2, 2, 3, 5, 5, 6),
    (3, 3, 3, 5, 5, 6),
    (4, 4, 4, 5, 5, 6),
    (5, 5, 5, 5, 5, 6),
    (6, 6, 6, 6, 6, 6),
    (7, 7, 7, 7, 7, 7),
)
SRI_WORDS = {1: "the lowest", 2: "a low", 3: "a medium-low", 4: "a medium", 5: "a medium-high",
             6: "the second-highest", 7: "the highest"}

# The rows of the KID's tables, in the order of the Annex V and VII templates.
SCENARIO_NAMES = ("stress", "unfavourable", "moderate", "favourable")
COST_ITEMS = ("entry", "exit", "ongoing", "transaction", "performance")


class PriipsError(FactsheetError):
    """PRIIPs figures that cannot be computed from these inputs; lists every problem."""

    def __init__(self, problems: str | Sequence[str]):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


# --- inputs -------------------------------------------------------------------------------------

def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool) or isinstance(value, float):
        return None  # a float is already rounded in binary: ask for the exact figure
    try:
        result = Decimal(str(value)) if isinstance(value, (int, str)) else value
    except InvalidOperation:
        return None
    return result if isinstance(result, Decimal) and result.is_finite() else None


@dataclass(frozen=True)
class PriipsInputs:
    """The `priips` sheet's figures for one representative class. Percentages are in percent
    (3 means 3 %), as Decimal (int and str are converted; floats are refused)."""

    class_code: str
    rhp_years: int
    credit_risk_class: int
    entry_cost_pct: Decimal
    exit_cost_pct: Decimal
    ongoing_costs_pct: Decimal
    transaction_costs_pct: Decimal
    performance_fee_pct: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        problems = []
        if not isinstance(self.class_code, str) or not self.class_code.strip():
            problems.append("priips.class_code: give the representative class's code")
        where = f"priips ({self.class_code})" if isinstance(self.class_code, str) and self.class_code else "priips"
        if isinstance(self.rhp_years, bool) or not isinstance(self.rhp_years, int) or not 1 <= self.rhp_years <= 9:
            problems.append(f"{where}.recommended_holding_period_years: {self.rhp_years!r} is not a whole number "
                            "of years from 1 to 9 (10 years or more needs a third period at half the RHP, "
                            "Annex V, which this module does not compute)")
        if isinstance(self.credit_risk_class, bool) or self.credit_risk_class not in range(1, 7):
            problems.append(f"{where}.credit_risk_class: {self.credit_risk_class!r} is not a class from 1 to 6")
        for name in ("entry_cost_pct", "exit_cost_pct", "ongoing_costs_pct", "transaction_costs_pct",
                     "performance_fee_pct"):
            value = _decimal(getattr(self, name))
            if value is None or not 0 <= value < 100:
                problems.append(f"{where}.{name}: {getattr(self, name)!r} is not a percentage from 0 to "
                                "below 100 given exactly (a Decimal, an int or a string)")
            else:
                object.__setattr__(self, name, value)
        if problems:
            raise PriipsError(problems)

    @property
    def recurring_cost_rate(self) -> float:
        """r: ongoing + transaction + performance costs, as a fraction of the value per year."""
        return float(self.ongoing_costs_pct + self.transaction_costs_pct + self.performance_fee_pct) / 100


# --- price history ------------------------------------------------------------------------------

def _as_series(dates: Sequence, prices: Sequence, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Dates as datetime64[D], prices as float64; every problem listed at once."""
    try:
        days = np.asarray(dates, dtype="datetime64[D]")
        values = np.asarray(prices, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise PriipsError(f"{what}: dates must be dates and prices numbers ({exc})") from None
    problems = []
    if days.ndim != 1 or values.ndim != 1 or len(days) != len(values):
        raise PriipsError(f"{what}: {days.size} dates but {values.size} prices")
    if len(days) < 2:
        raise PriipsError(f"{what}: needs at least two prices; it has {len(days)}")
    if np.isnat(days).any():
        problems.append(f"{what}: date {int(np.flatnonzero(np.isnat(days))[0])} is missing")
    bad = np.flatnonzero(~np.isfinite(values) | (values <= 0))
    for i in bad[:5]:
        problems.append(f"{what}: the price on {days[i]} is {float(values[i])!r}; prices must be positive numbers")
    if len(bad) > 5:
        problems.append(f"{what}: {len(bad) - 5} more prices are not positive numbers")
    steps = np.flatnonzero(np.diff(days) <= np.timedelta64(0, "D")) if not np.isnat(days).any() else []
    for i in steps[:5]:
        problems.append(f"{what}: {days[i + 1]} follows {days[i]}; dates must be strictly increasing")
    if len(steps) > 5:
        problems.append(f"{what}: {len(steps) - 5} more dates are out of order or repeated")
    if problems:
        raise PriipsError(problems)
    return days, values


def price_history(dates: Sequence, class_prices: Sequence, proxy_dates: Sequence,
                  proxy_levels: Sequence) -> tuple[np.ndarray, np.ndarray]:
    """The class's total-return price extended backwards by the proxy's returns (priips.md "Price
    history"; Annex II point 5 allows a proxy for a short history).

    ``class_prices`` is the growth G(t) with dividends reinvested (PERFORMANCE.md). Before the class's
    first date ``d0``, each proxy level is scaled by ``class_prices[0] / proxy(a)``, where ``a`` is the
    proxy's last date on or before ``d0`` (``d0`` itself when the proxy has it): the series is
    continuous on ``d0`` and has the proxy's returns before it. Proxy levels on or after ``d0`` are not
    used. Returns ``(dates as datetime64[D], prices as float64)``.
    """
    days, values = _as_series(dates, class_prices, "class prices")
    proxy_days, levels = _as_series(proxy_dates, proxy_levels, "proxy")
    anchor = int(np.searchsorted(proxy_days, days[0], side="right")) - 1
    if anchor < 0:
        raise PriipsError(f"proxy: it starts on {proxy_days[0]}, after the class's first price on {days[0]}, "
                          "so it cannot extend the class's history")
    before = proxy_days < days[0]
    scaled = levels[before] * (values[0] / levels[anchor])
    return np.concatenate([proxy_days[before], days]), np.concatenate([scaled, values])


# --- calendar ------------------------------------------------------------------------------------

def _years_before(days: np.ndarray, years: int) -> np.ndarray:
    """The same calendar day ``years`` earlier, for each day (29 February falls back to 28 February)."""
    months = days.astype("datetime64[M]")
    day_of_month = (days - months.astype("datetime64[D]")).astype(np.int64)  # 0-based
    target = months - np.timedelta64(12 * years, "M")
    first = target.astype("datetime64[D]")
    length = ((target + np.timedelta64(1, "M")).astype("datetime64[D]") - first).astype(np.int64)
    return first + np.minimum(day_of_month, length - 1)


def _on_or_before(days: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Index of the last date on or before each target (-1 where there is none)."""
    return np.searchsorted(days, targets, side="right") - 1


def _check_rhp(rhp_years: object) -> int:
    if isinstance(rhp_years, bool) or not isinstance(rhp_years, int) or not 1 <= rhp_years <= 9:
        raise PriipsError(f"the recommended holding period {rhp_years!r} is not a whole number of years from 1 to 9")
    return rhp_years


def _to_date(day: np.datetime64) -> date:
    return day.astype("datetime64[D]").item()


# --- market risk ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class MarketRisk:
    """The market risk measure of a category 2 PRIIP (Annex II Part 1 points 11-13 and 2)."""

    start: date  # the price the first return starts from
    end: date  # the last price
    m0: int  # number of returns
    m1: float  # mean
    m2: float  # Σ(r − M1)² / M0
    m3: float
    m4: float
    sigma: float  # √M2
    skew: float  # μ1 = M3 / σ³
    excess_kurtosis: float  # μ2 = M4 / σ⁴ − 3
    trading_periods: int  # N = 256 × RHP
    var: float  # Cornish–Fisher VaR in return space, 97.5 %
    vev: float  # VaR-equivalent volatility
    mrm: int  # class 1-7
    returns: np.ndarray = field(repr=False, compare=False)  # the sample, for the stress scenario


def mrm_class(vev: float) -> int:
    """MRM class by VEV (Annex II point 2 as amended): below 0.5 % → 1, 0.5 % to below 5 % → 2,
    5 % to below 12 % → 3, 12 % to below 20 % → 4, 20 % to below 30 % → 5, 30 % to below 80 % → 6,
    80 % or more → 7."""
    if not math.isfinite(vev):
        raise PriipsError(f"the VaR-equivalent volatility is {vev!r}; it must be a number")
    return int(np.searchsorted(MRM_BOUNDS, vev, side="right")) + 1


def _mrm_returns(days: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, int]:
    """The log returns of the last 5 years (reading 2) and the index of the price they start from."""
    last = days[-1:]
    if days[0] > _years_before(last, MIN_YEARS)[0]:
        raise PriipsError(
            f"the market risk measure needs at least {MIN_YEARS} years of prices (Annex II point 5); "
            f"it has {len(days)} days (from {days[0]} to {days[-1]}), so it needs prices back to "
            f"{_years_before(last, MIN_YEARS)[0]}: extend the history with a proxy")
    cutoff = _years_before(last, MRM_YEARS)[0]
    first_end = int(np.searchsorted(days, cutoff, side="right"))  # first return ending after the cutoff
    start = max(first_end - 1, 0)
    return np.diff(np.log(values[start:])), start


def _cornish_fisher_var(sigma: float, skew: float, kurt: float, n: float) -> float:
    """Annex II point 12: VaR = σ√N (−1.96 + 0.474 μ1/√N − 0.0687 μ2/N + 0.146 μ1²/N) − 0.5 σ² N."""
    root = math.sqrt(n)
    return sigma * root * (-1.96 + 0.474 * skew / root - 0.0687 * kurt / n + 0.146 * skew**2 / n) - 0.5 * sigma**2 * n


def _vev(var: float, years: float) -> float:
    """Annex II point 13 (as amended): VEV = (√(3.842 − 2 VaR) − 1.96) / √T."""
    return (math.sqrt(3.842 - 2 * var) - 1.96) / math.sqrt(years)


def market_risk(dates: Sequence, prices: Sequence, rhp_years: int) -> MarketRisk:
    """The MRM from the daily log returns of the last 5 years (Annex II Part 1 points 11-13, 2).

    Moments (point 11): M0 the number of returns, M1 their mean, Mk = Σ(r − M1)^k / M0 for k = 2..4;
    σ = √M2, μ1 = M3/σ³, μ2 = M4/σ⁴ − 3. N = 256 × RHP (point 12). Then the Cornish–Fisher VaR
    (point 12), the VEV (point 13) and the class (point 2).
    """
    rhp_years = _check_rhp(rhp_years)
    days, values = _as_series(dates, prices, "prices")
    r, start = _mrm_returns(days, values)
    m0 = len(r)
    m1 = float(r.mean())
    d = r - m1
    d2 = d * d
    m2, m3, m4 = float(d2.sum() / m0), float((d2 * d).sum() / m0), float((d2 * d2).sum() / m0)
    sigma = math.sqrt(m2)
    if sigma == 0:
        raise PriipsError(f"the prices from {days[start]} to {days[-1]} never change: the market risk "
                          "measure needs a price history that moves")
    skew, kurt = m3 / sigma**3, m4 / sigma**4 - 3
    n = TRADING_DAYS * rhp_years
    var = _cornish_fisher_var(sigma, skew, kurt, n)
    vev = _vev(var, rhp_years)
    return MarketRisk(start=_to_date(days[start]), end=_to_date(days[-1]), m0=m0, m1=m1, m2=m2, m3=m3, m4=m4,
                      sigma=sigma, skew=skew, excess_kurtosis=kurt, trading_periods=n, var=var, vev=vev,
                      mrm=mrm_class(vev), returns=r)


def sri(mrm: int, crm: int) -> int:
    """The summary risk indicator from the MRM class (1-7) and the credit risk class (1-6), by the
    table of Annex II Part 3 point 52 (priips.md)."""
    if isinstance(mrm, bool) or mrm not in range(1, 8):
        raise PriipsError(f"MRM class {mrm!r} is not from 1 to 7")
    if isinstance(crm, bool) or crm not in range(1, 7):
        raise PriipsError(f"credit risk class {crm!r} is not from 1 to 6")
    return SRI_TABLE[mrm - 1][crm - 1]


def sri_words(sri_class: int) -> str:
    """The class's words in the `sri-narrative` statement ("... which is {sri_words} risk class")."""
    return SRI_WORDS[sri_class]


# --- performance scenarios -----------------------------------------------------------------------

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
    observation_start: date  # the first price a window may start from (the history's first day)
    windows: tuple[int, ...]  # number of full-length windows per period
    stressed_volatility: tuple[float, ...]  # σ_S per period (Annex IV point 10)
    stress_capped: tuple[bool, ...]  # stress set to the unfavourable outcome (reading 6)

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
    points 5-11, readings 4-7 of the module docstring), after the entry and exit costs (the NAV is
    already net of the recurring costs). ``risk`` is this history's :func:`market_risk` when already
    computed (the stress scenario uses its returns, skew and kurtosis)."""
    rhp_years = _check_rhp(rhp_years)
    days, values = _as_series(dates, prices, "prices")
    risk = risk if risk is not None else market_risk(days, values, rhp_years)
    keep = (1 - float(entry_cost_pct) / 100) * (1 - float(exit_cost_pct) / 100)
    span = observation_years(rhp_years)
    # A window counts when it ends after the same day `span` years before the last date and the history
    # holds its start; the history itself must cover the `span` years (Annex IV point 5).
    cutoff = _years_before(days[-1:], span)[0]
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
                     observation_start=_to_date(days[0]), windows=tuple(p[1] for p in periods),
                     stressed_volatility=tuple(p[2] for p in periods), stress_capped=tuple(p[3] for p in periods))


def _period_outcomes(days: np.ndarray, values: np.ndarray, years: int, first_end: int, investment: float,
                     keep: float, risk: MarketRisk) -> tuple[list[Outcome], int, float, bool]:
    """The four outcomes at one holding period, the number of full windows, σ_S and whether the
    stress was set to the unfavourable outcome."""

    def outcome(name: str, ratio: float, window: tuple[int, int] | None = None) -> Outcome:
        amount = investment * keep * ratio
        return Outcome(name, years, ratio, amount, (amount / investment) ** (1 / years) - 1,
                       (_to_date(days[window[0]]), _to_date(days[window[1]])) if window else None)

    # Points 7(a), 8, 9: every window of `years` calendar years ending in the last 10 years whose start
    # the history holds.
    starts = _on_or_before(days, _years_before(days, years))
    ends = np.arange(first_end, len(days))
    ends = ends[starts[ends] >= 0]
    starts = starts[ends]
    ratios = values[ends] / values[starts]
    # Point 7(b): windows ending on the last date, starting from `years` to 1 year before it.
    first = int(_on_or_before(days, _years_before(days[-1:], years))[0])
    last = int(_on_or_before(days, _years_before(days[-1:], 1))[0])
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


# --- costs ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CostsOverTime:
    """Annex VI/VII "Costs over time" for one holding period."""

    years: int
    total_costs: float  # V_before − V_after, in currency
    annual_cost_impact: float  # return_before − return_after (a fraction)
    return_before: float  # average return each year before costs
    return_after: float  # after costs


@dataclass(frozen=True)
class CostItem:
    """One row of "Composition of costs": its percentage (as input) and the amount if you exit after
    1 year; ``applies`` is False for an exit cost of 0 (shown "N/A")."""

    item: str  # entry, exit, ongoing, transaction, performance
    pct: Decimal
    amount: float
    applies: bool = True


@dataclass(frozen=True)
class Costs:
    investment: float
    over_time: tuple[CostsOverTime, ...]
    composition: tuple[CostItem, ...]

    def at(self, years: int) -> CostsOverTime:
        for row in self.over_time:
            if row.years == years:
                return row
        raise KeyError(years)

    def item(self, name: str) -> CostItem:
        for row in self.composition:
            if row.item == name:
                return row
        raise KeyError(name)


def costs(inputs: PriipsInputs, found: Scenarios) -> Costs:
    """The "Costs over time" at 1 year and the RHP and the "Composition of costs" (Annex VI as amended by
    2021/2268, with the Annex VII template's assumptions; reading 7 of the module docstring): 0 %
    before costs in the first year, the moderate scenario at the RHP."""
    invested = found.investment
    entry, exit_ = float(inputs.entry_cost_pct) / 100, float(inputs.exit_cost_pct) / 100
    r = inputs.recurring_cost_rate
    rows = []
    for years in found.periods:
        if years == 1:
            gross = 0.0  # Annex VII: "in the first year you would get back the amount that you invested"
        else:
            net = found.get("moderate", years).price_ratio ** (1 / years)  # 1 + m, net of recurring costs
            gross = net / (1 - r) - 1
        before = invested * (1 + gross) ** years
        after = invested * (1 - entry) * ((1 + gross) * (1 - r)) ** years * (1 - exit_)
        return_after = (after / invested) ** (1 / years) - 1
        rows.append(CostsOverTime(years, before - after, gross - return_after, gross, return_after))
    base = invested * (1 - entry)
    composition = (
        CostItem("entry", inputs.entry_cost_pct, invested * entry),
        CostItem("exit", inputs.exit_cost_pct, base * (1 - r) * exit_, applies=inputs.exit_cost_pct > 0),
        CostItem("ongoing", inputs.ongoing_costs_pct, base * float(inputs.ongoing_costs_pct) / 100),
        CostItem("transaction", inputs.transaction_costs_pct, base * float(inputs.transaction_costs_pct) / 100),
        CostItem("performance", inputs.performance_fee_pct, base * float(inputs.performance_fee_pct) / 100),
    )
    return Costs(investment=invested, over_time=tuple(rows), composition=composition)


# --- everything a KID shows ----------------------------------------------------------------------

def _round(value: float, places: int) -> Decimal:
    """Half up, from the shortest decimal that reads back as the float (what a person would see)."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ScenarioDisplay:
    scenario: str
    years: int
    amount: Decimal  # whole currency units
    average_return_pct: Decimal  # one decimal


@dataclass(frozen=True)
class CostsOverTimeDisplay:
    years: int
    total_costs: Decimal  # whole currency units
    annual_cost_impact_pct: Decimal  # one decimal
    return_before_pct: Decimal
    return_after_pct: Decimal


@dataclass(frozen=True)
class CostItemDisplay:
    item: str
    pct: Decimal  # two decimals
    amount: Decimal | None  # whole currency units; None means "N/A"


@dataclass(frozen=True)
class KidDisplay:
    """The KID's figures rounded as the RTS templates show them."""

    class_code: str
    rhp_years: int
    periods: tuple[int, ...]
    mrm: int
    credit_risk_class: int
    sri: int
    sri_words: str
    vev_pct: Decimal  # two decimals (not on the KID; for the record)
    scenarios: dict[str, tuple[ScenarioDisplay, ...]]  # stress, unfavourable, moderate, favourable
    costs_over_time: tuple[CostsOverTimeDisplay, ...]
    composition: tuple[CostItemDisplay, ...]


@dataclass(frozen=True)
class KidFigures:
    inputs: PriipsInputs
    market_risk: MarketRisk
    sri: int
    sri_words: str
    scenarios: Scenarios
    costs: Costs

    def display(self) -> KidDisplay:
        pct = lambda x, places=1: _round(100 * x, places)
        shown = {name: tuple(ScenarioDisplay(o.scenario, o.years, _round(o.amount, 0), pct(o.average_return))
                             for o in self.scenarios.outcomes if o.scenario == name)
                 for name in SCENARIO_NAMES}
        over_time = tuple(CostsOverTimeDisplay(c.years, _round(c.total_costs, 0), pct(c.annual_cost_impact),
                                               pct(c.return_before), pct(c.return_after))
                          for c in self.costs.over_time)
        composition = tuple(CostItemDisplay(c.item, c.pct.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
                                            _round(c.amount, 0) if c.applies else None)
                            for c in self.costs.composition)
        return KidDisplay(class_code=self.inputs.class_code, rhp_years=self.inputs.rhp_years,
                          periods=self.scenarios.periods, mrm=self.market_risk.mrm,
                          credit_risk_class=self.inputs.credit_risk_class, sri=self.sri, sri_words=self.sri_words,
                          vev_pct=pct(self.market_risk.vev, 2), scenarios=shown, costs_over_time=over_time,
                          composition=composition)


def compute(inputs: PriipsInputs, dates: Sequence, prices: Sequence) -> KidFigures:
    """Every figure a KID shows, from the representative class's price history (``price_history``)."""
    days, values = _as_series(dates, prices, f"prices of {inputs.class_code}")
    risk = market_risk(days, values, inputs.rhp_years)
    indicator = sri(risk.mrm, inputs.credit_risk_class)
    found = scenarios(days, values, inputs.rhp_years, INVESTMENT, entry_cost_pct=inputs.entry_cost_pct,
                      exit_cost_pct=inputs.exit_cost_pct, risk=risk)
    return KidFigures(inputs=inputs, market_risk=risk, sri=indicator, sri_words=sri_words(indicator),
                      scenarios=found, costs=costs(inputs, found))
