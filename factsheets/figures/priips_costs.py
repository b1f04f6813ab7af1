"""The costs of a PRIIPs KID: "Costs over time" at 1 year and at the recommended holding period, and
"Composition of costs" (Annex VI as amended by 2021/2268, with the Annex VII template's assumptions).
The readings taken are in `priips.py`'s docstring.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .priips_inputs import PriipsInputs
from .priips_scenarios import Scenarios

COST_ITEMS = ("entry", "exit", "ongoing", "transaction", "performance")  # the rows of "Composition of costs"


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
    2021/2268, with the Annex VII template's assumptions; reading 7 in `priips.py`): 0 %
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
