"""The calendar-year returns chart, as inline SVG built from the data.

Past-performance display rules: a linear axis that crosses at 0 %, one bar per year
with data (a year without data is left empty, never drawn as zero), every bar labelled
as the table shows the figure (two decimals, the same minus sign), fund and benchmark side
by side, and a text alternative with the figures.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from markupsafe import Markup, escape

WIDTH, HEIGHT = 500, 190
LEFT, RIGHT = 6, 6
COLOURS = ("#1f4e79", "#8fa3b8")
# Bar labels are as large as the legend (9 units: some 4.7 pt where the chart fills a column, about
# 7 pt across the page), smaller only when even staggered they would not fit.
LABEL_SIZE, LABEL_FLOOR, LABEL_STEP = 9.0, 4.0, 0.5
ASCENT, DESCENT = 0.88, 0.12  # a label's line: the em box of Noto Sans CJK (its OS/2 typo metrics)
GAP, STACK, PAD = 2.0, 1.5, 2.0  # from a bar's end to its label, between stacked labels, between labels side by side
LEGEND_BAND, YEAR_BAND, EDGE = 12.0, 18.0, 2.0  # the legend over the plot, the years under it, else a bare edge
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


def _label_rows(bars: list[_Bar], size: float) -> int | None:
    """How many rows the labels need at `size`: one when each label clears its neighbours on its side
    of the axis, two when every other one does (neighbours staggered), None when neither, or when a
    label would cross the chart's edge."""
    if any(b.centre - b.ems * size / 2 < 0 or b.centre + b.ems * size / 2 > WIDTH for b in bars):
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
                  colours: tuple[str, ...] = COLOURS) -> Markup:
    """The calendar-year bars, every one labelled, its label centred on it, over a gain and under a
    loss. When neighbouring labels cannot stand side by side at a legible size (ten years of fund and
    benchmark), they are staggered: every other one a line further out, beyond any neighbouring bar
    or label its box would cover, and joined to its bar by a thin line when moved away from it. The
    margins over and under the plot hold the legend, the years and the rows of labels."""
    years = chart_years(series)
    values = [v for s in series for v in s.values.values()]
    lo, hi = min(Decimal(0), *values), max(Decimal(0), *values)
    span = (hi - lo) or Decimal(1)
    group_w = (WIDTH - LEFT - RIGHT) / max(len(years), 1)
    bar_w = group_w * 0.8 / len(series)
    bars: list[_Bar] = []
    for g, year in enumerate(years):
        x0 = LEFT + g * group_w + group_w * 0.1
        for i, s in enumerate(series):
            if year in s.values:  # no data: no bar, not a zero bar
                text = label(s.values[year])
                # A bar is 92 % of its slot: centred in it, the group on its year.
                bars.append(_Bar(i, year, s.values[year], x0 + i * bar_w + bar_w * 0.04, bar_w * 0.92, text, text_ems(text)))
    over = LEGEND_BAND if len(series) > 1 else EDGE
    steps = int((LABEL_SIZE - LABEL_FLOOR) / LABEL_STEP)
    for size in [LABEL_SIZE - LABEL_STEP * n for n in range(steps + 1)]:
        rows = _label_rows(bars, size) or (MAX_ROWS if size == LABEL_FLOOR else None)
        if rows is None:
            continue
        band = GAP + rows * size + (rows - 1) * STACK  # `rows` labels beyond a bar's end
        top = over + (band if any(b.gain for b in bars) else 0)
        bottom = HEIGHT - YEAR_BAND - (band if not all(b.gain for b in bars) else 0)
        scale = Decimal(bottom - top) / span
        zero_y = top + float(hi * scale)
        for bar in bars:
            bar.height = abs(float(bar.value * scale))
            bar.y = zero_y - bar.height if bar.gain else zero_y
        _place_labels(bars, rows, size)
        if _clear(bars, over, HEIGHT - YEAR_BAND):
            break
    label_size = size

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" font-family="{escape(font_family)}" font-size="10" '
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
            f'<text class="year" x="{LEFT + (g + 0.5) * group_w:.2f}" y="{HEIGHT - 6}" text-anchor="middle" fill="#444">{year}{mark}</text>'
        )
    if len(series) > 1:  # a legend names the bars; one series is named by the heading
        x = WIDTH - RIGHT
        for i, s in reversed(list(enumerate(series))):
            width = 10 + 5.5 * len(s.label) if s.label.isascii() else 10 + 10 * len(s.label)
            x -= width + 8
            parts.append(f'<rect class="key s{i}" x="{x:.2f}" y="2" width="7" height="7" fill="{colours[i % len(colours)]}"/>')
            parts.append(f'<text class="key" x="{x + 10:.2f}" y="9" font-size="9" fill="#222">{escape(s.label)}</text>')
    parts.append(f'<line class="zero" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{zero_y:.2f}" y2="{zero_y:.2f}" stroke="#333" stroke-width="0.8"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def allocation_chart(buckets: list[tuple[str, Decimal]], title: str, description: str, font_family: str,
                     colour: str = COLOURS[0]) -> Markup:
    """A breakdown (asset, sector, region, rating) as horizontal bars, largest first as given: each bar
    named and labelled with its weight, so the chart reads without its table, and the same figures in
    the text alternative. One bar per bucket on a common scale from 0 to the largest weight."""
    row, gap, value_w = 11, 3, 44
    width = 300  # drawn across a column (about 88 mm): 9 units of text are some 7.5 pt
    # The names' column as wide as the longest name (measured in the embedded face), within 40 to 60 %
    # of the chart; a name longer than that is set smaller to fit, never cut by its bar.
    widest = max((text_ems(name) * 9 for name, _ in buckets), default=0)
    name_w = min(max(widest + 6, 0.4 * width), 0.6 * width)
    height = len(buckets) * (row + gap) + gap
    largest = max((w for _, w in buckets), default=Decimal(1)) or Decimal(1)
    plot_w = width - name_w - value_w
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart allocation" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" font-family="{escape(font_family)}" font-size="9">',
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>",
    ]
    for i, (name, weight) in enumerate(buckets):
        y = gap + i * (row + gap)
        bar = float(Decimal(plot_w) * weight / largest)
        fits = (name_w - 6) / (text_ems(name) * 9) if name else 1
        size = f' font-size="{max(6.0, 9 * fits):.1f}"' if fits < 1 else ""
        parts.append(f'<text class="name" x="0" y="{y + row - 2}"{size} fill="#222">{escape(name)}</text>')
        parts.append(f'<rect class="bar" data-value="{weight}" x="{name_w:.2f}" y="{y}" width="{bar:.2f}" height="{row}" fill="{colour}"/>')
        parts.append(f'<text class="label" x="{name_w + bar + 3:.2f}" y="{y + row - 2}" fill="#222">{escape(weight_label(weight))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def weight_label(value: Decimal) -> str:
    """A weight as the chart labels it: two decimals, as the table shows it."""
    return f"{Decimal(value).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):.2f}%"


def growth_chart(dates: list, lines: list[tuple[str, list[float]]], title: str, description: str, font_family: str,
                 colours: tuple[str, ...] = COLOURS) -> Markup:
    """The growth of 10,000 (dividends reinvested) of a class against its benchmark, as lines over the
    same dates: a linear axis with its gridlines labelled, the start and every year marked, a legend
    naming each line, and the text alternative with the first and last values of each."""
    width, height, left, right, top, bottom = 300, 160, 40, 6, 22, 18  # drawn beside a table: 9 units are about 7 pt
    values = [v for _, line in lines for v in line]
    lo, hi = min(values), max(values)
    step = _nice_step((hi - lo) / 4 or 1000)
    lo, hi = step * (lo // step), step * -(-hi // step)
    plot_w, plot_h = width - left - right, height - top - bottom
    first, last = dates[0].toordinal(), dates[-1].toordinal()
    span = (last - first) or 1

    def x(day) -> float:
        return left + plot_w * (day.toordinal() - first) / span

    def y(value: float) -> float:
        return top + plot_h * (hi - value) / ((hi - lo) or 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart growth" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" font-family="{escape(font_family)}" font-size="9">',
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>",
    ]
    tick = lo
    while tick <= hi + step / 2:
        parts.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y(tick):.2f}" y2="{y(tick):.2f}" '
                     f'stroke="#d5dbe3" stroke-width="0.5"/>')
        parts.append(f'<text class="tick" x="{left - 4}" y="{y(tick) + 3:.2f}" text-anchor="end" fill="#444">{tick:,.0f}</text>')
        tick += step
    years = sorted({d.year for d in dates})
    shown = 0.0  # where the last year named ends
    for year in years[1:]:
        day = dt.date(year, 1, 1)
        parts.append(f'<line class="year" x1="{x(day):.2f}" x2="{x(day):.2f}" y1="{top}" y2="{height - bottom}" stroke="#eef1f5" stroke-width="0.5"/>')
        # A year is named under its line, kept inside the chart when the line is near its edge (a
        # history ending in January), and left unnamed when it would run into the year before.
        half = text_ems(str(year)) * 9 / 2
        centre = min(x(day), width - half)
        if centre - half >= shown + 2:
            parts.append(f'<text class="year" x="{centre:.2f}" y="{height - 6}" text-anchor="middle" fill="#444">{year}</text>')
            shown = centre + half
    for i, (_, line) in enumerate(lines):
        points = " ".join(f"{x(d):.2f},{y(v):.2f}" for d, v in zip(dates, line))
        parts.append(f'<polyline class="line s{i}" points="{points}" fill="none" stroke="{colours[i % len(colours)]}" stroke-width="1.4"/>')
    x_key = left
    for i, (label_text, _) in enumerate(lines):
        parts.append(f'<rect class="key s{i}" x="{x_key:.2f}" y="4" width="10" height="3" fill="{colours[i % len(colours)]}"/>')
        parts.append(f'<text class="key" x="{x_key + 13:.2f}" y="9" fill="#222">{escape(label_text)}</text>')
        x_key += 20 + (5.0 if label_text.isascii() else 9.0) * len(label_text)
    parts.append("</svg>")
    return Markup("".join(parts))


def _nice_step(raw: float) -> float:
    """A round gridline step (1, 2 or 5 times a power of ten) near `raw`."""
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
