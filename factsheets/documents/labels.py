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

from ..figures.performance import FundFigures
from ..fund.model import Distribution, FundFile, ShareClass
from .chart import COLOURS, KEY_FACTS_ALLOCATION, KEY_FACTS_BARS, Style, allocation_chart, weight_label
from .localise import Localiser

CHART_YEARS = 10  # the bar chart shows the last ten calendar years; the table lists every year


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
    keys.append(("launch", N_("Class launch date")))
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
                colour: str | None = None, style: Style = KEY_FACTS_ALLOCATION) -> list[AllocationView]:
    if fund.allocations is None:
        return []
    views = []
    for dimension, buckets in fund.allocations.dimensions():
        title = DIMENSIONS[dimension]
        names = [" / ".join(dict.fromkeys(localisers[lang].text(b.name) for lang in langs)) for b in buckets]
        description = "; ".join(f"{name}: {weight_label(b.weight)}" for name, b in zip(names, buckets))
        chart = allocation_chart([(name, b.weight) for name, b in zip(names, buckets)],
                                 " / ".join(dict.fromkeys(localisers[lang]._(title) for lang in langs)), description, family,
                                 colour or COLOURS[0], style)
        views.append(AllocationView(title, chart, [({lang: localisers[lang].text(b.name) for lang in langs}, b.weight)
                                                   for b in buckets]))
    return views


PERIOD_LABELS = {"ytd": N_("Year to date"), "1y": N_("1 year"), "3y": N_("3 years"), "5y": N_("5 years"),
                 "since_inception": N_("Since inception"), "since_inception_annualised": N_("Since inception, annualised")}


@dataclass(frozen=True)
class SeriesRow:
    """One row of a performance table: a share class, the fund, or the benchmark."""

    label: dict[str, str]  # language -> label
    values: dict[str, Decimal]  # period key or year (as a string) -> percent
    benchmark: bool = False


@dataclass(frozen=True)
class PerformanceView:
    """What a factsheet's performance section shows: the figures its jurisdiction allows for the
    fund's age, each class beside its benchmark, as tables and charts; or the index's returns,
    labelled as index data."""

    own: bool  # the fund's own performance (not its index's)
    title: str  # msgid
    periods: list[str]  # period keys of the periods table
    years: list[int]  # calendar years of the years table and chart
    rows: list[SeriesRow]
    partial_year: int | None
    since: object  # the date the partial year starts on
    bar_chart: Markup | None
    growth: Markup | None
    growth_since_inception: bool
    caption: str  # msgid
    basis: object  # LocalizedText | None
    note: str | None = None
    backtested: tuple[int, ...] = ()  # index years that ended before the index's launch: back-tested figures
    growth_title: dict[str, str] | None = None  # language -> the growth chart's title, its amount and currency named

    @property
    def wide(self) -> bool:
        """Figures computed from the history (periods, two charts) take the page's width; typed or index
        calendar years sit in a column."""
        return bool(self.periods or self.growth)


def _label(localisers: dict[str, Localiser], langs: tuple[str, ...], msgid: str, **values) -> dict[str, str]:
    return {lang: localisers[lang]._(msgid, **values) for lang in langs}


def _joined(label: dict[str, str]) -> str:
    """A chart's legend names a series in every language of the document, once when they agree."""
    return " / ".join(dict.fromkeys(label.values()))


GROWTH_TITLES = (N_("Growth of {amount} invested over the last five years, dividends reinvested"),
                 N_("Growth of {amount} invested since inception, dividends reinvested"))


def performance_view(fund: FundFile, figures: FundFigures, localisers: dict[str, Localiser], langs: tuple[str, ...],
                     family: str, colours: tuple[str, ...], bar_style: Style = KEY_FACTS_BARS,
                     growth_style: Style | None = None) -> PerformanceView | None:
    from .chart import Series, growth_chart, returns_chart
    from .chart import label as chart_label

    if figures.too_young:
        return None
    rows: list[SeriesRow] = []
    growth = None
    growth_since = False
    growth_title = None
    backtested: tuple[int, ...] = ()
    if figures.classes:
        periods = [k for k in PERIOD_LABELS if any(k in c.fund for _, c in figures.classes)]
        years = sorted({int(k) for _, c in figures.classes for k in c.fund if k.isdigit()})
        by_code = {c.code: c for c in fund.fund.share_classes}
        for code, perf in figures.classes:
            name = {lang: class_name(localisers[lang], by_code[code]) for lang in langs}
            rows.append(SeriesRow(name, perf.fund.percents()))
        lead = figures.lead
        if lead.benchmark is not None:
            rows.append(SeriesRow(_label(localisers, langs, N_("Benchmark")), lead.benchmark.percents(), True))
        partial = lead.allowed.partial_year if str(lead.allowed.partial_year) in lead.fund else None
        since = by_code[figures.classes[0][0]].inception_date or fund.fund.inception_date
        if lead.chart is not None:
            chart = lead.chart
            lines = [(_joined(rows[0].label), list(chart.fund))]
            if chart.benchmark is not None:
                lines.append((_joined(_label(localisers, langs, N_("Benchmark"))), list(chart.benchmark)))
            description = "; ".join(f"{name}: {localisers[langs[0]].number(Decimal(str(values[0])), 0)} → "
                                    f"{localisers[langs[0]].number(Decimal(str(values[-1])), 0)}" for name, values in lines)
            description = f"{localisers[langs[0]].date(chart.start)} – {localisers[langs[0]].date(chart.end)}: {description}"
            growth_since = chart.since_inception
            currency = fund.fund.class_currency(by_code[figures.classes[0][0]])
            growth_title = {lang: localisers[lang]._(GROWTH_TITLES[growth_since], amount=localisers[lang].amount(Decimal(10000), currency))
                            for lang in langs}
            growth = growth_chart(list(chart.dates), lines, _joined(growth_title), description, family, colours, growth_style)
        caption = N_("Fund and benchmark returns, in percent") if lead.benchmark is not None else N_("Fund returns, in percent")
        own, title, basis = True, N_("Performance"), None
    elif figures.typed is not None and figures.typed.fund:
        typed = figures.typed
        periods, years = [], sorted(typed.fund)
        rows.append(SeriesRow(_label(localisers, langs, N_("Fund")), {str(y): v for y, v in typed.fund.items()}))
        if typed.benchmark:
            rows.append(SeriesRow(_label(localisers, langs, N_("Benchmark")), {str(y): v for y, v in typed.benchmark.items()}, True))
        partial, since = typed.partial_year, fund.fund.inception_date
        own, title = True, N_("Calendar-year returns")
        caption = N_("Fund and benchmark returns, in percent") if typed.benchmark else N_("Fund returns, in percent")
        basis = fund.performance.basis if fund.performance else None
    elif fund.index and fund.index.annual_returns:
        values = {y: fund.index.annual_returns[y] for y in index_years(fund)}
        if not values:
            return None
        periods, years = [], sorted(values)
        rows.append(SeriesRow(_label(localisers, langs, N_("Index")), {str(y): v for y, v in values.items()}))
        partial, since = None, None
        backtested = backtested_years(fund, years)
        own, title, caption, basis = False, N_("Calendar-year index returns"), N_("Index data, not the fund's returns; in percent"), None
    else:
        return None
    note = None
    chart_years = years
    if len(years) > CHART_YEARS:  # the chart shows the last ten years, as regulators' rules do; the table all
        chart_years, note = years[-CHART_YEARS:], N_("The chart shows the last {n} calendar years; the table lists every year.")
    bar_chart = None
    if chart_years:
        # The representative class (or the fund) against its benchmark: the table lists every class.
        charted = [rows[0]] + [r for r in rows[1:] if r.benchmark]
        series = [Series(_joined(r.label), {y: r.values[str(y)] for y in chart_years if str(y) in r.values}) for r in charted]
        series = [s for s in series if s.values]
        partial_years = frozenset({partial}) if partial else frozenset()
        primary = localisers[langs[0]]
        description = "; ".join(
            f"{year}" + (f" ({primary._(N_('partial year'))})" if year in partial_years else "") + ": "
            + (", ".join(f"{s.label} {chart_label(s.values[year])}" for s in series if year in s.values) or primary._(N_("no data")))
            for year in chart_years)
        bar_chart = returns_chart(series, _joined(_label(localisers, langs, title if not own else N_("Calendar-year returns"))),
                                  description, family, partial_years, colours=colours, style=bar_style)
    return PerformanceView(own, title, periods, years, rows, partial, since, bar_chart, growth, growth_since, caption, basis, note,
                           backtested, growth_title)


def backtested_years(fund: FundFile, years: list[int]) -> tuple[int, ...]:
    """The index's calendar years that ended before its launch date: figures computed as if the index had
    existed (back-tested), which a document labels so (the CN library's `index-backtested`)."""
    if fund.index is None:
        return ()
    return tuple(y for y in years if dt.date(y, 12, 31) < fund.index.launch_date)


def index_years(fund: FundFile) -> list[int]:
    """The index's calendar years a document shows in place of the fund's own figures."""
    if fund.index is None:
        return []
    last = fund.as_of.year if (fund.as_of.month, fund.as_of.day) == (12, 31) else fund.as_of.year - 1
    return sorted(y for y in fund.index.annual_returns if y <= last)
