"""KD: rules on the PRIIPs Key Information Document (Regulation (EU) No 1286/2014; its RTS, Commission
Delegated Regulation (EU) 2017/653 as amended by (EU) 2021/2268). The figures are `kid.figures`'."""

from __future__ import annotations

from typing import Iterable

from ..documents.types import KID
from ..pdf.layout import overflow
from .base import Finding, FundContext, PdfContext, Rule, register


def _figures(ctx: FundContext):
    """The fund's KID figures, or the PriipsError (or nav.NavProblems) that keeps them from being computed;
    None when the fund has no KID or its history files could not be read (PF001 reports those)."""
    from ..documents.kid import figures
    from ..errors import FactsheetError

    fund = ctx.fund
    if fund is None or fund.priips is None or ctx.history_problems:
        return None
    try:
        return figures(fund)
    except FactsheetError as error:
        return error


@register
class KidTooLong(Rule):
    code = "KD001"
    name = "kid-too-long"
    scope = "pdf"
    message = "a PRIIPs Key Information Document runs over three A4 pages"
    explanation = (
        "A KID is \"a short document written in a concise manner and of a maximum of three sides of A4-sized paper\n"
        "when printed\" (Regulation (EU) No 1286/2014, Article 6(4); the RTS, Article 1, fixes its sections). A PDF\n"
        "that `verify` recognises as a KID (by its EU statements), or the KID `check --render` renders for a fund with\n"
        "a `priips` section, may have at most three pages; the build refuses to write a longer one. The finding names\n"
        "the first words of the fourth page. Fix: shorten the fund's texts (`priips.objective`,\n"
        "`priips.intended_investor`) or the template (templates/kid.html.j2, styles/kid.css)."
    )

    def check(self, ctx: PdfContext) -> Iterable[Finding]:
        limit = KID.page_limit
        if ctx.document != KID.name or ctx.inspection.pages <= limit:
            return

        yield self.finding(ctx, f"the KID has {ctx.inspection.pages} pages, more than the {limit} A4 sides it may have"
                                + (f"; {overflow(ctx.opened or ctx.pdf, limit)}" if ctx.pdf else ""), location=f"page {limit + 1}")


@register
class KidHistoryTooShort(Rule):
    code = "KD002"
    name = "kid-history-too-short"
    message = "the price history cannot give the KID's figures: too short without a proxy, or unreadable"
    explanation = (
        "The KID's figures come from the representative class's daily prices with dividends reinvested, extended\n"
        "back by `priips.proxy`. The market risk measure needs at least 2 years of them (RTS Annex II point 5:\n"
        "otherwise a proxy \"shall be used\"), the performance scenarios 10 years (Annex IV points 5-6 as amended by\n"
        "2021/2268, spec/priips.md). A shorter history without a proxy, a proxy that starts after the class, a\n"
        "class with no NAV history or a history that cannot be read keeps the KID from being built; the finding\n"
        "names the files, the days and the dates, and the day the prices must reach back to. The fund's factsheet\n"
        "still builds. Fix: add `priips.proxy` (a date,level file inside the fund's folder) reaching back far enough.\n"
        "A KID from stated figures (`priips.stated`, an EPT row) needs no history, but its SRI must be the MRM x CRM\n"
        "grid's (or above it, when stated as adjusted) and its scenario windows must be stated (`priips.scenario_windows`)."
    )

    def check(self, ctx: FundContext) -> Iterable[Finding]:
        from ..documents.kid import KidError
        from ..fund.nav import NavProblems

        found = _figures(ctx)
        if isinstance(found, KidError):
            for where, problem in zip(found.locations, found.problems):
                yield self.finding(ctx, problem, location=where)
        elif isinstance(found, NavProblems):  # the proxy's problems: a NAV file's are PF001's
            for problem in found.errors:
                if problem.file == ctx.fund.priips.proxy:
                    yield self.finding(ctx, f"the proxy cannot be read: {problem.format()}", location="priips.proxy")


@register
class KidFigureDisagrees(Rule):
    code = "KD003"
    name = "kid-figure-disagrees"
    message = "an SRI or cost figure the fund file states is not what the price history gives"
    explanation = (
        "A KID's figures are computed, never typed: the summary risk indicator (RTS Annex II Parts 1-3), the\n"
        "\"Costs over time\" (Annex VI as amended by 2021/2268, the Annex VII template). When the fund file also\n"
        "states them (`priips.sri`, `priips.costs_over_time` with `total_costs` and `annual_cost_impact`, as the\n"
        "house's records have them), each must equal the computation as the KID prints it (whole currency units,\n"
        "a percent to one decimal), or the KID would contradict the house's records; the build refuses such a KID.\n"
        "Fix: correct the stated figure, or find out why the price history, the proxy or the costs changed."
    )

    def check(self, ctx: FundContext) -> Iterable[Finding]:
        from ..documents.kid import disagreements
        from ..figures.priips import KidFigures

        found = _figures(ctx)
        if isinstance(found, KidFigures):
            for path, message in disagreements(ctx.fund, found):
                yield self.finding(ctx, message, location=path)


@register
class KidFieldMissing(Rule):
    code = "KD004"
    name = "kid-field-missing"
    message = "the fund has a priips section, but not every field its KID needs from the offering documents"
    explanation = (
        "The KID's template (regulatory_templates/eu-kid.yaml) asks for what the administrator's export does not\n"
        "give and the offering documents do (prospectus/v2, spec/prospectus-v2.md): the legal form and whether the\n"
        "fund is a UCITS (\"Type\"; a UCITS's Depositary row: `priips.depositary` or `fund.custodian`), the risks the\n"
        "summary risk indicator does not capture (`priips.other_risks`), how to complain (`priips.complaints`: steps,\n"
        "website, postal and e-mail address, Art. 7), and the past-performance and previous-scenarios pages\n"
        "(`fund.past_performance_url`, `fund.scenarios_url`, Art. 8(3)). Each missing field is a finding, as the build\n"
        "fails naming it; the fund's other documents need none of them. Fix: add it to the fund's prospectus file\n"
        "(examples/prospectus/) and import again."
    )

    def check(self, ctx: FundContext) -> Iterable[Finding]:
        from ..documents.kid_texts import problems

        if ctx.fund is None:
            return
        for problem in problems(ctx.fund):
            yield self.finding(ctx, problem.message, location=problem.path)
