"""How each document type (`types`) is built: whether a fund has the data for it, what it lacks, the figures it
shows and the facts its statements depend on, the values it computes for their placeholders, and what its
template is given. The renderer, the rules and the build ask here, by the type's name."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from ..errors import Problem
from ..figures.performance import FundFigures, fund_figures
from ..fund.model import FundFile
from . import factsheet, key_facts, kid, kid_texts
from .disclosures import Facts
from .labels import Localiser, backtested_years, index_years
from .types import TYPES, DocumentType


def _nothing(fund: FundFile, *args: object) -> None:
    return None


@dataclass(frozen=True)
class Builder:
    has_data: Callable[[FundFile], bool]  # a fund without it has no such document (skipped, said so)
    problems: Callable[[FundFile], list[Problem]]  # what a fund that has some of the data lacks (`check` FD009)
    check: Callable[[FundFile, tuple[str, ...]], None]  # raise BuildError naming every field it lacks
    figures: Callable[[FundFile], FundFigures] | None  # the performance figures it shows (none: a KID)
    statement_values: Callable[[FundFile], dict[str, object]]  # placeholders it computes (a KID's SRI, ...)
    context: Callable[..., dict[str, object]]  # what its template is given beyond the factsheet's view (and the build's options)
    form: Callable[[FundFile], factsheet.Form] = lambda fund: factsheet.SINGLE  # the layout it is first laid out in
    # The layouts to try when the first does not fit its pages (`render.fit`); None: one layout only.
    alternatives: Callable[[factsheet.Form, dict[str, float]], list[factsheet.Form]] | None = None


def _has_template(document: str) -> Callable[[FundFile], bool]:
    """A fund of a jurisdiction the document type has no template for (an EU fund's factsheet) has no such document."""
    return lambda fund: fund.jurisdiction in TYPES[document].templates


BUILDERS: dict[str, Builder] = {
    "factsheet": Builder(_has_template("factsheet"), lambda fund: [], _nothing, fund_figures, lambda fund: {},
                         lambda *args, **options: {}, factsheet.first_form, factsheet.alternatives),
    "kfs": Builder(lambda fund: _has_template("kfs")(fund) and key_facts.has_data(fund), key_facts.problems, key_facts.check,
                   key_facts.figures, key_facts.statement_values, key_facts.context, lambda fund: factsheet.SINGLE,
                   factsheet.single_alternatives),
    "kid": Builder(lambda fund: fund.priips is not None, kid_texts.problems, kid_texts.check, None, kid.statement_values,
                   kid.context, lambda fund: factsheet.single(charts=False), factsheet.single_alternatives),
}
assert set(BUILDERS) == set(TYPES), "every document type is built here"


def builder(document: str) -> Builder:
    return BUILDERS[document]


def document_facts(fund: FundFile, document: str = "factsheet") -> Facts:
    """What a document of the fund shows, which statements depend on: holdings, performance, calendar years,
    the launch year, back-tested index years; the currency of its class (a KID's: the PRIIPs class)."""
    dtype: DocumentType = TYPES[document]
    figures = fund_figures(fund)
    share_class = (fund.priips_class if dtype.statement_class == "priips" else None) or fund.fund.share_classes[0]
    shown = builder(document).figures
    launch_year = backtested = False
    if shown is not None:
        own = shown(fund)
        if own.classes:
            launch_year = any(perf.allowed.partial_year is not None and str(perf.allowed.partial_year) in perf.fund
                              for _, perf in own.classes)
        elif own.typed is not None and own.typed.fund:
            launch_year = own.typed.partial_year is not None and own.typed.partial_year in own.typed.fund
        else:  # the index's calendar years stand in for the fund's own
            backtested = bool(backtested_years(fund, index_years(fund)))
    return Facts(document, shows_holdings=fund.holdings is not None and dtype.shows_holdings,
                 shows_performance=figures.shows_performance, shows_calendar_years=figures.shows_calendar_years,
                 too_young=figures.too_young, currency=fund.fund.class_currency(share_class),
                 shows_launch_year=launch_year, shows_backtested_index=backtested)


def context(fund: FundFile, document: str, localisers: dict[str, Localiser], langs: tuple[str, ...], family: str,
            colours: tuple[str, ...], colour: str | None = None, form: factsheet.Form | None = None,
            sent_on: dt.date | None = None) -> dict[str, object]:
    """The factsheet's view of the fund in a layout (`form`: the type's first when None), and the document type's
    own (`key_facts.context`, `kid.context`); `sent_on` is the day the build says the documents are sent (a
    基金产品资料概要's 送出日期), the fund's as_of without it."""
    found = factsheet.context(fund, localisers, langs, family, colours, colour, form or builder(document).form(fund))
    found["document"] = document
    found |= builder(document).context(fund, localisers, langs, family, colours, sent_on=sent_on)
    return found
