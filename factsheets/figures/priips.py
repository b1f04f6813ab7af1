"""The figures of a PRIIPs Key Information Document for a category 2 PRIIP (a UCITS fund).

Regulation (EU) No 1286/2014; its RTS, Commission Delegated Regulation (EU) 2017/653 as amended by
(EU) 2021/2268 ("the RTS" below). What the figures are is in ``spec/priips.md``; every formula below
cites its annex and point. Everything is computed in floating point from the price history and rounded
only by :meth:`KidFigures.display`.

    figures = compute(inputs, dates, prices)   # dates and prices from price_history(...)
    figures.sri, figures.display().scenarios["moderate"]

The inputs and the price history are `priips_inputs.py`'s, the market risk measure and the SRI
`priips_risk.py`'s, the scenarios `priips_scenarios.py`'s, the costs `priips_costs.py`'s; this module
puts them together (`compute`) and rounds them as the KID shows them. Every name stays importable
from here.

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

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .priips_costs import COST_ITEMS, CostItem, Costs, CostsOverTime, costs  # noqa: F401 - importable from priips
from .priips_inputs import PriipsError, PriipsInputs, as_series, price_history  # noqa: F401 - importable from priips
from .priips_risk import (  # noqa: F401 - importable from priips
    MIN_YEARS,
    MRM_BOUNDS,
    MRM_YEARS,
    SRI_TABLE,
    SRI_WORDS,
    TRADING_DAYS,
    MarketRisk,
    market_risk,
    mrm_class,
    sri,
    sri_words,
)
from .priips_scenarios import (  # noqa: F401 - importable from priips
    INVESTMENT,
    SCENARIO_NAMES,
    SCENARIO_YEARS,
    Outcome,
    Scenarios,
    holding_periods,
    observation_years,
    scenarios,
)
from .priips_stated import StatedRisk, stated_parts

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
    vev_pct: Decimal | None  # two decimals (not on the KID; for the record); None when stated without it
    scenarios: dict[str, tuple[ScenarioDisplay, ...]]  # stress, unfavourable, moderate, favourable
    costs_over_time: tuple[CostsOverTimeDisplay, ...]
    composition: tuple[CostItemDisplay, ...]


@dataclass(frozen=True)
class KidFigures:
    inputs: PriipsInputs
    market_risk: MarketRisk | StatedRisk  # computed from a price history, or stated (`priips_stated`)
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
                          vev_pct=None if self.market_risk.vev is None else pct(self.market_risk.vev, 2),
                          scenarios=shown, costs_over_time=over_time,
                          composition=composition)


def compute(inputs: PriipsInputs, dates: Sequence, prices: Sequence) -> KidFigures:
    """Every figure a KID shows, from the representative class's price history (``price_history``)."""
    days, values = as_series(dates, prices, f"prices of {inputs.class_code}")
    risk = market_risk(days, values, inputs.rhp_years)
    indicator = sri(risk.mrm, inputs.credit_risk_class)
    found = scenarios(days, values, inputs.rhp_years, INVESTMENT, entry_cost_pct=inputs.entry_cost_pct,
                      exit_cost_pct=inputs.exit_cost_pct, risk=risk)
    return KidFigures(inputs=inputs, market_risk=risk, sri=indicator, sri_words=sri_words(indicator),
                      scenarios=found, costs=costs(inputs, found))


def stated(inputs: PriipsInputs, mrm: int, vev_pct: Decimal | None, sri_class: int, adjusted: bool,
           returns: dict[str, tuple[Decimal, Decimal]], investment: int = INVESTMENT) -> KidFigures:
    """Every figure a KID shows from the figures a manufacturer states (an EPT row: `priips_stated`), in place
    of `compute` on a price history."""
    risk, found, cost = stated_parts(inputs, mrm, vev_pct, sri_class, adjusted, returns, investment)
    return KidFigures(inputs=inputs, market_risk=risk, sri=sri_class, sri_words=sri_words(sri_class), scenarios=found,
                      costs=cost)
