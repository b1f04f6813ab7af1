"""The charts, as inline SVG built from the data: calendar-year returns, the growth of 10,000, allocations.

Past-performance display rules: a linear axis that crosses at 0 %, one bar per year
with data (a year without data is left empty, never drawn as zero), every bar labelled
as the table shows the figure (two decimals, the same minus sign), fund and benchmark side
by side, and a text alternative with the figures.

Each chart is drawn at the size its page gives it (`Style`), in points: a factsheet's as wide as their column
(`COLUMN_PT`), a key facts document's as wide as its page's body (`KEY_FACTS_PT`, the allocation bars 60 % of it),
so that a label set at 7 units is 7 pt on the page.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from markupsafe import Markup, escape

# The factsheet's grid (styles/factsheet.css): A4, 13 mm side margins, two columns 6 mm apart.
MM = 72 / 25.4
CONTENT_PT = 595.28 - 2 * 13 * MM
GUTTER_PT = 6 * MM
COLUMN_PT = round((CONTENT_PT - GUTTER_PT) / 2, 2)
# The key facts' page (styles/kfs.css): A4, 15 mm side margins, one column.
KEY_FACTS_PT = round(595.28 - 2 * 15 * MM, 2)


@dataclass(frozen=True)
class Style:
    """A chart's size and type, in its own units (points, for a factsheet's charts): its width and height, its
    bar labels' size and the smallest they may shrink to, and the size of its other text (legend, years, axis)."""

    width: float
    height: float
    label: float = 7.0
    floor: float = 6.0
    text: float = 7.0
    legend_band: float = 11.0  # the legend over the plot
    year_band: float = 11.0  # the years under it
    legend: float | None = None  # the legend's text, when not `text`

    @property
    def key(self) -> float:
        return self.legend or self.text


# A factsheet's charts fill a column: text at 7 pt, bar labels 6 pt at the least.
def column(height: float) -> Style:
    return Style(COLUMN_PT, height)


def key_facts_bars(height: float) -> Style:
    """A key facts document's calendar-year bars: the page's width, text at 7.5 pt, bar labels 6.5 pt at the least."""
    return Style(KEY_FACTS_PT, height, label=7.5, floor=6.5, text=7.5, legend_band=12.0, year_band=12.0)


KEY_FACTS_BARS = key_facts_bars(150.0)
KEY_FACTS_ALLOCATION = Style(round(0.6 * KEY_FACTS_PT, 2), 0, text=8.5, floor=7.0)

WIDTH, HEIGHT = KEY_FACTS_BARS.width, KEY_FACTS_BARS.height  # the default size of `returns_chart`
LEFT, RIGHT = 6, 6
COLOURS = ("#1f4e79", "#8fa3b8")
LABEL_STEP = 0.5
ASCENT, DESCENT = 0.88, 0.12  # a label's line: the em box of Noto Sans CJK (its OS/2 typo metrics)
GAP, STACK, PAD = 2.0, 1.5, 2.0  # from a bar's end to its label, between stacked labels, between labels side by side
EDGE = 2.0  # a bare edge, over a plot without a legend
MAX_ROWS = 2  # rows of labels beyond the longest bars when neighbours' labels are staggered


@dataclass(frozen=True)
class Series:
    label: str
    values: dict[int, Decimal]


@dataclass
class _Bar:
    series: int
    year: int
    value: Decimal
    x: float
    width: float
    text: str  # its label
    ems: float  # its label's shaped width, in ems
    y: float = 0.0
    height: float = 0.0
    row: int = 0
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # its label's left, right, top, bottom (padded)

    @property
    def centre(self) -> float:
        return self.x + self.width / 2

    @property
    def gain(self) -> bool:
        return self.value >= 0

    @property
    def end(self) -> float:
        """Where the bar ends, away from the axis: its top for a gain, its bottom for a loss."""
        return self.y if self.gain else self.y + self.height


def label(value: Decimal) -> str:
    """A bar's label, exactly as the tables print the figure (`localise.Localiser.percent`): two
    decimals, halves rounded up, a true minus sign, no "−0.00%". The text alternative uses it too."""
    from .localise import percent_text

    return percent_text(Decimal(value))


@lru_cache(maxsize=4096)
def text_ems(text: str) -> float:
    """The advance of a text in ems, shaped by HarfBuzz in the face the documents embed (the Latin
    glyphs of Noto Sans CJK are the same in each script's face)."""
    import uharfbuzz as hb

    from ..fonts import face

    hb_face = face("SC", "regular").face
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    hb.shape(hb.Font(hb_face), buffer)
    return sum(g.x_advance for g in buffer.glyph_positions) / hb_face.upem


def chart_years(series: list[Series]) -> list[int]:
    """Every year from the first to the last with data: a year without data keeps its place on the
    axis, with no bar (never a zero bar)."""
    years = {year for s in series for year in s.values}
    return list(range(min(years), max(years) + 1)) if years else []


def _sides(bars: list[_Bar]) -> list[list[_Bar]]:
    """The gains and the losses, left to right: labels over the axis never meet labels under it."""
    return [sorted((b for b in bars if b.gain is side), key=lambda b: b.centre) for side in (True, False)]


def _meet(a: _Bar, b: _Bar, size: float) -> bool:
    """Whether two labels side by side would overlap."""
    return abs(b.centre - a.centre) < (a.ems + b.ems) * size / 2 + PAD


def _label_rows(bars: list[_Bar], size: float, width: float = WIDTH) -> int | None:
    """How many rows the labels need at `size`: one when each label clears its neighbours on its side
    of the axis, two when every other one does (neighbours staggered), None when neither, or when a
    label would cross the chart's edge."""
    if any(b.centre - b.ems * size / 2 < 0 or b.centre + b.ems * size / 2 > width for b in bars):
        return None
    return next((rows for rows in range(1, MAX_ROWS + 1)
                 if not any(_meet(a, b, size) for side in _sides(bars) for a, b in zip(side, side[rows:]))), None)


def _runs(bars: list[_Bar], size: float) -> list[list[_Bar]]:
    """Runs of neighbouring labels on one side of the axis that would overlap side by side."""
    runs: list[list[_Bar]] = []
    for side in _sides(bars):
        for i, bar in enumerate(side):
            if i and _meet(side[i - 1], bar, size):
                runs[-1].append(bar)
            else:
                runs.append([bar])
    return runs


def _place(bars: list[_Bar], placing: list[_Bar], size: float) -> None:
    """The box of each label of `placing` (its width by its line), centred on its bar: beyond the bar's
    end (over a gain, under a loss) and every bar of that side the box would cover, then, first fit,
    past each label already placed that it would overlap; row by row, so that a row is at most one
    line further out than the row before."""
    placed: list[_Bar] = []
    for bar in sorted(placing, key=lambda b: b.row):
        half = bar.ems * size / 2 + PAD / 2
        left, right = bar.centre - half, bar.centre + half
        covered = [b.end for b in bars if b.gain is bar.gain and b.x < right and b.x + b.width > left]
        # Labels already placed on the same side under this one, nearest the axis first.
        others = sorted((p.box for p in placed if p.gain is bar.gain and p.box[0] < right and p.box[1] > left),
                        key=lambda box: -box[3] if bar.gain else box[2])
        if bar.gain:
            bottom = min(covered) - GAP
            for box in others:
                if box[2] - STACK < bottom and box[3] + STACK > bottom - size:
                    bottom = box[2] - STACK
            bar.box = (left, right, bottom - size, bottom)
        else:
            top = max(covered) + GAP
            for box in others:
                if box[3] + STACK > top and box[2] - STACK < top + size:
                    top = box[3] + STACK
            bar.box = (left, right, top, top + size)
        placed.append(bar)


def _place_labels(bars: list[_Bar], rows: int, size: float) -> None:
    """Every label's box. Along a run of neighbours that would overlap side by side, labels take
    turns in `rows` rows; of the ways to take turns, the one that moves fewest labels away from their
    own bar's end (then the least far), so a longer bar keeps its label at its end and a shorter
    neighbour's goes beyond it. The margins hold `rows` lines beyond the longest bars."""
    for run in _runs(bars, size):
        def moved(start: int, run: list[_Bar] = run) -> tuple[int, float]:
            for i, bar in enumerate(run):
                bar.row = (i + start) % rows
            _place(bars, run, size)
            away = [abs(b.end - (b.box[3] if b.gain else b.box[2])) - GAP for b in run]
            return sum(a > 0.01 for a in away), sum(away)

        best = min(range(rows), key=moved)
        for i, bar in enumerate(run):
            bar.row = (i + best) % rows
    _place(bars, bars, size)


def _leader(bar: _Bar) -> tuple[float, float] | None:
    """Where a line joins a label moved away from its bar's end (beyond a longer neighbour) to it."""
    near = bar.box[3] if bar.gain else bar.box[2]
    return (bar.end, near) if abs(bar.end - near) > GAP + 1 else None


def _clear(bars: list[_Bar], top: float, bottom: float) -> bool:
    """Whether every label lies within its margins (under the legend, over the years) and every leader
    line crosses no other label."""
    for bar in bars:
        if bar.box[2] < top or bar.box[3] > bottom:
            return False
        if leader := _leader(bar):
            y1, y2 = sorted(leader)
            if any(b is not bar and b.box[0] < bar.centre < b.box[1] and b.box[2] < y2 and b.box[3] > y1 for b in bars):
                return False
    return True


def returns_chart(series: list[Series], title: str, description: str, font_family: str, partial_years: frozenset[int] = frozenset(),
                  colours: tuple[str, ...] = COLOURS, style: Style = KEY_FACTS_BARS) -> Markup:
    """The calendar-year bars, every one labelled, its label centred on it, over a gain and under a
    loss. When neighbouring labels cannot stand side by side at a legible size (ten years of fund and
    benchmark), they are staggered: every other one a line further out, beyond any neighbouring bar
    or label its box would cover, and joined to its bar by a thin line when moved away from it. The
    margins over and under the plot hold the legend, the years and the rows of labels."""
    width, height = style.width, style.height
    years = chart_years(series)
    values = [v for s in series for v in s.values.values()]
    lo, hi = min(Decimal(0), *values), max(Decimal(0), *values)
    span = (hi - lo) or Decimal(1)
    group_w = (width - LEFT - RIGHT) / max(len(years), 1)
    bar_w = group_w * 0.8 / len(series)
    bars: list[_Bar] = []
    for g, year in enumerate(years):
        x0 = LEFT + g * group_w + group_w * 0.1
        for i, s in enumerate(series):
            if year in s.values:  # no data: no bar, not a zero bar
                text = label(s.values[year])
                # A bar is 92 % of its slot: centred in it, the group on its year.
                bars.append(_Bar(i, year, s.values[year], x0 + i * bar_w + bar_w * 0.04, bar_w * 0.92, text, text_ems(text)))
    over = style.legend_band if len(series) > 1 else EDGE
    steps = int(round((style.label - style.floor) / LABEL_STEP))
    for size in [style.label - LABEL_STEP * n for n in range(steps + 1)]:
        rows = _label_rows(bars, size, width) or (MAX_ROWS if _smallest(size, style) else None)
        if rows is None:
            continue
        band = GAP + rows * size + (rows - 1) * STACK  # `rows` labels beyond a bar's end
        top = over + (band if any(b.gain for b in bars) else 0)
        bottom = height - style.year_band - (band if not all(b.gain for b in bars) else 0)
        scale = Decimal(bottom - top) / span
        zero_y = top + float(hi * scale)
        for bar in bars:
            bar.height = abs(float(bar.value * scale))
            bar.y = zero_y - bar.height if bar.gain else zero_y
        _place_labels(bars, rows, size)
        if _clear(bars, over, height - style.year_band):
            break
    label_size = size

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width:g} {height:g}" '
        f'role="img" aria-label="{escape(title)}" font-family="{escape(font_family)}" font-size="{style.text:g}" '
        f'data-plot="{top:.2f} {bottom:.2f}">',
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>",
    ]
    for bar in bars:
        parts.append(
            f'<rect class="bar s{bar.series}" data-year="{bar.year}" data-value="{bar.value}" x="{bar.x:.2f}" y="{bar.y:.2f}" '
            f'width="{bar.width:.2f}" height="{bar.height:.2f}" fill="{colours[bar.series % len(colours)]}"/>'
        )
        if leader := _leader(bar):
            parts.append(f'<line class="leader" x1="{bar.centre:.2f}" x2="{bar.centre:.2f}" y1="{leader[0]:.2f}" '
                         f'y2="{leader[1]:.2f}" stroke="#888" stroke-width="0.5"/>')
        parts.append(
            f'<text class="label" x="{bar.centre:.2f}" y="{bar.box[3] - DESCENT * label_size:.2f}" text-anchor="middle" '
            f'font-size="{label_size:g}" fill="#222">{escape(bar.text)}</text>'
        )
    for g, year in enumerate(years):
        mark = "*" if year in partial_years else ""
        parts.append(
            f'<text class="year" x="{LEFT + (g + 0.5) * group_w:.2f}" y="{height - 0.6 * style.text:g}" text-anchor="middle" '
            f'fill="#444">{year}{mark}</text>'
        )
    if len(series) > 1:  # a legend names the bars; one series is named by the heading
        parts += _legend([s.label for s in series], colours, style, right=True)
    parts.append(f'<line class="zero" x1="{LEFT}" x2="{width - RIGHT:g}" y1="{zero_y:.2f}" y2="{zero_y:.2f}" stroke="#333" stroke-width="0.8"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _smallest(size: float, style: Style) -> bool:
    """Whether `size` is the smallest the bar labels may take."""
    return size <= style.floor + 1e-9


def _legend(names: list[str], colours: tuple[str, ...], style: Style, right: bool, left: float = LEFT,
            line: bool = False) -> list[str]:
    """The legend over the plot: a key and each series' name, measured in the embedded face, from the right edge
    (bars) or from `left` (lines: a short line for a key)."""
    size = style.key
    key = round(size * 0.78, 2)
    parts = []
    widths = [text_ems(name) * size for name in names]
    total = sum(key + 3 + w for w in widths) + 8 * (len(names) - 1)
    x = (style.width - RIGHT - total) if right else left
    for i, (name, w) in enumerate(zip(names, widths)):
        colour = colours[i % len(colours)]
        if line:
            parts.append(f'<rect class="key s{i}" x="{x:.2f}" y="{2 + key / 2 - 1.5:.2f}" width="{key + 3:.2f}" height="3" fill="{colour}"/>')
            x += 3
        else:
            parts.append(f'<rect class="key s{i}" x="{x:.2f}" y="2" width="{key:g}" height="{key:g}" fill="{colour}"/>')
        parts.append(f'<text class="key" x="{x + key + 3:.2f}" y="{2 + key:.2f}" font-size="{size:g}" fill="#222">{escape(name)}</text>')
        x += key + 3 + w + 8
    return parts


def allocation_chart(buckets: list[tuple[str, Decimal]], title: str, description: str, font_family: str,
                     colour: str = COLOURS[0], style: Style = KEY_FACTS_ALLOCATION) -> Markup:
    """A breakdown (asset, sector, region, rating) as horizontal bars, largest first as given: each bar
    named and labelled with its weight, so the chart reads without a table, and the same figures in
    the text alternative. One bar per bucket on a common scale from 0 to the largest weight."""
    size = style.text
    row, gap, value_w = size + 2, 3, size * 4.9
    width = style.width
    # The names' column as wide as the longest name (measured in the embedded face), within 40 to 60 %
    # of the chart; a name longer than that is set smaller to fit (never under the style's floor), never
    # cut by its bar.
    widest = max((text_ems(name) * size for name, _ in buckets), default=0)
    name_w = min(max(widest + 6, 0.4 * width), 0.6 * width)
    height = len(buckets) * (row + gap) + gap
    largest = max((w for _, w in buckets), default=Decimal(1)) or Decimal(1)
    plot_w = width - name_w - value_w
    floor = style.floor
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart allocation" viewBox="0 0 {width:g} {height:g}" '
        f'role="img" aria-label="{escape(title)}" font-family="{escape(font_family)}" font-size="{size:g}">',
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>",
    ]
    baseline = row - 0.22 * size
    for i, (name, weight) in enumerate(buckets):
        y = gap + i * (row + gap)
        bar = float(Decimal(plot_w) * weight / largest)
        fits = (name_w - 6) / (text_ems(name) * size) if name else 1
        shrunk = f' font-size="{max(floor, size * fits):.1f}"' if fits < 1 else ""
        parts.append(f'<text class="name" x="0" y="{y + baseline:g}"{shrunk} fill="#222">{escape(name)}</text>')
        parts.append(f'<rect class="bar" data-value="{weight}" x="{name_w:.2f}" y="{y:g}" width="{bar:.2f}" height="{row:g}" fill="{colour}"/>')
        parts.append(f'<text class="label" x="{name_w + bar + 3:.2f}" y="{y + baseline:g}" fill="#222">{escape(weight_label(weight))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def weight_label(value: Decimal) -> str:
    """A weight as the chart labels it: two decimals, as the table shows it."""
    return f"{Decimal(value).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):.2f}%"


def growth_chart(dates: list, lines: list[tuple[str, list[float]]], title: str, description: str, font_family: str,
                 colours: tuple[str, ...] = COLOURS, style: Style | None = None) -> Markup:
    """The growth of 10,000 (dividends reinvested) of a class against its benchmark, as lines over the
    same dates: a linear axis with its gridlines labelled, the start and every year marked, a legend
    naming each line over the plot, and the text alternative with the first and last values of each."""
    style = style or column(140)
    size, width, height = style.text, style.width, style.height
    values = [v for _, line in lines for v in line]
    lo, hi = min(values), max(values)
    step = _nice_step((hi - lo) / 4 or 1000)
    lo, hi = step * (lo // step), step * -(-hi // step)
    ticks = []
    tick = lo
    while tick <= hi + step / 2:
        ticks.append(tick)
        tick += step
    left = max(text_ems(f"{t:,.0f}") for t in ticks) * size + 4
    right, top, bottom = 6, style.legend_band + 4, style.year_band
    plot_w, plot_h = width - left - right, height - top - bottom
    first, last = dates[0].toordinal(), dates[-1].toordinal()
    span = (last - first) or 1

    def x(day) -> float:
        return left + plot_w * (day.toordinal() - first) / span

    def y(value: float) -> float:
        return top + plot_h * (hi - value) / ((hi - lo) or 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart growth" viewBox="0 0 {width:g} {height:g}" '
        f'role="img" aria-label="{escape(title)}" font-family="{escape(font_family)}" font-size="{size:g}">',
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>",
    ]
    for tick in ticks:
        parts.append(f'<line class="grid" x1="{left:.2f}" x2="{width - right:g}" y1="{y(tick):.2f}" y2="{y(tick):.2f}" '
                     f'stroke="#d5dbe3" stroke-width="0.5"/>')
        parts.append(f'<text class="tick" x="{left - 4:.2f}" y="{y(tick) + 0.33 * size:.2f}" text-anchor="end" fill="#444">{tick:,.0f}</text>')
    years = sorted({d.year for d in dates})
    shown = 0.0  # where the last year named ends
    for year in years[1:]:
        day = dt.date(year, 1, 1)
        parts.append(f'<line class="year" x1="{x(day):.2f}" x2="{x(day):.2f}" y1="{top:g}" y2="{height - bottom:g}" stroke="#eef1f5" stroke-width="0.5"/>')
        # A year is named under its line, kept inside the chart when the line is near its edge (a
        # history ending in January), and left unnamed when it would run into the year before.
        half = text_ems(str(year)) * size / 2
        centre = min(x(day), width - half)
        if centre - half >= shown + 2:
            parts.append(f'<text class="year" x="{centre:.2f}" y="{height - 0.6 * size:g}" text-anchor="middle" fill="#444">{year}</text>')
            shown = centre + half
    for i, (_, line) in enumerate(lines):
        points = " ".join(f"{x(d):.2f},{y(v):.2f}" for d, v in zip(dates, line))
        parts.append(f'<polyline class="line s{i}" points="{points}" fill="none" stroke="{colours[i % len(colours)]}" stroke-width="1.4"/>')
    parts += _legend([name for name, _ in lines], colours, style, right=False, left=left, line=True)
    parts.append("</svg>")
    return Markup("".join(parts))


def _nice_step(raw: float) -> float:
    """A round gridline step (1, 2 or 5 times a power of ten) near `raw`."""
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
