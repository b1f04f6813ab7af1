"""A KID's figures as the manufacturer states them (a FinDatEx EPT row) rather than computed from a price
history: a platform's KID of another house's product. The market risk class, the SRI and the scenario returns
are the row's; what the KID derives from them (each scenario's amount, "Costs over time", "Composition of
costs") is computed exactly as for a computed KID (`priips_costs.costs`), so that both read alike.

The EPT gives each scenario as the average return each year "calculated with entry costs retained by the funds
and net of all other applicable costs" (its section 02: without the entry cost, with the exit cost). The KID's
amount after every cost takes the entry cost off too: ``investment × (1 − entry) × (1 + r)^T``, and its growth
before the entry and exit costs (what `costs` grosses up) is ``(1 + r)^T / (1 − exit)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .priips_costs import Costs, costs
from .priips_inputs import PriipsError, PriipsInputs
from .priips_risk import sri
from .priips_scenarios import SCENARIO_NAMES, Outcome, Scenarios, holding_periods


@dataclass(frozen=True)
class StatedRisk:
    """The market risk measure as stated: its class, and the VEV when given (no moments, no returns)."""

    mrm: int
    vev: float | None


def stated_parts(inputs: PriipsInputs, mrm: int, vev_pct: Decimal | None, sri_class: int, adjusted: bool,
                 returns: dict[str, tuple[Decimal, Decimal]], investment: int) -> tuple[StatedRisk, Scenarios, Costs]:
    """The risk, the scenarios and the costs the KID shows, from the stated figures (`priips.stated` puts them
    together): `returns` is each scenario's average return each year in percent (after 1 year, at the RHP),
    without the entry cost and after the exit cost. The SRI must be the grid's for the MRM and the credit risk
    class, or above it when `adjusted` (RTS Annex II point 52a); otherwise PriipsError."""
    grid = sri(mrm, inputs.credit_risk_class)
    if sri_class != grid and not (adjusted and sri_class > grid):
        raise PriipsError(f"priips.sri: the stated SRI {sri_class} is not {grid}, what MRM {mrm} and credit risk class "
                          f"{inputs.credit_risk_class} give (RTS Annex II point 52)"
                          + ("; an adjustment may only raise it" if adjusted else ""))
    entry, exit_ = inputs.entry_cost_pct / 100, inputs.exit_cost_pct / 100
    outcomes = []
    for name in SCENARIO_NAMES:
        one_year, at_rhp = returns[name]
        for years in holding_periods(inputs.rhp_years):
            average = Decimal(one_year if years == 1 else at_rhp) / 100
            if average <= -1:
                raise PriipsError(f"priips.stated.scenarios.{name}: a return of {average * 100} % a year loses more than "
                                  "everything")
            # In decimal: the stated figures are decimals, and SEK 100,000 x 1.005² is SEK 101,002.50 exactly, which a
            # float would hold as 101,002.4999… and round down.
            growth = (1 + average) ** years  # after the exit cost
            amount = float(investment * (1 - entry) * growth)
            outcomes.append(Outcome(name, years, float(growth / (1 - exit_)), amount,
                                    (amount / investment) ** (1 / years) - 1))
    periods = holding_periods(inputs.rhp_years)
    found = Scenarios(investment=float(investment), periods=periods, outcomes=tuple(outcomes), observation_start=None,
                      windows=(), stressed_volatility=(), stress_capped=())
    return StatedRisk(mrm, float(vev_pct) / 100 if vev_pct is not None else None), found, costs(inputs, found)
