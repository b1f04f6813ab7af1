"""The market risk measure of a category 2 PRIIP (Annex II Part 1 points 11-13 and 2 of the RTS) and the
summary risk indicator (Annex II Part 3 point 52). The readings taken are in `priips.py`'s docstring.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from .priips_inputs import PriipsError, as_series, check_rhp, to_date, years_before_each

TRADING_DAYS = 256  # Annex II point 12: N = 256 x T for daily prices
MRM_YEARS = 5  # Annex II: the moments come from the last 5 years of daily prices
MIN_YEARS = 2  # Annex II point 5: at least 2 years of daily prices

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
    """The log returns of the last 5 years (reading 2 in `priips.py`) and the index of the price they start from."""
    last = days[-1:]
    if days[0] > years_before_each(last, MIN_YEARS)[0]:
        raise PriipsError(
            f"the market risk measure needs at least {MIN_YEARS} years of prices (Annex II point 5); "
            f"it has {len(days)} days (from {days[0]} to {days[-1]}), so it needs prices back to "
            f"{years_before_each(last, MIN_YEARS)[0]}: extend the history with a proxy")
    cutoff = years_before_each(last, MRM_YEARS)[0]
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
    rhp_years = check_rhp(rhp_years)
    days, values = as_series(dates, prices, "prices")
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
    return MarketRisk(start=to_date(days[start]), end=to_date(days[-1]), m0=m0, m1=m1, m2=m2, m3=m3, m4=m4,
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
