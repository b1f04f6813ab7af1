"""Key facts documents: the SFC's Product Key Facts Statement (a Hong Kong fund, in English and in
Traditional Chinese) and the CSRC's 基金产品资料概要 (a mainland fund, in Simplified Chinese). What
their templates (`kfs-hk.html.j2`, `kfs-cn.html.j2`) show, and what a fund file must give for them.

The regulators' templates (`regulatory`: hk-kfs, cn-kfs) are the one source of each part's heading, each
row's label and the part each statement stands in; the rows' values are `kfs_hk`'s and `kfs_cn`'s.
Calendar-year returns come from the performance stage (`performance.fund_figures`), drawn by
`labels.performance_view`; only the choice of years differs where the regulators' rules do: a Hong Kong
key facts statement charts the last ten complete calendar years (its factsheet the last five), a mainland
one every year since its contract took effect (at most ten), the part launch year marked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from ..errors import BuildError, Problem
from ..figures.performance import FundFigures, PerformanceError, fund_figures, returns
from ..fund.model import FundFile
from .localise import Localiser
from .types import KEY_FACTS
from .variants import Variant

KFS_YEARS = 10  # HK: the bar chart shows the last ten complete calendar years (SFC, Product Key Facts Statement)


def N_(msgid: str) -> str:
    return msgid


# What each key facts document needs beyond a factsheet, by jurisdiction: (field of `fund`, what it is); the
# template's rows are the reason for most (a row never shown empty).
REQUIRED = {
    "HK": (("management_company", "the management company"), ("custodian", "the trustee, custodian or depositary"),
           ("dealing", "the dealing frequency"), ("financial_year_end", "the financial year end"),
           ("product", "what the product is"), ("objective", "the objective"), ("strategy", "the investment strategy"),
           ("derivatives", "the use of derivatives"), ("key_risks", "the key risks"), ("contact", "the website"),
           ("legal_form", "the legal form (whether the fund issues shares or units)"),
           ("fund_fees.trustee", "the trustee, custodian or depositary fee (0 when none is charged)"),
           ("fund_fees.administration", "the administration fee (0 when none is charged)"),
           ("ongoing_charges_note", "the basis of the ongoing charges figure (its footnote)")),
    "CN": (("management_company", "the management company"), ("custodian", "the custodian"),
           ("objective", "the objective"), ("strategy", "the investment strategy"), ("benchmark", "the benchmark"),
           ("risk_return", "the risk-return profile"), ("key_risks", "the key risks"), ("contact", "the website"),
           ("short_name", "the short name (基金简称)"), ("operation", "how the fund operates (运作方式)"),
           ("opening", "when it opens for dealing (开放频率)"), ("scope", "the investment scope (投资范围)"),
           ("prepared_on", "the date the key facts were prepared (编制日期)"), ("inception_date", "the day the contract took effect"),
           ("operating_fees.audit", "the audit fee (审计费用, 0 when none)"),
           ("operating_fees.disclosure", "the disclosure fee (信息披露费, 0 when none)"),
           ("operating_fees.other", "the other fees (其他费用)")),
}
# Terms each share class must give: (path in the class, what it is).
CLASS_REQUIRED = {
    "HK": (("fees.ongoing_charges", "its ongoing charges over a year"), ("min_investment", "its minimum investment"),
           ("fees.max_subscription", "its subscription fee (0 when none is charged)"),
           ("fees.switching", "its switching fee (0 when none is charged)"),
           ("fees.max_redemption", "its redemption fee (0 when none is charged)"),
           ("fees.management", "its management fee"), ("fees.performance", "its performance fee (0 when none is charged)")),
    "CN": (("fees.management", "its management fee"), ("fees.custody", "its custody fee"),
           ("subscription_tiers", "its subscription fee by amount (申购费; [] when none is charged)"),
           ("redemption_tiers", "its redemption fee by holding period (赎回费; [] when none is charged)")),
}
WHY = "required for the key facts (kfs)"


def _get(value: object, path: str) -> object:
    for part in path.split("."):
        value = getattr(value, part) if value is not None else None
    return value


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
        value = _get(info, name)
        if value is None or value == []:
            found.append(Problem(f"fund.{name}", f"{WHY}: {what}", kind="missing"))
    for i, share_class in enumerate(info.share_classes):
        for path, what in CLASS_REQUIRED.get(fund.jurisdiction, ()):
            if _get(share_class, path) is None:
                found.append(Problem(f"fund.share_classes.{i}.{path}", f"{WHY}: {what}", kind="missing"))
        if fund.jurisdiction == "HK" and share_class.distribution.value != "accumulating" and share_class.dividend_policy is None:
            found.append(Problem(f"fund.share_classes.{i}.dividend_policy", f"{WHY}: the dividend policy of a distributing "
                                                                           "class, and whether it may pay out of capital",
                                 kind="missing"))
    if fund.jurisdiction == "CN":
        found += [Problem(f"fund.managers.{i}.career_start", f"{WHY}: the day {m.name.get('zh-CN') or m.name.get('en') or i} "
                                                             "started in the securities industry (证券从业日期)", kind="missing")
                  for i, m in enumerate(info.managers) if m.career_start is None]
        if not info.managers:
            found.append(Problem("fund.managers", f"{WHY}: the fund managers (基金经理)", kind="missing"))
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
    calendar years (no periods, no growth chart), its benchmark's beside them. Mainland: every year since the
    contract took effect, at most the last ten, the part year of the launch included (marked, and noted by
    cn-kfs-launch-year), as the CSRC's template asks. Hong Kong: the last ten complete calendar years (the
    launch year never)."""
    cached = fund._cache.get("kfs-figures")
    if cached is None:
        cached = fund._cache["kfs-figures"] = _figures(fund)
    return cached


def _figures(fund: FundFile) -> FundFigures:
    base = fund_figures(fund)
    if base.too_young:
        return base
    if base.classes:
        benchmark = _benchmark_series(fund)
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
            else:  # every calendar year since the contract took effect, the part launch year too: the last ten
                first = fund.as_of.year - KFS_YEARS
                keys = tuple(k for k, f in perf.computed.items() if f.year is not None and first <= f.year < fund.as_of.year)
                shown = perf.computed.only(keys)
                bench = None
                if benchmark is not None and keys:
                    bench = returns(benchmark, inception=perf.allowed.inception, as_of=fund.as_of, keys=keys)
                partial = next((f.year for f in shown.values() if f.partial), None)
                allowed = dataclasses.replace(perf.allowed, partial_year=partial)
                classes.append((code, dataclasses.replace(perf, allowed=allowed, fund=shown, benchmark=bench, chart=None)))
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

# Where the statements the regulator's template does not place stand (its `statements` place the others,
# `regulatory.Template.placement`): the part of the template, by jurisdiction. Any other (a statement added to
# the library later) stands in the last part, so that none is ever left out.
PLACES = {
    "HK": {"hk-dividends": "key-risks", "index-data": "performance", "index-backtested": "performance"},
    "CN": {"suitability": "risks.1", "money-market-not-deposit": "risks.1", "qdii-overseas": "risks.1",
           "index-data": "investment.3", "index-backtested": "investment.3"},
}
LAST = {"HK": "important", "CN": "risks.2"}


def template_of(fund: FundFile):
    from .regulatory import template_for

    return template_for(KEY_FACTS.name, KEY_FACTS.library(fund))


def placed(fund: FundFile, statements: dict[str, list]) -> dict[str, list]:
    """The document's statements (by factsheet block, as the renderer gives them) by the part of the template
    they stand in (`where["fees.1"]`), each part's in the library's order."""
    template = template_of(fund)
    places = template.placement() | PLACES[fund.jurisdiction]
    found: dict[str, list] = {part.id: [] for part in template.parts()}
    for statement in (s for block in statements.values() for s in block):
        found[places.get(statement.id, LAST[fund.jurisdiction])].append(statement)
    return found


def statement_values(fund: FundFile) -> dict[str, object]:
    """The currency of the figures: the representative class's."""
    classes = fund.fund.share_classes
    lead = fund_figures(fund).lead
    share_class = next((c for c in classes if lead is not None and c.code == lead.code), classes[0])
    return {"currency": fund.fund.class_currency(share_class)}


def context(fund: FundFile, localisers: dict[str, Localiser], langs: tuple[str, ...], family: str, colours: tuple[str, ...],
            sent_on: dt.date | None = None) -> dict[str, object]:
    """What the key facts templates show: each part's heading and rows from the regulator's template, in the
    document's one language (`kfs_hk`, `kfs_cn`), the performance, and the statements by part (`placed`)."""
    from . import kfs_cn, kfs_hk
    from .labels import class_name, performance_view

    check(fund, langs)
    template = template_of(fund)
    loc = localisers[langs[0]]
    info = fund.fund
    kfs_figures = figures(fund)
    lead_code = kfs_figures.lead.code if kfs_figures.lead is not None else None
    lead_class = next((c for c in info.share_classes if c.code == lead_code), info.share_classes[0])
    found: dict[str, object] = {
        "heading": lambda part_id: template.part(part_id).heading[loc.lang],
        "columns": {part.id: part.columns.get(loc.lang, ()) for part in template.parts() if part.columns},
        "title": template.header.heading[loc.lang],
        "performance": performance_view(fund, kfs_figures, localisers, langs, family, colours),
        "lead_name": class_name(loc, lead_class),
        "placed": lambda statements: placed(fund, statements),
    }
    if fund.jurisdiction == "HK":
        dealing, ongoing = kfs_hk.fees(fund, loc, template)
        found |= {"quick_facts": kfs_hk.quick_facts(fund, loc, template.part("quick-facts")),
                  "objectives": {r.id: r.label(loc.lang) for r in template.part("objectives").rows},
                  "launches": kfs_hk.launch_rows(fund, loc, template.part("performance"), lead_class),
                  "fees_by_you": dealing, "fees_by_fund": ongoing}
    else:
        sent = sent_on or fund.as_of
        if sent < info.prepared_on:
            raise BuildError(fund.code, [f"{KEY_FACTS.target_name(Variant(langs))}: sent on {sent.isoformat()}, before "
                                         f"fund.prepared_on {info.prepared_on.isoformat()}: a document cannot be sent before "
                                         "it is prepared; no PDF written"])
        found |= {"dates": kfs_cn.header(fund, loc, template, sent), "overview": kfs_cn.overview(fund, loc, template),
                  "texts": kfs_cn.texts(fund, loc, template), "sales": kfs_cn.sales_charges(fund, loc, template),
                  "operating": kfs_cn.operating_fees(fund, loc, template)}
    return {"kfs": found}
