"""Key facts documents: the SFC's Product Key Facts Statement (a Hong Kong fund, in English and in
Traditional Chinese) and the CSRC's 基金产品资料概要 (a mainland fund, in Simplified Chinese). What
their templates (`kfs-hk.html.j2`, `kfs-cn.html.j2`) show, and what a fund file must give for them.

Every figure comes from where the factsheet's does: fees and terms from `view.terms`, managers from
`view.managers`, allocations from `view.allocations`, calendar-year returns from the performance
stage (`performance.fund_figures`) drawn by `view.performance_view`. Only the choice of years differs
where the regulators' rules do: a Hong Kong key facts statement charts the last ten complete
calendar years (its factsheet the last five), a mainland one the years its factsheet shows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from babel.dates import format_skeleton

from ..errors import BuildError, Problem
from ..figures.performance import FundFigures, PerformanceError, fund_figures, returns
from ..fund.model import FundFile
from .localise import Localiser
from .types import KEY_FACTS
from .variants import Variant

KFS_YEARS = 10  # HK: the bar chart shows the last ten complete calendar years (SFC, Product Key Facts Statement)


def N_(msgid: str) -> str:
    return msgid


# What each key facts document needs beyond a factsheet, by jurisdiction: (field of `fund`, what it is).
REQUIRED = {
    "HK": (("management_company", "the management company"), ("custodian", "the trustee, custodian or depositary"),
           ("dealing", "the dealing frequency"), ("financial_year_end", "the financial year end"),
           ("product", "what the product is"), ("objective", "the objective"), ("strategy", "the investment strategy"),
           ("derivatives", "the use of derivatives"), ("key_risks", "the key risks"), ("contact", "the website"),
           ("legal_form", "the legal form (whether the fund issues shares or units)")),
    "CN": (("management_company", "the management company"), ("custodian", "the custodian"),
           ("objective", "the objective"), ("strategy", "the investment strategy"), ("benchmark", "the benchmark"),
           ("risk_return", "the risk-return profile"), ("key_risks", "the key risks"), ("contact", "the website")),
}
# Terms each share class must give (Hong Kong: Quick facts).
CLASS_REQUIRED = {"HK": (("fees.ongoing_charges", "its ongoing charges over a year"), ("min_investment", "its minimum investment")),
                  "CN": ()}
WHY = "required for the key facts (kfs)"


def has_data(fund: FundFile) -> bool:
    """Whether the fund gives what key facts are made of (its objective, strategy or key risks): a fund
    that gives none has no key facts (skipped); one that gives some must give all (`problems`)."""
    info = fund.fund
    return bool(info.objective or info.strategy or info.key_risks)


def problems(fund: FundFile) -> list[Problem]:
    """What the fund file lacks for its key facts, every field at once (the factsheet needs none of it)."""
    found: list[Problem] = []
    info = fund.fund
    for name, what in REQUIRED.get(fund.jurisdiction, ()):
        value = getattr(info, name)
        if value is None or value == []:
            found.append(Problem(f"fund.{name}", f"{WHY}: {what}", kind="missing"))
    for i, share_class in enumerate(info.share_classes):
        for path, what in CLASS_REQUIRED.get(fund.jurisdiction, ()):
            value: object = share_class
            for part in path.split("."):
                value = getattr(value, part) if value is not None else None
            if value is None:
                found.append(Problem(f"fund.share_classes.{i}.{path}", f"{WHY}: {what}", kind="missing"))
    if fund.jurisdiction == "CN" and info.contact is not None and info.contact.phone is None:
        found.append(Problem("fund.contact.phone", f"{WHY}: the customer service number", kind="missing"))
    if fund.jurisdiction == "CN" and (fund.allocations is None or not fund.allocations.asset):
        found.append(Problem("allocations.asset", f"{WHY}: the asset allocation", kind="missing"))
    return found


def check(fund: FundFile, langs: tuple[str, ...]) -> None:
    """Raise a BuildError naming every field the key facts lack (the build's failed kfs document)."""
    if missing := problems(fund):
        name = KEY_FACTS.target_name(Variant(langs))
        raise BuildError(fund.code, [f"{name}: {p.path}: {p.message}; no PDF written" for p in missing])


# -- performance ------------------------------------------------------------------------------------

def figures(fund: FundFile) -> FundFigures:
    """The calendar-year figures a key facts document shows, from the performance stage's: each class's
    calendar years (no periods, no growth chart). Mainland: the years the factsheet shows (every complete
    year of the last ten, the launch year when longer than six months). Hong Kong: the last ten complete
    calendar years (the launch year never), each class's own, its benchmark's beside it."""
    cached = fund._cache.get("kfs-figures")
    if cached is None:
        cached = fund._cache["kfs-figures"] = _figures(fund)
    return cached


def _figures(fund: FundFile) -> FundFigures:
    base = fund_figures(fund)
    if base.too_young:
        return base
    if base.classes:
        benchmark = _benchmark_series(fund) if fund.jurisdiction == "HK" else None
        classes = []
        for code, perf in base.classes:
            if fund.jurisdiction == "HK":
                first = fund.as_of.year - KFS_YEARS
                keys = tuple(k for k, f in perf.computed.items() if f.year is not None and f.year >= first and not f.partial)
                shown = perf.computed.only(keys)
                bench = None
                if benchmark is not None and keys:
                    bench = returns(benchmark, inception=perf.allowed.inception, as_of=fund.as_of, keys=keys)
                classes.append((code, dataclasses.replace(perf, fund=shown, benchmark=bench, chart=None)))
            else:
                keys = tuple(k for k in perf.fund if k.isdigit())
                bench = perf.benchmark.only(keys) if perf.benchmark is not None else None
                classes.append((code, dataclasses.replace(perf, fund=perf.fund.only(keys), benchmark=bench, chart=None)))
        return dataclasses.replace(base, classes=tuple(classes))
    if base.typed is not None and fund.jurisdiction == "HK" and fund.performance and fund.performance.annual_returns:
        typed = fund.performance.annual_returns
        inception = fund.fund.inception_date
        years = [y for y in typed.fund if fund.as_of.year - KFS_YEARS <= y < fund.as_of.year
                 and (inception is None or y > inception.year)]
        return dataclasses.replace(base, typed=dataclasses.replace(
            base.typed, fund={y: typed.fund[y] for y in years},
            benchmark={y: typed.benchmark[y] for y in years if y in typed.benchmark}, partial_year=None))
    return base


def _benchmark_series(fund: FundFile):
    from ..fund.nav import read_levels

    if not (fund.history and fund.history.benchmark):
        return None
    try:
        return read_levels(fund.history.benchmark, as_of=fund.as_of, data=fund.files[fund.history.benchmark])
    except KeyError:
        raise PerformanceError(fund.history.benchmark, ["the history file was not read"]) from None


def calendar_years(fund: FundFile) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """Every calendar-year return of the representative class (and its benchmark) that any of the fund's
    documents may print, launch year included: what a printed figure is compared with (`rules.consistency`)."""
    base = fund_figures(fund)
    if base.classes:
        lead = base.lead
        own = {f.year: f.value for f in lead.computed.values() if f.year is not None}
        bench: dict[int, Decimal] = {}
        for source in (lead.benchmark, *(perf.benchmark for _, perf in figures(fund).classes[:1])):
            if source is not None:
                bench |= {f.year: f.value for f in source.values() if f.year is not None}
        return own, bench
    if fund.performance and fund.performance.annual_returns:
        typed = fund.performance.annual_returns
        return dict(typed.fund), dict(typed.benchmark)
    return {}, {}


# -- what the templates show ------------------------------------------------------------------------

# Where each approved statement stands in a key facts document; any other (a statement added to the
# library later) stands in the last section, so that none is ever left out.
SECTIONS = {
    "hk-kfs-header": "header", "cn-kfs-header": "header",
    "hk-kfs-past-performance": "performance", "hk-insufficient-data": "performance", "hk-performance-too-young": "performance",
    "past-performance": "performance", "cn-kfs-launch-year": "performance", "performance-too-young": "performance",
    "index-data": "performance", "index-backtested": "performance",
    "hk-kfs-no-guarantee": "guarantee",
    "hk-kfs-fees-dealing": "fees-dealing", "hk-kfs-fees-ongoing": "fees-ongoing", "hk-kfs-other-fees": "other-fees",
    "cn-kfs-risk-opening": "risk-opening",
    "hk-dividends": "risks", "suitability": "risks", "money-market-not-deposit": "risks", "qdii-overseas": "risks",
    "cn-kfs-registration": "important", "cn-kfs-no-minimum-return": "important", "cn-kfs-updates": "important",
    "hk-kfs-important": "important",
    "cn-kfs-other-documents": "other-documents",
}


def placed(statements: dict[str, list]) -> dict[str, list]:
    """The document's statements (by factsheet block, as the renderer gives them) by key facts section
    (the values of `SECTIONS`, and `other` for a statement without a place of its own)."""
    found: dict[str, list] = {section: [] for section in (*dict.fromkeys(SECTIONS.values()), "other")}
    order = {sid: i for i, sid in enumerate(SECTIONS)}
    for statement in sorted((s for block in statements.values() for s in block), key=lambda s: order.get(s.id, len(order))):
        found[SECTIONS.get(statement.id, "other")].append(statement)
    return found


@dataclass(frozen=True)
class Row:
    """A row of a facts table: a label (msgid) and its value per language, as lines (one per class
    where the classes differ)."""

    label: str
    lines: list[dict[str, str]]


def _per_class(fund: FundFile, localisers: dict[str, Localiser], langs: tuple[str, ...], values: list[dict[str, str]]) -> list[dict[str, str]]:
    """One line when every class has the same value, else a line per class: "A USD Acc: 1.15%"."""
    from .labels import class_name

    if all(v == values[0] for v in values):
        return [values[0]]
    return [{lang: localisers[lang]._("{label}: {value}", label=class_name(localisers[lang], c), value=v[lang]) for lang in langs}
            for c, v in zip(fund.fund.share_classes, values)]


def _term_rows(fund: FundFile, localisers: dict[str, Localiser], langs: tuple[str, ...]) -> dict[str, list[dict[str, str]]]:
    from .labels import terms

    return {row.label: row.values for row in terms(fund, localisers, langs)}


def month_day(loc: Localiser, value: str) -> str:
    """12-31 as "December 31", 12月31日."""
    month, day = (int(part) for part in value.split("-"))
    return format_skeleton("MMMMd", dt.date(2000, month, day), locale=loc.locale)


# 二（一）of the 基金产品资料概要: each text under its label.
CN_TEXTS = ((N_("Objective"), "objective"), (N_("Strategy"), "strategy"), (N_("Benchmark"), "benchmark"),
            (N_("Risk-return profile"), "risk_return"))
FEES_BY_YOU = (N_("Subscription fee (maximum)"), N_("Redemption fee (maximum)"))
FEES_BY_FUND = (N_("Management fee (a year)"), N_("Custody fee (a year)"), N_("Sales service fee (a year)"))


def statement_values(fund: FundFile) -> dict[str, object]:
    """The currency of the figures: the representative class's."""
    classes = fund.fund.share_classes
    lead = fund_figures(fund).lead
    share_class = next((c for c in classes if lead is not None and c.code == lead.code), classes[0])
    return {"currency": fund.fund.class_currency(share_class)}


def context(fund: FundFile, localisers: dict[str, Localiser], langs: tuple[str, ...], family: str, colours: tuple[str, ...]) -> dict[str, object]:
    from .labels import DEALING, ROLES, class_name, currency, performance_view

    check(fund, langs)
    info = fund.fund
    term_rows = _term_rows(fund, localisers, langs)

    def each(value) -> list[dict[str, str]]:
        return [{lang: value(localisers[lang]) for lang in langs}]

    quick: list[Row] = []
    if info.management_company:
        quick.append(Row(N_("Management company"), each(lambda loc: loc.text(info.management_company))))
    if info.custodian:
        quick.append(Row(ROLES[info.custodian.role.value], each(lambda loc: loc.text(info.custodian.name))))
    if info.dealing:
        quick.append(Row(N_("Dealing frequency"), each(lambda loc: loc._(DEALING[info.dealing.value]))))
    quick.append(Row(N_("Base currency"), each(lambda loc: currency(loc, info.currency))))
    if "Distribution" in term_rows:
        quick.append(Row(N_("Dividend policy"), _per_class(fund, localisers, langs, term_rows["Distribution"])))
    if info.financial_year_end:
        quick.append(Row(N_("Financial year end"), each(lambda loc: month_day(loc, info.financial_year_end))))
    for label in ("Minimum investment", "Ongoing charges over a year"):
        if label in term_rows:
            quick.append(Row(label, _per_class(fund, localisers, langs, term_rows[label])))

    kfs_figures = figures(fund)
    performance = performance_view(fund, kfs_figures, localisers, langs, family, colours)
    lead_code = kfs_figures.lead.code if kfs_figures.lead is not None else None
    lead_class = next((c for c in info.share_classes if c.code == lead_code), info.share_classes[0])
    return {
        "kfs": {
            "quick_facts": quick,
            "codes": _per_class(fund, localisers, langs, [{lang: c.code for lang in langs} for c in info.share_classes])
            if len(info.share_classes) > 1 else [{lang: info.share_classes[0].code for lang in langs}],
            "fees_by_you": [(label, term_rows[label]) for label in FEES_BY_YOU if label in term_rows],
            "fees_by_fund": [(label, term_rows[label]) for label in FEES_BY_FUND if label in term_rows],
            "performance": performance,
            "lead_class": lead_class,
            "lead_name": {lang: class_name(localisers[lang], lead_class) for lang in langs},
            "class_launch": lead_class.inception_date or info.inception_date,
            "cn_texts": CN_TEXTS,
            "placed": placed,
        },
    }
