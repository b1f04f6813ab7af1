"""FD: rules on the fund data itself, checked without rendering."""

from __future__ import annotations

import re
from typing import Iterable

from ..errors import Problem
from ..figures.display_rules import figures_too_old, too_young
from ..fund.model import LANGS
from .base import Finding, FundContext, Rule, register

_RETURN_AFTER_AS_OF = re.compile(r"^a (?:benchmark )?return for \d+ is after as_of")


class ProblemRule(Rule):
    """A rule that reports some of the model's validation problems (claimed by `claims`)."""

    def claims(self, problem: Problem, kind: str) -> bool:  # pragma: no cover - overridden
        return False

    def check(self, ctx: FundContext) -> Iterable[Finding]:
        for problem, kind in ctx.problems:
            if self.claims(problem, kind):
                yield self.finding(ctx, problem.message, location=problem.path or None, line=problem.line,
                                   column=problem.column, lang=_lang_of(problem.path))


def _lang_of(path: str) -> str | None:
    last = path.rsplit(".", 1)[-1] if path else ""
    return last if last in LANGS else None


@register
class InvalidFundData(ProblemRule):
    code = "FD001"
    name = "invalid-fund-data"
    message = "the fund file cannot be read or does not validate against the fund/v1 model"
    explanation = (
        "Every problem the loader or the Pydantic model finds (a syntax error, a duplicate key, an unknown key,\n"
        "a wrong type, a value out of range, a cross-field rule) is one finding, with the dotted path of the field\n"
        "(`fund.risk.rating`) or the line of the file. Problems that a more specific rule explains (a missing\n"
        "translation, an unsuitable investor class, a return after as_of) carry that rule's code instead.\n"
        "Fix: correct the field named; `factsheets schema` prints the JSON Schema of fund files."
    )

    def claims(self, problem: Problem, kind: str) -> bool:
        return not any(rule.claims(problem, kind) for rule in _SPECIFIC)


@register
class MissingTranslation(ProblemRule):
    code = "FD002"
    name = "missing-translation"
    message = "a reader-visible text is missing in a language the fund is rendered in"
    explanation = (
        "Every text a reader sees (names, notes, commentary, sources, bases) is given per language, in each\n"
        "language the fund publishes in (`languages`, fund/v2) and in no other required. A fund/v1 file publishes\n"
        "in en and zh-CN, and in zh-HK too once it gives any zh-HK text. A missing text would otherwise print in\n"
        "another language, or stop the build. Fix: add the text in the language named by the finding."
    )

    def claims(self, problem: Problem, kind: str) -> bool:
        return kind in ("missing", "missing_translation") and _lang_of(problem.path) is not None

    def check(self, ctx: FundContext) -> Iterable[Finding]:
        for finding in super().check(ctx):
            finding.message = f"missing in {finding.lang}, a language the fund publishes in"
            yield finding
        if ctx.fund is None or ctx.fund.languages is not None or "zh-HK" not in ctx.langs():
            return
        for path, text in ctx.fund.texts():  # fund/v1: a file that gives any zh-HK text publishes in zh-HK
            if not text.get("zh-HK"):
                yield self.finding(ctx, "missing in zh-HK, which the fund's other texts are given in",
                                   location=f"{path}.zh-HK", lang="zh-HK")


@register
class MinInvestorBelowRating(ProblemRule):
    code = "FD003"
    name = "min-investor-below-rating"
    message = "the minimum investor class is below what the risk rating demands"
    explanation = (
        "A fund rated Rn may only be sold to investors assessed Cn or above (R4 needs C4, C5). A lower\n"
        "`fund.risk.min_investor` would print a suitability statement that sells the fund to investors it does not\n"
        "suit. Fix: raise min_investor to at least the class named, or correct the rating."
    )

    def claims(self, problem: Problem, kind: str) -> bool:
        return kind == "min_investor_too_low"


@register
class ReturnAfterAsOf(ProblemRule):
    code = "FD004"
    name = "return-after-as-of"
    message = "a calendar-year return is given for a year after the file's as_of date"
    explanation = (
        "Returns shown for a year that had not happened at `as_of` are either a typo or a forecast; neither may\n"
        "be printed as performance. Applies to fund, benchmark and index returns. Fix: remove the year or\n"
        "correct `as_of`."
    )

    def claims(self, problem: Problem, kind: str) -> bool:
        return kind == "fund_rule" and bool(_RETURN_AFTER_AS_OF.match(problem.message))


@register
class ReturnBeforeIndexBase(Rule):
    code = "FD005"
    name = "return-before-index-base"
    message = "an index return is given for a year before the index's base year"
    explanation = (
        "An index has no history before its base date: a return for an earlier year is back-filled or\n"
        "made up, and may not be shown as index data. Fix: remove the years before `index.base_date`."
    )

    def check(self, ctx: FundContext) -> Iterable[Finding]:
        index = ctx.fund.index if ctx.fund is not None else None
        if index is None:
            return
        for year in index.annual_returns:
            if year < index.base_date.year:
                yield self.finding(ctx, f"a return for {year} is before the index base date {index.base_date.isoformat()}",
                                   location=f"index.annual_returns.{year}")


@register
class YoungFundPerformance(Rule):
    code = "FD006"
    name = "young-fund-performance"
    message = "a fund younger than 6 months shows fund performance"
    explanation = (
        "Performance of a fund less than six months old at `as_of` may not be shown. A fund file whose\n"
        "`fund.inception_date` is less than six months before `as_of` must have no `performance` section.\n"
        "Fix: remove `performance` until the fund is six months old."
    )

    def check(self, ctx: FundContext) -> Iterable[Finding]:
        fund = ctx.fund
        if fund is None or fund.performance is None or fund.performance.annual_returns is None or fund.fund.inception_date is None:
            return  # a fund with a NAV history shows no figures while young: the build leaves them out
        if too_young(fund.fund.inception_date, fund.as_of):
            yield self.finding(
                ctx, f"the fund started on {fund.fund.inception_date.isoformat()}, less than 6 months before as_of "
                     f"{fund.as_of.isoformat()}, and may not show performance", location="performance.annual_returns")


DEFAULT_MAX_AGE = 45  # days: mainland funds, unless the project says otherwise (Hong Kong: three months)


@register
class StaleData(Rule):
    code = "FD007"
    name = "stale-data"
    message = "the fund data is older than the maximum age"
    explanation = (
        "`as_of` is too far before today (or `--today DATE`): more than `--max-age` days (`max_age` in the\n"
        "configuration), else more than 45 days for a mainland fund (the house's default) and more than three\n"
        "months for a Hong Kong fund (SFC: performance figures more than three months old may not be published).\n"
        "A document built from stale data misleads. Fix: update the data and `as_of`, or, for an archived fund\n"
        "file, waive the rule with a reason, an approver and an expiry date."
    )

    def check(self, ctx: FundContext) -> Iterable[Finding]:
        if ctx.fund is None:
            return
        as_of = ctx.fund.as_of
        age = (ctx.today - as_of).days
        if ctx.max_age is not None or ctx.fund.jurisdiction != "HK":
            limit = ctx.max_age if ctx.max_age is not None else DEFAULT_MAX_AGE
            if age > limit:
                yield self.finding(ctx, f"as_of {as_of.isoformat()} is {age} days before {ctx.today.isoformat()}, "
                                        f"more than the maximum of {limit}", location="as_of")
        elif figures_too_old(as_of, ctx.today):
            yield self.finding(ctx, f"as_of {as_of.isoformat()} is more than three months before {ctx.today.isoformat()}: "
                                    f"a Hong Kong fund's figures may no longer be published (SFC)", location="as_of")


@register
class ExpiredWaiver(Rule):
    code = "FD008"
    name = "expired-waiver"
    message = "a waiver in the project's configuration has expired"
    explanation = (
        "A waiver exempts one fund from one rule, with a reason, an approver and an expiry date. After that\n"
        "date the waiver no longer applies: the finding it covered is reported again, and the expired waiver is\n"
        "a finding itself, so that it is renewed (with a new approval) or removed."
    )
    # Reported by `config.apply_waivers`, not by checking a fund.


@register
class KeyFactsDataMissing(Rule):
    code = "FD009"
    name = "key-facts-data-missing"
    message = "the fund gives key facts data, but not every field its key facts document needs"
    explanation = (
        "A fund that gives any of the texts key facts are made of (objective, strategy, key risks) gets a key\n"
        "facts document (`build --doc kfs`): the SFC's Product Key Facts Statement for a Hong Kong fund, the\n"
        "基金产品资料概要 for a mainland one, each showing every row of its regulator's template (RT rules). Each\n"
        "needs more: Hong Kong, the management company, the trustee or custodian and its fee, the administration\n"
        "fee, dealing frequency, financial year end, what the product is, objective, strategy, use of derivatives,\n"
        "key risks, a website, the ongoing charges' basis, and each class's ongoing charges, minimum investment,\n"
        "subscription, switching, redemption, management and performance fees (0 when none is charged) and, for a\n"
        "distributing class, its dividend policy; mainland, the management company, custodian, short name,\n"
        "operation, opening, scope, preparation date, objective, strategy, benchmark, risk-return profile, key\n"
        "risks, asset allocation, managers with their career start, audit, disclosure and other fees, a website\n"
        "and phone, and each class's management and custody fees and subscription and redemption tiers. Each\n"
        "missing field is a finding, as the build fails naming it; the factsheet needs none of them. Fix: add the\n"
        "field (the prospectus texts, prospectus/v2: `examples/prospectus/`)."
    )

    def check(self, ctx: FundContext) -> Iterable[Finding]:
        from ..documents.key_facts import has_data, problems

        if ctx.fund is None or not has_data(ctx.fund):
            return
        for problem in problems(ctx.fund):
            yield self.finding(ctx, problem.message, location=problem.path)


_SPECIFIC: tuple[ProblemRule, ...] = (MissingTranslation(), MinInvestorBelowRating(), ReturnAfterAsOf())
