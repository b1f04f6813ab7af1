"""PDF: rules on a finished PDF (`factsheets verify`, `factsheets check --render`)."""

from __future__ import annotations

from typing import Iterable

from ..errors import StatementProblem
from ..legibility import MIN_CONTRAST, MIN_SIZE_PT
from ..verify import normalise
from .base import Finding, PdfContext, Rule, register


@register
class StatementMissing(Rule):
    code = "PDF001"
    name = "statement-missing"
    scope = "pdf"
    message = "a mandatory statement is missing from the PDF in one of its languages"
    explanation = (
        "The text of the PDF is extracted and each mandatory statement is looked for, word for word, in each\n"
        "language the document is in (`--lang`, else its /Lang and the scripts of its text, else the fund's\n"
        "languages), ignoring white space and line breaks. A statement must stand on its own: text that is part\n"
        "of a longer statement (zh-CN no-guarantee inside money-market-not-deposit) or of the fund's own prose\n"
        "(commentary, risk notes) does not count. Without `--fund`, the statements that apply to every fund are\n"
        "required, their placeholders (risk rating, investor class) matching any short text; with `--fund`, every\n"
        "statement that applies to that fund, filled exactly. Fix: restore the statement in the template or document."
    )

    def check(self, ctx: PdfContext) -> Iterable[Finding]:
        why = " (the PDF's languages cannot be told: the fund's are required)" if ctx.langs_guessed else ""
        for expected in ctx.expected:
            if not ctx.found.get((expected.id, expected.lang)):
                yield self.finding(ctx, f"statement {expected.id} (version {expected.version}) is missing in {expected.lang}{why}",
                                   lang=expected.lang, location=f"statement {expected.id}")


@register
class StatementNotProminent(Rule):
    code = "PDF002"
    name = "statement-not-prominent"
    scope = "pdf"
    message = (f"a mandatory statement is set smaller than {MIN_SIZE_PT:g} pt, with contrast below {MIN_CONTRAST}:1, "
               "outside the page, covered, or drawn over other text")
    explanation = (
        "A statement a reader cannot read is not disclosed. The PDF is judged by the build's own judge\n"
        f"(`factsheets.legibility`), on PDFium's reading of it: every character of a mandatory statement must be\n"
        f"at least {MIN_SIZE_PT:g} pt as drawn (font size and every transform: text squashed to 40 % of its height is\n"
        "40 % of its size), inside the page, and show ink: the page is rasterised with and without its text, and\n"
        "each character must change what the page shows (a box painted over one word fails). Where it shows,\n"
        f"the contrast between the drawn pixels and what lies behind them must be at least {MIN_CONTRAST}:1 (WCAG 2),\n"
        "opacity, blend modes, soft masks and backgrounds included. It must not be drawn over other text.\n"
        "When a statement stands more than once, one occurrence that passes suffices.\n"
        "Fix: the style that shrinks, fades, covers or moves it (`.statements p` in styles/factsheet.css)."
    )

    def check(self, ctx: PdfContext) -> Iterable[Finding]:
        problems: dict[tuple[str, str], list[StatementProblem]] = {}
        for problem in ctx.judged:
            if problem.kind != "undrawable":
                problems.setdefault((problem.id, problem.lang), []).append(problem)
        for expected in ctx.expected:
            key = (expected.id, expected.lang)
            if not ctx.found.get(key) or not (found := problems.get(key)):
                continue  # missing (PDF001), or seen
            if found[0].kind == "missing":  # pdfplumber reads it, PDFium does not: it cannot be judged
                message = (f"statement {expected.id} in {expected.lang} cannot be judged: PDFium does not read it "
                           "where pdfplumber does (text drawn out of order, or split by other text)")
                yield self.finding(ctx, message, lang=expected.lang, location=f"statement {expected.id}")
                continue
            yield self.finding(ctx, "; ".join(p.message for p in found), lang=expected.lang, location=f"page {found[0].page}")


@register
class TextNotExtractable(Rule):
    code = "PDF003"
    name = "text-not-extractable"
    scope = "pdf"
    message = "text cannot be extracted from the PDF, or glyphs map to no character"
    explanation = (
        "A statement that is an image, outlined text, or a font without a character map cannot be verified,\n"
        "searched, copied or read aloud. A page with no extractable text and glyphs that map to no Unicode\n"
        "character are findings. Fix: export with real text and embedded fonts with ToUnicode maps\n"
        "(in Word: do not 'save as image'; in LibreOffice/Typst the default PDF export is fine)."
    )

    def check(self, ctx: PdfContext) -> Iterable[Finding]:
        ins = ctx.inspection
        if not ins.text:
            yield self.finding(ctx, "no text can be extracted from the PDF (scanned, or text drawn as outlines?)",
                               location="page 1")
            return
        for page in ins.textless_pages:
            yield self.finding(ctx, f"page {page} has no extractable text", location=f"page {page}")
        for page, count in sorted(ins.unmapped.items()):
            yield self.finding(ctx, f"{count} glyph(s) on page {page} map to no character", location=f"page {page}")


@register
class IndexReturnsUnlabelled(Rule):
    code = "PDF004"
    name = "index-returns-unlabelled"
    scope = "pdf"
    message = "index returns are shown without the label that they are index data"
    explanation = (
        "A fund without performance of its own may show its index's calendar-year returns, but only labelled\n"
        "as index data, not the fund's returns, in every language of the document (the caption 'Index data,\n"
        "not the fund's returns'). Checked with `--fund` and by `check --render`.\n"
        "Fix: restore the caption of the returns section in the template."
    )

    def check(self, ctx: PdfContext) -> Iterable[Finding]:
        if not ctx.shows_index_returns:
            return
        from ..localise import Localiser

        for lang in ctx.langs:
            label = Localiser(lang)._("Index data, not the fund's returns; in percent")
            if normalise(label) not in ctx.inspection.text:
                yield self.finding(ctx, f"index returns are not labelled as index data in {lang} ({label!r} is missing)",
                                   lang=lang, location="index.annual_returns")


@register
class WrongFund(Rule):
    code = "PDF005"
    name = "wrong-fund"
    scope = "pdf"
    message = "the PDF is not the factsheet of the fund given with --fund"
    explanation = (
        "With `--fund FILE`, the PDF must name that fund: its code and its name in at least one of its languages.\n"
        "A PDF of another fund (a copy-paste slip, a misnamed file) is a finding."
    )

    def check(self, ctx: PdfContext) -> Iterable[Finding]:
        fund = ctx.fund
        if fund is None:
            return
        text = ctx.inspection.text
        names = [fund.fund.name.get(lang) for lang in ("en", "zh-CN", "zh-HK")]
        if fund.code not in text or not any(name and normalise(name) in text for name in names):
            yield self.finding(ctx, f"the PDF does not name fund {fund.code} ({fund.fund.name.en}): a PDF of another fund?")


@register
class LanguageUnknown(Rule):
    code = "PDF007"
    name = "language-unknown"
    scope = "pdf"
    message = "the languages of the PDF cannot be told, so its statements cannot be checked"
    explanation = (
        "The statements required depend on the languages of the document: `--lang`, else its /Lang, else the\n"
        "scripts of its text (200 Latin letters for English, 20 Han characters for Chinese). A PDF with none of\n"
        "these is not passed unchecked. Fix: give `--lang en,zh-CN` (or `--fund`, whose languages are then\n"
        "required), or set the document's language (/Lang) when exporting it."
    )

    def check(self, ctx: PdfContext) -> Iterable[Finding]:
        if not ctx.langs and ctx.inspection.text:  # no text at all is PDF003
            yield self.finding(ctx, "cannot tell the document's languages (no /Lang and too little text); "
                                    "give --lang (or --fund) to check its statements")


@register
class StatementNotDrawable(Rule):
    code = "PDF008"
    name = "statement-not-drawable"
    scope = "pdf"
    message = "a mandatory statement uses a character that a PDF reader following the specification does not draw"
    explanation = (
        "A statement must be drawn by every PDF reader, not only by the one that forgives the most. Each code\n"
        "shown inside a mandatory statement is followed through its font as ISO 32000-2 says a reader must: the\n"
        "/Encoding CMap to a CID, then the CFF charset (CIDFontType0), the /CIDToGIDMap (CIDFontType2) or the\n"
        "encoding (simple fonts) to a glyph, which must exist, have outlines, and be the font's own glyph for the\n"
        "character the text says it is. A font subset whose charset kept its original CIDs passes Poppler and\n"
        "PDFium but is blank in MuPDF and boxes in Ghostscript: that is this finding.\n"
        "Fix: embed the font so that CIDs and glyph ids agree (factsheets does); re-export from the source."
    )

    def check(self, ctx: PdfContext) -> Iterable[Finding]:
        for problem in ctx.judged:
            if problem.kind == "undrawable":
                yield self.finding(ctx, problem.message, lang=problem.lang, location=f"statement {problem.id}")


@register
class RenderFailed(Rule):
    code = "PDF006"
    name = "render-failed"
    scope = "render"
    message = "the fund cannot be rendered through the current templates and styles"
    explanation = (
        "`check --render` renders each fund in memory through the current templates and styles. A template\n"
        "error, a label missing from a catalogue or a character no font can draw stops the build, and is a\n"
        "finding here. Fix: the template, catalogue or text named in the message."
    )
