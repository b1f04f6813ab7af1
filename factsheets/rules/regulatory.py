"""RT: a key facts document or KID against its regulator's template (`regulatory_templates/`: the SFC's Product
Key Facts Statement, the CSRC's 基金产品资料概要, the PRIIPs KID), as `pdf.conformance` reads it in the finished
PDF. The build refuses a document that fails any of them, naming the section and the row; `check --render` and
`verify` report them."""

from __future__ import annotations

from typing import ClassVar, Iterable

from ..documents.regulatory import template_for
from ..documents.types import KID
from ..pdf.conformance import Nonconformity, departures
from ..pdf.inspection import locate
from .base import REGISTRY, Finding, PdfContext, Rule, register

WHAT = (
    "A key facts document or KID is read against the template of its regulator (factsheets/regulatory_templates/,\n"
    "the approved spec/templates/ byte for byte): hk-kfs for a Hong Kong fund's Product Key Facts Statement,\n"
    "cn-kfs for a mainland fund's 基金产品资料概要, eu-kid for a PRIIPs KID. "
)


def nonconformities(ctx: PdfContext) -> list[Nonconformity]:
    """What the PDF lacks or has wrong against its template, read once per PDF for every RT rule; nothing for a
    document no regulator templates (a factsheet) or one in several languages."""
    if "conformance" not in ctx.extra:
        ctx.extra["conformance"] = _read(ctx)
    return ctx.extra["conformance"]


def _read(ctx: PdfContext) -> list[Nonconformity]:
    if ctx.opened is None or not ctx.library:
        return []
    decoys = ctx.fund.free_texts(ctx.langs) if ctx.fund is not None else []
    return departures(ctx.opened, template_for(ctx.document, ctx.library), tuple(ctx.langs), ctx.fund,
                      lambda text: locate(text, ctx.expected, decoys))


class TemplateRule(Rule):
    scope = "pdf"
    kinds: ClassVar[tuple[str, ...]]

    def check(self, ctx: PdfContext) -> Iterable[Finding]:
        for problem in nonconformities(ctx):
            if problem.kind in self.kinds:
                yield self.finding(ctx, _message(problem), location=problem.location, lang=ctx.langs[0])


def _message(problem: Nonconformity) -> str:
    return f"{problem.template}: {problem.where}: {problem.message}"


def finding_of(problem: Nonconformity, file: str, fund: str, target: object) -> Finding:
    """A document the build refused for departing from its template, as the finding `check --render` reports."""
    rule = next(r for r in REGISTRY.values() if isinstance(r, TemplateRule) and problem.kind in r.kinds)
    return Finding(rule.code, rule.name, rule.severity, f"{target}: {_message(problem)}", file, fund, None, problem.location)


@register
class SectionMissing(TemplateRule):
    code = "RT001"
    name = "template-section-missing"
    kinds = ("section-missing",)
    message = "a section (or subsection, or the title) of the regulator's template is missing from the document"
    explanation = WHAT + (
        "Each of its sections, and each\n"
        "subsection, must stand with its heading in the document's language (the template's own wording or one it\n"
        "accepts, `accepted_headings`), as a line of its own; the header (the part before the first section) must\n"
        "carry the template's title. The finding names the section and the headings looked for.\n"
        "Fix: restore the section in the template (templates/kfs-hk.html.j2, kfs-cn.html.j2, kid.html.j2) or the\n"
        "house's override of it, with the template's heading."
    )


@register
class SectionOutOfOrder(TemplateRule):
    code = "RT002"
    name = "template-section-out-of-order"
    kinds = ("section-order",)
    message = "a section of the regulator's template stands out of the template's order"
    explanation = WHAT + (
        "Its sections (and the subsections of\n"
        "each) must follow one another in the template's order: a reader, and the regulator, look for them there.\n"
        "The finding names the section that stands too early. Fix: move it back in the document's template."
    )


@register
class RowMissing(TemplateRule):
    code = "RT003"
    name = "template-row-missing"
    kinds = ("row-missing",)
    message = "a row (labelled field) of the regulator's template is missing from its section"
    explanation = WHAT + (
        "Each row it lists in a section must\n"
        "stand in that section under one of its accepted labels (`labels`), a row with a `when` only for a fund that\n"
        "meets it (checked with the fund file: `verify --fund`, `check --render`, the build). A fee the fund does\n"
        "not charge is a row with 0 or N/A, never a row left out. Fix: restore the row, labelled as the template\n"
        "says; when the fund file lacks its value, FD009 (key facts) or KD004 (KID) names the field."
    )


@register
class RowEmpty(TemplateRule):
    code = "RT004"
    name = "template-row-empty"
    kinds = ("row-empty",)
    message = "a row of the regulator's template shows no value (or none for one of the fund's classes)"
    explanation = WHAT + (
        "A row must show a value beside its label\n"
        "(or under it, for a label over its text); a dash is no value: a fee not charged is 0, N/A, 不适用 or\n"
        "不收取. A per-class row (`per: class`) must give every share class its value: a row per class, a column\n"
        "per class with a value in each, or one value for all. Fix: the fund file's value (FD009 names a missing\n"
        "field), or the template that leaves the cell blank."
    )


@register
class RowLabelNotAccepted(TemplateRule):
    code = "RT005"
    name = "template-row-label"
    kinds = ("row-label",)
    message = "a row of a template section carries a label the template does not accept"
    explanation = WHAT + (
        "In the table of a section's rows, a row\n"
        "labelled otherwise than the template accepts (基金名称 where the template has 基金简称, 交易频率 for 运作方式\n"
        "and 开放频率) is not the template's row, whatever it shows: the row it stands for is then missing too.\n"
        "Rows are told by their place (the labels' column) and their font (the labels'), so that column headings\n"
        "and notes are not taken for rows. Fix: label the row with one of the template's labels, or leave it out."
    )


@register
class StatementOutsideSection(TemplateRule):
    code = "RT006"
    name = "template-statement-misplaced"
    kinds = ("statement-misplaced",)
    message = "a statement the template places in a section stands elsewhere in the document"
    explanation = WHAT + (
        "It names the statements of the approved\n"
        "library each section carries (hk-kfs-important under \"Important\", cn-kfs-registration under （二）重要提示,\n"
        "no-minimum-return under the KID's risks and scenarios): each must stand between its section's heading and\n"
        "the next section's. A statement missing altogether is PDF001's. Fix: move it back in the document's template."
    )


@register
class PageLimit(TemplateRule):
    code = "RT007"
    name = "template-page-limit"
    kinds = ("pages",)
    message = "a key facts document runs over its template's page limit"
    explanation = WHAT + (
        "Its `max_pages` is the most a filed\n"
        "document may have: four A4 pages for the SFC's and the CSRC's key facts (a KID's three are KD001's, which\n"
        "names the first words past its limit). The build refuses a longer document. Fix: shorten the fund's texts\n"
        "or tighten the template."
    )

    def check(self, ctx: PdfContext) -> Iterable[Finding]:
        if ctx.document != KID.name:
            yield from super().check(ctx)
