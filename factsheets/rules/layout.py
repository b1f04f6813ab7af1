"""LY: layout rules on a finished PDF, as a designer would reject a page: past the margins or near the paper's
edge, text over text, a last page barely used, headings, tables and charts cut from what they belong to, text
too small. The build (`build.pipeline`), `check --render` and `verify` run them alike, on the pages read once
(`pdf.pages`); the measures are `pdf.layout`'s.

The build refuses a document on these rules when its type says so (`documents.types.DocumentType.layout_rules`);
on the other types the errors are reported as warnings, which `check --render` and `verify` show and which fail
nothing.
"""

from __future__ import annotations

from typing import Iterable

from ..documents.types import document_type
from ..fund.model import FundFile
from ..pdf import layout as measures
from ..pdf.document import PdfFile, opened
from ..pdf.layout import EDGE_MM, LAST_PAGE_MIN_FILL, LONELY_LINES, MIN_BODY_PT, MIN_GAP_EM, MIN_TEXT_PT, Spot
from ..pdf.pages import read_pages
from .base import REGISTRY, Finding, LayoutContext, Rule, register


class _LayoutRule(Rule):
    scope = "layout"

    def spots(self, ctx: LayoutContext) -> list[Spot]:  # pragma: no cover - overridden
        return []

    def check(self, ctx: LayoutContext) -> Iterable[Finding]:
        for spot in self.spots(ctx):
            yield self.finding(ctx, spot.message, location=f"page {spot.page}")


@register
class OutsideMarginBox(_LayoutRule):
    code = "LY001"
    name = "outside-margin-box"
    message = "text or a drawing stands outside the page's margin box"
    explanation = (
        "Every table, chart, rule and line of text stands inside the page's margin box, the box its style sets\n"
        "inside the page's margins (which factsheets writes as each page's /ArtBox). A table wider than its\n"
        "column runs into the margin, and a printer trims what stands there. The running footer stands in the\n"
        "band under the box, within its width. Measured on the glyphs' and drawings' boxes as PDFium reads them,\n"
        "with 1 pt of slack for a border's half width. A PDF that declares no margin box is measured against the\n"
        "paper's edge only (LY002). Fix: the style that makes a table, chart or column wider than its box\n"
        "(styles/factsheet.css: widths that add up to more than 100 %, padding outside a fixed width)."
    )

    def spots(self, ctx: LayoutContext) -> list[Spot]:
        return measures.outside_margins(ctx.layout)


@register
class NearPaperEdge(_LayoutRule):
    code = "LY002"
    name = "near-paper-edge"
    message = f"text stands within {EDGE_MM:g} mm of the paper's edge"
    explanation = (
        f"No character, the running footer's included, stands within {EDGE_MM:g} mm of the paper's edge: a printer's\n"
        "trim varies by a millimetre or two, a binder punches holes, and a reader's thumb holds the page there.\n"
        "Measured on each glyph's box as PDFium reads it. Fix: the page's margins, or the running footer's\n"
        "place in the bottom margin (`@page` and `@bottom-left` in styles/factsheet.css)."
    )

    def spots(self, ctx: LayoutContext) -> list[Spot]:
        return measures.near_edge(ctx.layout)


@register
class TextCollision(_LayoutRule):
    code = "LY003"
    name = "text-collision"
    message = "text is drawn over other text, or runs into its neighbour"
    explanation = (
        "No character is drawn over a character of another line or label (a quarter of the smaller one's box\n"
        "shared), and the text of two blocks on one line (two table cells, a label and its value) stands at\n"
        f"least {MIN_GAP_EM:g} em apart (of the smaller text): closer, a reader takes them for one phrase, as\n"
        "'Since inception inception' in a table header whose cells touch. Blocks are read from the PDF's\n"
        "structure tags (cells, paragraphs, headings); an untagged PDF is checked for overlaps only. Fix: the\n"
        "columns' widths and padding, a shorter label, or a chart's label placement."
    )

    def spots(self, ctx: LayoutContext) -> list[Spot]:
        return measures.collisions(ctx.layout)


@register
class LastPageUnderfilled(_LayoutRule):
    code = "LY004"
    name = "last-page-underfilled"
    message = "the last page of a document of several pages is less than a quarter used"
    explanation = (
        f"A document of more than one page uses at least {LAST_PAGE_MIN_FILL:.0%} of its last page's body (from the\n"
        "top of the margin box down to its lowest text or drawing): a reader turns the page for a few lines, and a\n"
        "printer bills the sheet. A project may lower the bar with a reason in factsheets.toml\n"
        "(`[layout] last_page_min_fill = 0.15`, `reason = \"...\"`). Fix: the layout's tighter or rebalanced forms,\n"
        "which the build tries before it gives up (`render.fit`), or a template that fits the document on one page\n"
        "fewer."
    )

    def spots(self, ctx: LayoutContext) -> list[Spot]:
        found = measures.last_page(ctx.layout)
        if found is None:
            return []
        page, used, _ = found
        if used >= ctx.last_page_min_fill:
            return []
        return [Spot(page, f"page {page}, the last, is {used:.0%} used, under the {ctx.last_page_min_fill:.0%} required")]


@register
class LastPageFewLines(_LayoutRule):
    code = "LY005"
    name = "last-page-few-lines"
    severity = "warning"
    message = f"the last page holds only {LONELY_LINES} lines or fewer"
    explanation = (
        f"A last page that holds {LONELY_LINES} lines of text or fewer (a source line, a footnote) is a page turned\n"
        "for nothing, whatever share of it they take. A warning: the build reports it, and fails the document\n"
        "with `--strict-layout`. Fix: as for LY004."
    )

    def spots(self, ctx: LayoutContext) -> list[Spot]:
        found = measures.last_page(ctx.layout)
        if found is None or len(found[2]) > LONELY_LINES:
            return []
        page, _, lines = found
        words = " ".join(" ".join(r.text.split()) for r in lines)[:60]
        return [Spot(page, f"the last page (page {page}) holds only {len(lines)} line{'s' * (len(lines) != 1)} ({words!r}): "
                           "tighten the layout so that it fits the page before")]


@register
class HeadingStranded(_LayoutRule):
    code = "LY006"
    name = "heading-stranded"
    message = "a heading or a table's header ends a page without the first rows it introduces"
    explanation = (
        "A heading, a table's title or its header row stands at the foot of a page with nothing of what it\n"
        "introduces after it on that page: the reader meets the title on one page and the rows on the next. Read\n"
        "from the PDF's structure tags: a heading (H1 to H6) that is the last thing of its section on its page,\n"
        "a table's header row or caption with none of its rows on its page. Fix: `break-after: avoid` on the\n"
        "heading, `break-inside: avoid` on a short table, or the layout's rebalanced forms."
    )

    def spots(self, ctx: LayoutContext) -> list[Spot]:
        return measures.stranded(ctx.layout)


@register
class TableHeaderNotRepeated(_LayoutRule):
    code = "LY007"
    name = "table-header-not-repeated"
    message = "a table split across pages does not repeat its header row"
    explanation = (
        "A table that runs onto another page names its columns again there: its header row is repeated at the top\n"
        "of the part on the next page. Read from the PDF's structure tags and boxes: a part of a table at the top of\n"
        "a page, without a header row, after a part with one and as many columns at the end of the page before.\n"
        "Fix: `thead { display: table-header-group; }` (styles/factsheet.css), and a <thead> in the template."
    )

    def spots(self, ctx: LayoutContext) -> list[Spot]:
        return measures.unrepeated_headers(ctx.layout)


@register
class ChartSeparated(_LayoutRule):
    code = "LY008"
    name = "chart-separated"
    message = "a chart stands on another page than its title or caption"
    explanation = (
        "A chart is read with its title and its legend: they stand on one page. The legend is drawn inside the\n"
        "chart; its title is the heading or caption just before it, its caption the one beside it in the PDF's\n"
        "structure tags. Fix: `break-inside: avoid` on the figure and `break-after: avoid` on its title."
    )

    def spots(self, ctx: LayoutContext) -> list[Spot]:
        return measures.separated_charts(ctx.layout)


@register
class TextTooSmall(_LayoutRule):
    code = "LY009"
    name = "text-too-small"
    message = f"text, chart labels included, is set under {MIN_TEXT_PT:g} pt"
    explanation = (
        f"No text is set under {MIN_TEXT_PT:g} pt as drawn (font size and every transform, a chart scaled into its\n"
        "column included): a chart's bar and axis labels are read as closely as the table beside it. Mandatory\n"
        "statements are held to more (PDF002). Fix: the chart's size or its labels (documents/chart.py), or the\n"
        "style that shrinks the text."
    )

    def spots(self, ctx: LayoutContext) -> list[Spot]:
        return measures.small_text(ctx.layout, MIN_TEXT_PT, body_only=False)


@register
class BodyTextTooSmall(_LayoutRule):
    code = "LY010"
    name = "body-text-too-small"
    message = f"body text (outside charts) is set under {MIN_BODY_PT:g} pt"
    explanation = (
        f"Text outside charts, the tables, notes and the running footer included, is set at {MIN_BODY_PT:g} pt or more as\n"
        "drawn. Fix: the style that sets it smaller (styles/factsheet.css)."
    )

    def spots(self, ctx: LayoutContext) -> list[Spot]:
        return measures.small_text(ctx.layout, MIN_BODY_PT, body_only=True)


def layout_findings(pdf: bytes | PdfFile, file: str, document: str = "factsheet", fund: FundFile | None = None,
                    last_page_min_fill: float = LAST_PAGE_MIN_FILL) -> list[Finding]:
    """Every layout rule on one PDF. On a document type the build does not refuse on its layout
    (`DocumentType.layout_rules`), the errors are reported as warnings, saying so."""
    with opened(pdf) as file_:
        ctx = LayoutContext(file, read_pages(file_), document, last_page_min_fill, fund)
        findings = [f for code, rule in sorted(REGISTRY.items()) if rule.scope == "layout" for f in rule.check(ctx)]
    dtype = document_type(document)
    if not dtype.layout_rules:
        for finding in findings:
            if finding.severity == "error":
                finding.severity = "warning"
                finding.message += " (reported only: the build does not yet refuse a document of this type on its layout)"
    return findings
