"""PF: which performance figures a document may show, and whether typed figures are right.

The rules of CSRC Announcement [2020] No. 59 (Article 4) for mainland funds and of the SFC's
Advertising Guidelines (paragraphs 11-12) for Hong Kong funds, as `performance.allowed` applies
them in the build (PERFORMANCE.md): checked here on the fund file, before anything is rendered,
so that compliance sees in CI what the build would drop or refuse.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable

from .base import Finding, FundContext, Rule, register

TOLERANCE = Decimal("0.005")  # percentage points between a typed figure and the history's


def _figures(ctx: FundContext):
    """The fund's figures (`performance.fund_figures`), or None when they cannot be computed (PF001 says why)."""
    if ctx.fund is None or ctx.history_problems:
        return None
    from ..figures.performance import PerformanceError, fund_figures
    from ..fund.nav import NavProblems

    try:
        return fund_figures(ctx.fund)
    except (NavProblems, PerformanceError):
        return None


@register
class HistoryInvalid(Rule):
    code = "PF001"
    name = "history-invalid"
    message = "a NAV, benchmark or proxy history the fund file refers to cannot give its figures"
    explanation = (
        "Figures are computed from the history files the fund file refers to (`share_classes[].nav`,\n"
        "`history.benchmark`, `priips.proxy`), never typed. Each file is checked row by row: dates ascending and\n"
        "unique, the first row the class's inception, NAVs positive, acc_nav equal to the unit NAV plus the\n"
        "dividends paid, no history ending more than 10 dealing days before as_of. Every problem is a finding\n"
        "with the file and line. Fix: correct the export, or import it again (`factsheets import`)."
    )

    def check(self, ctx: FundContext) -> Iterable[Finding]:
        for where, message in ctx.history_problems:
            yield self.finding(ctx, message, location=where)
        if ctx.fund is None or ctx.history_problems:
            return
        from ..figures.performance import PerformanceError, fund_figures
        from ..fund.nav import NavProblems

        try:
            fund_figures(ctx.fund)
        except NavProblems as error:
            for problem in error.errors:
                yield self.finding(ctx, problem.format(), location=problem.file)
        except PerformanceError as error:
            yield self.finding(ctx, str(error))


@register
class FigureWithoutBenchmark(Rule):
    code = "PF002"
    name = "figure-without-benchmark"
    message = "a mainland fund's performance figure has no benchmark figure for the same period beside it"
    explanation = (
        "CSRC Announcement [2020] No. 59, Article 4: a fund's performance is shown beside its performance\n"
        "comparison benchmark's for the same period. A mainland fund with a NAV history needs a benchmark\n"
        "history (`history.benchmark`) covering every period it shows; typed calendar-year returns need a typed\n"
        "benchmark return for each year. Fix: give the benchmark's levels (or returns) for those periods."
    )

    def check(self, ctx: FundContext) -> Iterable[Finding]:
        figures = _figures(ctx)
        if figures is None or ctx.fund.jurisdiction != "CN" or figures.too_young:
            return
        for code, perf in figures.classes:
            missing = perf.missing_benchmark
            if missing:
                shown = ", ".join(missing)
                yield self.finding(ctx, f"class {code}: no benchmark figure beside {shown}", location="history.benchmark")
        if figures.typed is not None:
            for year in figures.typed.fund:
                if year not in figures.typed.benchmark:
                    yield self.finding(ctx, f"the {year} return has no benchmark return beside it",
                                       location=f"performance.annual_returns.benchmark.{year}")


@register
class HiddenTypedReturn(Rule):
    code = "PF003"
    name = "typed-return-not-shown"
    message = "a typed calendar-year return is one the rules do not let the document show"
    explanation = (
        "Only the figures the jurisdiction allows for the fund's age are shown (PERFORMANCE.md): in mainland\n"
        "China no period of six months or less (a launch year of six months or less), no figure at all before\n"
        "six months, and complete calendar years only (CSRC Announcement [2020] No. 59, Art. 4); in Hong Kong\n"
        "the last five complete years (SFC Advertising Guidelines, para. 11-12). A typed figure the rules hide\n"
        "would silently vanish from the PDF; the current year in particular is a year-to-date figure, not a\n"
        "calendar year. Fix: remove the figure (or compute the year to date from the NAV history)."
    )

    def check(self, ctx: FundContext) -> Iterable[Finding]:
        figures = _figures(ctx)
        if figures is None or figures.typed is None:
            return
        for year, why in sorted(figures.typed.hidden.items()):
            yield self.finding(ctx, f"the {year} return will not be shown: {why}", location=f"performance.annual_returns.fund.{year}")


@register
class CalendarYearMissing(Rule):
    code = "PF004"
    name = "calendar-year-missing"
    message = "a complete calendar year the rules require is missing"
    explanation = (
        "A mainland fund of one to five years shows every complete calendar year since launch, an older one at\n"
        "least the last five (CSRC Announcement [2020] No. 59, Art. 4); a Hong Kong fund the last five, or every\n"
        "complete year since launch (SFC Advertising Guidelines, para. 11-12; Product Key Facts practice). A fund\n"
        "with typed figures must type each such year. Fix: add the year's return (and its benchmark's)."
    )

    def check(self, ctx: FundContext) -> Iterable[Finding]:
        figures = _figures(ctx)
        if figures is None or figures.typed is None or figures.too_young:
            return
        for year in figures.typed.missing:
            yield self.finding(ctx, f"the complete calendar year {year} is required and has no return",
                               location=f"performance.annual_returns.fund.{year}")


@register
class TypedReturnDisagrees(Rule):
    code = "PF005"
    name = "typed-return-disagrees"
    message = "a typed return disagrees with the one computed from the NAV history"
    explanation = (
        "When a fund file gives both typed calendar-year returns and a NAV history, the typed figures must equal\n"
        "those computed by the conventions of PERFORMANCE.md (dividends reinvested at the ex-date NAV) within\n"
        "0.005 percentage points. The document shows the computed figures; a typed one that disagrees is the\n"
        "commonest error a compliance reviewer finds. Fix: remove the typed figures, or correct them."
    )

    def check(self, ctx: FundContext) -> Iterable[Finding]:
        figures = _figures(ctx)
        fund = ctx.fund
        if figures is None or not figures.classes or fund.performance is None or fund.performance.annual_returns is None:
            return
        lead = figures.lead
        typed = fund.performance.annual_returns
        for series, values, computed in (("fund", typed.fund, lead.computed), ("benchmark", typed.benchmark, lead.benchmark)):
            for year, value in values.items():
                figure = computed.figures.get(str(year)) if computed is not None else None
                if figure is None:
                    continue
                if abs(Decimal(value) - Decimal(repr(figure.exact * 100))) > TOLERANCE:
                    yield self.finding(ctx, f"{year}: typed {value}%, the NAV history gives {figure.value}%",
                                       location=f"performance.annual_returns.{series}.{year}")
