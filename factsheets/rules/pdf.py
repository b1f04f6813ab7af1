"""PDF: rules on a finished PDF (`factsheets verify`, `factsheets check --render`)."""

from __future__ import annotations

import re
from typing import Iterable

from ..errors import StatementProblem
from ..pdf.legibility import MIN_CONTRAST, MIN_SIZE_PT
from ..pdf.text import normalise
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


# -- index returns (PDF004) ---------------------------------------------------------------------
# What a document shows is read from the document, never from a fund file: a PDF made elsewhere may
# show no returns at all. PDFium's text keeps line breaks and spaces, so headings and table rows are
# matched line by line; labels are found in the normalised text the statements are found in.
_EN_PERIOD = r"(?:calendar[- ]year|annual|yearly|historical|past)"
_HEADING = [re.compile(p, re.I) for p in (
    # Calendar-year index returns; Index annual returns; Index performance (%)
    rf"(?:{_EN_PERIOD}\s+)?index\s+(?:{_EN_PERIOD}\s+)?(?:returns?|performance)(?:\s*\((?:%|in\s+percent)\))?:?",
    # Calendar-year returns of the CSI 300 Index
    rf"{_EN_PERIOD}\s+(?:returns?|performance)\s+of\s+(?:the\s+)?.{{1,80}}\bindex",
    # 指数历年收益率; 指數歷年回報率; 中证港股通互联网指数年度表现（%）
    r"[^，。；：,.;:]{0,40}指[数數]的?(?:(?:历年|歷年|年度|历史|歷史|过往|過往)(?:收益率?|回[报報]率?|表[现現])"
    r"|收益率|回[报報]率|表[现現])(?:（%）|\(%\))?[:：]?",
)]
_PARTS = re.compile(r"\s+[·/|]\s+")  # a bilingual heading: "Calendar-year index returns · 指数历年收益率"
_YEAR_ROW = re.compile(r"^\s*(?:19|20)\d\d\*?\s+[-+\u2212]?\d{1,4}(?:[.,]\d+)?\s*%?(?:\s|$)")
_INDEX_WORD = re.compile(r"\bindex\b|指[数數]", re.I)
# The words for returns, to tell which sentence of the approved index-data statement is its label.
_RETURN_WORDS = {"en": ("return",), "zh-CN": ("收益", "回报"), "zh-HK": ("收益", "回報")}
_SENTENCE = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])")
# Typographic quotes read as plain ones: "fund’s" is "fund's" (one character for one: positions stay).
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\uff07": "'"})


def _is_heading(line: str) -> bool:
    return any(pattern.fullmatch(part.strip()) for part in _PARTS.split(line.strip()) if part.strip()
               for pattern in _HEADING)


def index_returns_pages(pages_text: list[str], index_names: Iterable[str] = ()) -> list[int]:
    """The pages (from 1) that show index returns: a heading of index returns (a line, or one language's
    part of it, that is such a heading and nothing more), or a table of them (two or more rows of a year
    and a percentage directly under a short line naming an index: the word index, or the fund's index)."""
    names = [n for n in index_names if n]
    shown = []
    for number, text in enumerate(pages_text, 1):
        lines = [line for line in text.splitlines() if line.strip()]
        if any(_is_heading(line) for line in lines):
            shown.append(number)
            continue
        for i, line in enumerate(lines[:-2]):
            names_index = len(line) <= 80 and (_INDEX_WORD.search(line) or any(n in line for n in names))
            if names_index and all(_YEAR_ROW.match(row) for row in lines[i + 1:i + 3]):
                shown.append(number)
                break
    return shown


def index_labels(lang: str, statement_texts: dict[str, str]) -> list[str]:
    """The wordings that label index returns as index data in `lang`: each sentence of the approved
    `index-data` statement that has no placeholder and speaks of returns ("Index returns are not the
    fund's returns.", "指数收益不代表基金收益。"), and the caption of factsheets' own template."""
    from ..documents.localise import Localiser, MissingLabel

    labels = []
    text = statement_texts.get(lang, "")
    for sentence in _SENTENCE.split(text):
        sentence = sentence.strip()
        if sentence and "{" not in sentence and any(word in sentence.lower() for word in _RETURN_WORDS.get(lang, ())):
            labels.append(sentence)
    try:
        labels.append(Localiser(lang)._("Index data, not the fund's returns; in percent"))
    except MissingLabel:  # a catalogue without the caption: the approved wording only
        pass
    return list(dict.fromkeys(labels))


@register
class IndexReturnsUnlabelled(Rule):
    code = "PDF004"
    name = "index-returns-unlabelled"
    scope = "pdf"
    message = "index returns are shown without the label that they are index data"
    explanation = (
        "A document may show an index's returns only labelled as index data, not the fund's returns, in every\n"
        "language of the document, on the page that shows them. Whether a document shows index returns is read\n"
        "from the document itself (never from the fund file: a PDF made elsewhere may show no returns at all):\n"
        "a heading of index returns on a line of its own, or one language's part of it ('Calendar-year index\n"
        "returns', 'Index annual returns', 'Calendar-year returns of the CSI 300 Index', 指数历年收益率,\n"
        "指數歷年回報率), or a table of them (two or more rows of a year and a percentage directly under a short\n"
        "line naming an index: 'Index', 指数, or with `--fund` the fund's index). A document that shows none\n"
        "needs no label. The label is any sentence of the approved `index-data` statement that speaks of\n"
        "returns, in the library's words ('Index returns are not the fund's returns.', 指数收益不代表基金收益。),\n"
        "or factsheets' own caption ('Index data, not the fund's returns; in percent'); it must stand apart\n"
        "from the statements: the index-data statement in the disclaimer does not label the figures.\n"
        "Fix: restore the caption of the returns section in the template, or label the figures in the source."
    )

    def check(self, ctx: PdfContext) -> Iterable[Finding]:
        if not ctx.pages_text:
            return
        names = [ctx.fund.index.name.get(lang) for lang in ("en", "zh-CN", "zh-HK")] \
            if ctx.fund is not None and ctx.fund.index is not None else []
        pages = index_returns_pages(ctx.pages_text, names)
        if not pages:
            return
        from ..documents.disclosures import library
        from ..pdf.inspection import statement_pattern

        texts = ctx.inspection.text.translate(_QUOTES)
        statement = next((s for s in library(ctx.fund.jurisdiction if ctx.fund else "CN").statements if s.id == "index-data"), None)
        approved = statement.texts if statement is not None else {}
        # Where statements stand (the expected ones, and index-data itself even when not expected, its
        # placeholders open): a label inside them labels nothing.
        taken = [span for spans in ctx.found.values() for span in spans]
        taken += [m.span() for text in approved.values() for m in statement_pattern(text).finditer(texts)]
        char_pages = ctx.inspection.char_pages

        def labelled(label: str) -> bool:
            needle = normalise(label).translate(_QUOTES)
            start = texts.find(needle) if needle else -1
            while start >= 0:
                end = start + len(needle)
                if all(end <= a or start >= b for a, b in taken) and char_pages[start] in pages:
                    return True
                start = texts.find(needle, start + 1)
            return False

        for lang in ctx.langs:
            labels = index_labels(lang, approved)
            if not any(labelled(label) for label in labels):
                yield self.finding(
                    ctx, f"index returns are shown on page {pages[0]} without a label that they are index data in {lang} "
                         f"(the approved wording {labels[0]!r} or the caption, apart from the statements)"
                    if labels else f"index returns are shown on page {pages[0]} and no {lang} label is approved",
                    lang=lang, location=f"page {pages[0]}")


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
