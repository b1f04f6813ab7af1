"""The factsheet: what its template (`factsheet.html.j2` and `sections/`) shows of a fund. Key facts and KIDs
start from the same view and add their own (`key_facts.context`, `kid.context`)."""

from __future__ import annotations

from ..figures.performance import fund_figures
from ..fund.model import FundFile
from . import labels
from .labels import Localiser
from .localise import risk_labels


def context(fund: FundFile, localisers: dict[str, Localiser], langs: tuple[str, ...], family: str,
            colours: tuple[str, ...], colour: str | None = None) -> dict[str, object]:
    """The fund's terms, managers, allocations and performance, as labels and charts in each language, and the
    label helpers the templates call (`exchange`, `currency`, `class_name`, ...). `colour` is a house's primary
    colour for the allocation bars; `colours` the performance charts' series."""
    return {
        "category_label": labels.CATEGORY_LABELS[fund.fund.category.value],
        "risk_labels": risk_labels(fund),
        "performance": labels.performance_view(fund, fund_figures(fund), localisers, langs, family, colours),
        "periods": labels.PERIOD_LABELS,
        "terms": labels.terms(fund, localisers, langs),
        "managers": labels.managers(fund, langs),
        "allocations": labels.allocations(fund, localisers, langs, family, colour),
        "exchange": labels.exchange, "provider": labels.provider, "currency": labels.currency,
        "class_name": labels.class_name, "roles": labels.ROLES, "dealing": labels.DEALING,
    }
