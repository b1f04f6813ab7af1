"""A finished PDF's pages as a designer measures them, read once (`read_pages`, kept in the `PdfFile`'s cache)
for every layout rule (`rules.layout`).

Each page gives its size, its margin box, every character with its box and its size as drawn, the runs of
text those characters stand in, and every drawing (paths, images, shadings) with its box:

- **Characters** are PDFium's (its text page): box in PDF points, size as drawn (font size and every
  transform, as the legibility judge measures it: `legibility.effective_size`).
- **Runs** are the text objects the characters are drawn by: WeasyPrint draws one per line of an element
  (a cell's line, a heading's line); a chart's SVG text, one per glyph. Each run knows the *block* it belongs
  to: the innermost block-level structure element of the tagged PDF (a table cell, a paragraph, a heading, a
  list item, a caption: PDF 32000's block-level structure types), found from its marked-content id through
  the structure tree (pikepdf); or, inside a figure (a chart), the figure itself. An untagged PDF (one made
  elsewhere) has no blocks: each run is its own.
- **Drawings** are PDFium's page objects other than text, nested forms followed, each box mapped to the page.
- **The margin box** is the page's /ArtBox when the PDF declares one (factsheets writes the box inside the
  page's CSS margins there: `render.archive`). Marks that lie wholly in the band above or below it (a running
  footer) are *furniture*; the rest is the page's *body*. A PDF without an /ArtBox has none: its furniture is
  what stands at the same place on every page (page numbers read alike once digits are set aside).

Nothing here judges: `rules.layout` does, with the limits it states.
"""

from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass, field

from .document import PdfFile, opened
from .legibility import char_size, transform_box

Box = tuple[float, float, float, float]  # left, bottom, right, top, in PDF points (y up)
MM = 72 / 25.4

# PDF 32000-1, 14.8.4.3: the block-level structure types (and Caption, Figure), which a run of text belongs to.
# A list item's label and body are one block: its bullet and its words stand together.
BLOCKS = frozenset({"P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "LI", "TH", "TD", "Caption",
                    "Figure", "Formula", "BlockQuote", "Note", "Code", "Title", "TOCI"})
HEADINGS = frozenset({"H", "H1", "H2", "H3", "H4", "H5", "H6"})
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Char:
    char: str
    box: Box
    size: float  # as drawn, in points
    run: int  # index of its run on the page


@dataclass
class Run:
    """One text object: a line of an element, or a chart's glyph."""

    box: Box  # the union of its characters' boxes (white space aside)
    text: str = ""
    size: float = 0.0  # its smallest character, as drawn
    block: int | None = None  # the structure element it belongs to (`Structure.elements`), or None
    figure: int | None = None  # the figure element it is drawn in (a chart's label), or None
    furniture: bool = False  # in the band above or below the margin box: a running header or footer
    label: int | None = None  # inside a figure: the chart label its glyph is part of (`Page.labels`)


@dataclass(frozen=True)
class Drawing:
    kind: str  # "path", "image", "shading"
    box: Box
    figure: int | None = None
    furniture: bool = False


@dataclass
class Element:
    """A structure element of a tagged PDF."""

    type: str  # its standard type: H2, Table, TR, TH, TD, Figure, Caption, ...
    parent: int | None
    children: list[int] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)  # pages (from 1) of its marked content, its own and its descendants'
    order: int = 0  # its place in reading order: its first marked content (`Layout.leaves`, from 1)
    last: int = 0  # its last marked content


@dataclass
class Page:
    number: int  # from 1
    width: float
    height: float
    margin_box: Box | None  # the /ArtBox, when the PDF declares one
    chars: list[Char]
    runs: list[Run]
    drawings: list[Drawing]
    labels: list[Run] = field(default_factory=list)  # a chart's labels, their glyphs (drawn one by one) joined

    def texts(self) -> list[Run]:
        """What a reader reads as one piece of text: each run outside charts, each label inside them."""
        return [r for r in self.runs if r.figure is None and r.text.strip()] + self.labels

    def body_runs(self) -> list[Run]:
        return [r for r in self.runs if not r.furniture and r.text.strip()]

    def body_drawings(self) -> list[Drawing]:
        return [d for d in self.drawings if not d.furniture]


@dataclass
class Layout:
    pages: list[Page]
    elements: list[Element]  # empty for an untagged PDF
    declared_margins: bool  # every page has an /ArtBox
    leaves: list[tuple[int, int]] = field(default_factory=list)  # each marked content in reading order: (page, element)

    def ancestors(self, index: int | None):
        while index is not None:
            yield index
            index = self.elements[index].parent


def read_pages(pdf: bytes | PdfFile) -> Layout:
    """Every page of the PDF, as the layout rules see it (read once per `PdfFile`)."""
    with opened(pdf) as file:
        if "layout" not in file.cache:
            file.cache["layout"] = _read(file)
        return file.cache["layout"]  # type: ignore[return-value]


def _read(file: PdfFile) -> Layout:
    try:
        elements, references, leaves = _structure(file)
    except Exception:  # noqa: BLE001 - a structure tree that cannot be read: the PDF is measured as an untagged one
        elements, references, leaves = [], {}, []
    pages = []
    declared = True
    for number, page in enumerate(file.pdfium, 1):
        try:
            art = page.get_artbox(fallback_ok=False)
            declared = declared and art is not None
            pages.append(_page(number, page, art, references.get(number - 1, {}), elements))
        finally:
            page.close()
    if not declared:
        _repeated_furniture(pages)
    return Layout(pages, elements, declared, leaves)


# -- the structure tree (pikepdf) -------------------------------------------------------------------------

def _structure(file: PdfFile) -> tuple[list[Element], dict[int, dict[int, int]], list[tuple[int, int]]]:
    """The structure elements in reading order, for each page (from 0) each marked-content id's element, and
    each marked content in reading order (page from 1, element)."""
    import pikepdf

    document = file.pikepdf
    root = document.Root.get("/StructTreeRoot")
    if root is None:
        return [], {}, []
    page_numbers = {page.objgen: i for i, page in enumerate(document.pages)}
    role_map = root.get("/RoleMap") or {}
    elements: list[Element] = []
    references: dict[int, dict[int, int]] = {}
    leaves = 0
    order: list[tuple[int, int]] = []
    seen: set[tuple[int, int]] = set()

    def standard(name: str) -> str:
        for _ in range(8):  # a role map may map a custom type to another, to a standard one
            mapped = role_map.get("/" + name) if hasattr(role_map, "get") else None
            if mapped is None:
                break
            name = str(mapped).lstrip("/")
        return name

    def walk(node, parent: int | None, page: int | None) -> None:
        if isinstance(node, pikepdf.Array):
            for item in node:
                walk(item, parent, page)
            return
        if isinstance(node, pikepdf.Dictionary):
            kind = node.get("/Type")
            if kind == "/MCR":
                where = page_numbers.get(node.Pg.objgen, page) if "/Pg" in node else page
                _leaf(int(node.MCID), parent, where)
                return
            if kind == "/OBJR" or "/S" not in node:
                return
            if node.objgen != (0, 0):
                if node.objgen in seen:  # a malformed tree that loops
                    return
                seen.add(node.objgen)
            index = len(elements)
            elements.append(Element(standard(str(node.S).lstrip("/")), parent))
            if parent is not None:
                elements[parent].children.append(index)
            here = page_numbers.get(node.Pg.objgen, page) if "/Pg" in node else page
            if "/K" in node:
                walk(node.K, index, here)
            return
        try:
            _leaf(int(node), parent, page)
        except (TypeError, ValueError):
            return

    def _leaf(mcid: int, parent: int | None, page: int | None) -> None:
        nonlocal leaves
        if parent is None or page is None:
            return
        references.setdefault(page, {}).setdefault(mcid, parent)
        leaves += 1
        order.append((page + 1, parent))
        index: int | None = parent
        while index is not None:
            element = elements[index]
            if page + 1 not in element.pages:
                element.pages.append(page + 1)
            if not element.order:
                element.order = leaves
            element.last = leaves
            index = element.parent

    walk(root.get("/K"), None, None)
    return elements, references, order


def block_of(elements: list[Element], index: int | None) -> int | None:
    """The innermost block-level element at or above `index`."""
    while index is not None:
        if elements[index].type in BLOCKS:
            return index
        index = elements[index].parent
    return None


def figure_of(elements: list[Element], index: int | None) -> int | None:
    while index is not None:
        if elements[index].type == "Figure":
            return index
        index = elements[index].parent
    return None


# -- one page (PDFium) ---------------------------------------------------------------------------------------

def _page(number: int, page, art: Box | None, mcids: dict[int, int], elements: list[Element]) -> Page:
    import pypdfium2.raw as raw

    width, height = page.get_width(), page.get_height()
    objects: dict[int, tuple[int | None, int | None]] = {}  # text object's address -> (block, figure)
    drawings: list[Drawing] = []
    _objects(page, raw, mcids, elements, objects, drawings)
    textpage = page.get_textpage()
    try:
        chars, runs = _chars(textpage, raw, objects)
    finally:
        textpage.close()
    result = Page(number, width, height, tuple(art) if art is not None else None, chars, runs, drawings)  # type: ignore[arg-type]
    result.labels = _labels(runs)
    if result.margin_box is not None:
        _margin_furniture(result)
    return result


def _objects(page, raw, mcids: dict[int, int], elements: list[Element], objects: dict, drawings: list[Drawing]) -> None:
    """Every page object, forms followed with their matrices: text objects by address with their block and
    figure (marked content inherited from an enclosing form: a chart's glyphs), the others as drawings."""

    def marked(obj) -> int | None:
        mcid = raw.FPDFPageObj_GetMarkedContentID(obj)
        return mcids.get(mcid) if mcid >= 0 else None

    def walk(count: int, get, matrix: tuple[float, ...], inherited: int | None) -> None:
        for i in range(count):
            obj = get(i)
            kind = raw.FPDFPageObj_GetType(obj)
            element = marked(obj)
            if element is None:
                element = inherited
            if kind == raw.FPDF_PAGEOBJ_TEXT:
                address = ctypes.cast(obj, ctypes.c_void_p).value
                figure = figure_of(elements, element)
                objects[address] = (figure if figure is not None else block_of(elements, element), figure)
            elif kind == raw.FPDF_PAGEOBJ_FORM:
                inner = raw.FS_MATRIX()
                raw.FPDFPageObj_GetMatrix(obj, ctypes.byref(inner))
                walk(raw.FPDFFormObj_CountObjects(obj), lambda j, form=obj: raw.FPDFFormObj_GetObject(form, j),
                     _compose((inner.a, inner.b, inner.c, inner.d, inner.e, inner.f), matrix), element)
            else:
                box = _bounds(obj, raw)
                if box is None:
                    continue
                name = {raw.FPDF_PAGEOBJ_PATH: "path", raw.FPDF_PAGEOBJ_IMAGE: "image"}.get(kind, "shading")
                drawings.append(Drawing(name, transform_box(box, matrix), figure_of(elements, element)))

    walk(raw.FPDFPage_CountObjects(page.raw), lambda i: raw.FPDFPage_GetObject(page.raw, i), (1, 0, 0, 1, 0, 0), None)


def _bounds(obj, raw) -> Box | None:
    left, bottom, right, top = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    if not raw.FPDFPageObj_GetBounds(obj, ctypes.byref(left), ctypes.byref(bottom), ctypes.byref(right), ctypes.byref(top)):
        return None
    return left.value, bottom.value, right.value, top.value


def _compose(inner: tuple[float, ...], outer: tuple[float, ...]) -> tuple[float, ...]:
    """The matrix of `inner` applied, then `outer` (PDF's row-vector convention)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _chars(textpage, raw, objects: dict) -> tuple[list[Char], list[Run]]:
    """Each drawn character (PDFium's generated spaces and line ends aside) with its run."""
    count = textpage.count_chars()
    text = textpage.get_text_range(0, count) if count else ""
    chars: list[Char] = []
    runs: list[Run] = []
    by_object: dict[int, int] = {}
    index = 0
    for char in text:
        i = index
        index += 2 if ord(char) > 0xFFFF else 1  # PDFium counts UTF-16 units
        if raw.FPDFText_IsGenerated(textpage.raw, i) == 1:
            continue
        obj = raw.FPDFText_GetTextObject(textpage.raw, i)
        address = ctypes.cast(obj, ctypes.c_void_p).value if obj else None
        if address is None:
            continue
        size = char_size(textpage, i)
        box = textpage.get_charbox(i)
        run = by_object.get(address)
        if run is None:
            block, figure = objects.get(address, (None, None))
            run = by_object[address] = len(runs)
            runs.append(Run(box, block=block, figure=figure, size=size))
        chars.append(Char(char, box, size, run))
        current = runs[run]
        current.text += char
        if not char.isspace() and box[2] > box[0] and box[3] > box[1]:
            if current.text.strip() == char:  # its first drawn character
                current.box, current.size = box, size
            else:
                current.box = _union(current.box, box)
                current.size = min(current.size, size)
    return chars, runs


def _labels(runs: list[Run]) -> list[Run]:
    """A chart's labels: its glyphs, drawn one by one, joined where they follow one another on one baseline
    less than 0.4 em apart, their heights overlapping (a word's letters, and the words of one label). Each glyph's run is told its label."""
    labels: list[Run] = []
    last: Run | None = None
    for run in runs:
        if run.figure is None or not run.text.strip():
            continue
        if (last is not None and last.figure == run.figure and min(run.box[3], last.box[3]) > max(run.box[1], last.box[1])
                and -0.5 <= run.box[0] - last.box[2] < 0.4 * run.size):
            label = labels[-1]
            spaced = run.box[0] - last.box[2] > 0.3 * run.size  # wider than two glyphs' bearings: a word space
            label.text += (" " if spaced and not label.text.endswith(" ") else "") + run.text
            label.box = _union(label.box, run.box)
            label.size = min(label.size, run.size)
        else:
            labels.append(Run(run.box, run.text, run.size, run.block, run.figure, run.furniture))
        run.label = len(labels) - 1
        last = run
    return labels


def _union(a: Box, b: Box) -> Box:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


# -- furniture ------------------------------------------------------------------------------------------------

def _margin_furniture(page: Page) -> None:
    """Runs and drawings wholly above or below the margin box: the page's running header and footer."""
    _, bottom, _, top = page.margin_box  # type: ignore[misc]
    for run in [*page.runs, *page.labels]:
        run.furniture = run.box[3] <= bottom + 0.5 or run.box[1] >= top - 0.5
    page.drawings = [Drawing(d.kind, d.box, d.figure, d.box[3] <= bottom + 0.5 or d.box[1] >= top - 0.5)
                     for d in page.drawings]


def _repeated_furniture(pages: list[Page]) -> None:
    """Without margin boxes: the runs that stand at the same place on every page of a document of several,
    reading alike once their digits are set aside (a running footer with its page number)."""
    if len(pages) < 2:
        return

    def key(run: Run) -> tuple:
        return round(run.box[1]), round(run.box[3]), _DIGITS.sub("#", run.text.strip())

    common = set.intersection(*({key(r) for r in page.runs if r.text.strip()} for page in pages))
    for page in pages:
        for run in page.runs:
            run.furniture = key(run) in common
