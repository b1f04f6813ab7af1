"""The fund file's `priips` section: the inputs of a PRIIPs Key Information Document (Regulation (EU)
2017/653) for its representative share class. The figures themselves are `figures/priips.py`'s."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, StringConstraints

from .fields import PHONE_CHECK, Amount, Code, FeePercent, HistoryPath, Percent, Text, Website
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
