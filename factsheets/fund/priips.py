"""The fund file's `priips` section: the inputs of a PRIIPs Key Information Document (Regulation (EU)
2017/653) for its representative share class. The figures themselves are `figures/priips.py`'s."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StrictBool, StringConstraints, model_validator

from .fields import PHONE_CHECK, Amount, Code, FeePercent, HistoryPath, Percent, Text, Website, rule_error
from .offering import Complaints
from .texts import KidText, Strict


class PriipsCosts(Strict):
    entry: FeePercent = Field(description="One-off entry cost, % of the amount invested")
    exit: FeePercent = Field(description="One-off exit cost, %")
    ongoing: FeePercent = Field(description="Management fees and other administrative or operating costs, % a year")
    transaction: FeePercent = Field(description="Transaction costs, % a year")
    performance_fee: FeePercent = Field(Decimal(0), description="Performance fees, % a year")


class PriipsCostsOverTime(Strict):
    """One column of the KID's "Costs over time" as the house states it (10,000 invested)."""

    years: Annotated[int, Field(strict=True, ge=1, le=40)] = Field(description="If you exit after this many years")
    total_costs: Amount | None = Field(None, description="Total costs, in the class's currency")
    annual_cost_impact: Percent | None = Field(None, description="Annual cost impact, % (2.5 means 2.5 %)")


class StatedScenario(Strict):
    """One scenario's average return each year as the manufacturer states it (EPT 02xxx): after its exit cost,
    before the entry cost the KID also takes off."""

    one_year: Percent = Field(description="If you exit after 1 year, % (−18.5 means −18.5 %)")
    rhp: Percent = Field(description="If you exit at the recommended holding period, % a year")


class StatedScenarios(Strict):
    stress: StatedScenario
    unfavourable: StatedScenario
    moderate: StatedScenario
    favourable: StatedScenario


class PriipsStated(Strict):
    """The KID's figures as the manufacturer states them (a FinDatEx EPT row), printed in place of figures
    computed from a NAV history: a platform's KID of another house's product."""

    source: Text = Field(description="Where the figures come from: the EPT file and its row")
    mrm: Annotated[int, Field(strict=True, ge=1, le=7)] = Field(description="The market risk class (EPT 01100)")
    vev: Percent | None = Field(None, description="The VaR-equivalent volatility, % (EPT 01020)")
    sri_adjusted: StrictBool = Field(False, description="The SRI is raised above the MRM and CRM grid's (EPT 01095)")
    investment: Annotated[int, Field(strict=True, ge=1000, le=10_000_000)] = Field(
        10_000, description="The example investment, in the class's currency (EPT 02220)")
    scenarios: StatedScenarios
    past_performance_years: Annotated[int, Field(strict=True, ge=0, le=10)] | None = Field(
        None, description="Complete calendar years of past performance published (EPT 02210)")


class ScenarioWindow(Strict):
    """When a scenario at the recommended holding period occurred (the EU `scenario-window` statement), as the
    manufacturer states it: with stated figures; computed ones find their own windows."""

    scenario: Literal["unfavourable", "moderate", "favourable"]
    start: Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=4, max_length=30)]
    end: Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=4, max_length=30)]
    investment: Literal["in the product", "in the proxy", "in the product and then the proxy", "in the benchmark"] = "in the product"


class Priips(Strict):
    """Inputs of the PRIIPs Key Information Document (Regulation (EU) 2017/653)."""

    class_code: Code = Field(description="The representative share class")
    recommended_holding_period_years: Annotated[int, Field(strict=True, ge=1, le=40)]
    credit_risk_class: Annotated[int, Field(strict=True, ge=1, le=6)]
    costs: PriipsCosts
    manufacturer: Text
    website: Website
    phone: Annotated[str, StringConstraints(strict=True, max_length=40), PHONE_CHECK]  # `Phone`, without its JSON Schema
    competent_authority: Text
    objective: KidText
    intended_investor: KidText
    proxy: HistoryPath | None = Field(None, description="A proxy price series (date,level) extending the class's history back")
    # What the offering documents give for the KID (prospectus/v2), in English.
    umbrella: KidText | None = Field(None, description="The umbrella fund the product is a sub-fund of, when it is one")
    depositary: KidText | None = Field(None, description="The depositary, when not `fund.custodian`")
    other_risks: KidText | None = Field(None, description="Materially relevant risks the summary risk indicator does not "
                                                          "capture")
    complaints: Complaints | None = Field(None, description="How to complain: the steps, a website, a postal and an e-mail "
                                                            "address (Art. 7)")
    # Figures the house's own systems state, never printed: the KID prints what `priips.py` computes, and
    # `check` (KD003) and the build refuse a KID whose fund file states other figures.
    sri: Annotated[int, Field(strict=True, ge=1, le=7)] | None = Field(
        None, description="The summary risk indicator the house states (1-7), checked against the computed one")
    costs_over_time: list[PriipsCostsOverTime] = Field(
        [], description="Costs over time the house states, checked against the computed ones")
    # A KID of another house's product, from its EPT row: its figures as stated, no NAV history needed.
    stated: PriipsStated | None = Field(None, description="The figures as the manufacturer states them, printed in "
                                                          "place of figures computed from a NAV history")
    scenario_windows: list[ScenarioWindow] = Field([], description="With stated figures: when the unfavourable, "
                                                                   "moderate and favourable scenarios occurred")
    manufacturer_group: Text | None = Field(None, description="The group the manufacturer belongs to (EPT 00015)")

    @model_validator(mode="after")
    def _stated(self) -> Priips:
        problems = []
        if self.stated is None and self.scenario_windows:
            problems.append(("scenario_windows", "only with stated figures: computed figures find their own windows"))
        if self.stated is not None:
            if self.proxy is not None:
                problems.append(("proxy", "the figures are stated: no price history, and no proxy, is used"))
            if self.sri is None:
                problems.append(("sri", "is required with stated figures: the KID prints it", "missing"))
            named = [w.scenario for w in self.scenario_windows]
            problems += [(f"scenario_windows.{i}.scenario", f"{name} is given twice") for i, name in enumerate(named)
                         if name in named[:i]]
        if problems:
            raise rule_error(problems)
        return self
