"""What the offering documents give beyond the administrator's export, which the regulators' templates ask for
(`spec/prospectus-v2.md`; the house's legal team keeps them in `prospectus/v2` files, which `factsheets import
--texts` lays over the fund data): fees charged to the fund as a whole, the mainland fund's operating fees, the
subscription and redemption fee tiers of a share class, and how to complain about a PRIIP.

Where each lives in the fund file: what belongs to a share class (its fee tiers, its dividend policy, its switching
and performance fees) on the class; what belongs to the fund (fees charged to it, its operating fees) under `fund:`;
what only the PRIIPs KID shows (umbrella, depositary, other risks, complaints), in English, under `priips:`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from .fields import Amount, FeePercent, Website, json_schema, matches, rule_error
from .texts import KidText, LocalizedText, Strict

Days = Annotated[int, Field(strict=True, ge=1, le=36_500)]
Email = Annotated[str, StringConstraints(strict=True, max_length=200),
                  matches(r"[^@\s]+@[^@\s]+\.[^@\s.]+", "an e-mail address is name@domain, e.g. complaints@example.com"),
                  json_schema(type="string", format="email", maxLength=200)]


class FundFees(Strict):
    """Fees charged to the fund as a whole, % a year (Hong Kong key facts: "Ongoing fees payable by the fund")."""

    trustee: FeePercent | None = Field(None, description="Trustee, custodian or depositary fee, % a year")
    administration: FeePercent | None = Field(None, description="Administration fee, % a year")


class OperatingFees(Strict):
    """A mainland fund's operating fees besides management, custody and sales service (基金运作相关费用)."""

    audit: Amount | None = Field(None, description="审计费用: the audit fee, in the fund's currency a year")
    disclosure: Amount | None = Field(None, description="信息披露费: the disclosure fee, in the fund's currency a year")
    other: LocalizedText | None = Field(None, description="其他费用: the other fees the fund contract allows, in words")


def _bands(bounds: list[tuple[object, object]], upper: str, lower: str, what: str) -> list[tuple[str, str]]:
    """(sub-path, message) for fee tiers, given as their (`upper`, `lower`) bounds, that do not cover every amount
    (or holding period) once, from the lowest up: each band ends below a bound higher than the last, and only the
    last starts from the bound before it and runs on without end."""
    problems: list[tuple[str, str]] = []
    previous: object = 0
    for i, (high, low) in enumerate(bounds):
        if (high is None) == (low is None):
            problems.append((f"{i}", f"give either `{upper}` (a band up to that {what}) or `{lower}` (the last band, "
                                     f"from that {what} on)"))
        elif high is not None and high <= previous:
            problems.append((f"{i}.{upper}", f"{high} is not above the band before ({previous}): list the bands from "
                                             f"the lowest {what} up"))
        elif low is not None and i != len(bounds) - 1:
            problems.append((f"{i}.{lower}", f"only the last band starts `{lower}` a {what} and runs on"))
        elif low is not None and low != previous:
            problems.append((f"{i}.{lower}", f"{low} is not where the band before ends ({previous}): every {what} "
                                             f"must fall in one band"))
        previous = high if high is not None else previous
    if bounds and bounds[-1][1] is None and not problems:
        problems.append((f"{len(bounds) - 1}", f"the last band must start `{lower}` {previous} and run on: larger "
                                              f"{what}s would have no fee"))
    return problems


class SubscriptionTier(Strict):
    """A band of the subscription fee by the amount subscribed (M), in the class's currency: `below` 1000000
    (M below it, from the band before's bound), or `from` 5000000 (the last band); a `rate` in % or a `fixed`
    amount per subscription."""

    below: Amount | None = None
    from_: Amount | None = Field(None, alias="from")
    rate: FeePercent | None = None
    fixed: Amount | None = Field(None, description="A fixed fee per subscription, in the class's currency")

    @model_validator(mode="after")
    def _one_fee(self) -> SubscriptionTier:
        if (self.rate is None) == (self.fixed is None):
            raise rule_error([("rate", "give either `rate` (% of the amount) or `fixed` (an amount per subscription)")])
        return self


class RedemptionTier(Strict):
    """A band of the redemption fee by the holding period (N), in days: `below_days` 7, or `from_days` 365 (the
    last band); its `rate` in %."""

    below_days: Days | None = None
    from_days: Days | None = None
    rate: FeePercent


def subscription_problems(tiers: list[SubscriptionTier]) -> list[tuple[str, str]]:
    return _bands([(t.below, t.from_) for t in tiers], "below", "from", "amount")


def redemption_problems(tiers: list[RedemptionTier]) -> list[tuple[str, str]]:
    return _bands([(t.below_days, t.from_days) for t in tiers], "below_days", "from_days", "holding period")


class Complaints(Strict):
    """How a retail investor complains about the product or its manufacturer (the KID's "How can I complain?",
    Regulation (EU) 2017/653, Art. 7): the steps, a website, a postal address and an e-mail address."""

    steps: KidText
    website: Website
    address: KidText = Field(description="The postal address for complaints")
    email: Email


__all__ = ["Complaints", "Email", "FundFees", "OperatingFees", "RedemptionTier", "SubscriptionTier"]
