"""EP: rules on an EPT file (the FinDatEx European PRIIPs Template, V2.1) a manufacturer sends to platforms:
each finding names the row, its ISIN and the field. The template's fields and codification are
`ingest/ept_fields.py`'s; the RTS's grids and formulas are `figures/priips_risk.py`'s, the KID's own."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Iterable

from ..figures.priips_risk import MRM_BOUNDS, mrm_class, sri
from ..ingest.ept_fields import (
    blank,
    codification_problem,
    fields,
    flag,
    is_isin,
    number,
    required,
    schema_requires,
    section_state,
    text,
)
from ..ingest.ept_read import EptRow
from .base import EptContext, Finding, Rule, register

SRI, MRM, CRM, VEV = "01090_SRI", "01100_MRM", "01110_CRM", "01020_Portfolio_VEV_Reference"
RHP = "01120_Recommended_Holding_Period"
ADJUSTED = "01095_IS_SRI_Adjusted"
VEV_TOLERANCE = Decimal("0.02")  # EP004: the stated VEV may differ from the moments' by 2 % of it (N, rounding)
BOUND_SLACK = 1e-6  # EP003: a VEV this close to a class bound (rounded to six places) may be in either class
COST_TOLERANCE = Decimal("0.0005")  # EP006: 0.05 percentage points, the rounding of figures given to 4 places
SCENARIOS = {  # horizon -> (stress, unfavourable, moderate, favourable)
    "1 year": ("02100_Portfolio_Return_Stress_Scenario_1_Year", "02010_Portfolio_Return_Unfavourable_Scenario_1_Year",
               "02040_Portfolio_Return_Moderate_Scenario_1_Year", "02070_Portfolio_Return_Favourable_Scenario_1_Year"),
    "half the RHP": ("02110_Portfolio_Return_Stress_Scenario_Half_RHP", "02020_Portfolio_Return_Unfavourable_Scenario_Half_RHP",
                     "02050_Portfolio_Return_Moderate_Scenario_Half_RHP", "02080_Portfolio_Return_Favourable_Scenario_Half_RHP"),
    "the RHP": ("02120_Portfolio_Return_Stress_Scenario_RHP_Or_First_Call_Date",
                "02030_Portfolio_Return_Unfavourable_Scenario_RHP_Or_First_Call_Date",
                "02060_Portfolio_Return_Moderate_Scenario_RHP_Or_First_Call_Date",
                "02090_Portfolio_Return_Favourable_Scenario_RHP_Or_First_Call_Date"),
}
SCENARIO_NAMES = ("stress", "unfavourable", "moderate", "favourable")


def _numbers(row: EptRow, *names: str) -> list[Decimal] | None:
    """The fields' numbers when every one of them is given as one (the codification rule reports the rest)."""
    found = [number(row.values.get(name)) for name in names]
    return None if any(value is None for value in found) else found  # type: ignore[return-value]


def _class(value: Decimal, low: int, high: int) -> int | None:
    return int(value) if value == value.to_integral_value() and low <= value <= high else None


@register
class EptFieldProblem(Rule):
    code = "EP001"
    name = "ept-field-missing-or-miscodified"
    scope = "ept"
    message = "a field the EPT template requires is missing, or a field is not codified as the template says"
    explanation = (
        "FinDatEx's EPT V2.1 marks each of its 145 fields mandatory (M), conditional (C) or optional (O) and says\n"
        "how each is written (EPT_V2.1_fields.json; the JSON Schema ept.schema.json). A row must give every M\n"
        "field and every C field whose condition holds (the 1-year scenarios when the RHP is above 1 year, the\n"
        "incidental costs when 03090 is Y, ...), except in a section its header reports as not completed\n"
        "(00006 narratives, 00007 costs, 00008 German MOPs, 00009 structured products; the UK part by 08010), whose\n"
        "fields must then be empty (a warning: they are not used; the fields ept.schema.json requires in every row\n"
        "excepted, and a text written `\"\"` counts as empty). Each value must be codified as the template\n"
        "says: Y/N flags, closed lists, numbers (100 % = 1), ISO 8601 dates, ISO 4217 currencies, ISO 639-2\n"
        "languages, an ISIN with its check digit when 00040 is 1, an LEI with its check digits, texts within their\n"
        "lengths. A column that is no field of the template is a warning. Fix: correct the row in the system that\n"
        "produces the file."
    )

    def check(self, ctx: EptContext) -> Iterable[Finding]:
        for row in ctx.ept.rows:
            yield from self._row(ctx, row)

    def _row(self, ctx: EptContext, row: EptRow) -> Iterable[Finding]:
        for name in row.unknown:
            yield ctx.finding(self, row, name, f"{name!r} is not a field of EPT V2.1: it is not read", "warning")
        for field in fields():
            value = row.values.get(field.name)
            completed, flag_name = section_state(row.values, field)
            if value is None or blank(value):
                if (why := required(row.values, field)) is not None:
                    condition = "" if why == "mandatory" else f" (required when {why})"
                    yield ctx.finding(self, row, field.name, f"is missing: the template requires it{condition}")
                continue
            if not completed and flag_name is not None and not schema_requires(field):
                state = flag(row.values, flag_name) or "blank"
                yield ctx.finding(self, row, field.name, f"must be empty: {flag_name} is {state}, so its section is not "
                                                         f"reported; it holds {text(value)[:40]!r}", "warning")
                continue
            if problem := codification_problem(field, value):
                yield ctx.finding(self, row, field.name, problem)
        code = row.values.get("00030_Portfolio_Identifying_Data")
        if code is not None and number(row.values.get("00040_Type_Of_Identification_Code_For_The_Fund_Share_Or_Portfolio")) == 1:
            if not is_isin(text(code)):
                yield ctx.finding(self, row, "00030_Portfolio_Identifying_Data",
                                  f"{text(code)!r} is not an ISIN (ISO 6166, with its check digit), as 00040 = 1 says it is")


@register
class EptSriNotGrid(Rule):
    code = "EP002"
    name = "ept-sri-not-grid"
    scope = "ept"
    message = "the SRI is not the one the MRM and CRM classes give"
    explanation = (
        "The summary risk indicator is read from the market risk class (MRM, 1-7) and the credit risk class (CRM,\n"
        "1-6) in the table of RTS Annex II Part 3 point 52 (the KID's own table, figures/priips_risk.py). A manufacturer\n"
        "may raise it (point 52a), and then says so in 01095_IS_SRI_Adjusted = Y: the SRI may then be higher than the\n"
        "table's, never lower. Fix: correct 01090_SRI, or the MRM or CRM it came from."
    )

    def check(self, ctx: EptContext) -> Iterable[Finding]:
        for row in ctx.ept.rows:
            found = _numbers(row, SRI, MRM, CRM)
            if found is None:
                continue
            stated, mrm, crm = _class(found[0], 1, 7), _class(found[1], 1, 7), _class(found[2], 1, 6)
            if stated is None or mrm is None or crm is None:
                continue  # EP001's
            grid = sri(mrm, crm)
            adjusted = flag(row.values, ADJUSTED) == "Y"
            if stated != grid and not (adjusted and stated > grid):
                why = "; 01095_IS_SRI_Adjusted is Y, but an adjustment may only raise it" if adjusted else ""
                yield ctx.finding(self, row, SRI, f"SRI {stated}, but MRM {mrm} with CRM {crm} gives {grid} (RTS Annex II "
                                                  f"point 52){why}")


@register
class EptMrmNotVevBand(Rule):
    code = "EP003"
    name = "ept-mrm-not-vev-band"
    scope = "ept"
    message = "the MRM class is not the band of the stated VEV"
    explanation = (
        "A category 2 PRIIP's market risk class is the band its VaR-equivalent volatility falls in (RTS Annex II\n"
        "point 2 as amended): below 0.5 % class 1, below 5 % 2, below 12 % 3, below 20 % 4, below 30 % 5, below 80 % 6,\n"
        "else 7. 01100_MRM must be the band of 01020_Portfolio_VEV_Reference (a VEV within a millionth of a bound\n"
        "may be in either class: it is rounded). Fix: correct the MRM or the VEV."
    )

    def check(self, ctx: EptContext) -> Iterable[Finding]:
        for row in ctx.ept.rows:
            found = _numbers(row, MRM, VEV)
            if found is None or (mrm := _class(found[0], 1, 7)) is None:
                continue
            vev = float(found[1])
            classes = {mrm_class(vev), mrm_class(vev + BOUND_SLACK), mrm_class(max(vev - BOUND_SLACK, 0.0))}
            if mrm not in classes:
                yield ctx.finding(self, row, MRM, f"MRM {mrm}, but a VEV of {text(row.values[VEV])} ({vev * 100:.2f} %) is "
                                                  f"in class {mrm_class(vev)} ({_band(mrm_class(vev))})")


def _band(mrm: int) -> str:
    bounds = (0.0, *MRM_BOUNDS, math.inf)
    low, high = bounds[mrm - 1], bounds[mrm]
    return f"{low * 100:g} % to below {high * 100:g} %" if math.isfinite(high) else f"{low * 100:g} % or more"


def vev_from_moments(m0: float, sigma: float, skew: float, kurt: float, rhp: float) -> float:
    """The VEV the moments give (RTS Annex II points 12-13), with N = M0 / 5 × RHP: the observations a year of
    the five years measured, times the RHP. VaR = σ√N(−1.96 + 0.474 μ1/√N − 0.0687 μ2/N + 0.146 μ1²/N) − σ²N/2;
    VEV = (√(3.842 − 2 VaR) − 1.96) / √RHP."""
    n = m0 / 5 * rhp
    root = math.sqrt(n)
    var = sigma * root * (-1.96 + 0.474 * skew / root - 0.0687 * kurt / n + 0.146 * skew**2 / n) - 0.5 * sigma**2 * n
    return (math.sqrt(3.842 - 2 * var) - 1.96) / math.sqrt(rhp)


@register
class EptVevNotMoments(Rule):
    code = "EP004"
    name = "ept-vev-not-moments"
    scope = "ept"
    message = "the stated VEV is not the Cornish-Fisher VEV of the row's own moments"
    explanation = (
        "A row that gives the moments of its returns (02130 M0, 02150 σ, 02160 skewness, 02170 excess kurtosis) gives\n"
        "what its VEV is computed from: the Cornish-Fisher VaR of RTS Annex II point 12 with N = M0 / 5 × RHP (the\n"
        "returns of five years, so M0 / 5 a year) and the VEV of point 13. 01020_Portfolio_VEV_Reference may differ\n"
        "from it by at most 2 % of it: enough for the number of observations a year taken as 252, 256 or 261 and for\n"
        "rounding, far too little for a VEV computed from other returns. Fix: give the VEV and the moments of the\n"
        "same computation."
    )

    def check(self, ctx: EptContext) -> Iterable[Finding]:
        for row in ctx.ept.rows:
            found = _numbers(row, VEV, "02130_Portfolio_Number_Of_Observed_Return_M0", "02150_Portfolio_Observed_Sigma",
                             "02160_Portfolio_Observed_Skewness", "02170_Portfolio_Observed_Excess_Kurtosis", RHP)
            if found is None:
                continue
            stated, m0, sigma, skew, kurt, rhp = (float(v) for v in found)
            if m0 <= 0 or sigma <= 0 or rhp <= 0:
                continue
            try:
                expected = vev_from_moments(m0, sigma, skew, kurt, rhp)
            except ValueError:  # a VaR beyond the formula's domain: no VEV to compare with
                continue
            if abs(stated - expected) > float(VEV_TOLERANCE) * abs(expected):
                yield ctx.finding(self, row, VEV, f"VEV {stated:.6g}, but the row's moments (M0 {m0:g}, σ {sigma:.6g}, skewness "
                                                  f"{skew:.4g}, excess kurtosis {kurt:.4g}, RHP {rhp:g}) give {expected:.6g} "
                                                  f"(N = M0 / 5 × RHP = {m0 / 5 * rhp:g}), {abs(stated / expected - 1) * 100:.1f} % "
                                                  f"apart; at most {VEV_TOLERANCE * 100:g} % is allowed")


@register
class EptScenariosOutOfOrder(Rule):
    code = "EP005"
    name = "ept-scenarios-out-of-order"
    scope = "ept"
    message = "the performance scenarios are out of order: stress above unfavourable, unfavourable above moderate, or moderate above favourable"
    explanation = (
        "At each holding period the scenarios are ordered by construction (RTS Annex IV): the unfavourable is the\n"
        "worst of the past windows, the moderate their median, the favourable the best, and the stress scenario is\n"
        "never shown above the unfavourable one (point 2: it covers what the unfavourable does not). A row whose\n"
        "stress return is above its unfavourable one, its unfavourable above its moderate or its moderate above its\n"
        "favourable, at 1 year, half the RHP or the RHP, has a figure in the wrong field or a wrong figure. The\n"
        "finding names the field that stands too high. Fix: correct the scenario returns."
    )

    def check(self, ctx: EptContext) -> Iterable[Finding]:
        for row in ctx.ept.rows:
            for horizon, names in SCENARIOS.items():
                values = [number(row.values.get(name)) for name in names]
                for i in range(3):
                    low, high = values[i], values[i + 1]
                    if low is not None and high is not None and low > high:
                        yield ctx.finding(self, row, names[i], f"the {SCENARIO_NAMES[i]} return at {horizon}, {text(row.values[names[i]])}, "
                                                               f"is above the {SCENARIO_NAMES[i + 1]} one, {text(row.values[names[i + 1]])}")


COSTS = ("03010_One_Off_Cost_Portfolio_Entry_Cost", "03015_One_Off_Cost_Portfolio_Entry_Cost_Acquired",
         "03020_One_Off_Costs_Portfolio_Exit_Cost_At_RHP", "03030_One_Off_Costs_Portfolio_Exit_Cost_At_1_Year",
         "03040_One_Off_Costs_Portfolio_Exit_Cost_At_Half_RHP",
         "03060_Ongoing_Costs_Management_Fees_And_Other_Administrative_Or_Operating_Costs",
         "03080_Ongoing_Costs_Portfolio_Transaction_Costs", "03095_Incidental_Costs")
COMPOSITION = ("07070_One_Off_Costs_Portfolio_Entry_Cost", "07080_One_Off_Costs_Portfolio_Exit_Cost",
               "07090_Ongoing_Costs_Portfolio_Transaction_Costs",
               "07100_Ongoing_Costs_Management_Fees_And_Other_Administrative_Or_Operating_Costs",
               "07110_Incidental_Costs_Portfolio_Performance_Fees_Carried_Interest")
RIY_1_YEAR = "07020_RIY_1_Year_Or_First_Call"


@register
class EptCostsDoNotAddUp(Rule):
    code = "EP006"
    name = "ept-costs-do-not-add-up"
    scope = "ept"
    message = "the costs do not add up: a negative cost, exit costs that slide without saying so, incidental costs where there are none, or a composition that is not the 1-year total"
    explanation = (
        "The costs section (03xxx) gives costs as fractions of the amount invested or of the NAV (100 % = 1): none\n"
        "is negative. Without a sliding exit cost (03050 = N) the exit cost is the same after 1 year, half the RHP\n"
        "and the RHP (03030, 03040, 03020). Incidental costs (03095) are given only when 03090 says there are some.\n"
        "Where the structured-products costs (07xxx) give the composition of costs after 1 year, the entry, exit,\n"
        "transaction, other ongoing and incidental items (07070-07110) add up to the reduction in yield after 1 year\n"
        "(07020), as the KID's \"Composition of costs\" adds up to its 1-year total (RTS Annex VII), within 0.05\n"
        "percentage points. Fix: correct the costs."
    )

    def check(self, ctx: EptContext) -> Iterable[Finding]:
        for row in ctx.ept.rows:
            yield from self._row(ctx, row)

    def _row(self, ctx: EptContext, row: EptRow) -> Iterable[Finding]:
        for name in COSTS:
            value = number(row.values.get(name))
            if value is not None and value < 0:
                yield ctx.finding(self, row, name, f"a cost of {text(row.values[name])}: costs are not negative")
        if flag(row.values, "03050_One_Off_Costs_Portfolio_Sliding_Exit_Cost_Indicator") == "N":
            at_rhp = number(row.values.get(COSTS[2]))
            for name in (COSTS[3], COSTS[4]):
                value = number(row.values.get(name))
                if at_rhp is not None and value is not None and value != at_rhp:
                    yield ctx.finding(self, row, name, f"an exit cost of {text(row.values[name])} here but {text(row.values[COSTS[2]])} "
                                                       f"at the RHP, though 03050 says the exit cost does not slide")
        if flag(row.values, "03090_Existing_Incidental_Costs_Portfolio") == "N" and number(row.values.get(COSTS[7])):
            yield ctx.finding(self, row, COSTS[7], f"incidental costs of {text(row.values[COSTS[7]])}, though 03090 says "
                                                   "there are none")
        items = [number(row.values.get(name)) for name in COMPOSITION]
        total = number(row.values.get(RIY_1_YEAR))
        if total is not None and all(item is not None for item in items):
            summed = sum(items, Decimal(0))
            if abs(summed - total) > COST_TOLERANCE:
                yield ctx.finding(self, row, RIY_1_YEAR, f"a reduction in yield after 1 year of {text(row.values[RIY_1_YEAR])}, "
                                                         f"but its composition (07070 to 07110) adds up to {summed}")
