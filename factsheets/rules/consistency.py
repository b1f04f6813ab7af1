"""XD: consistency across a fund's documents. Its factsheet and its key facts (and its KID) must show
the same fees, ongoing charges, risk rating, calendar-year returns and dates.

The figures both documents print come from one place (`view`, `performance`), so on a fund file these
rules check what can still diverge there: figures typed beside those computed, the PRIIPs costs beside
the share classes' fees, and fees, ratings and dates written into the texts. On finished PDFs (`verify
--fund`, `check --render`) they read what each document prints (`printed.read`) and compare it with the
fund file and with every other document of the fund (`compare_documents`).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from ..documents.localise import half_up
from ..fund.model import LANGS, FundFile
from ..pdf.printed import FEE_LABELS, Printed
from .base import Finding, FundContext, Rule, register

WHY = ("The SFC has stopped funds from being marketed over a Product Key Facts Statement that disagreed with their\n"
       "offering documents; both key facts documents say they are part of the offering document (hk-kfs-header,\n"
       "cn-kfs-header), and the factsheet is marketing material made from the same data. A figure shown two ways\n"
       "in one fund's documents is wrong in one of them.\n")

if TYPE_CHECKING:  # pragma: no cover
    from ..pdf.document import PdfFile


def printed_figures(pdf: bytes | PdfFile, name: str, document: str, langs: tuple[str, ...], file: str | None = None) -> Printed:
    from ..pdf.printed import read

    return read(pdf, name, document, langs, file)


def compare_documents(documents: list[Printed], fund: FundFile | None, file: str | None = None) -> list[Finding]:
    """Every XD finding on what the documents print: each against the fund file (when given), and each
    pair of documents against each other."""
    findings: list[Finding] = []
    for rule in _document_rules():
        for document, message in rule.against_fund(documents, fund) if fund is not None else ():
            findings.append(_finding(rule, file or document.file, fund, message, document.name))
        for a, b in combinations(documents, 2):
            for message in rule.between(a, b):
                findings.append(_finding(rule, file or b.file, fund, message, f"{a.name} / {b.name}"))
    return findings


def _finding(rule: Rule, file: str, fund: FundFile | None, message: str, location: str) -> Finding:
    return Finding(rule.code, rule.name, rule.severity, message, file, fund.code if fund is not None else None, None, location)


def _percent(value: Decimal) -> str:
    return f"{half_up(Decimal(value), 2)}%"


def _shown(values: Iterable[Decimal]) -> str:
    return ", ".join(_percent(v) for v in sorted(values))


def _texts(fund: FundFile) -> Iterable[tuple[str, str, str]]:
    """(dotted path, language, text) of every reader-visible text of the fund."""
    for path, text in fund.texts():
        for lang in LANGS:
            if value := text.get(lang):
                yield path, lang, value


class DocumentRule(Rule):
    """A cross-document rule: on a fund file (`check`), and on printed figures (`compare_documents`)."""

    def against_fund(self, documents: list[Printed], fund: FundFile) -> Iterable[tuple[Printed, str]]:
        return ()

    def between(self, a: Printed, b: Printed) -> Iterable[str]:
        return ()


# -- fees ----------------------------------------------------------------------------------------
# Fees named in prose: the words, per Fees field, in each language.
_FEE_WORDS = {
    "management": ("management fee", "管理费", "管理費"),
    "custody": ("custody fee", "custodian fee", "trustee fee", "depositary fee", "托管费", "託管費", "受託人費", "受托人费", "存管費"),
    "sales_service": ("sales service fee", "销售服务费", "銷售服務費"),
    "max_subscription": ("subscription fee", "entry charge", "申购费", "申購費", "认购费", "認購費"),
    "max_redemption": ("redemption fee", "exit charge", "赎回费", "贖回費"),
    "ongoing_charges": ("ongoing charges", "ongoing charge", "经常性开支", "經常性開支", "持续费用", "持續費用"),
}
_VALUE_AFTER = r"[^.;。；%\d]{0,30}?(\d{1,3}(?:\.\d+)?)\s*%"


def _fee_pattern(key: str) -> re.Pattern[str]:
    words = "|".join(re.escape(w) for w in sorted(_FEE_WORDS[key], key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z])(?:{words}){_VALUE_AFTER}", re.I)


def fund_fee_values(fund: FundFile, key: str) -> set[Decimal]:
    """The values of one fee across the fund's share classes, as documents print them (two decimals)."""
    return {half_up(Decimal(getattr(c.fees, key)), 2) for c in fund.fund.share_classes
            if c.fees is not None and getattr(c.fees, key) is not None}


class FeeRule(DocumentRule):
    keys: tuple[str, ...] = ()

    def check(self, ctx: FundContext) -> Iterable[Finding]:
        fund = ctx.fund
        if fund is None:
            return
        for key in self.keys:
            given = fund_fee_values(fund, key)
            if not given:
                continue
            pattern = _fee_pattern(key)
            for path, lang, text in _texts(fund):
                for match in pattern.finditer(text):
                    stated = half_up(Decimal(match.group(1)), 2)
                    if stated not in given:
                        yield self.finding(ctx, f"the text says {match.group(0).strip()!r}: the share classes give "
                                                f"{_shown(given)}", location=f"{path}.{lang}", lang=lang)
        yield from self.priips(ctx)

    def priips(self, ctx: FundContext) -> Iterable[Finding]:
        return ()

    def against_fund(self, documents: list[Printed], fund: FundFile) -> Iterable[tuple[Printed, str]]:
        for document in documents:
            for key in self.keys:
                printed = document.fees.get(key, set())
                given = fund_fee_values(fund, key)
                if extra := sorted(v for v in printed if v not in given):
                    what = FEE_LABELS[key][0].lower()
                    gives = f"gives {_shown(given)}" if given else "gives none"
                    yield document, f"{document.name} prints {what} of {_shown(extra)}; the fund file {gives}"

    def between(self, a: Printed, b: Printed) -> Iterable[str]:
        for key in self.keys:
            one, other = a.fees.get(key), b.fees.get(key)
            if one and other and one != other:
                yield f"{FEE_LABELS[key][0].lower()}: {a.name} prints {_shown(one)}, {b.name} prints {_shown(other)}"


@register
class FeesDisagree(FeeRule):
    code = "XD001"
    name = "fees-disagree"
    message = "a fee differs between the fund's documents, or between the fund file and a text or document"
    keys = ("management", "custody", "sales_service", "max_subscription", "max_redemption")
    explanation = WHY + (
        "Fees (management, custody, sales service, maximum subscription and redemption) are read: in the fund\n"
        "file, from every text that names a fee with a percentage ('a management fee of 1.5%', 管理费1.20%),\n"
        "compared with the share classes' fees, and the PRIIPs entry and exit costs compared with the\n"
        "representative class's maximum subscription and redemption fees; in PDFs (`verify --fund`, `check\n"
        "--render`), the figures printed after each fee's label, compared with the fund file and between the\n"
        "fund's documents. Fix: correct the fee in the fund file, the text or the template that prints it.")

    def priips(self, ctx: FundContext) -> Iterable[Finding]:
        fund = ctx.fund
        if fund is None or fund.priips is None:
            return
        share_class = fund.priips_class
        if share_class is None or share_class.fees is None:
            return
        for cost, key in (("entry", "max_subscription"), ("exit", "max_redemption")):
            fee = getattr(share_class.fees, key)
            if fee is not None and Decimal(getattr(fund.priips.costs, cost)) != Decimal(fee):
                yield self.finding(ctx, f"the KID's {cost} cost is {_percent(getattr(fund.priips.costs, cost))}; class "
                                        f"{share_class.code}'s {FEE_LABELS[key][0].lower()} is {_percent(fee)}",
                                   location=f"priips.costs.{cost}")


@register
class OngoingChargesDisagree(FeeRule):
    code = "XD002"
    name = "ongoing-charges-disagree"
    message = "the ongoing charges differ between the fund's documents, or between the fund file and a text or document"
    keys = ("ongoing_charges",)
    explanation = WHY + (
        "The ongoing charges over a year are read: in the fund file, from every text that names them with a\n"
        "percentage, compared with the share classes' `fees.ongoing_charges`, and the PRIIPs ongoing costs of the\n"
        "representative class (a warning: the KID's figure may include costs the ongoing charges figure leaves\n"
        "out, and must then be explained); in PDFs, the figures printed after the label, compared with the fund\n"
        "file and between the fund's documents. Fix: correct the figure in the fund file, text or template.")

    def priips(self, ctx: FundContext) -> Iterable[Finding]:
        fund = ctx.fund
        if fund is None or fund.priips is None:
            return
        share_class = fund.priips_class
        fee = share_class.fees.ongoing_charges if share_class is not None and share_class.fees is not None else None
        if fee is not None and Decimal(fund.priips.costs.ongoing) != Decimal(fee):
            yield self.finding(ctx, f"the KID's ongoing costs are {_percent(fund.priips.costs.ongoing)}; class "
                                    f"{share_class.code}'s ongoing charges over a year are {_percent(fee)}",
                               location="priips.costs.ongoing", severity="warning")


# -- risk rating ---------------------------------------------------------------------------------
_RATING_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])R([1-5])(?![0-9])")


def _risk_labels(fund: FundFile) -> dict[str, dict[str, str]]:
    """Language -> label -> rating, from the approved suitability statement's labels (中风险 -> R3)."""
    from ..documents.disclosures import library

    statement = library("CN").statement("suitability")
    found: dict[str, dict[str, str]] = {}
    for rating, texts in ((statement.labels or {}).get("risk_label") or {}).items() if statement else ():
        for lang, text in texts.items():
            found.setdefault(lang, {})[text] = rating
    return found


@register
class RiskRatingDisagrees(DocumentRule):
    code = "XD003"
    name = "risk-rating-disagrees"
    message = "the risk rating differs between the fund's documents, or between the fund file and a text or document"
    explanation = WHY + (
        "A mainland fund's risk rating (R1-R5) is read: in the fund file, from every text that names a rating\n"
        "(R3) and from the risk-return profile's words for one (中风险, medium risk: the approved suitability\n"
        "statement's labels), compared with `fund.risk.rating`; in PDFs, the rating printed after the 'Risk\n"
        "rating' label and in the suitability statement, compared with the fund file and between the fund's\n"
        "documents. A Hong Kong fund has no such rating: a document that prints one is a finding.\n"
        "Fix: correct the rating in the fund file or the text.")

    def check(self, ctx: FundContext) -> Iterable[Finding]:
        fund = ctx.fund
        if fund is None or fund.fund.risk is None or fund.fund.risk.rating is None:
            return
        rating = fund.fund.risk.rating
        labels = _risk_labels(fund)
        for path, lang, text in _texts(fund):
            stated = {f"R{m.group(1)}" for m in _RATING_IN_TEXT.finditer(text)}
            if path == "fund.risk_return":
                words = labels.get(lang, {})
                claimed: list[tuple[int, int]] = []
                for word in sorted(words, key=len, reverse=True):
                    for m in re.finditer(re.escape(word), text, re.I):
                        if all(m.end() <= a or m.start() >= b for a, b in claimed):
                            claimed.append(m.span())
                            stated.add(words[word])
            for other in sorted(stated - {rating}):
                yield self.finding(ctx, f"the text names the rating {other}; the fund is rated {rating}",
                                   location=f"{path}.{lang}", lang=lang)

    def against_fund(self, documents: list[Printed], fund: FundFile) -> Iterable[tuple[Printed, str]]:
        rating = fund.fund.risk.rating if fund.fund.risk is not None else None
        for document in documents:
            if other := sorted(r for r in document.ratings if r != rating):
                gives = f"rates the fund {rating}" if rating else "gives no rating"
                yield document, f"{document.name} prints the risk rating {', '.join(other)}; the fund file {gives}"

    def between(self, a: Printed, b: Printed) -> Iterable[str]:
        if a.ratings and b.ratings and a.ratings != b.ratings:
            yield f"risk rating: {a.name} prints {', '.join(sorted(a.ratings))}, {b.name} prints {', '.join(sorted(b.ratings))}"


# -- calendar-year returns -------------------------------------------------------------------------

@register
class ReturnsDisagree(DocumentRule):
    code = "XD004"
    name = "returns-disagree"
    message = "a calendar-year return differs between the fund's documents, or from the one computed from its history"
    explanation = WHY + (
        "Calendar-year returns are computed from the NAV history (PERFORMANCE.md) for every document alike. In\n"
        "the fund file, returns typed beside a NAV history (`performance.annual_returns`) must equal the computed\n"
        "ones of the representative class and its benchmark, or one document could be made from each. In PDFs,\n"
        "the table of calendar-year returns (its first row, the representative class; its benchmark row; each\n"
        "figure under its year) is compared with the fund's figure for that year and with the same year in the\n"
        "fund's other documents (a key facts statement may show more years than the factsheet; the years both\n"
        "show must agree). The bar chart is drawn from the same figures as the table.\n"
        "Fix: remove the typed returns (they are computed), or correct the history or the template.")

    def check(self, ctx: FundContext) -> Iterable[Finding]:
        fund = ctx.fund
        if fund is None or fund.performance is None or fund.performance.annual_returns is None:
            return
        if not any(c.nav for c in fund.fund.share_classes):
            return
        computed = _computed_years(fund, ctx.file)
        if computed is None:
            return
        own, bench = computed
        typed = fund.performance.annual_returns
        for series, values, reference in (("fund", typed.fund, own), ("benchmark", typed.benchmark, bench)):
            for year, value in values.items():
                if year in reference and half_up(Decimal(value), 2) != reference[year]:
                    yield self.finding(ctx, f"{year}: {_percent(value)} is typed; the {series} returned "
                                            f"{_percent(reference[year])} computed from the history",
                                       location=f"performance.annual_returns.{series}.{year}")

    def against_fund(self, documents: list[Printed], fund: FundFile) -> Iterable[tuple[Printed, str]]:
        from ..documents.key_facts import calendar_years

        try:
            own, bench = calendar_years(fund)
        except Exception:  # noqa: BLE001 - a history that cannot give figures is the build's error, not this rule's
            return
        for document in documents:
            for series, printed, reference in (("", document.years, own), (" benchmark", document.benchmark_years, bench)):
                for year, value in sorted(printed.items()):
                    if year in reference and value != reference[year]:
                        yield document, (f"{document.name} prints a{series} return of {_percent(value)} for {year}; "
                                         f"the fund's is {_percent(reference[year])}")
                    elif year not in reference and reference:
                        yield document, f"{document.name} prints a{series} return for {year}, a year the fund has no figure for"

    def between(self, a: Printed, b: Printed) -> Iterable[str]:
        for series, one, other in (("", a.years, b.years), (" benchmark", a.benchmark_years, b.benchmark_years)):
            for year in sorted(set(one) & set(other)):
                if one[year] != other[year]:
                    yield f"{year}{series}: {a.name} prints {_percent(one[year])}, {b.name} prints {_percent(other[year])}"


def _computed_years(fund: FundFile, file: str) -> tuple[dict[int, Decimal], dict[int, Decimal]] | None:
    """The representative class's computed calendar years (and its benchmark's), from the history files
    beside the fund file; None when they cannot be read (the build reports why)."""
    from ..documents.key_facts import calendar_years
    from ..errors import FactsheetError
    from ..fund.validate import with_history

    try:
        loaded = with_history(fund, Path(file).parent, file)
        if not any(c.nav for c in loaded.fund.share_classes):
            return None
        from ..figures.performance import fund_figures

        if not fund_figures(loaded).classes:
            return None
        return calendar_years(loaded)
    except (FactsheetError, OSError, ValueError):
        return None


# -- dates -----------------------------------------------------------------------------------------
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_EN_DATE = (r"(?:(\d{1,2})\s+(" + "|".join(_MONTHS) + r")\s+(\d{4})|(" + "|".join(_MONTHS) + r")\s+(\d{1,2}),?\s+(\d{4})"
            r"|(\d{4})-(\d{2})-(\d{2}))")
_ZH_DATE = r"(\d{4})年(\d{1,2})月(\d{1,2})日"
_LAUNCH_WORDS = re.compile(r"(?:launch|launched|incepted|inception|commenced|took effect|effective)[^.;]{0,30}?" + _EN_DATE, re.I)
_LAUNCH_WORDS_ZH = re.compile(r"(?:成立|合同生效|合同于|生效日|推出|發行|发行)[^。；]{0,12}?" + _ZH_DATE + r"|"
                              + _ZH_DATE + r"(?:正式)?(?:成立|生效|推出|發行|发行)")


def _stated_dates(text: str) -> list[tuple[str, dt.date]]:
    found = []
    for match in _LAUNCH_WORDS.finditer(text):
        g = match.groups()
        try:
            if g[0]:
                day = dt.date(int(g[2]), _MONTHS.index(g[1].lower()) + 1, int(g[0]))
            elif g[3]:
                day = dt.date(int(g[5]), _MONTHS.index(g[3].lower()) + 1, int(g[4]))
            else:
                day = dt.date(int(g[6]), int(g[7]), int(g[8]))
        except ValueError:
            continue
        found.append((match.group(0), day))
    for match in _LAUNCH_WORDS_ZH.finditer(text):
        g = [x for x in match.groups() if x is not None]
        try:
            found.append((match.group(0), dt.date(int(g[0]), int(g[1]), int(g[2]))))
        except (ValueError, IndexError):
            continue
    return found


def _launch_dates(fund: FundFile) -> set[dt.date]:
    info = fund.fund
    return {d for d in [info.inception_date, *(c.inception_date for c in info.share_classes)] if d is not None}


def _printed_launch_dates(fund: FundFile) -> set[dt.date]:
    """The launch dates a document may print: the fund's and its classes', and its index's (an index
    fund's factsheet prints the index's launch date under the same label)."""
    return _launch_dates(fund) | ({fund.index.launch_date} if fund.index is not None else set())


@register
class DatesDisagree(DocumentRule):
    code = "XD005"
    name = "dates-disagree"
    message = "a launch or as-of date differs between the fund's documents, or between the fund file and a text or document"
    explanation = WHY + (
        "Dates are read: in the fund file, from every text that gives a launch date ('launched on 1 June 2018',\n"
        "'took effect on', 成立于2018年6月1日, 合同于…生效), compared with the fund's inception date and its\n"
        "classes' launch dates; in PDFs, the fund's inception (launch, contract effective) date, the classes'\n"
        "launch dates and the as-of date printed after their labels, compared with the fund file, and the\n"
        "inception and as-of dates between the fund's documents (the figures of two documents as of different\n"
        "days cannot both be this month's). Fix: correct the date in the fund file, the text or the template.")

    def check(self, ctx: FundContext) -> Iterable[Finding]:
        fund = ctx.fund
        if fund is None:
            return
        dates = _launch_dates(fund)
        if not dates:
            return
        for path, lang, text in _texts(fund):
            for words, day in _stated_dates(text):
                if day not in dates:
                    yield self.finding(ctx, f"the text says {words!r}; the fund and its classes were launched on "
                                            f"{', '.join(d.isoformat() for d in sorted(dates))}", location=f"{path}.{lang}", lang=lang)

    def against_fund(self, documents: list[Printed], fund: FundFile) -> Iterable[tuple[Printed, str]]:
        inception = fund.fund.inception_date
        launches = _printed_launch_dates(fund)
        for document in documents:
            if inception is not None and (other := sorted(d for d in document.inception if d != inception)):
                yield document, (f"{document.name} prints the fund's launch date {', '.join(d.isoformat() for d in other)}; "
                                 f"the fund file gives {inception.isoformat()}")
            if other := sorted(d for d in document.launches if d not in launches):
                yield document, (f"{document.name} prints a class launch date {', '.join(d.isoformat() for d in other)}; "
                                 f"the fund file gives {', '.join(d.isoformat() for d in sorted(launches))}")
            if other := sorted(d for d in document.as_of if d != fund.as_of):
                yield document, (f"{document.name} is dated {', '.join(d.isoformat() for d in other)}; the fund file is as of "
                                 f"{fund.as_of.isoformat()}")

    def between(self, a: Printed, b: Printed) -> Iterable[str]:
        for what, one, other in (("launch date", a.inception, b.inception), ("as-of date", a.as_of, b.as_of)):
            if one and other and one != other:
                yield (f"{what}: {a.name} prints {', '.join(d.isoformat() for d in sorted(one))}, "
                       f"{b.name} prints {', '.join(d.isoformat() for d in sorted(other))}")


def _document_rules() -> list[DocumentRule]:
    from .base import REGISTRY

    return sorted((r for r in REGISTRY.values() if isinstance(r, DocumentRule)), key=lambda r: r.code)
