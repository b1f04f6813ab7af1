"""The PRIIPs Key Information Document: its figures, once per fund, and what its template shows.

The figures are `priips.compute`'s, from the representative class's price history: its NAV with
dividends reinvested (`performance.growth`, PERFORMANCE.md) up to the fund's as_of, extended back by
the proxy's returns (`priips.price_history`) when the fund file names one. They are computed once per
fund and kept on it (`FundFile._cache`, as `performance.fund_figures` does); a history that cannot
give them is a `PriipsError` naming the files and the dates, never a traceback.

The KID is in English whatever languages the fund's other documents are in: its headings and labels
are plain English in `templates/kid.html.j2` (no catalogue entries), its amounts in the class's
currency, formatted by Babel for English ("USD 10,000"). Its date of production is the fund's as_of.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from babel.dates import format_skeleton
from babel.numbers import format_currency, get_currency_name

from ..errors import BuildError
from ..figures import priips
from ..figures.priips import KidFigures, PriipsError, PriipsInputs
from ..fund.model import FundFile, ShareClass
from . import kid_texts, regulatory
from .labels import CATEGORY_LABELS
from .localise import Localiser, Market, half_up
from .types import KID

CACHE_KEY = "kid"
ENGLISH = "en"

SCENARIO_LABELS = {"stress": "Stress", "unfavourable": "Unfavourable", "moderate": "Moderate", "favourable": "Favourable"}


# --- the figures -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PriceHistory:
    """The price history the KID's figures come from, and where it comes from."""

    class_code: str
    nav_file: str
    proxy_file: str | None
    dates: np.ndarray  # datetime64[D]
    prices: np.ndarray  # float64
    class_start: dt.date  # the class's first price
    start: dt.date  # the history's first price (the proxy's, when it extends the class's)
    end: dt.date  # the last price: the last dealing day on or before as_of

    @property
    def described(self) -> str:
        """Where the history comes from, for messages: the files, as the fund file names them."""
        proxy = f"extended back by priips.proxy {self.proxy_file}" if self.proxy_file else "no priips.proxy"
        return f"the price history of {self.class_code} ({self.nav_file}, {proxy})"


def representative_class(fund: FundFile) -> tuple[int, ShareClass]:
    code = fund.priips.class_code
    return next((i, c) for i, c in enumerate(fund.fund.share_classes) if c.code == code)


def class_currency(fund: FundFile) -> str:
    return fund.fund.class_currency(representative_class(fund)[1])


def inputs(fund: FundFile) -> PriipsInputs:
    """The `priips` section as `priips.compute` takes it (raises PriipsError naming each bad field)."""
    p = fund.priips
    return PriipsInputs(p.class_code, p.recommended_holding_period_years, p.credit_risk_class, p.costs.entry,
                        p.costs.exit, p.costs.ongoing, p.costs.transaction, p.costs.performance_fee)


class KidError(PriipsError):
    """KID figures that cannot be computed from this fund file: each problem with the dotted path of the
    field to fix (`locations`, for `check`), its message naming the files and dates."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.locations = [where for where, _ in problems]
        super().__init__([message for _, message in problems])


def price_history(fund: FundFile) -> PriceHistory:
    """The representative class's total-return price up to as_of, extended back by the proxy."""
    from ..figures.performance import growth
    from ..fund.nav import read_levels, read_nav

    index, share_class = representative_class(fund)
    if not share_class.nav:
        raise KidError([("priips.class_code", f"priips.class_code: share class {share_class.code} has no NAV history "
                                              f"(fund.share_classes.{index}.nav): the KID's figures are computed from it")])
    files = fund.files
    if unread := [(where, name) for where, name in fund.history_paths() if name not in files
                  and (name == share_class.nav or name == fund.priips.proxy)]:
        raise KidError([(where, f"{where}: {name} was not read with the fund file (validate.load_fund reads it)")
                        for where, name in unread])
    history = read_nav(share_class.nav, inception=share_class.inception_date or fund.fund.inception_date,
                       as_of=fund.as_of, data=files[share_class.nav], currency=fund.fund.class_currency(share_class))
    keep = history.dates <= np.datetime64(fund.as_of, "D")  # the KID is as of as_of
    dates, prices = history.dates[keep], growth(history)[keep]
    class_start = history.first_date
    proxy = fund.priips.proxy
    if proxy:
        levels = read_levels(proxy, data=files[proxy])  # it need not reach as_of: only its days before the class's are used
        try:
            dates, prices = priips.price_history(dates, prices, levels.dates, levels.levels)
        except PriipsError as error:
            raise KidError([("priips.proxy", f"priips.proxy: {proxy}: {problem}") for problem in error.problems]) from None
    return PriceHistory(share_class.code, share_class.nav, proxy, dates, prices, class_start,
                        dates[0].item(), dates[-1].item())


def figures(fund: FundFile) -> KidFigures:
    """Every figure of the fund's KID (`priips.compute`), computed once and kept on the fund. Raises
    KidError (a PriipsError: the history too short, the proxy not reaching back, ...) naming the files
    and dates, or nav.NavProblems naming the file and line of a history that cannot be read."""
    cached = fund._cache.get(CACHE_KEY)
    if cached is None:
        try:
            cached = _figures(fund)
        except PriipsError as error:  # kept too: `check` and the build ask more than once
            cached = error
        fund._cache[CACHE_KEY] = cached
    if isinstance(cached, PriipsError):
        raise cached
    return cached


def _figures(fund: FundFile) -> KidFigures:
    if fund.priips is None:
        raise KidError([("priips", f"{fund.code}: the fund file gives no priips section: no KID")])
    try:
        given = inputs(fund)
    except PriipsError as error:
        raise KidError([("priips.recommended_holding_period_years" if "recommended_holding_period" in problem else "priips",
                         problem) for problem in error.problems]) from None
    if fund.priips.stated is not None:
        return _stated(fund, given)
    history = price_history(fund)
    try:
        found = priips.compute(given, history.dates, history.prices)
    except PriipsError as error:
        where = "priips.proxy" if history.proxy_file else "priips"
        raise KidError([(where, f"priips: {history.described}: {problem}") for problem in error.problems]) from None
    fund._cache[CACHE_KEY + ".history"] = history
    return found


def _stated(fund: FundFile, given: PriipsInputs) -> KidFigures:
    """The figures the manufacturer states (`priips.stated`, from an EPT row), with what the KID derives from
    them; the scenario windows the EU statement needs must be stated too."""
    p = fund.priips
    s = p.stated
    returns = {name: (getattr(s.scenarios, name).one_year, getattr(s.scenarios, name).rhp) for name in priips.SCENARIO_NAMES}
    problems = []
    try:
        found = priips.stated(given, s.mrm, s.vev, p.sri, s.sri_adjusted, returns, s.investment)
    except PriipsError as error:
        problems = [("priips.sri" if problem.startswith("priips.sri") else "priips.stated", problem) for problem in error.problems]
    stated_windows = {w.scenario for w in p.scenario_windows}
    problems += [("priips.scenario_windows", f"priips.scenario_windows: the figures are stated, so when the {name} scenario "
                                             "occurred must be stated too (the EU scenario-window statement): give its "
                                             "start, end and investment") for name in WINDOW_SCENARIOS if name not in stated_windows]
    if problems:
        raise KidError(problems)
    return found


def history_of(fund: FundFile) -> PriceHistory:
    """The price history `figures` used (computing them first when needed)."""
    figures(fund)
    return fund._cache[CACHE_KEY + ".history"]


def disagreements(fund: FundFile, found: KidFigures) -> list[tuple[str, str]]:
    """(dotted path, message) for each figure the fund file states (`priips.sri`, `priips.costs_over_time`)
    that is not what the computation gives, compared as the KID prints it (whole currency units, one
    decimal of a percent): the KID would contradict the house's records."""
    p = fund.priips
    shown = found.display()
    problems = []
    if p.sri is not None and p.sri != shown.sri:
        problems.append(("priips.sri", f"the fund file states SRI {p.sri}; the price history gives {shown.sri} "
                                       f"(MRM class {shown.mrm}, VEV {shown.vev_pct}%, credit risk class {shown.credit_risk_class})"))
    computed = {c.years: c for c in shown.costs_over_time}
    for i, stated in enumerate(p.costs_over_time):
        where = f"priips.costs_over_time.{i}"
        row = computed.get(stated.years)
        if row is None:
            problems.append((f"{where}.years", f"the KID shows costs over {', '.join(map(str, computed))} years, "
                                               f"not {stated.years}"))
            continue
        if stated.total_costs is not None and half_up(stated.total_costs, 0) != row.total_costs:
            problems.append((f"{where}.total_costs", f"the fund file states total costs of {stated.total_costs} after "
                                                     f"{stated.years} years; the computation gives {row.total_costs}"))
        if stated.annual_cost_impact is not None and half_up(stated.annual_cost_impact, 1) != row.annual_cost_impact_pct:
            problems.append((f"{where}.annual_cost_impact",
                             f"the fund file states an annual cost impact of {stated.annual_cost_impact}% after "
                             f"{stated.years} years; the computation gives {row.annual_cost_impact_pct}%"))
    return problems


def checked_figures(fund: FundFile) -> KidFigures:
    """`figures`, refused when the fund file states others (the KID is never written then)."""
    found = figures(fund)
    if problems := disagreements(fund, found):
        raise BuildError(fund.code, [f"kid.en: {path}: {message}; no PDF written" for path, message in problems])
    return found


# Annex III's words for the market risk class and the credit risk class, as the EU library's
# {mrm_level} and {crm_clause} take them.
MRM_LEVELS = {1: "very low", 2: "low", 3: "medium-low", 4: "medium", 5: "medium-high", 6: "high", 7: "very high"}
CRM_CLAUSES = {1: "are very unlikely to", 2: "are very unlikely to", 3: "are unlikely to", 4: "could", 5: "are likely to",
               6: "very likely will"}
PAYER = "the fund's capacity"
WINDOW_SCENARIOS = ("unfavourable", "moderate", "favourable")
PAST_PERFORMANCE_YEARS = 10  # Art. 8(3): past performance over at most the last 10 years


def month_year(value: dt.date) -> str:
    """March 2015, as the EU library's {start} and {end} take a scenario's window."""
    return format_skeleton("yMMMM", value, locale="en")


def scenario_windows(fund: FundFile, found: KidFigures) -> list[dict[str, str]]:
    """The EU `scenario-window` statement's values for each scenario at the recommended holding period: its name,
    the first and last month of the past window it occurred in, and whether that window ran over the proxy."""
    if fund.priips.stated is not None:  # stated with the figures (`_stated` requires all three)
        stated = {w.scenario: w for w in fund.priips.scenario_windows}
        return [{"scenario": SCENARIO_LABELS[name], "start": stated[name].start, "end": stated[name].end,
                 "investment": stated[name].investment} for name in WINDOW_SCENARIOS]
    history = history_of(fund)
    rhp = found.scenarios.periods[-1]
    found_windows = []
    for name in WINDOW_SCENARIOS:
        window = found.scenarios.get(name, rhp).window
        if window is None:  # every scenario at the RHP comes from a window (priips.Outcome)
            raise KidError([("priips", f"the {name} scenario at {years(rhp)} comes from no past window")])
        start, end = window
        if start >= history.class_start:
            investment = "in the product"
        elif end < history.class_start:
            investment = "in the proxy"
        else:
            investment = "in the product and then the proxy"
        found_windows.append({"scenario": SCENARIO_LABELS[name], "start": month_year(start), "end": month_year(end),
                              "investment": investment})
    return found_windows


def past_performance_years(fund: FundFile) -> int:
    """The complete calendar years of the representative class's past performance (at most 10): what the
    manufacturer's past-performance page shows."""
    from ..figures.performance import fund_figures

    stated = fund.priips.stated
    if stated is not None and stated.past_performance_years is not None:
        return stated.past_performance_years
    code = fund.priips.class_code
    perf = next((perf for c, perf in fund_figures(fund).classes if c == code), None)
    if perf is None:
        return 0
    found = {f.year for f in perf.computed.values() if f.year is not None and not f.partial}
    return min(len(found), PAST_PERFORMANCE_YEARS)


def statement_values(fund: FundFile) -> dict[str, object]:
    """The placeholders of the EU statements: the SRI and its words, the MRM and CRM in Annex III's words, the
    RHP, the currency and example amount, the scenario windows (`scenario-window`, repeated), the depositary,
    and the manufacturer's past-performance and scenario pages."""
    found = checked_figures(fund)
    currency = class_currency(fund)
    info = fund.fund
    values: dict[str, object] = {
        "sri": found.sri, "sri_words": found.sri_words, "rhp": found.inputs.rhp_years, "currency": currency,
        "mrm_level": MRM_LEVELS[found.market_risk.mrm], "crm_clause": CRM_CLAUSES[found.inputs.credit_risk_class],
        "payer": PAYER, "amount": money(invested(found), currency),
        "years": past_performance_years(fund), "scenario-window": scenario_windows(fund, found),
    }
    if depositary := kid_texts.depositary(fund):
        values["depositary"] = depositary
    if info.past_performance_url:
        values["past_performance_url"] = info.past_performance_url
    if info.scenarios_url:
        values["scenarios_url"] = info.scenarios_url
    return values


# --- what the template shows -----------------------------------------------------------------------

def invested(found: KidFigures) -> Decimal:
    """The example investment the KID's amounts are on: 10,000 (`priips.INVESTMENT`), or the one the manufacturer
    states (EPT 02220: a currency other than the euro may need "an amount of a similar magnitude", RTS Annex VI)."""
    return Decimal(int(found.scenarios.investment))


def money(value: Decimal, currency: str) -> str:
    """A whole amount with the ISO code, as an EU KID names a currency: USD 8,117."""
    return format_currency(value, currency, "¤¤ #,##0", locale=Localiser(ENGLISH).locale, currency_digits=False)


def years(n: int) -> str:
    return f"{n} year" if n == 1 else f"{n} years"


@dataclass(frozen=True)
class ScenarioRow:
    name: str  # stress, unfavourable, moderate, favourable
    label: str
    amounts: tuple[str, ...]  # per period: what you might get back after costs
    returns: tuple[str, ...]  # per period: average return each year


@dataclass(frozen=True)
class CostRow:
    label: str
    description: str
    pct: str
    amount: str  # "N/A" when it does not apply


@dataclass(frozen=True)
class KidView:
    name: str
    class_name: str
    code: str
    code_label: str  # ISIN, or Product code
    manufacturer: str
    website: str
    phone: str
    authority: str
    produced: str  # the date of production: the fund's as_of
    product_type: str
    term: str
    objective: str
    intended_investor: str
    currency: str
    rhp: int
    rhp_text: str
    investment: str
    sri: int
    scale: tuple[int, ...]
    periods: tuple[str, ...]  # column headings: If you exit after 1 year, ...
    scenarios: tuple[ScenarioRow, ...]
    total_costs: tuple[str, ...]
    cost_impact: tuple[str, ...]
    cost_note: str
    one_off: tuple[CostRow, ...]
    ongoing: tuple[CostRow, ...]
    incidental: tuple[CostRow, ...]
    unable_to_pay: str
    holding: tuple[str, ...]
    complaints: tuple[str, ...]
    other: tuple[str, ...]
    depositary: str | None = None  # the Depositary row, of a UCITS
    other_risks: str | None = None  # the risks the SRI does not capture
    placed: tuple[str, ...] = ()  # the statements the template places (eu-kid): any other stands under "Other relevant information"


def kid_view(fund: FundFile) -> KidView:
    loc = Localiser(ENGLISH, market=Market("EU"))  # dates as an EU reader writes them: 31 October 2025
    found = checked_figures(fund)
    history = history_of(fund) if fund.priips.stated is None else None
    shown = found.display()
    p = fund.priips
    _, share_class = representative_class(fund)
    currency = class_currency(fund)
    periods = shown.periods
    rhp = shown.rhp_years

    def exit_after(n: int) -> str:
        return f"If you exit after {years(n)}" + (" (recommended holding period)" if n == rhp else "")

    scenarios = tuple(
        ScenarioRow(name, SCENARIO_LABELS[name], tuple(money(s.amount, currency) for s in shown.scenarios[name]),
                    tuple(loc.percent(s.average_return_pct, 1) for s in shown.scenarios[name]))
        for name in priips.SCENARIO_NAMES)
    over_time = shown.costs_over_time
    last = over_time[-1]
    cost_note = (f"This illustrates how costs reduce your return each year over the holding period. For example, it shows "
                 f"that if you exit at the recommended holding period your average return each year is projected to be "
                 f"{loc.percent(last.return_before_pct, 1)} before costs and {loc.percent(last.return_after_pct, 1)} after costs.")
    items = {c.item: c for c in shown.composition}

    def amount(item: str) -> str:
        value = items[item].amount
        return "N/A" if value is None else money(value, currency)

    def pct(item: str) -> str:
        return loc.percent(items[item].pct, 2)

    exit_text = (f"{pct('exit')} of your investment before it is paid out to you." if items["exit"].amount is not None
                 else "We do not charge an exit fee for this product.")
    one_off = (
        CostRow("Entry costs", f"{pct('entry')} of the amount you pay in when entering this investment. This is the most "
                               "you will be charged; the person selling you the product will tell you the actual charge.",
                pct("entry"), amount("entry")),
        CostRow("Exit costs", exit_text, pct("exit"), amount("exit")),
    )
    ongoing = (
        CostRow("Management fees and other administrative or operating costs",
                f"{pct('ongoing')} of the value of your investment per year. This is an estimate based on actual costs "
                "over the last year.", pct("ongoing"), amount("ongoing")),
        CostRow("Transaction costs",
                f"{pct('transaction')} of the value of your investment per year. This is an estimate of the costs "
                "incurred when we buy and sell the underlying investments for the product; the actual amount varies "
                "with how much we buy and sell.", pct("transaction"), amount("transaction")),
    )
    performance_fee = (f"{pct('performance')} of the value of your investment per year." if p.costs.performance_fee
                       else "There is no performance fee for this product.")
    incidental = (CostRow("Performance fees", performance_fee, pct("performance"), amount("performance")),)

    info = fund.fund
    category = loc._(CATEGORY_LABELS[info.category.value])
    domicile = f", domiciled in {loc.country(info.domicile)}" if info.domicile else ""
    name = info.name.get(ENGLISH) or info.name[fund.publishes[0]]
    class_label = share_class.name.get(ENGLISH) if share_class.name and share_class.name.get(ENGLISH) else share_class.class_
    currency_name = get_currency_name(currency, locale=loc.locale)
    product_type = kid_texts.product_type(fund, category, domicile, share_class, class_label, currency, currency_name)
    depositary = kid_texts.depositary(fund)
    role = info.custodian.role.value if info.custodian else "depositary"
    held = f"by the fund's {role}, {depositary}," if depositary else "by the fund's depositary,"
    unable_to_pay = (f"If {p.manufacturer} is unable to pay out, the fund's assets are not affected: they are held "
                     f"{held} separately from the manufacturer's own assets. Your loss is not covered by an investor "
                     "compensation or guarantee scheme.")
    exit_cost = (f"An exit cost of {pct('exit')} applies when you take money out."
                 if items["exit"].amount is not None else "No exit cost is charged when you take money out.")
    dealing = f" on any {info.dealing.value} dealing day" if info.dealing else " on any dealing day"
    holding = (
        f"Recommended holding period: {years(rhp)}.",
        f"The product is designed for an investment over at least {years(rhp)}: the period over which its risk and its "
        "performance scenarios are assessed. If you take money out earlier, you are more likely to get back less.",
        f"You can ask for your money back{dealing}. {exit_cost}",
    )
    complaints = kid_texts.complaints(fund)
    if history is None:
        source = (f"The risk indicator and the performance scenarios are the figures {p.manufacturer} states for the share "
                  "class in its European PRIIPs Template (EPT) data.")
    elif history.proxy_file:
        source = (f"The risk indicator and the performance scenarios are computed from the price of the share class with "
                  f"dividends reinvested, from {loc.date(history.class_start)} to {loc.date(history.end)}, extended back "
                  f"to {loc.date(history.start)} by the returns of a suitable proxy.")
    else:
        source = (f"The risk indicator and the performance scenarios are computed from the price of the share class with "
                  f"dividends reinvested, from {loc.date(history.start)} to {loc.date(history.end)}.")
    other = (source, f"More information about the product is available at {p.website}.")
    return KidView(
        name=name, class_name=class_label, code=share_class.code,
        code_label=kid_texts.identifier_label(share_class.code),
        manufacturer=p.manufacturer, website=p.website, phone=p.phone, authority=p.competent_authority,
        produced=loc.date(fund.as_of), product_type=product_type, term="The fund has no maturity date.",
        objective=p.objective[ENGLISH], intended_investor=p.intended_investor[ENGLISH], currency=currency,
        rhp=rhp, rhp_text=years(rhp), investment=money(invested(found), currency), sri=shown.sri,
        scale=tuple(range(1, 8)), periods=tuple(exit_after(n) for n in periods), scenarios=scenarios,
        total_costs=tuple(money(c.total_costs, currency) for c in over_time),
        cost_impact=tuple(loc.percent(c.annual_cost_impact_pct, 1) for c in over_time), cost_note=cost_note,
        one_off=one_off, ongoing=ongoing, incidental=incidental, unable_to_pay=unable_to_pay, holding=holding,
        complaints=complaints, other=other, depositary=depositary if info.ucits else None,
        other_risks=p.other_risks[ENGLISH] if p.other_risks is not None else None,
        placed=tuple(regulatory.template_for(KID.name, KID.library(fund)).placement()))


def context(fund, localisers, langs, family, colours, **options) -> dict[str, object]:
    return {"kid": kid_view(fund)}
