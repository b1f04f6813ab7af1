"""A finished PDF's layout, measured as a designer would: what stands outside the margin box or near the paper's
edge, text that overlaps other text or runs into its neighbour, how much of the last page is used, headings
and tables cut from their rows, charts cut from their titles, text too small; and the words that run past a
document's page limit. Each measure reads the pages once (`pages.read_pages`) and returns where it found
what; `rules.layout` judges, with a code and an explanation for each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .document import PdfFile
from .legibility import overlap_share
from .pages import HEADINGS, MM, Box, Layout, Page, Run
from .text import pdf_pages_text

LAST_PAGE_MIN_FILL = 0.25  # a document of several pages uses at least a quarter of its last page's body
EDGE_MM = 8.0  # no character nearer the paper's edge: a printer's trim and a binder's hole
TOLERANCE = 1.0  # points: a glyph's overhang, half a border's width
MIN_GAP_EM = 0.5  # between the text of two cells (or blocks) on one line, in ems of the smaller text
MIN_TEXT_PT = 6.0  # any text, chart labels included
MIN_BODY_PT = 7.0  # text outside charts
LONELY_LINES = 6  # a last page with this many lines or fewer holds a footnote, not a page
SIZE_SLACK = 0.05  # points: a size that rounds to the limit meets it


@dataclass(frozen=True)
class Spot:
    """Where a measure found something: a page, what stands there, and what is wrong with it."""

    page: int
    message: str


def _quote(runs: Iterable[Run], limit: int = 3) -> str:
    texts = list(dict.fromkeys(" ".join(r.text.split())[:40] for r in runs if r.text.strip()))
    shown = ", ".join(repr(t) for t in texts[:limit])
    return shown + (f" and {len(texts) - limit} more" if len(texts) > limit else "")


def _lines(count: int) -> str:
    return f"{count} line{'s' * (count != 1)}"


def _verb(count: int, one: str, more: str) -> str:
    return one if count == 1 else more


def _outside(box: Box, limit: Box) -> float:
    """How far (points) a box reaches past a limit box on its worst side."""
    return max(limit[0] - box[0], box[2] - limit[2], limit[1] - box[1], box[3] - limit[3], 0.0)


# -- margins and the paper's edge ----------------------------------------------------------------------------

def outside_margins(layout: Layout) -> list[Spot]:
    """Text or a drawing of a page's body past its margin box (the PDF's /ArtBox), and a running header or footer
    wider than it; nothing for a PDF that declares no margin box."""
    spots = []
    for page in layout.pages:
        box = page.margin_box
        if box is None:
            continue
        across = (box[0], -1e9, box[2], 1e9)  # furniture stands in the bands above and below: only its sides count
        runs = [(r, _outside(r.box, across if r.furniture else box)) for r in page.texts()]
        runs = [(r, d) for r, d in runs if d > TOLERANCE]
        drawings = [(d, _outside(d.box, across if d.furniture else box)) for d in page.drawings]
        drawings = [(d, far) for d, far in drawings if far > TOLERANCE]
        if not runs and not drawings:
            continue
        parts = []
        if runs:
            worst = max(runs, key=lambda item: item[1])
            parts.append(f"{_lines(len(runs))} of text {_verb(len(runs), 'reaches', 'reach')} past it, the furthest by {worst[1]:.1f} pt "
                         f"({_quote(r for r, _ in sorted(runs, key=lambda item: -item[1]))})")
        if drawings:
            far = max(d for _, d in drawings)
            parts.append(f"{len(drawings)} drawing{'s' * (len(drawings) != 1)} (rules, bars, backgrounds) "
                         f"{_verb(len(drawings), 'reaches', 'reach')} past it, "
                         f"the furthest by {far:.1f} pt")
        spots.append(Spot(page.number, f"page {page.number}: the margin box is {_box(box)}; " + "; ".join(parts)))
    return spots


def near_edge(layout: Layout) -> list[Spot]:
    """Characters within EDGE_MM of the paper's edge."""
    edge = EDGE_MM * MM
    spots = []
    for page in layout.pages:
        safe = (edge, edge, page.width - edge, page.height - edge)
        close = [(r, _outside(r.box, safe)) for r in page.texts()]
        close = [(r, d) for r, d in close if d > 0.05]
        if close:
            worst = max(close, key=lambda item: item[1])
            nearest = (edge - worst[1]) / MM
            spots.append(Spot(page.number, f"page {page.number}: {_lines(len(close))} of text {_verb(len(close), 'stands', 'stand')} "
                                           f"within {EDGE_MM:g} mm of the paper's edge, the nearest {max(nearest, 0):.1f} mm from it "
                                           f"({_quote(r for r, _ in sorted(close, key=lambda item: -item[1]))})"))
    return spots


def _box(box: Box) -> str:
    return f"{box[0]:.1f} to {box[2]:.1f} pt across, {box[1]:.1f} to {box[3]:.1f} pt up"


# -- collisions -------------------------------------------------------------------------------------------------


def collisions(layout: Layout) -> list[Spot]:
    """Characters drawn over characters of another line or label (more than a quarter of the smaller's box),
    and, on one line, the text of one block (a table cell, a paragraph) that comes within MIN_GAP_EM of
    another's: a reader takes them for one phrase ("Since inception inception")."""
    spots = []
    for page in layout.pages:
        found = _page_collisions(layout, page)
        if found:
            spots.append(Spot(page.number, f"page {page.number}: " + "; ".join(found[:4])
                              + (f"; and {len(found) - 4} more" if len(found) > 4 else "")))
    return spots


def _page_collisions(layout: Layout, page: Page) -> list[str]:
    runs = [(i, r) for i, r in enumerate(page.runs) if r.text.strip()]
    runs.sort(key=lambda item: item[1].box[1])
    chars: dict[int, list] = {}
    for c in page.chars:
        if not c.char.isspace() and c.box[2] > c.box[0] and c.box[3] > c.box[1]:
            chars.setdefault(c.run, []).append(c)
    found = []
    for n, (i, a) in enumerate(runs):
        for j, b in runs[n + 1:]:
            if b.box[1] >= a.box[3]:
                break
            if _same_label(page, i, a, j, b):
                continue
            if overlap_share(a.box, b.box) > 0 and any(overlap_share(x.box, y.box) > 0.25 for x in chars.get(i, ()) for y in chars.get(j, ())):
                found.append(f"{_quote([_text(page, a)])} and {_quote([_text(page, b)])} are drawn over each other")
                continue
            gap = _gap(a, b)
            if gap is not None and not _nested(layout, a.block, b.block):
                found.append(f"{_quote([a])} runs into {_quote([b])} ({gap:.1f} pt apart on one line, under "
                             f"{MIN_GAP_EM:g} em)")
    return found


def _same_label(page: Page, i: int, a: Run, j: int, b: Run) -> bool:
    """Two runs that are one text: the glyphs of one chart label, drawn one by one."""
    return a.label is not None and a.label == b.label


def _text(page: Page, run: Run) -> Run:
    """The label a chart's glyph is part of; any other run itself."""
    return page.labels[run.label] if run.label is not None else run


def _nested(layout: Layout, a: int | None, b: int | None) -> bool:
    """Whether one block stands inside the other: a list item's marker and the heading of its body."""
    return a in layout.ancestors(b) or b in layout.ancestors(a)


def _gap(a: Run, b: Run) -> float | None:
    """The gap between the text of two blocks on one line, when it is under MIN_GAP_EM; None otherwise (the same
    block, a chart, another line, or far enough apart)."""
    if a.block is None or b.block is None or a.block == b.block or a.figure is not None or b.figure is not None:
        return None
    if a.furniture or b.furniture:
        return None
    height = min(a.box[3] - a.box[1], b.box[3] - b.box[1])
    shared = min(a.box[3], b.box[3]) - max(a.box[1], b.box[1])
    if height <= 0 or shared < 0.5 * height:
        return None
    gap = max(a.box[0], b.box[0]) - min(a.box[2], b.box[2])
    return gap if gap < MIN_GAP_EM * min(a.size, b.size) else None


# -- the last page ----------------------------------------------------------------------------------------------

def body_box(layout: Layout, page: Page) -> Box | None:
    """The box a page's body is set in: its margin box, else the extent of the body of every page."""
    if page.margin_box is not None:
        return page.margin_box
    boxes = [r.box for p in layout.pages for r in p.body_runs()]
    if not boxes:
        return None
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)


def fill(layout: Layout, page: Page) -> float:
    """How much of a page's body is used, from the top of its body box down to its lowest text or drawing (a
    background as large as the body aside): 0 for an empty page, 1 for a full one."""
    box = body_box(layout, page)
    if box is None:
        return 0.0
    height = box[3] - box[1]
    full = 0.8 * (box[2] - box[0]) * height
    bottoms = [r.box[1] for r in page.body_runs()]
    bottoms += [d.box[1] for d in page.body_drawings() if (d.box[2] - d.box[0]) * (d.box[3] - d.box[1]) < full]
    if not bottoms or height <= 0:
        return 0.0
    return min(max((box[3] - min(bottoms)) / height, 0.0), 1.0)


def lines(page: Page) -> list[Run]:
    """The lines of a page's body text, one run for each line position (the first at it)."""
    seen: dict[int, Run] = {}
    for run in page.body_runs():
        if run.figure is None:
            seen.setdefault(round(run.box[3]), run)
    return list(seen.values())


def last_page(layout: Layout) -> tuple[int, float, list[Run]] | None:
    """(page number, fill, body lines) of the last page of a document of several; None for one page."""
    if len(layout.pages) < 2:
        return None
    page = layout.pages[-1]
    return page.number, fill(layout, page), lines(page)


# -- headings, tables and charts cut from what they belong to ----------------------------------------------------

def stranded(layout: Layout) -> list[Spot]:
    """A heading with nothing after it in its section on its page, a table's header row or caption with none of
    its rows on its page: the page ends under them and what they introduce starts on the next."""
    spots = []
    elements = layout.elements
    for index, element in enumerate(elements):
        parent = element.parent
        if parent is None or not element.last:
            continue
        kind = element.type in HEADINGS or element.type == "THead" or (element.type == "Caption" and elements[parent].type == "Table")
        if not kind or elements[parent].last != element.last or not _followed(layout, element):
            continue
        number = layout.leaves[element.last - 1][0]
        page = layout.pages[number - 1]
        box = _element_box(layout, page, index)
        if box is None or any(r.box[3] < box[1] - 1 and _across(r.box, box) for r in page.body_runs()):
            continue  # something stands under it in its column: the page does not end with it
        what = {"THead": "the header row of a table", "Caption": "the title of a table"}.get(element.type, "a heading")
        spots.append(Spot(number, f"page {number}: {what} ({_element_text(layout, index)}) ends the page without "
                                  "its first rows, which start on the next"))
    return spots


def _element_box(layout: Layout, page: Page, index: int) -> Box | None:
    """The box of an element's text on a page."""
    inside = set(_descendants(layout, index))
    runs = [r for r in page.runs if r.block in inside and r.text.strip()]
    if not runs:
        return None
    return min(r.box[0] for r in runs), min(r.box[1] for r in runs), max(r.box[2] for r in runs), max(r.box[3] for r in runs)


def _followed(layout: Layout, element) -> bool:
    """Whether more of the document follows on a later page (a heading at the document's very end is no heading
    cut from its rows: it is a heading without any)."""
    page = layout.leaves[element.last - 1][0]
    return any(p > page for p, _ in layout.leaves[element.last:])


def _element_text(layout: Layout, index: int) -> str:
    inside = set(_descendants(layout, index))
    runs = [r for page in layout.pages for r in page.runs if r.block in inside]
    return _quote(runs, 1) or "no text"


def _descendants(layout: Layout, index: int) -> list[int]:
    found, todo = [], [index]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(layout.elements[current].children)
    return found


def unrepeated_headers(layout: Layout) -> list[Spot]:
    """A table continued from the page before without its header row: a part of a table at the top of a page,
    with no header row, whose page before ends with a part of a table with one and as many columns."""
    spots = []
    parts = _table_parts(layout)
    for page, columns, has_header, box, text in parts:
        if has_header or page < 2:
            continue
        before = [p for p in parts if p[0] == page - 1 and p[2] and p[1] == columns and _across(p[3], box)]
        if before and _at_top(layout.pages[page - 1], box):
            spots.append(Spot(page, f"page {page}: a table continued from page {page - 1} ({text}) has no header row: "
                                    "its columns are not named on this page"))
    return spots


def _table_parts(layout: Layout) -> list[tuple[int, int, bool, Box, str]]:
    """Each table part: (page, columns in its first row, whether it has a header row, its box, its first words)."""
    elements = layout.elements
    parts = []
    for index, element in enumerate(elements):
        if element.type != "Table" or len(element.pages) != 1:
            continue
        inside = _descendants(layout, index)
        rows = [i for i in inside if elements[i].type == "TR"]
        header = any(elements[i].type == "THead" for i in inside)
        if not rows:
            continue
        first = min(rows, key=lambda i: elements[i].order or 10**9)
        columns = sum(1 for c in elements[first].children if elements[c].type in ("TH", "TD"))
        page = layout.pages[element.pages[0] - 1]
        members = set(inside)
        runs = [r for r in page.runs if r.block in members]
        if not runs:
            continue
        box = (min(r.box[0] for r in runs), min(r.box[1] for r in runs), max(r.box[2] for r in runs), max(r.box[3] for r in runs))
        parts.append((page.number, columns, header, box, _quote(runs, 1)))
    return parts


def _across(a: Box, b: Box) -> bool:
    """Whether two boxes stand in the same column: they share most of the narrower one's width."""
    shared = min(a[2], b[2]) - max(a[0], b[0])
    return shared > 0.5 * min(a[2] - a[0], b[2] - b[0])


def _at_top(page: Page, box: Box) -> bool:
    """Whether nothing of the page's body stands above the box in its column."""
    return not any(r.box[1] > box[3] + 1 and _across(r.box, box) for r in page.body_runs())


def separated_charts(layout: Layout) -> list[Spot]:
    """A chart's caption or title on another page than the chart: a caption with no chart or table beside it on its
    page, or a chart whose title (the heading or caption just before it in reading order) stands on an earlier page."""
    elements = layout.elements
    spots = []
    for index, element in enumerate(elements):
        if element.type == "Caption" and element.parent is not None and elements[element.parent].type != "Table":
            page = element.pages[0] if element.pages else 0
            siblings = _descendants(layout, element.parent)
            if not any(elements[i].type in ("Figure", "Table") and page in elements[i].pages for i in siblings):
                spots.append(Spot(page, f"page {page}: a caption ({_element_text(layout, index)}) stands without its chart"))
        elif element.type == "Figure" and element.order > 1:
            page, before = layout.leaves[element.order - 2]
            title = _title(layout, before, element.parent)
            own = element.pages[0] if element.pages else page
            if title is not None and page < own:
                spots.append(Spot(own, f"page {own}: a chart stands apart from its title "
                                       f"({_element_text(layout, title)}), on page {page}"))
    return spots


def _title(layout: Layout, before: int, parent: int | None) -> int | None:
    """The element of the marked content just before a chart when it is the chart's title: a heading, or a
    caption of the chart's own figure (a caption after another chart is that chart's)."""
    for index in layout.ancestors(before):
        element = layout.elements[index]
        if element.type in HEADINGS or (element.type == "Caption" and element.parent == parent):
            return index
    return None


# -- sizes ---------------------------------------------------------------------------------------------------------

def small_text(layout: Layout, limit: float, body_only: bool) -> list[Spot]:
    """Text set smaller than `limit` points as drawn: any text, or (`body_only`) text outside charts."""
    spots = []
    for page in layout.pages:
        small = [r for r in page.texts() if r.size < limit - SIZE_SLACK and not (body_only and r.figure is not None)]
        if small:
            smallest = min(small, key=lambda r: r.size)
            where = "outside charts " if body_only else ""
            spots.append(Spot(page.number, f"page {page.number}: {_lines(len(small))} or label{'s' * (len(small) != 1)} of text "
                                           f"{where}{_verb(len(small), 'is', 'are')} set under {limit:g} pt, the smallest {smallest.size:.1f} pt "
                                           f"({_quote(sorted(small, key=lambda r: r.size))})"))
    return spots


def overflow(pdf: bytes | PdfFile, limit: int) -> str:
    """What runs past the page limit: the first words of the first page too many."""
    pages = pdf_pages_text(pdf)
    words = " ".join(" ".join(pages[limit:]).split())[:80]
    return f"page {limit + 1} starts with {words!r}"
