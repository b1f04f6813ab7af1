"""The fund file's sections beside `fund`: the index (with its valuation), performance typed in the
file, history (the benchmark's levels), holdings, allocations and the market section."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import Field, StringConstraints, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from .fields import (
    Date,
    HistoryPath,
    Number,
    Percent,
    Ratio,
    SignedAmount,
    Text,
    Weight,
    YearReturns,
    context_of,
    number_schema,
    rule_error,
)
from .texts import LocalizedText, Name, Strict


def _check_years(returns: dict[int, Decimal], info: ValidationInfo, prefix: str = "") -> list[tuple[str, str]]:
    """Calendar-year returns may not lie after the fund file's as_of date (passed as context)."""
    as_of = context_of(info).get("as_of")
    if not isinstance(as_of, dt.date):
        return []
    return [
        (f"{prefix}{year}", f"a return for {year} is after as_of {as_of.isoformat()}")
        for year in sorted(returns)
        if year > as_of.year
    ]


class Peer(Strict):
    name: Name
    pe_ratio: Ratio


class Valuation(Strict):
    as_of: Date
    pe_ratio: Ratio
    pe_percentile_10y: Annotated[Decimal, Number, Field(ge=0, le=100, allow_inf_nan=False),
                                 number_schema(0, 100, "Percentile of the P/E within its 10-year range")] | None = None
    peers: list[Peer] = []


class Index(Strict):
    name: Name
    provider: Text
    base_date: Date
    launch_date: Date
    annual_returns: YearReturns = {}
    valuation: Valuation | None = None

    @field_validator("launch_date")
    @classmethod
    def _after_base(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        base = info.data.get("base_date")
        if base and base > value:
            raise PydanticCustomError(
                "base_after_launch",
                "base date {base} is after launch date {launch}",
                {"base": base.isoformat(), "launch": value.isoformat()},
            )
        return value

    @field_validator("annual_returns")
    @classmethod
    def _years(cls, value: dict[int, Decimal], info: ValidationInfo) -> dict[int, Decimal]:
        if problems := _check_years(value, info):
            raise rule_error(problems)
        return dict(sorted(value.items()))


class AnnualReturns(Strict):
    fund: Annotated[YearReturns, Field(min_length=1, json_schema_extra={"minProperties": 1})]
    benchmark: YearReturns = {}

    @model_validator(mode="after")
    def _years(self, info: ValidationInfo) -> AnnualReturns:
        problems = _check_years(self.fund, info, "fund.") + _check_years(self.benchmark, info, "benchmark.")
        problems += [
            (f"benchmark.{year}", f"a benchmark return for {year} has no fund return beside it")
            for year in sorted(set(self.benchmark) - set(self.fund))
        ]
        if problems:
            raise rule_error(problems)
        return self


class Performance(Strict):
    """Typed figures (fund/v1, or a fund without NAV history), and where the figures come from.
    With NAV history (`share_classes[].nav`) the figures are computed and none may be typed."""

    basis: LocalizedText | None = None
    source: LocalizedText | None = Field(None, description="Who computed the figures (Hong Kong: named next to them)")
    benchmark: LocalizedText | None = Field(None, description="fund/v1: the benchmark's name; fund/v2: use fund.benchmark")
    annual_returns: AnnualReturns | None = None

    @model_validator(mode="after")
    def _basis(self) -> Performance:
        if self.annual_returns is not None and self.basis is None:
            raise rule_error([("basis", "is required with typed annual_returns: how the figures were computed", "missing")])
        return self


class History(Strict):
    benchmark: HistoryPath | None = Field(None, description="Daily benchmark levels (date,level)")


class Holding(Strict):
    name: Name
    weight: Weight
    code: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=32)] | None = None


class Holdings(Strict):
    top10_weight: Weight | None = None
    top: list[Holding] = Field(min_length=1)

    @model_validator(mode="after")
    def _weights(self) -> Holdings:
        problems = []
        weights = [h.weight for h in self.top]
        for i in range(1, len(weights)):
            if weights[i] > weights[i - 1]:
                problems.append(
                    (f"top.{i}.weight", f"{weights[i]} is larger than {weights[i - 1]} before it: list holdings largest first")
                )
        if (total := sum(weights)) > 100:
            problems.append(("top", f"weights sum to {total}, above 100"))
        ten = sum(sorted(weights, reverse=True)[:10])
        if self.top10_weight is not None and self.top10_weight < ten:
            problems.append(
                ("top10_weight", f"{self.top10_weight} is below {ten}, the sum of the ten largest listed weights")
            )
        if problems:
            raise rule_error(problems)
        return self


class Bucket(Strict):
    name: LocalizedText
    weight: Weight


Buckets = Annotated[list[Bucket], Field(min_length=1)]


class Allocations(Strict):
    """Breakdowns of the portfolio, each in percent of net assets, largest first; each sums to 100 at most."""

    asset: Buckets | None = None
    sector: Buckets | None = None
    region: Buckets | None = None
    rating: Buckets | None = None

    @model_validator(mode="after")
    def _weights(self) -> Allocations:
        problems = []
        for dimension in ("asset", "sector", "region", "rating"):
            buckets = getattr(self, dimension) or []
            if (total := sum(b.weight for b in buckets)) > Decimal("100.05"):  # rounded weights may sum to 100.04
                problems.append((dimension, f"weights sum to {total}, above 100"))
        if problems:
            raise rule_error(problems)
        return self

    def dimensions(self) -> list[tuple[str, list[Bucket]]]:
        return [(d, getattr(self, d)) for d in ("asset", "sector", "region", "rating") if getattr(self, d)]


class Flow(Strict):
    days: Annotated[int, Field(strict=True, ge=1, le=3660)]
    net_inflow: SignedAmount  # negative: net outflow


class Market(Strict):
    day_change_pct: Percent | None = None
    flows: list[Flow] = []
    source: LocalizedText
