"""A share class of the fund (`fund.share_classes[]`): its code and name, fees and charges, minimum
investment, distribution, the dividends of the 12 months to as_of, and its NAV history file."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

from pydantic import Field, StrictBool, StringConstraints, ValidationInfo, model_validator

from .dates import year_before
from .fields import (
    Amount,
    Code,
    Currency,
    Date,
    FeePercent,
    HistoryPath,
    PerUnit,
    context_of,
    json_schema,
    matches,
    rule_error,
)
from .offering import RedemptionTier, SubscriptionTier, redemption_problems, subscription_problems
from .texts import LocalizedText, Name, Strict


class Fees(Strict):
    """A share class's fees and charges, in percent."""

    management: FeePercent | None = Field(None, description="Management fee, % a year")
    custody: FeePercent | None = Field(None, description="Custody (trustee) fee, % a year")
    sales_service: FeePercent | None = Field(None, description="Sales service fee, % a year (mainland C classes)")
    max_subscription: FeePercent | None = Field(None, description="Maximum subscription (entry) charge, % one-off")
    max_redemption: FeePercent | None = Field(None, description="Maximum redemption (exit) charge, % one-off")
    ongoing_charges: FeePercent | None = Field(None, description="Ongoing charges over a year, % (Hong Kong)")
    switching: FeePercent | None = Field(None, description="Maximum switching charge, % one-off (Hong Kong)")
    performance: FeePercent | None = Field(None, description="Performance fee, % (0: none is charged)")


class Dividend(Strict):
    ex_date: Date
    amount: PerUnit = Field(description="Cash dividend per unit, in the class's currency")


class Distribution(str, Enum):
    accumulating = "accumulating"
    monthly = "monthly"
    quarterly = "quarterly"
    semi_annual = "semi_annual"
    annual = "annual"


class ShareClass(Strict):
    class_: Annotated[str, StringConstraints(strict=True, max_length=16),
                      matches(r"[A-Za-z0-9]+( [A-Za-z0-9]+)*", "a class is letters, digits and single spaces, at most 16 "
                                                                  "characters (A, C, A USD Acc)"),
                      json_schema(type="string", maxLength=16, pattern="^[A-Za-z0-9]+( [A-Za-z0-9]+)*$",
                              description="Class name: letters, digits and spaces (A, C, A USD Acc)")] = Field(alias="class")
    code: Code
    listed: StrictBool = False
    feeder: StrictBool = False
    name: Name | None = None
    currency: Currency | None = Field(None, description="The class's currency; the fund's when not given")
    inception_date: Date | None = None
    fees: Fees | None = None
    min_investment: Amount | None = Field(None, description="Minimum investment, in the class's currency")
    distribution: Distribution = Distribution.accumulating
    dividends: list[Dividend] = Field([], description="Dividends with an ex-date in the 12 months to as_of")
    nav: HistoryPath | None = Field(None, description="Daily NAV history (date,unit_nav,acc_nav,dividend_per_unit)")
    dividend_policy: LocalizedText | None = Field(
        None, description="The dividend policy as the offering document words it: how often, and whether dividends "
                          "may be paid out of capital (Hong Kong key facts)")
    subscription_tiers: list[SubscriptionTier] | None = Field(
        None, description="The subscription fee by amount subscribed, lowest band first; [] when none is charged "
                          "(mainland key facts)")
    redemption_tiers: list[RedemptionTier] | None = Field(
        None, description="The redemption fee by holding period, shortest first; [] when none is charged (mainland key facts)")

    @model_validator(mode="after")
    def _dividends(self, info: ValidationInfo) -> ShareClass:
        problems = []
        problems += [(f"subscription_tiers.{where}", message) for where, message in subscription_problems(self.subscription_tiers or [])]
        problems += [(f"redemption_tiers.{where}", message) for where, message in redemption_problems(self.redemption_tiers or [])]
        problems += self._tiers_and_maximum()
        as_of = context_of(info).get("as_of")
        if self.dividends and self.distribution is Distribution.accumulating:
            problems.append(("dividends", "an accumulating class pays no dividends: set `distribution`"))
        if isinstance(as_of, dt.date):
            since = year_before(as_of)
            problems += [(f"dividends.{i}.ex_date", f"{d.ex_date.isoformat()} is more than 12 months before as_of {as_of.isoformat()}")
                         for i, d in enumerate(self.dividends) if d.ex_date <= since]
        dates = [d.ex_date for d in self.dividends]
        problems += [(f"dividends.{i}.ex_date", "list dividends oldest first, one per ex-date")
                     for i in range(1, len(dates)) if dates[i] <= dates[i - 1]]
        if self.inception_date and any(d < self.inception_date for d in dates):
            problems.append(("dividends", f"a dividend before the class's inception on {self.inception_date.isoformat()}"))
        if problems:
            raise rule_error(problems)
        return self

    def _tiers_and_maximum(self) -> list[tuple[str, str]]:
        """The fee tiers and the maximum charge (`fees.max_subscription`, `max_redemption`) are one schedule: its
        highest rate is the maximum, and a class that charges none ([]) has no maximum but 0."""
        problems = []
        for tiers_name, fee in (("subscription_tiers", "max_subscription"), ("redemption_tiers", "max_redemption")):
            tiers = getattr(self, tiers_name)
            maximum = getattr(self.fees, fee) if self.fees is not None else None
            if tiers is None or maximum is None:
                continue
            highest = max((t.rate for t in tiers if t.rate is not None), default=0)
            if highest != maximum:
                problems.append((tiers_name, f"the highest rate of the tiers is {highest}%, and fees.{fee} is {maximum}%: "
                                             "the tiers and the maximum must agree"))
        return problems
