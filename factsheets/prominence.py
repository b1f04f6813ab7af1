"""Part of the verify stage: a mandatory statement must be seen, not only be in the text.

Read back with PDFium, each statement's characters must be at least 7 pt, in a colour with
4.5:1 contrast against white, inside the page, and visibly drawn: the page is rasterised and
every glyph box must show ink against its background, so a box painted over the statement,
white text or text clipped away all fail, whatever CSS produced them.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .legibility import MIN_CONTRAST, MIN_SIZE_PT, contrast_on_white
from .verify import normalise

SCALE = 1.5  # raster scale for the ink test (108 dpi): enough for a 7 pt glyph, cheap to draw
MIN_INK = 60  # grey levels between the lightest and darkest pixel of a visible glyph box
MIN_VISIBLE = 0.9  # share of a statement's glyphs that must show ink


@dataclass(frozen=True)
class Glyph:
    page: int  # 0-based
    size: float  # effective size in points
    rgb: tuple[int, int, int]
    box: tuple[float, float, float, float]  # left, bottom, right, top in PDF points


class PdfView:
    """A PDF as PDFium reads it: the text of each page, and, on demand, the glyph of any character
    (its size, colour and box) and the pages rasterised for the ink test."""

    def __init__(self, pdf: bytes):
        self._document = pdfium.PdfDocument(pdf)
        self._textpages: dict[int, pdfium.PdfTextPage] = {}
        self._ink: dict[int, tuple[bytes, int, int, int]] = {}
        self.pages_text: list[str] = []
        self.page_sizes: list[tuple[float, float]] = []
        where: list[tuple[int, int]] = []  # (page, character index) of each character of `text`
        chars: list[str] = []
        for number in range(len(self._document)):
            page = self._document[number]
            self.page_sizes.append(page.get_size())
            textpage = self._textpages[number] = page.get_textpage()
            count = textpage.count_chars()
            text = textpage.get_text_range(0, count) if count else ""
            self.pages_text.append(text)
            index = 0  # PDFium counts UTF-16 units: a character beyond the BMP takes two indices
            for char in text:
                if normalise(char):
                    chars.append(char)
                    where.append((number, index))
                index += 2 if ord(char) > 0xFFFF else 1
        self.text = "".join(chars)  # all pages, white space removed
        self._where = where

    def close(self) -> None:
        for textpage in self._textpages.values():
            textpage.close()
        self._document.close()

    def glyph(self, position: int) -> Glyph:
        """The glyph of the character at `position` in `text`."""
        page, index = self._where[position]
        textpage = self._textpages[page]
        size = pdfium_c.FPDFText_GetFontSize(textpage.raw, index)
        matrix = pdfium_c.FS_MATRIX()
        if pdfium_c.FPDFText_GetMatrix(textpage.raw, index, ctypes.byref(matrix)):
            size *= abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
        r, g, b, a = (ctypes.c_uint() for _ in range(4))
        rgb = (r.value, g.value, b.value) if pdfium_c.FPDFText_GetFillColor(textpage.raw, index, r, g, b, a) else (0, 0, 0)
        return Glyph(page, size, rgb, textpage.get_charbox(index))

    def rects(self, page: int, first: int, last: int) -> list[tuple[float, float, float, float]]:
        """The line boxes PDFium finds for characters first..last (inclusive) of a page."""
        textpage = self._textpages[page]
        if last < first:
            return []
        return [textpage.get_rect(i) for i in range(textpage.count_rects(first, last - first + 1))]

    def overlaps_other_text(self, start: int, end: int) -> bool:
        """Whether the characters at positions start..end-1 of `text` are drawn over other text
        (text clipped to nothing, or pushed under its neighbours)."""
        pages: dict[int, list[int]] = {}
        for position in range(start, end):
            page, index = self._where[position]
            pages.setdefault(page, []).append(index)
        for page, indices in pages.items():
            first, last = min(indices), max(indices)
            count = self._textpages[page].count_chars()
            mine = self.rects(page, first, last)
            others = self.rects(page, 0, first - 1) + self.rects(page, last + 1, count - 1)
            if any(_overlap(a, b) for a in mine for b in others):
                return True
        return False

    def ink(self, page: int) -> tuple[bytes, int, int, int]:
        """The page rasterised in grey: (buffer, stride, width, height); drawn once, on first use."""
        if page not in self._ink:
            bitmap = self._document[page].render(scale=SCALE, grayscale=True)
            self._ink[page] = (bytes(bitmap.buffer), bitmap.stride, bitmap.width, bitmap.height)
        return self._ink[page]


def read_pdf(pdf: bytes) -> PdfView:
    return PdfView(pdf)


def _has_ink(view: PdfView, glyph: Glyph) -> bool:
    buffer, stride, width, height = view.ink(glyph.page)
    page_height = view.page_sizes[glyph.page][1]
    left, bottom, right, top = glyph.box
    x0, x1 = max(int(left * SCALE), 0), min(int(right * SCALE) + 1, width)
    y0, y1 = max(int((page_height - top) * SCALE), 0), min(int((page_height - bottom) * SCALE) + 1, height)
    if x0 >= x1 or y0 >= y1:
        return False
    rows = [buffer[y * stride + x0 : y * stride + x1] for y in range(y0, y1)]
    return max(map(max, rows)) - min(map(min, rows)) >= MIN_INK


def unseen(view: PdfView, statement_id: str, lang: str, spans: list[tuple[int, int]]) -> list[str]:
    """Why a statement is not prominent at any of the places it stands (`verify.place`), or nothing
    when one of them is."""
    first: list[str] = []
    for start, end in spans:
        glyphs = [view.glyph(position) for position in range(start, end)]
        problems = _problems(view, glyphs, f"statement {statement_id} in {lang}")
        if not problems and view.overlaps_other_text(start, end):
            problems = [f"statement {statement_id} in {lang} is drawn over other text (clipped or overlapped)"]
        if not problems:
            return []
        first = first or problems
    return first


def _problems(view: PdfView, glyphs: list[Glyph], what: str) -> list[str]:
    problems = []
    smallest = min(g.size for g in glyphs)
    if smallest < MIN_SIZE_PT - 0.05:
        problems.append(f"{what} is set in {smallest:.1f} pt, below {MIN_SIZE_PT:g} pt")
    faint = min(glyphs, key=lambda g: contrast_on_white(_unit(g.rgb)))
    if (ratio := contrast_on_white(_unit(faint.rgb))) < MIN_CONTRAST:
        colour = "#{:02x}{:02x}{:02x}".format(*faint.rgb)
        problems.append(f"{what} is drawn in {colour}, contrast {ratio:.1f}:1 against white, below {MIN_CONTRAST}:1")
    if any(not _inside(g, view.page_sizes[g.page]) for g in glyphs):
        problems.append(f"{what} lies partly or wholly outside the page")
    elif not problems:
        visible = sum(_has_ink(view, g) for g in glyphs) / len(glyphs)
        if visible < MIN_VISIBLE:
            problems.append(f"{what} is covered or not visibly drawn ({visible:.0%} of its characters show ink)")
    return problems


def _unit(rgb: tuple[int, int, int]) -> tuple[float, float, float]:
    return (rgb[0] / 255, rgb[1] / 255, rgb[2] / 255)


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    """Boxes (left, bottom, right, top) that share more than a quarter of the smaller one."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return False
    area = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return area > 0 and width * height > 0.25 * area


def _inside(glyph: Glyph, size: tuple[float, float]) -> bool:
    left, bottom, right, top = glyph.box
    return left >= 0 and bottom >= 0 and right <= size[0] + 0.5 and top <= size[1] + 0.5
