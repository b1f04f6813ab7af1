"""The calendar-year returns chart, as inline SVG built from the data.

Past-performance display rules: a linear axis that crosses at 0 %, one bar per year
with data (a year without data is left empty, never drawn as zero), every bar labelled
to one decimal, fund and benchmark side by side, and a text alternative with the figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from markupsafe import Markup, escape

WIDTH, HEIGHT = 500, 190
TOP, BOTTOM, LEFT, RIGHT = 24, 28, 6, 6
COLOURS = ("#1f4e79", "#8fa3b8")
LABEL_EM = 0.6  # width of a label character in ems, rounded up ("−36.6%" is 3.42 em in Noto Sans CJK)


@dataclass(frozen=True)
class Series:
    label: str
    values: dict[int, Decimal]


def label(value: Decimal) -> str:
    """A bar's label: percent to one decimal, halves rounded up (2.25 -> 2.3), a true minus sign
    (it reads better than a hyphen), and no "-0.0%" for a tiny loss. The text alternative uses it too."""
    rounded = Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = Decimal("0.0")
    return f"{rounded:.1f}%".replace("-", "\u2212")


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
