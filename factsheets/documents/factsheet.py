"""The factsheet: what its template (`factsheet.html.j2` and `sections/`) shows of a fund, and the forms its layout
may take. Key facts and KIDs start from the same view and add their own (`key_facts.context`, `kid.context`).

A factsheet's page is a masthead, two columns of sections, then sections across the page. A `Form` says which
section stands where, how dense the spacing is and how tall the charts are; the renderer lays the document out in
its standard form and, when the result does not fit its pages (a last page holding a few lines, a column half
empty while the other spills onto the next page), in the other forms `forms` offers, and keeps the best
(`render.fit`). The sections keep their order within each column.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import product

from ..figures.performance import fund_figures
from ..fund.model import FundFile
from . import chart, labels
from .labels import Localiser
from .localise import risk_labels

# Sections in reading order. The first column opens with the key facts; the sections across the page follow both.
COLUMN_SECTIONS = ("key_facts", "share_classes", "managers", "index", "returns", "allocations", "holdings", "dividends", "flows")
ACROSS = ("commentary", "risk", "disclaimer", "sources")
CHART_HEIGHTS = {"regular": 150.0, "condensed": 128.0, "compact": 112.0, "airy": 150.0, "open": 176.0}


@dataclass(frozen=True)
class Form:
    """One layout of a factsheet: the sections of each column, those across the page, the spacing (a class on the
    page's <body>: `density-regular`, `-condensed`, `-open`) and the charts' height in points."""

    name: str
    left: tuple[str, ...]
    right: tuple[str, ...]
    across: tuple[str, ...]
    density: str = "regular"
    chart_height: float = CHART_HEIGHTS["regular"]
    bars: chart.Style | None = None  # the charts' styles; None: a factsheet's, in points, as wide as a column
    allocation: chart.Style | None = None
    charts: bool = True  # whether the document draws charts (a KID does not): what `describe` says

    def bar_style(self) -> chart.Style:
        return self.bars or chart.column(self.chart_height)

    def growth_style(self) -> chart.Style:
        return chart.column(self.chart_height)

    def allocation_style(self) -> chart.Style:
        return self.allocation or chart.Style(chart.COLUMN_PT, 0, text=7.5, floor=6.5)

    def describe(self) -> str:
        """What the build reports: "standard", "balanced; performance after the risks; open spacing, charts 176 pt"."""
        parts = [self.name]
        if "returns" in self.across and self.across.index("returns") > 0 and self.across[0] != "returns":
            parts.append("performance after the risks")
        if self.density != "regular":
            parts.append(f"{self.density} spacing" + (f", charts {self.chart_height:g} pt" if self.charts else ""))
        return "; ".join(parts)


# Key facts documents and KIDs stand in one column, their sections in the order their regulators fix: their forms
# differ only in the spacing (a class on the page's <body>, styles/kfs.css and kid.css) and the charts' height.
SINGLE_HEIGHTS = {"regular": 150.0, "condensed": 132.0, "compact": 118.0, "open": 170.0}
SINGLE_ORDER = ("condensed", "open", "compact")  # tried in this order when the regular form does not fit


def single(density: str = "regular", charts: bool = True) -> Form:
    """A key facts document's form (`charts`: its charts drawn as wide as its page) or a KID's (no charts)."""
    height = SINGLE_HEIGHTS[density]
    return Form("standard", (), (), (), density, height, bars=chart.key_facts_bars(height), allocation=chart.KEY_FACTS_ALLOCATION,
                charts=charts)


SINGLE = single()


def single_alternatives(form: Form, heights: dict[str, float]) -> list[Form]:
    """The forms to try when a key facts document or a KID does not fit its pages, in order: slightly tighter spacing
    and lower charts (to carry a last page's few lines back onto the page before); more open spacing and taller charts
    (to fill a last page that would stand nearly empty); the tightest spacing, which a reader finds denser, last. The
    sections keep the regulator's order in each."""
    return [single(density, form.charts) for density in SINGLE_ORDER if density != form.density]


def standard(wide: bool) -> Form:
    """The standard form: the fund's facts, classes, managers and index in the first column; its performance (when
    it is calendar years in a column), allocations, holdings, dividends and flows in the second; the fund's own
    performance (periods and two charts) across the page, then the commentary, risks, information and sources."""
    right = tuple(s for s in COLUMN_SECTIONS[4:] if not (wide and s == "returns"))
    return Form("standard", COLUMN_SECTIONS[:4], right, (("returns",) if wide else ()) + ACROSS)


def balanced(form: Form, heights: dict[str, float]) -> Form:
    """The sections of the two columns shared between them so that they end as near each other as can be (by their
    heights as laid out in `form`), each column keeping the sections' order; the key facts open the first."""
    if not heights:  # nothing measured (a template that lays out no slots): nothing to share
        return form
    movable = [s for s in (*form.left, *form.right) if s != "key_facts"]
    best, best_key = form, None
    for sides in product((0, 1), repeat=len(movable)):
        left = ("key_facts", *(s for s, side in zip(movable, sides) if side == 0))
        right = tuple(s for s, side in zip(movable, sides) if side == 1)
        a, b = sum(heights.get(s, 0.0) for s in left), sum(heights.get(s, 0.0) for s in right)
        moved = sum(1 for s in left if s not in form.left)
        key = (round(max(a, b)), moved)
        if best_key is None or key < best_key:
            best, best_key = replace(form, name="balanced", left=left, right=right), key
    return best


def dense(form: Form, density: str) -> Form:
    return replace(form, density=density, chart_height=CHART_HEIGHTS[density])


def first_form(fund: FundFile) -> Form:
    figures = fund_figures(fund)
    return standard(bool(figures.classes) and not figures.too_young)


def later(form: Form) -> Form:
    """The fund's performance across the page after the commentary, risks and important information, not before
    them: when it does not fit under the columns of the first page, they fill that page's foot."""
    if "returns" not in form.across:
        return form
    rest = [s for s in form.across if s not in ("returns", "sources")]
    return replace(form, across=(*rest, "returns", *(s for s in form.across if s == "sources")))


def alternatives(form: Form, heights: dict[str, float]) -> list[Form]:
    """The forms to try when `form` does not fit its pages, in the order they are tried: its sections rebalanced
    between the columns (by their heights in `form`); each with tighter spacing and lower charts (to carry a last
    page's few lines back); the performance after the risks (to fill the first page's foot when it does not fit
    there), with more open spacing and taller charts (to fill a last page that would stand nearly empty)."""
    even = balanced(form, heights)
    found = [even, dense(form, "condensed"), dense(even, "condensed"), dense(even, "compact"), later(even),
             dense(later(even), "airy"), dense(later(even), "open"), dense(even, "open"), dense(form, "open")]
    unique: list[Form] = []
    for candidate in found:
        if candidate != form and candidate not in unique:
            unique.append(candidate)
    return unique


def context(fund: FundFile, localisers: dict[str, Localiser], langs: tuple[str, ...], family: str,
            colours: tuple[str, ...], colour: str | None = None, form: Form | None = None) -> dict[str, object]:
    """The fund's terms, managers, allocations and performance, as labels and charts in each language, and the
    label helpers the templates call (`exchange`, `currency`, `class_name`, ...). `colour` is a house's primary
    colour for the allocation bars; `colours` the performance charts' series; `form` the layout (the charts'
    sizes among it)."""
    figures = fund_figures(fund)
    form = form or first_form(fund)
    performance = labels.performance_view(fund, figures, localisers, langs, family, colours, form.bar_style(), form.growth_style())
    return {
        "form": form,
        "category_label": labels.CATEGORY_LABELS[fund.fund.category.value],
        "risk_labels": risk_labels(fund),
        "performance": performance,
        "periods": labels.PERIOD_LABELS,
        "terms": labels.terms(fund, localisers, langs),
        "managers": labels.managers(fund, langs),
        "allocations": labels.allocations(fund, localisers, langs, family, colour, form.allocation_style()),
        "exchange": labels.exchange, "provider": labels.provider, "currency": labels.currency,
        "class_name": labels.class_name, "roles": labels.ROLES, "dealing": labels.DEALING,
    }
