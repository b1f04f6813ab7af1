"""A document fitted to its pages: its layout measured as WeasyPrint laid it out (before any PDF is written), and
the form (`documents.factsheet.Form`) the renderer keeps among those it tried.

A layout fits when its last page, in a document of several, is used at least as far as the layout rules require
(LY004, the project's bar) with some room to spare (`ROOM`) and holds more than a few lines (LY005), when neither column stands much emptier
than the other on any page (a column half empty while the other spills onto the next page, or a hole above the
sections across the page), and when no page but the last ends far above its foot (a block that did not fit
pushed onto the next page). The renderer lays the document out in its first form; when that does not fit, it tries
the others its type offers, in their order, until one fits, and keeps the best of those it tried (`best`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..pdf.layout import LONELY_LINES

PX = 0.75  # CSS pixels to points
SLOTS = ("div", "section")  # the elements a template names its sections on (`data-section`): a factsheet's slots, a key
# facts document's or a KID's sections
HOLES = 0.12  # a column may end this share of the page's body above the other, at most
ROOM = 0.1  # the fitting aims this far above the layout rules' bar for a last page, so that a line more or less in
# next month's data does not take the document under it


@dataclass(frozen=True)
class Measure:
    """A laid-out document, as the fitting sees it."""

    pages: int
    last_fill: float  # the share of the last page's body used, from its top down to its lowest line or row
    last_lines: int  # lines of text on the last page
    holes: float  # the largest gap between the two columns' ends on one page, as a share of the page's body
    foot: float = 0.0  # the largest share of a page's body left empty at its foot, the last page aside
    sections: dict[str, float] = field(default_factory=dict)  # each section's height (points), all its pages together

    def fits(self, bar: float) -> bool:
        return self.last_ok(bar + ROOM) and self.holes <= HOLES and self.foot <= HOLES

    def last_ok(self, bar: float) -> bool:
        return self.pages == 1 or (self.last_fill >= bar and self.last_lines > LONELY_LINES)

    def describe(self) -> str:
        page = f"{self.pages} page{'s' * (self.pages != 1)}"
        if self.pages > 1:
            page += f", the last {self.last_fill:.0%} used"
        return page


def measure(laid_out) -> Measure:
    """Pages, the last page's use, the columns' gaps and each section's height of a WeasyPrint document."""
    sections: dict[str, float] = {}
    holes = foot = 0.0
    last_fill, last_lines = 0.0, 0
    for number, page in enumerate(laid_out.pages, 1):
        box = page._page_box
        top, height = box.content_box_y(), box.height
        body = [child for child in box.children if type(child).__name__ != "MarginBox"]
        leaves = [b for child in body for b in _leaves(child)]
        for child in body:
            for found in child.descendants():
                element = getattr(found, "element", None)
                name = element.get("data-section") if element is not None and found.element_tag in SLOTS else None
                if name:
                    sections[name] = sections.get(name, 0.0) + found.margin_height() * PX
        columns = _columns(body)
        if len(columns) == 2 and height > 0:
            ends = [max((_bottom(b) for b in _leaves(cell)), default=top) for cell in columns]
            holes = max(holes, abs(ends[0] - ends[1]) / height)
        if height <= 0:
            continue
        used = min(max((max((_bottom(b) for b in leaves), default=top) - top) / height, 0.0), 1.0)
        if number == len(laid_out.pages):
            last_fill = used
            last_lines = len({round(b.position_y) for b in leaves if type(b).__name__ == "LineBox"})
        else:
            foot = max(foot, 1 - used)
    return Measure(len(laid_out.pages), last_fill, last_lines, holes, foot, sections)


def _leaves(box):
    """The boxes whose bottoms are where content ends: lines of text, replaced boxes (charts, images) and table rows
    (whose rules are drawn at their foot)."""
    for found in box.descendants():
        kind = type(found).__name__
        if kind == "LineBox" or kind.endswith("ReplacedBox") or kind == "TableRowBox":
            yield found


def _bottom(box) -> float:
    return box.position_y + box.margin_height()


def _columns(body) -> list:
    """The two column cells of a page (`.columns > .col`), when the page has them."""
    found = []
    for child in body:
        for box in child.descendants():
            element = getattr(box, "element", None)
            if (element is not None and type(box).__name__ == "TableCellBox"
                    and "col" in (element.get("class") or "").split()):
                found.append(box)
    return found


@dataclass(frozen=True)
class Fit:
    """What the renderer chose: the form kept, how it measured, and how many forms it tried."""

    form: str  # `Form.describe()`
    measure: Measure
    tried: int

    def report(self) -> str:
        """"layout balanced (2 pages, the last 64% used; 3 forms tried)"."""
        tried = f"; {self.tried} forms tried" if self.tried > 1 else ""
        return f"layout {self.form} ({self.measure.describe()}{tried})"


def best(measures: list[Measure], bar: float) -> int:
    """The index of the best of the layouts tried: one whose last page is used enough, on the fewest pages, without
    a gap between the columns' ends or at a page's foot over `HOLES`, with room to spare over the bar; among those
    that all leave such a gap, the one whose gap is smallest (a block kept whole that cannot fit a page's foot in any
    form, such as a chart with its table: the page left least empty); the earliest tried among equals."""
    def gap(m: Measure) -> float:
        return max(m.holes, m.foot)

    return min(range(len(measures)), key=lambda i: (not measures[i].last_ok(bar), measures[i].pages,
                                                    gap(measures[i]) > HOLES,
                                                    not measures[i].last_ok(bar + ROOM),
                                                    round(gap(measures[i]), 2) if gap(measures[i]) > HOLES else 0.0, i))
