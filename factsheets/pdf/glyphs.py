"""What each character of a PDF draws, as a PDF reader must interpret it: the structural font check.

Text extraction proves that a statement's characters are *in* a PDF (its ToUnicode maps say so);
it does not prove that a reader draws them. Some readers (Poppler, PDFium) forgive a font whose
glyph lookup is wrong, others (MuPDF, Ghostscript) follow the specification and draw nothing, or
the wrong glyph. So no single engine is the judge: every code shown in the PDF is followed here
through the font as ISO 32000-2 (9.6, 9.7) says a reader must, to the glyph it selects, and that
glyph must exist and have outlines:

- Type0 fonts: code -> CID by the /Encoding CMap (Identity-H/V, or an embedded CMap); then
  CIDFontType0 (CFF): CID -> glyph through the CFF charset when the CFF is CID-keyed, else the
  CID is the glyph id; CIDFontType2 (TrueType): CID -> glyph id through /CIDToGIDMap.
- Simple fonts: code -> glyph through the embedded font's cmap (TrueType) or the glyph name of
  the /Encoding (Type1, Type1C); Type3: the /CharProcs entry of the glyph name.
- A font that is not embedded is drawn with the reader's own font and cannot be judged here: its
  characters count as drawn (PDF/A, and every document this project writes, embeds every font).

Glyph 0 (.notdef), a CID the font does not have, and a glyph without outlines for a character
that is not white space are findings, and so is a glyph other than the one the font's own cmap
gives for the character the text says it is (the digit 1 drawn as an L). The font programs are read
with fontTools, the content streams and CMaps with pikepdf (qpdf), predefined CMaps with pdfminer's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .document import PdfFile, opened
from .embedded_fonts import Font
from .text import normalise, place

Span = tuple[int, int]


@dataclass(frozen=True)
class Drawn:
    """One code shown by a text operator."""

    text: str  # what the ToUnicode map (or the encoding) says it is; "" when unknown
    page: int  # 1-based
    font: str  # the font's /BaseFont
    code: int
    problem: str | None = None  # why no reader can be trusted to draw it; None when it draws a glyph with outlines


@dataclass(frozen=True)
class Undrawn:
    """A mandatory statement some of whose characters no reader can be trusted to draw."""

    id: str
    lang: str
    page: int
    message: str


# -- content streams -----------------------------------------------------------------------------

_SHOW = {"Tj", "TJ", "'", '"'}


def drawn(pdf: bytes | PdfFile) -> list[Drawn]:
    """Every code shown in the PDF's content streams, in order, with what it draws."""
    import pikepdf

    result: list[Drawn] = []
    fonts: dict[tuple[int, int], Font] = {}

    def font_of(obj) -> Font:
        key = obj.objgen if obj.is_indirect else (id(obj), -1)
        if key not in fonts:
            fonts[key] = Font(obj)
        return fonts[key]

    def walk(stream_owner, resources, page: int, depth: int) -> None:
        if depth > 8:
            return
        font_resources = resources.get("/Font") if resources is not None else None
        xobjects = resources.get("/XObject") if resources is not None else None
        stack: list[Font | None] = []
        current: Font | None = None
        for operands, operator in pikepdf.parse_content_stream(stream_owner, "Tf Tj TJ ' \" q Q Do"):
            op = str(operator)
            if op == "q":
                stack.append(current)
            elif op == "Q":
                current = stack.pop() if stack else current
            elif op == "Tf":
                name = operands[0]
                obj = font_resources.get(name) if font_resources is not None else None
                current = font_of(obj) if obj is not None else None
            elif op in _SHOW and current is not None:
                strings = operands[0] if op == "TJ" else operands[-1]
                items = strings if op == "TJ" else [strings]
                for item in items:
                    if isinstance(item, pikepdf.String):
                        for code in current.codes(bytes(item)):
                            text, problem = current.shown(code)
                            result.append(Drawn(text, page, current.base, code, problem))
            elif op == "Do" and xobjects is not None:
                xobject = xobjects.get(operands[0])
                if xobject is not None and str(xobject.get("/Subtype")) == "/Form":
                    walk(xobject, xobject.get("/Resources", resources), page, depth + 1)

    with opened(pdf) as file:
        for number, page in enumerate(file.pikepdf.pages, 1):
            walk(page.obj, page.obj.get("/Resources"), number, 0)
    return result


@dataclass
class Reading:
    """A PDF's shown codes, and their text with white space removed (`verify.normalise`), each
    character knowing the code that shows it."""

    codes: list[Drawn]
    text: str
    owners: list[Drawn]

    def undrawn(self, placed: dict[tuple[str, str], list[Span]], wordings: dict[tuple[str, str], str]) -> list[Undrawn]:
        """The statements (id, language) -> wording placed in `text` at `placed` that show a character
        no reader can be trusted to draw. Every occurrence is checked: a broken copy is a broken copy.
        A statement the content streams do not spell out in order is judged by its characters: each
        must be drawn somewhere by a code that draws it."""
        good = {c for item in self.codes if item.problem is None for c in item.text}
        present = set(self.text)
        found: list[Undrawn] = []
        for (sid, lang), wording in wordings.items():
            bad = None
            for start, end in placed.get((sid, lang)) or []:
                if (bad := next((self.owners[i] for i in range(start, end) if self.owners[i].problem), None)) is not None:
                    break
            if not placed.get((sid, lang)):
                missing = {c for c in normalise(wording) if c not in good} & present
                bad = next((item for item in self.codes if item.problem and any(c in item.text for c in missing)), None)
            if bad is not None:
                found.append(Undrawn(sid, lang, bad.page, _message(sid, lang, bad)))
        return found


def read(pdf: bytes | PdfFile) -> Reading:
    """The PDF's shown codes and their text, read once per `PdfFile`."""
    if isinstance(pdf, PdfFile):
        if "glyphs" not in pdf.cache:
            pdf.cache["glyphs"] = _read(pdf)
        return pdf.cache["glyphs"]  # type: ignore[return-value]
    return _read(pdf)


def _read(pdf: bytes | PdfFile) -> Reading:
    codes = drawn(pdf)
    owners: list[Drawn] = []
    text: list[str] = []
    for item in codes:
        for char in normalise(item.text):
            owners.append(item)
            text.append(char)
    return Reading(codes, "".join(text), owners)


def undrawn(pdf: bytes | PdfFile, statements, decoys: Iterable[str] = ()) -> list[Undrawn]:
    """The mandatory statements (objects with `id` and `texts`: language -> exact text) that the PDF
    shows with a character no reader can be trusted to draw, placed as `verify.place` places them
    (each on its own, the fund's prose claimed first)."""
    reading = read(pdf)
    placed = place(reading.text, statements, decoys)
    return reading.undrawn(placed, {(s.id, lang): text for s in statements for lang, text in s.texts.items()})


def _message(statement_id: str, lang: str, bad: Drawn) -> str:
    shown = f"{bad.text!r} " if bad.text.strip() else ""
    return (f"statement {statement_id} in {lang} is not drawable in every PDF reader: its character {shown}"
            f"on page {bad.page}: {bad.problem}")


def problems(pdf: bytes | PdfFile) -> list[Drawn]:
    """Every code whose glyph no reader can be trusted to draw (for PDF/A checks and reports)."""
    return [item for item in drawn(pdf) if item.problem]
