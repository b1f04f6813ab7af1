"""What the figures of a PRIIPs KID are computed from: the `priips` sheet's figures for the representative
class (`PriipsInputs`) and its price history (`price_history`, extended back by a proxy), each checked,
every problem listed at once (`PriipsError`); and the calendar the windows of the risk measure and the
scenarios are counted in. The readings taken are in `priips.py`'s docstring.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

import numpy as np

from ..errors import FactsheetError


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

def as_series(dates: Sequence, prices: Sequence, what: str) -> tuple[np.ndarray, np.ndarray]:
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
    days, values = as_series(dates, class_prices, "class prices")
    proxy_days, levels = as_series(proxy_dates, proxy_levels, "proxy")
    anchor = int(np.searchsorted(proxy_days, days[0], side="right")) - 1
    if anchor < 0:
        raise PriipsError(f"proxy: it starts on {proxy_days[0]}, after the class's first price on {days[0]}, "
                          "so it cannot extend the class's history")
    before = proxy_days < days[0]
    scaled = levels[before] * (values[0] / levels[anchor])
    return np.concatenate([proxy_days[before], days]), np.concatenate([scaled, values])


# --- calendar ------------------------------------------------------------------------------------

def years_before_each(days: np.ndarray, years: int) -> np.ndarray:
    """The same calendar day ``years`` earlier, for each day (29 February falls back to 28 February):
    `fund.dates.years_before` over an array of days."""
    months = days.astype("datetime64[M]")
    day_of_month = (days - months.astype("datetime64[D]")).astype(np.int64)  # 0-based
    target = months - np.timedelta64(12 * years, "M")
    first = target.astype("datetime64[D]")
    length = ((target + np.timedelta64(1, "M")).astype("datetime64[D]") - first).astype(np.int64)
    return first + np.minimum(day_of_month, length - 1)


def on_or_before(days: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Index of the last date on or before each target (-1 where there is none)."""
    return np.searchsorted(days, targets, side="right") - 1


def check_rhp(rhp_years: object) -> int:
    """The recommended holding period, a whole number of years from 1 to 9 (else PriipsError)."""
    if isinstance(rhp_years, bool) or not isinstance(rhp_years, int) or not 1 <= rhp_years <= 9:
        raise PriipsError(f"the recommended holding period {rhp_years!r} is not a whole number of years from 1 to 9")
    return rhp_years


def to_date(day: np.datetime64) -> date:
    """A datetime64 day as a date."""
    return day.astype("datetime64[D]").item()
