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

from markupsafe import Markup, escape

WIDTH, HEIGHT = 500, 190
TOP, BOTTOM, LEFT, RIGHT = 24, 28, 6, 6
COLOURS = ("#1f4e79", "#8fa3b8")
LABEL_EM = 0.6  # width of a label character in ems, rounded up ("−36.61%" is about 4 em in Noto Sans CJK)


@dataclass(frozen=True)
class Series:
    label: str
    values: dict[int, Decimal]


def label(value: Decimal) -> str:
    """A bar's label, exactly as the tables print the figure (`localise.Localiser.percent`): two
    decimals, halves rounded up, a true minus sign, no "−0.00%". The text alternative uses it too."""
    from .localise import percent_text

    return percent_text(Decimal(value))


def chart_years(series: list[Series]) -> list[int]:
    """Every year from the first to the last with data: a year without data keeps its place on the
    axis, with no bar (never a zero bar)."""
    years = {year for s in series for year in s.values}
    return list(range(min(years), max(years) + 1)) if years else []


def returns_chart(series: list[Series], title: str, description: str, font_family: str, partial_years: frozenset[int] = frozenset(),
                  colours: tuple[str, ...] = COLOURS) -> Markup:
    years = chart_years(series)
    values = [v for s in series for v in s.values.values()]
    lo, hi = min(Decimal(0), *values), max(Decimal(0), *values)
    span = (hi - lo) or Decimal(1)
    plot_h = HEIGHT - TOP - BOTTOM
    scale = Decimal(plot_h) / span
    zero_y = TOP + float(hi * scale)
    group_w = (WIDTH - LEFT - RIGHT) / max(len(years), 1)
    bar_w = group_w * 0.8 / len(series)
    # Labels sit over their own bar: shrink them rather than let neighbours overlap (ten years of
    # fund and benchmark, "−36.6%" beside "−23.0%", still get 5.4).
    longest = max((len(label(v)) for v in values), default=1)
    label_size = round(min(8 if len(series) > 1 else 9, bar_w / (LABEL_EM * longest)), 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" font-family="{escape(font_family)}" font-size="10">',
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>",
    ]
    for g, year in enumerate(years):
        x0 = LEFT + g * group_w + group_w * 0.1
        for i, s in enumerate(series):
            if year not in s.values:
                continue  # no data: no bar, not a zero bar
            value = s.values[year]
            h = abs(float(value * scale))
            x = x0 + i * bar_w + bar_w * 0.04  # a bar is 92 % of its slot: centred in it, the group on its year
            y = zero_y - h if value >= 0 else zero_y
            parts.append(
                f'<rect class="bar s{i}" data-year="{year}" data-value="{value}" x="{x:.2f}" y="{y:.2f}" '
                f'width="{bar_w * 0.92:.2f}" height="{h:.2f}" fill="{colours[i % len(colours)]}"/>'
            )
            label_y = y - 3 if value >= 0 else y + h + 9
            parts.append(
                f'<text class="label" x="{x + bar_w * 0.46:.2f}" y="{label_y:.2f}" text-anchor="middle" '
                f'font-size="{label_size:g}" fill="#222">{escape(label(value))}</text>'
            )
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
    row, gap, name_w, value_w = 11, 3, 118, 44
    width = 300  # drawn across a column (about 88 mm): 9 units of text are some 7.5 pt
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
        parts.append(f'<text class="name" x="0" y="{y + row - 2}" fill="#222">{escape(name)}</text>')
        parts.append(f'<rect class="bar" data-value="{weight}" x="{name_w}" y="{y}" width="{bar:.2f}" height="{row}" fill="{colour}"/>')
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
    for year in years[1:]:
        day = dt.date(year, 1, 1)
        parts.append(f'<line class="year" x1="{x(day):.2f}" x2="{x(day):.2f}" y1="{top}" y2="{height - bottom}" stroke="#eef1f5" stroke-width="0.5"/>')
        parts.append(f'<text class="year" x="{x(day):.2f}" y="{height - 6}" text-anchor="middle" fill="#444">{year}</text>')
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
