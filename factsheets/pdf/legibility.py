"""What "legible" means, in one place: the one judge of whether a mandatory statement can be seen.

The build (`pipeline.render_document`), `check --render` and `verify` (PDF002, PDF008) all ask
`judge`, so that the build never writes what its own `verify` refuses. Given a PDF and a way to
place the statements in a text (`verify.place`, or `pdfcheck.locate` for statements with open
placeholders), it reads the PDF with PDFium and returns, per statement and language, why it
cannot be seen. Each check has its own domain, so that each trick is caught by the check meant
for it:

- size: every character is at least 7 pt *as drawn*: its font size times the smaller side of the
  em square after the text matrix and every transform (the height across the baseline, the width
  along it), so `transform: scaleY(0.4)` on 12 pt text is 4.8 pt;
- on the page: every character's glyph box lies inside the visible page (the crop box);
- ink: every character that is on the page shows ink. The page is rasterised twice, text without
  anti-aliasing, as drawn and with every text object made invisible; the pixels that differ are
  the ink of the text. A character none of whose pixels differ is covered, painted over, drawn in
  the colour behind it, clipped or blended away. Every character must show ink: a statement
  with one hidden word is not the approved statement. Only a glyph with no outline (white
  space, whose box is empty) is exempt;
- contrast: where a character shows ink, the WCAG 2 contrast between what the page shows there
  and what lies behind it (the same pixel without the text), the median over its pixels, is at
  least 4.5:1. Opacity, alpha, blend modes, soft masks and background colours and images are all
  in the rendered pixels, whatever the fill colour says;
- not drawn over other text (clipped under, or pushed onto, its neighbours);
- drawable in every reader: the structural font check of `glyphs` (PDF008).

When a statement stands more than once, one occurrence that passes every check suffices.
"""

from __future__ import annotations

import ctypes
import math
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

from ..errors import StatementProblem
from .document import PdfFile, opened
from .glyphs import read

MIN_CONTRAST = 4.5  # WCAG 2 AA for body text
MIN_SIZE_PT = 7.0
SCALE = 2.0  # raster scale for the ink and contrast tests (144 dpi): a 7 pt full stop still covers pixels
# Raised whenever a check becomes stricter: it is part of every document's inputs hash, so that an
# incremental build renders and judges again the documents a stricter judge has not seen.
CHECK_VERSION = 3

Key = tuple[str, str]  # (statement id, language)
Span = tuple[int, int]
Box = tuple[float, float, float, float]  # left, bottom, right, top


def contrast_on_white(rgb: tuple[float, float, float]) -> float:
    """Contrast ratio (1 to 21) of a colour, channels 0..1, against white."""
    return contrast(luminance(rgb), 1.0)


def luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2 relative luminance of a colour, channels 0..1."""
    r, g, b = (_linear(min(max(c, 0.0), 1.0)) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: float, b: float) -> float:
    """WCAG 2 contrast ratio of two relative luminances."""
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def hex_rgb(colour: str) -> tuple[float, float, float]:
    """"#1f4e79" -> channels 0..1."""
    return tuple(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]


def effective_size(font_size: float, a: float, b: float, c: float, d: float) -> float:
    """The size a character is drawn at, in points: its font size times the smaller side of the
    em square after the matrix [a b c d] (text matrix and transforms): the height across the
    baseline |ad - bc| / |(a, b)| or the width along it |(a, b)|. A rotation keeps the size, an
    oblique keeps it, a squash in either direction shrinks it."""
    along = math.hypot(a, b)
    if along == 0:
        return 0.0
    return font_size * min(abs(a * d - b * c) / along, along)


def transform_box(box: Box, m: tuple[float, ...]) -> Box:
    """The box around `box`'s four corners mapped by the affine matrix m = (a, b, c, d, e, f) (PDF's convention)."""
    if m == (1, 0, 0, 1, 0, 0):
        return box
    a, b, c, d, e, f = m
    xs, ys = [], []
    for x, y in ((box[0], box[1]), (box[2], box[3]), (box[0], box[3]), (box[2], box[1])):
        xs.append(a * x + c * y + e)
        ys.append(b * x + d * y + f)
    return min(xs), min(ys), max(xs), max(ys)


def char_size(textpage, index: int) -> float:
    """The size PDFium's character `index` of `textpage` is drawn at (`effective_size` of its font size and matrix;
    a character without a matrix as set)."""
    import pypdfium2.raw as raw

    matrix = raw.FS_MATRIX()
    if raw.FPDFText_GetMatrix(textpage.raw, index, ctypes.byref(matrix)):
        a, b, c, d = matrix.a, matrix.b, matrix.c, matrix.d
    else:
        a, b, c, d = 1.0, 0.0, 0.0, 1.0
    return effective_size(raw.FPDFText_GetFontSize(textpage.raw, index), a, b, c, d)


# -- reading ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Glyph:
    page: int  # 0-based
    char: str
    size: float  # as drawn, in points (`effective_size`)
    box: Box  # the glyph's box in PDF points (page space)
    device: tuple[float, float, float, float]  # the box on the page raster at SCALE: x0, y0, x1, y1 (y down)

    @property
    def pixels(self) -> tuple[int, int, int, int]:
        """The pixels (x0, y0, x1, y1, ends exclusive) the box touches, and one more on every side:
        drawn without anti-aliasing, hinting moves a stem by up to a pixel."""
        x0, y0, x1, y1 = self.device
        return math.floor(x0) - 1, math.floor(y0) - 1, math.ceil(x1) + 1, math.ceil(y1) + 1


class PdfReading:
    """A PDF as PDFium reads it: the text of all pages (white space removed, as `verify.normalise`
    does), each character's glyph (size, box), the text's line boxes, and the page rasters."""

    def __init__(self, pdf: PdfFile):
        self._pdf = pdf.pdfium  # the file's: closed with it
        self._pages: dict[int, object] = {}
        self._textpages: dict[int, object] = {}
        self.sizes: list[tuple[int, int]] = []  # each page's raster size at SCALE (the visible page)
        where: list[tuple[int, int]] = []  # (page, character index) of each character of `text`
        chars: list[str] = []
        for number in range(len(self._pdf)):
            page = self._pages[number] = self._pdf[number]
            self.sizes.append((round(page.get_width() * SCALE), round(page.get_height() * SCALE)))
            textpage = self._textpages[number] = page.get_textpage()
            count = textpage.count_chars()
            text = textpage.get_text_range(0, count) if count else ""
            index = 0  # PDFium counts UTF-16 units: a character beyond the BMP takes two indices
            for char in text:
                if not (char.isspace() or char in "\u00ad\u200b"):  # what `verify.normalise` removes
                    chars.append(char)
                    where.append((number, index))
                index += 2 if ord(char) > 0xFFFF else 1
        self.text = "".join(chars)
        self._where = where
        self._rasters: dict[int, _Raster] = {}
        self._mappings: dict[int, tuple[float, ...]] = {}

    def close(self) -> None:
        for textpage in self._textpages.values():
            textpage.close()
        for page in self._pages.values():
            page.close()

    def __enter__(self) -> PdfReading:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def glyph(self, position: int) -> Glyph:
        """The glyph of the character at `position` in `text`."""

        page, index = self._where[position]
        textpage = self._textpages[page]
        size = char_size(textpage, index)
        box = textpage.get_charbox(index)
        return Glyph(page, self.text[position], size, box, self._device(page, box))

    def _device(self, page: int, box: Box) -> tuple[float, float, float, float]:
        """A box in page space as (x0, y0, x1, y1) on the page's raster at SCALE, through PDFium's own
        page-to-device mapping (crop box, rotation), so that glyphs and rasters agree."""
        if page not in self._mappings:
            self._mappings[page] = self._mapping(page)
        return transform_box(box, self._mappings[page])

    def _mapping(self, page: int) -> tuple[float, ...]:
        """The affine page-to-raster mapping, from PDFium's FPDF_PageToDevice on a raster 64 times
        as large (it answers in whole pixels)."""
        import pypdfium2.raw as raw

        width, height = self.sizes[page]
        fine = 64

        def device(x: float, y: float) -> tuple[float, float]:
            dx, dy = ctypes.c_int(), ctypes.c_int()
            raw.FPDF_PageToDevice(self._pages[page].raw, 0, 0, width * fine, height * fine, 0, x, y, dx, dy)
            return dx.value / fine, dy.value / fine

        (e, f), (x1, y1), (x2, y2) = device(0, 0), device(1000, 0), device(0, 1000)
        return (x1 - e) / 1000, (y1 - f) / 1000, (x2 - e) / 1000, (y2 - f) / 1000, e, f

    def rects(self, page: int, first: int, last: int) -> list[Box]:
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

    def raster(self, page: int, region: tuple[int, int, int, int]) -> _Raster:
        """The part of a page that holds `region` (pixels), drawn with and without its text; drawn
        once per page, for the union of the regions asked for before the first call."""
        if page not in self._rasters:
            self._rasters[page] = _Raster.draw(self._pdf, page, self.sizes[page], region)
        return self._rasters[page]


@dataclass
class _Raster:
    """A region of a page at SCALE, drawn twice with aliased text (so that every pixel of a glyph is
    its full colour): as shown, and with every text object invisible. Where they differ is ink;
    there, the WCAG contrast between the two is what the reader sees of the text."""

    x0: int
    y0: int
    inked: object  # numpy bool array, height x width
    ratio: object  # numpy float32 array: contrast of each inked pixel (1 elsewhere)
    counts: object  # summed-area tables (height+1 x width+1 x 2) of inked pixels and of those at MIN_CONTRAST or more

    @classmethod
    def draw(cls, pdf, page_number: int, size: tuple[int, int], region: tuple[int, int, int, int]) -> _Raster:
        import numpy as np

        width, height = size
        x0, y0 = max(region[0], 0), max(region[1], 0)
        x1, y1 = max(min(region[2], width), x0), max(min(region[3], height), y0)
        page = pdf[page_number]  # a page of its own: its text objects are changed for the second drawing
        try:
            shown = _render(page, size, (x0, y0, x1, y1))
            _hide_text(page)
            behind = _render(page, size, (x0, y0, x1, y1))
        finally:
            page.close()
        inked = shown.view(np.uint32)[..., 0] != behind.view(np.uint32)[..., 0]  # one compare per RGBx pixel
        where = np.nonzero(inked)
        lit, dark = _luminance(shown[where]), _luminance(behind[where])
        ratio = np.ones(inked.shape, dtype=np.float32)
        ratio[where] = (np.maximum(lit, dark) + 0.05) / (np.minimum(lit, dark) + 0.05)
        counts = np.zeros((inked.shape[0] + 1, inked.shape[1] + 1, 2), dtype=np.int32)
        counts[1:, 1:, 0] = inked
        counts[1:, 1:, 1] = inked & (ratio >= MIN_CONTRAST)
        counts.cumsum(axis=0, out=counts)
        counts.cumsum(axis=1, out=counts)
        return cls(x0, y0, inked, ratio, counts)

    def look(self, pixels: tuple[int, int, int, int]) -> tuple[bool, float | None]:
        """Whether a glyph's pixels show ink, and, when most of its ink is below MIN_CONTRAST against
        what lies behind it, the median contrast of its ink (None when it passes)."""
        import numpy as np

        height, width = self.inked.shape
        x0, y0 = min(max(pixels[0] - self.x0, 0), width), min(max(pixels[1] - self.y0, 0), height)
        x1, y1 = min(max(pixels[2] - self.x0, 0), width), min(max(pixels[3] - self.y0, 0), height)
        c = self.counts
        inked, good = (c[y1, x1] - c[y0, x1] - c[y1, x0] + c[y0, x0]).tolist()
        if not inked:
            return False, None
        if 2 * good >= inked:  # the median reaches MIN_CONTRAST
            return True, None
        return True, float(np.median(self.ratio[y0:y1, x0:x1][self.inked[y0:y1, x0:x1]]))


def _render(page, size: tuple[int, int], region: tuple[int, int, int, int]):
    import numpy as np
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    x0, y0, x1, y1 = region
    if x1 <= x0 or y1 <= y0:
        return np.zeros((0, 0, 4), dtype=np.uint8)
    bitmap = pdfium.PdfBitmap.new_native(x1 - x0, y1 - y0, raw.FPDFBitmap_BGRx, rev_byteorder=True)
    bitmap.fill_rect((255, 255, 255, 255), 0, 0, x1 - x0, y1 - y0)
    # Text without anti-aliasing: each of its pixels is its full colour. Paths keep theirs: PDFium draws
    # aliased paths without their blend mode.
    flags = raw.FPDF_ANNOT | raw.FPDF_RENDER_NO_SMOOTHTEXT | raw.FPDF_REVERSE_BYTE_ORDER
    raw.FPDF_RenderPageBitmap(bitmap.raw, page.raw, -x0, -y0, size[0], size[1], 0, flags)
    array = bitmap.to_numpy().copy()
    bitmap.close()
    return array


def _hide_text(page) -> None:
    """Make every text object of a page invisible (text render mode 3; a clipping mode keeps its
    clip), in forms too: what the page shows without its text."""
    import pypdfium2.raw as raw

    def walk(count: int, get: Callable[[int], object]) -> None:
        for i in range(count):
            obj = get(i)
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == raw.FPDF_PAGEOBJ_TEXT:
                clips = raw.FPDFTextObj_GetTextRenderMode(obj) >= raw.FPDF_TEXTRENDERMODE_FILL_CLIP
                raw.FPDFTextObj_SetTextRenderMode(obj, raw.FPDF_TEXTRENDERMODE_CLIP if clips else raw.FPDF_TEXTRENDERMODE_INVISIBLE)
            elif kind == raw.FPDF_PAGEOBJ_FORM:
                walk(raw.FPDFFormObj_CountObjects(obj), lambda j, form=obj: raw.FPDFFormObj_GetObject(form, j))

    walk(raw.FPDFPage_CountObjects(page.raw), lambda i: raw.FPDFPage_GetObject(page.raw, i))


_LINEAR = None


def _luminance(rgb):
    """WCAG 2 relative luminance of every pixel of an RGB array (as `luminance`, vectorised)."""
    import numpy as np

    global _LINEAR
    if _LINEAR is None:
        channel = np.arange(256) / 255
        _LINEAR = np.where(channel <= 0.04045, channel / 12.92, ((channel + 0.055) / 1.055) ** 2.4).astype(np.float32)
    return 0.2126 * _LINEAR[rgb[..., 0]] + 0.7152 * _LINEAR[rgb[..., 1]] + 0.0722 * _LINEAR[rgb[..., 2]]


def overlap_share(a: Box, b: Box) -> float:
    """The area two boxes (left, bottom, right, top) share, as a share of the smaller one's."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    area = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return width * height / area if area > 0 else 0.0


def _overlap(a: Box, b: Box) -> bool:
    """Boxes that share more than a quarter of the smaller one."""
    return overlap_share(a, b) > 0.25


# -- the judge -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Seen:
    """One glyph as judged: what the page shows of it."""

    glyph: Glyph
    on_page: bool  # its whole box lies inside the page
    shown: bool  # some of its box lies inside the page
    inked: bool
    faint: float | None  # the median contrast of its ink, when below MIN_CONTRAST; else None


def _look(reading: PdfReading, glyph: Glyph) -> _Seen:
    width, height = reading.sizes[glyph.page]
    x0, y0, x1, y1 = glyph.device
    half = 0.5 * SCALE  # half a point of tolerance, as layout engines round
    on_page = x0 >= -half and y0 >= -half and x1 <= width + half and y1 <= height + half
    shown = x1 > 0 and y1 > 0 and x0 < width and y0 < height
    if not shown:  # wholly off the page: the on-the-page check's
        return _Seen(glyph, on_page, False, False, None)
    left, bottom, right, top = glyph.box
    if right <= left or top <= bottom:  # no outline to draw (white space PDFium kept)
        return _Seen(glyph, on_page, True, True, None)
    inked, faint = reading.raster(glyph.page, glyph.pixels).look(glyph.pixels)
    return _Seen(glyph, on_page, True, inked, faint)


def _problems(seen: list[_Seen], what: str) -> list[tuple[str, str]]:
    """(kind, message) for one occurrence of a statement; none when it can be seen."""
    problems = []
    smallest = min(seen, key=lambda s: s.glyph.size)
    if smallest.glyph.size < MIN_SIZE_PT - 0.05:
        problems.append(("size", f"{what} is set in {smallest.glyph.size:.1f} pt, below {MIN_SIZE_PT:g} pt (as drawn, transforms included)"))
    if outside := [s for s in seen if not s.on_page]:
        problems.append(("page", f"{what} lies partly or wholly outside the page ({_quote(outside, seen)})"))
    if hidden := [s for s in seen if s.shown and not s.inked]:
        problems.append(("ink", f"{what} is covered or not visibly drawn: {len(hidden)} of its {len(seen)} characters "
                                f"show no ink ({_quote(hidden, seen)})"))
    if faint := [s for s in seen if s.faint is not None]:
        worst = min(faint, key=lambda s: s.faint)
        problems.append(("contrast", f"{what} is drawn at a contrast of {worst.faint:.1f}:1 against what lies behind it "
                                     f"({_quote(faint, seen)}), below {MIN_CONTRAST}:1 as rendered"))
    return problems


def _quote(some: list[_Seen], every: list[_Seen]) -> str:
    """The characters `some` as they stand in the statement, runs of them quoted: '"Past", "not"'."""
    if len(some) == len(every):
        return "all of it"
    chosen = {id(s) for s in some}
    runs, current = [], ""
    for s in every:
        if id(s) in chosen:
            current += s.glyph.char
        elif current:
            runs.append(current)
            current = ""
    if current:
        runs.append(current)
    shown = ", ".join(f'"{run}"' if len(run) <= 30 else f'"{run[:30]}…"' for run in runs[:5])
    return shown + (f" and {len(runs) - 5} more" if len(runs) > 5 else "")


def judge(pdf: bytes | PdfFile, locate: Callable[[str], Mapping[Key, list[Span]]], wordings: Mapping[Key, str | None],
          versions: Mapping[str, int] | None = None) -> list[StatementProblem]:
    """Why each mandatory statement of a PDF cannot be seen, or nothing when every one can.

    `locate(text)` places the statements in a text (white space removed), as `verify.place` does;
    it is asked twice, for PDFium's reading and for the content streams' (the structural font
    check). `wordings` gives each (id, language)'s exact text, or None for a statement with open
    placeholders (judged only where it is found). The problems are "missing" (not in PDFium's
    text), "size", "page", "ink", "contrast", "overlap" and "undrawable"."""
    with opened(pdf) as file:
        return _judge(file, locate, wordings, versions)


def _judge(pdf: PdfFile, locate: Callable[[str], Mapping[Key, list[Span]]], wordings: Mapping[Key, str | None],
           versions: Mapping[str, int] | None) -> list[StatementProblem]:
    problems: list[StatementProblem] = []
    with PdfReading(pdf) as reading:
        placed = locate(reading.text)
        glyphs = {key: [[reading.glyph(i) for i in range(start, end)] for start, end in spans] for key, spans in placed.items()}
        _prepare(reading, [g for occurrences in glyphs.values() for span in occurrences for g in span])
        for (sid, lang), spans in placed.items():
            if not spans:
                version = f" (version {versions[sid]})" if versions and sid in versions else ""
                problems.append(StatementProblem(sid, lang, "missing", f"statement {sid}{version} is missing in {lang}"))
                continue
            first: list[tuple[str, str]] = []
            page = glyphs[(sid, lang)][0][0].page + 1
            for (start, end), span in zip(spans, glyphs[(sid, lang)]):
                found = _problems([_look(reading, g) for g in span], f"statement {sid} in {lang}")
                if not found and reading.overlaps_other_text(start, end):
                    found = [("overlap", f"statement {sid} in {lang} is drawn over other text (clipped or overlapped)")]
                if not found:
                    first = []
                    break
                first = first or found
            problems += [StatementProblem(sid, lang, kind, message, page) for kind, message in first]
    # PDFium drew it; every reader must: each code of each statement followed through its font to a glyph.
    structure = read(pdf)
    placed = locate(structure.text)
    usable = {key: wording for key, wording in wordings.items() if wording is not None or placed.get(key)}
    problems += [StatementProblem(u.id, u.lang, "undrawable", u.message, u.page) for u in structure.undrawn(placed, usable)]
    return problems


def _prepare(reading: PdfReading, glyphs: Iterable[Glyph]) -> None:
    """Draw, once per page, the region that holds every glyph to be judged there."""
    regions: dict[int, list[int]] = {}
    for g in glyphs:
        x0, y0, x1, y1 = g.pixels
        region = regions.setdefault(g.page, [x0, y0, x1, y1])
        region[:] = [min(region[0], x0), min(region[1], y0), max(region[2], x1), max(region[3], y1)]
    for page, region in regions.items():
        reading.raster(page, tuple(region))  # type: ignore[arg-type]
