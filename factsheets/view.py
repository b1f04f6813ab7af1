"""Part of the localise stage: what a factsheet shows of a fund, as the templates take it.

Codes are named in each language (上海证券交易所, not SSE; 中证指数有限公司, not CSI; 人民币, not
CNY; A类, not A), share-class terms are laid out class by class, managers get their tenure,
allocations their charts. Every label goes through the gettext catalogues (`localise.Localiser`),
so a label missing in a language is an error, never an English word in a Chinese document.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import get_currency_name
from markupsafe import Markup

from .chart import COLOURS, allocation_chart, weight_label
from .dates import too_young
from .disclosures import Facts
from .localise import Localiser
from .model import Distribution, FundFile, ShareClass


def N_(msgid: str) -> str:
    """Marks a label chosen in code, so that catalogue checks find it."""
    return msgid


CATEGORY_LABELS = {
    "equity": N_("Equity fund"),
    "hybrid": N_("Hybrid fund"),
    "bond": N_("Bond fund"),
    "money_market": N_("Money market fund"),
    "index": N_("Index fund"),
    "etf": N_("Exchange-traded fund (ETF)"),
    "qdii": N_("QDII fund"),
    "fof": N_("Fund of funds (FOF)"),
    "etf_feeder": N_("ETF feeder fund"),
    "open_ended": N_("Open-ended fund"),
}
# Exchanges and index providers as readers name them: a Chinese document says 上海证券交易所.
EXCHANGES = {"SSE": N_("Shanghai Stock Exchange"), "SZSE": N_("Shenzhen Stock Exchange"), "HKEX": N_("Hong Kong Exchanges"),
             "BSE": N_("Beijing Stock Exchange")}
PROVIDERS = {"CSI": N_("China Securities Index Co., Ltd."), "CNI": N_("Shenzhen Securities Information Co., Ltd. (CNI)"),
             "HSI": N_("Hang Seng Indexes Company Limited"), "MSCI": N_("MSCI"), "FTSE": N_("FTSE Russell")}
DISTRIBUTION = {
    Distribution.accumulating: N_("Accumulating"),
    Distribution.monthly: N_("Monthly distribution"),
    Distribution.quarterly: N_("Quarterly distribution"),
    Distribution.semi_annual: N_("Half-yearly distribution"),
    Distribution.annual: N_("Annual distribution"),
}
DIMENSIONS = {"asset": N_("Asset allocation"), "sector": N_("Sector allocation"), "region": N_("Regional allocation"),
              "rating": N_("Credit rating allocation")}
ROLES = {"custodian": N_("Custodian"), "trustee": N_("Trustee"), "depositary": N_("Depositary")}
DEALING = {"daily": N_("Daily"), "weekly": N_("Weekly"), "monthly": N_("Monthly")}


def exchange(loc: Localiser, code: str) -> str:
    return loc._(EXCHANGES[code]) if code in EXCHANGES else code


def provider(loc: Localiser, name: str) -> str:
    return loc._(PROVIDERS[name]) if name in PROVIDERS else name


def currency(loc: Localiser, code: str) -> str:
    """人民币 in Chinese, "Chinese Yuan (CNY)" in English: CLDR's currency names."""
    name = get_currency_name(code, locale=loc.locale)
    if loc.lang == "en":
        return f"{name} ({code})" if name != code else code
    return name


def class_name(loc: Localiser, share_class: ShareClass) -> str:
    """The class as readers call it: its own name when the fund gives one, else "Class A" / A类 / A類."""
    if share_class.name is not None and share_class.name.get(loc.lang):
        return loc.text(share_class.name)
    if len(share_class.class_) <= 3 and share_class.class_.isalpha():
        return loc._("Class {name}", name=share_class.class_)
    return share_class.class_


@dataclass(frozen=True)
class TermRow:
    label: str  # msgid
    values: list[dict[str, str]]  # per class: language -> text


FEE_ROWS = (("management", N_("Management fee (a year)")), ("custody", N_("Custody fee (a year)")),
            ("sales_service", N_("Sales service fee (a year)")), ("ongoing_charges", N_("Ongoing charges over a year")),
            ("max_subscription", N_("Subscription fee (maximum)")), ("max_redemption", N_("Redemption fee (maximum)")))


def _term(fund: FundFile, key: str, share_class: ShareClass, loc: Localiser) -> str | None:
    """One term of one class in one language; None when the class does not give it."""
    if key == "code":
        return share_class.code
    if key == "currency":
        return fund.fund.class_currency(share_class)
    if key == "launch":
        return loc.date(share_class.inception_date) if share_class.inception_date else None
    if key == "type":
        return loc._("Listed") if share_class.listed else loc._("Feeder (off-exchange)") if share_class.feeder else loc._("Unlisted")
    if key == "min_investment":
        amount = share_class.min_investment
        return loc.amount(amount, fund.fund.class_currency(share_class)) if amount is not None else None
    if key == "distribution":
        return loc._(DISTRIBUTION[share_class.distribution])
    fee = getattr(share_class.fees, key) if share_class.fees else None
    return loc.percent(fee, 2) if fee is not None else None


def terms(fund: FundFile, localisers: dict[str, Localiser], langs: tuple[str, ...]) -> list[TermRow]:
    """The share classes' terms: a row per term that any class gives, a column per class."""
    classes = fund.fund.share_classes
    keys: list[tuple[str, str]] = [("code", N_("Code"))]
    if any(c.currency and c.currency != fund.fund.currency for c in classes):
        keys.append(("currency", N_("Currency")))
    keys.append(("launch", N_("Launch date")))
    if any(c.listed or c.feeder for c in classes):
        keys.append(("type", N_("Type")))
    keys += FEE_ROWS
    keys.append(("min_investment", N_("Minimum investment")))
    if any(c.distribution is not Distribution.accumulating or c.fees or c.min_investment is not None for c in classes):
        keys.append(("distribution", N_("Distribution")))
    rows = []
    for key, label in keys:
        values = [{lang: _term(fund, key, c, localisers[lang]) for lang in langs} for c in classes]
        if any(v is not None for value in values for v in value.values()):
            rows.append(TermRow(label, [{lang: "–" if v is None else v for lang, v in value.items()} for value in values]))
    return rows


@dataclass(frozen=True)
class ManagerView:
    names: dict[str, str]
    since: dt.date
    years: Decimal  # tenure at as_of, one decimal


def managers(fund: FundFile, langs: tuple[str, ...]) -> list[ManagerView]:
    found = []
    for manager in fund.fund.managers:
        days = (fund.as_of - manager.since).days
        years = (Decimal(days) / Decimal("365.25")).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        found.append(ManagerView({lang: manager.name[lang] for lang in langs}, manager.since, years))
    return found


@dataclass(frozen=True)
class AllocationView:
    title: str  # msgid
    chart: Markup
    rows: list[tuple[dict[str, str], Decimal]]  # (bucket name per language, weight)


def allocations(fund: FundFile, localisers: dict[str, Localiser], langs: tuple[str, ...], family: str,
                colour: str | None = None) -> list[AllocationView]:
    if fund.allocations is None:
        return []
    views = []
    for dimension, buckets in fund.allocations.dimensions():
        title = DIMENSIONS[dimension]
        names = [" / ".join(dict.fromkeys(localisers[lang].text(b.name) for lang in langs)) for b in buckets]
        description = "; ".join(f"{name}: {weight_label(b.weight)}" for name, b in zip(names, buckets))
        chart = allocation_chart([(name, b.weight) for name, b in zip(names, buckets)],
                                 " / ".join(dict.fromkeys(localisers[lang]._(title) for lang in langs)), description, family,
                                 colour or COLOURS[0])
        views.append(AllocationView(title, chart, [({lang: localisers[lang].text(b.name) for lang in langs}, b.weight)
                                                   for b in buckets]))
    return views


@dataclass(frozen=True)
class CalendarReturns:
    """The calendar-year figures a factsheet shows: the fund's own (against its benchmark), or, for a
    fund without performance of its own, its index's, labelled as index data."""

    series: list  # chart.Series: label msgid, {year: percent}
    title: str
    caption: str
    basis: object  # LocalizedText | None
    partial: frozenset[int]
    own: bool


def calendar_returns(fund: FundFile) -> CalendarReturns | None:
    from .chart import Series

    partial: frozenset[int] = frozenset()
    if fund.performance and fund.performance.annual_returns and not too_young(fund):
        perf = fund.performance.annual_returns
        series = [Series(N_("Fund"), perf.fund)] + ([Series(N_("Benchmark"), perf.benchmark)] if perf.benchmark else [])
        title, caption, basis, own = N_("Calendar-year returns"), N_("Fund and benchmark returns, in percent"), fund.performance.basis, True
        start = fund.fund.inception_date
        if start and (start.month, start.day) != (1, 1) and start.year in perf.fund:
            partial = frozenset({start.year})
    elif fund.index and fund.index.annual_returns:
        series = [Series(N_("Index"), fund.index.annual_returns)]
        title, caption, basis, own = N_("Calendar-year index returns"), N_("Index data, not the fund's returns; in percent"), None, False
    else:
        return None
    # Complete calendar years only: the as_of year counts once as_of is its last day.
    last = fund.as_of.year if (fund.as_of.month, fund.as_of.day) == (12, 31) else fund.as_of.year - 1
    series = [Series(s.label, {y: v for y, v in s.values.items() if y <= last}) for s in series]
    series = [s for s in series if s.values]
    if not series:
        return None
    return CalendarReturns(series, title, caption, basis, partial, own)


def factsheet_facts(fund: FundFile) -> Facts:
    """What a factsheet of the fund shows, which statements depend on."""
    shown = calendar_returns(fund)
    own = shown is not None and shown.own
    return Facts("factsheet", shows_holdings=fund.holdings is not None, shows_performance=own, shows_calendar_years=own,
                 too_young=too_young(fund), currency=fund.fund.currency)
