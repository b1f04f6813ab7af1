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
from .texts import Name, Strict


class Fees(Strict):
    """A share class's fees and charges, in percent."""

    management: FeePercent | None = Field(None, description="Management fee, % a year")
    custody: FeePercent | None = Field(None, description="Custody (trustee) fee, % a year")
    sales_service: FeePercent | None = Field(None, description="Sales service fee, % a year (mainland C classes)")
    max_subscription: FeePercent | None = Field(None, description="Maximum subscription (entry) charge, % one-off")
    max_redemption: FeePercent | None = Field(None, description="Maximum redemption (exit) charge, % one-off")
    ongoing_charges: FeePercent | None = Field(None, description="Ongoing charges over a year, % (Hong Kong)")


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

    @model_validator(mode="after")
    def _dividends(self, info: ValidationInfo) -> ShareClass:
        problems = []
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
