"""The calendar-year returns chart, measured from its SVG: the past-performance display rules
(linear axis crossing at 0 %, one bar per year with data, labels to two decimals exactly as the
tables print them, fund and benchmark side by side, partial years marked, no missing year drawn as
zero), and labels that stay legible and clear of each other, of the bars, the legend and the years."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal
from functools import cache

import pytest

from factsheets import load_fund
from factsheets.documents.chart import COLOURS, HEIGHT, KEY_FACTS_BARS, WIDTH, Series, label, returns_chart
from factsheets.documents.labels import PerformanceView, performance_view
from factsheets.documents.localise import Localiser
from factsheets.figures.performance import fund_figures

from .conftest import ETF, MONEY_MARKET, mutate

SVG = "{http://www.w3.org/2000/svg}"


def D(values: dict[int, str]) -> dict[int, Decimal]:
    return {year: Decimal(v) for year, v in values.items()}


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def bars(svg: ET.Element) -> list[ET.Element]:
    return [r for r in svg.iter(SVG + "rect") if "bar" in r.get("class", "").split()]


def labels(svg: ET.Element) -> list[ET.Element]:
    return [t for t in svg.iter(SVG + "text") if t.get("class") == "label"]


def zero_y(svg: ET.Element) -> float:
    (line,) = [x for x in svg.iter(SVG + "line") if x.get("class") == "zero"]
    assert line.get("y1") == line.get("y2")
    return float(line.get("y1"))


def plot(svg: ET.Element) -> tuple[float, float]:
    """The plot's top and bottom: the margins above and below hold the legend, the years and the labels."""
    top, bottom = map(float, svg.get("data-plot").split())
    assert 0 < top < bottom < HEIGHT
    return top, bottom


def chart(series: list[Series], partial=frozenset()) -> ET.Element:
    return parse(returns_chart(series, "Calendar-year returns", "the figures", "Noto", frozenset(partial)))


MIXED = [Series("Fund", D({2019: "12.5", 2020: "-8.25", 2021: "3.04", 2022: "-20", 2023: "0.04"})),
         Series("Benchmark", D({2019: "10", 2020: "-5.5", 2021: "4", 2022: "-15.05", 2023: "1"}))]


def test_bar_heights_are_proportional_to_the_values_on_a_linear_axis():
    svg = chart(MIXED)
    tallest = max(bars(svg), key=lambda b: abs(float(b.get("data-value"))))
    scale = float(tallest.get("height")) / abs(float(tallest.get("data-value")))
    for b in bars(svg):  # one scale for every bar, to the 2-decimal coordinates' rounding (0.005 pt each way)
        assert abs(float(b.get("height")) - abs(float(b.get("data-value"))) * scale) <= 0.011, (b.get("data-value"), b.get("height"))
    assert len(bars(svg)) == 10


def test_the_axis_crosses_at_zero_gains_up_and_losses_down():
    svg = chart(MIXED)
    zero = zero_y(svg)
    top, bottom = plot(svg)
    assert top <= zero <= bottom
    for bar in bars(svg):
        y, h, value = float(bar.get("y")), float(bar.get("height")), Decimal(bar.get("data-value"))
        if value > 0:
            assert y + h == pytest.approx(zero, abs=0.02), "a gain stands on the zero line"
        else:
            assert y == pytest.approx(zero, abs=0.02), "a loss hangs from the zero line"
    # The plot uses its full height: the largest gain reaches the top, the largest loss the bottom.
    tops = [float(b.get("y")) for b in bars(svg)]
    bottoms = [float(b.get("y")) + float(b.get("height")) for b in bars(svg)]
    assert min(tops) == pytest.approx(top, abs=0.02) and max(bottoms) == pytest.approx(bottom, abs=0.02)


@pytest.mark.parametrize("values,edge", [({2020: "5", 2021: "10"}, 1), ({2020: "-5", 2021: "-10"}, 0)])
def test_zero_line_at_the_edge_when_all_returns_have_one_sign(values, edge):
    svg = chart([Series("Index", D(values))])
    assert zero_y(svg) == pytest.approx(plot(svg)[edge], abs=0.02)


def test_every_bar_is_labelled_in_percent_to_two_decimals_over_its_own_bar():
    svg = chart(MIXED)
    found = labels(svg)
    assert len(found) == len(bars(svg))
    for bar, text in zip(bars(svg), found):
        assert text.text == label(Decimal(bar.get("data-value")))
        x, w = float(bar.get("x")), float(bar.get("width"))
        assert float(text.get("x")) == pytest.approx(x + w / 2, abs=0.02)
        value, y, h = Decimal(bar.get("data-value")), float(bar.get("y")), float(bar.get("height"))
        if value >= 0:
            assert float(text.get("y")) < y, "a gain's label sits above the bar"
        else:
            assert float(text.get("y")) > y + h, "a loss's label sits below the bar"


@pytest.mark.parametrize("value,shown", [("12.5", "12.50%"), ("2.255", "2.26%"), ("2.254", "2.25%"), ("-8.25", "\u22128.25%"),
                                         ("-2.255", "\u22122.26%"), ("3.04", "3.04%"), ("-0.004", "0.00%"), ("0", "0.00%"),
                                         ("-0.005", "\u22120.01%"), ("-20", "\u221220.00%"), ("109.31", "109.31%"),
                                         ("1234.5", "1,234.50%")])
def test_label_format(value, shown):
    # Two decimals, halves rounded up (away from zero), a true minus sign and never "−0.00%": the
    # tables' own formatting (`Localiser.percent(value, 2)`), so chart and table agree to the digit.
    assert label(Decimal(value)) == shown
    assert label(Decimal(value)) == Localiser("en").percent(Decimal(value), 2)


def test_fund_and_benchmark_side_by_side_within_their_year():
    svg = chart(MIXED)
    years = [t for t in svg.iter(SVG + "text") if t.get("class") == "year"]
    assert [t.text for t in years] == ["2019", "2020", "2021", "2022", "2023"]
    by_year: dict[str, list[ET.Element]] = {}
    for bar in bars(svg):
        by_year.setdefault(bar.get("data-year"), []).append(bar)
    previous_right = 0.0
    for year_text, (fund, benchmark) in zip(years, by_year.values()):
        assert "s0" in fund.get("class") and "s1" in benchmark.get("class")
        assert fund.get("fill") != benchmark.get("fill")
        f_right = float(fund.get("x")) + float(fund.get("width"))
        assert f_right <= float(benchmark.get("x")), "side by side, not overlapping"
        b_right = float(benchmark.get("x")) + float(benchmark.get("width"))
        assert float(fund.get("x")) >= previous_right, "years do not overlap"
        previous_right = b_right
        centre = (float(fund.get("x")) + b_right) / 2
        assert float(year_text.get("x")) == pytest.approx(centre, abs=0.05), "the year is centred under its bars"
    assert previous_right <= WIDTH
    legend = [t.text for t in sorted(svg.iter(SVG + "text"), key=lambda t: float(t.get("x"))) if t.get("class") == "key"]
    assert legend == ["Fund", "Benchmark"]


def test_a_year_without_data_is_left_empty_not_drawn_as_zero():
    svg = chart([Series("Fund", D({2019: "3", 2021: "4"})), Series("Benchmark", D({2019: "2", 2021: "5"}))])
    years = [t.text for t in svg.iter(SVG + "text") if t.get("class") == "year"]
    assert years == ["2019", "2020", "2021"]  # the gap keeps its place on the axis
    assert {b.get("data-year") for b in bars(svg)} == {"2019", "2021"}
    assert all(float(b.get("height")) > 0 for b in bars(svg))


def test_partial_year_is_marked():
    svg = chart([Series("Fund", D({2019: "1.85", 2020: "2.21"}))], partial={2019})
    assert [t.text for t in svg.iter(SVG + "text") if t.get("class") == "year"] == ["2019*", "2020"]


def advance_ems(text: str) -> float:
    """The width of a text in ems, shaped by HarfBuzz with the font the factsheets use (Noto Sans
    CJK, proportional face): measured, not the chart's own estimate."""
    import uharfbuzz as hb

    from factsheets.fonts import font_path

    face = hb.Face(hb.Blob.from_file_path(str(font_path("regular"))), 0)
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    hb.shape(hb.Font(face), buffer)
    return sum(g.x_advance for g in buffer.glyph_positions) / face.upem


@cache
def em_box() -> tuple[float, float]:
    """The font's line, as ems above and below the baseline (OS/2 typo ascender and descender: the
    em box every digit, sign and "%" of a label is drawn in)."""
    from fontTools.ttLib import TTFont

    from factsheets.fonts import font_path

    with TTFont(str(font_path("regular")), fontNumber=0, lazy=True) as font:
        upem, os2 = font["head"].unitsPerEm, font["OS/2"]
        return os2.sTypoAscender / upem, -os2.sTypoDescender / upem


def text_box(text: ET.Element, size: float | None = None) -> tuple[float, float, float, float]:
    """A text's box, measured: its shaped width (placed by its anchor) by the font's line."""
    size = size or float(text.get("font-size") or 10)
    width = advance_ems(text.text) * size
    x = float(text.get("x"))
    left = {"middle": x - width / 2, "end": x - width}.get(text.get("text-anchor"), x)
    ascent, descent = em_box()
    y = float(text.get("y"))
    return left, left + width, y - ascent * size, y + descent * size


def rect_box(rect: ET.Element) -> tuple[float, float, float, float]:
    x, y = float(rect.get("x")), float(rect.get("y"))
    return x, x + float(rect.get("width")), y, y + float(rect.get("height"))


def meet(a, b) -> bool:
    """Two boxes (left, right, top, bottom) share some area."""
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


def assert_labels_clear(svg: ET.Element, smallest: float = 5) -> None:
    """Every label is at least `smallest` units, inside the chart, centred on its own bar beyond its
    end, and its box (its measured width by its line) meets no other label, no bar, no legend and no
    year; a label moved away from its bar's end is joined to it by a leader line."""
    texts = labels(svg)
    assert len(texts) == len(bars(svg))
    assert min(float(t.get("font-size")) for t in texts) >= smallest
    boxes = [text_box(t) for t in texts]
    # The legend's keys carry their size; the years take the chart's own (the <svg>'s font-size).
    others = [text_box(t, float(t.get("font-size") or svg.get("font-size"))) for t in svg.iter(SVG + "text")
              if t.get("class") in ("key", "year")]
    others += [rect_box(r) for r in svg.iter(SVG + "rect") if r.get("class", "").startswith("key")]
    leaders = [line for line in svg.iter(SVG + "line") if line.get("class") == "leader"]
    for bar, text, box in zip(bars(svg), texts, boxes):
        assert 0 <= box[0] and box[1] <= WIDTH and 0 <= box[2] and box[3] <= HEIGHT, (text.text, box)
        left, right, top, bottom = rect_box(bar)
        assert float(text.get("x")) == pytest.approx((left + right) / 2, abs=0.02), "centred on its own bar"
        gain = Decimal(bar.get("data-value")) >= 0
        assert box[3] <= top if gain else box[2] >= bottom, f"{text.text}: over a gain, under a loss"
        assert not [r.get("data-value") for r in bars(svg) if meet(box, rect_box(r))], f"{text.text} drawn over a bar"
        assert not [o for o in others if meet(box, o)], f"{text.text} drawn over the legend or a year"
        distance = top - box[3] if gain else box[2] - bottom
        if distance > 4:
            assert any(float(line.get("x1")) == pytest.approx(float(text.get("x")), abs=0.02) for line in leaders), \
                f"{text.text} is {distance:.1f} units from its bar, with no leader"
    for i, a in enumerate(boxes):
        for j, b in enumerate(boxes[i + 1:], i + 1):
            assert not meet(a, b), f"{texts[i].text} at {a} overlaps {texts[j].text} at {b}"


def test_labels_of_neighbouring_bars_do_not_overlap_with_ten_years_of_two_series():
    years = range(2015, 2025)
    svg = chart([Series("Fund", {y: Decimal("-36.61") for y in years}), Series("Benchmark", {y: Decimal("-23.01") for y in years})])
    assert_labels_clear(svg)
    # Side by side, "−36.61%" and "−23.01%" would not fit above 5 units: they are staggered, in two rows.
    assert len({t.get("y") for t in labels(svg)}) == 2


STRESS = [Series("Fund", {y: Decimal((y * 37) % 200 - 90) + Decimal("0.37") for y in range(2015, 2025)}),
          Series("Benchmark", {y: Decimal((y * 53) % 150 - 60) + Decimal("0.12") for y in range(2015, 2025)})]


@pytest.mark.parametrize("series", [
    MIXED,
    STRESS,
    # A short bar beside a long one, on both sides of the axis: its label goes beyond the long one.
    [Series("Fund", {y: Decimal(("1.63", "-2.5", "64.46", "-75.63")[y % 4]) for y in range(2015, 2025)}),
     Series("Benchmark", {y: Decimal(("85.12", "-37.88", "0", "-0.01")[y % 4]) for y in range(2015, 2025)})],
    # Wide labels and a missing year.
    [Series("Fund", {y: Decimal("1234.56") * (-1) ** y / (y - 2013) for y in range(2015, 2025) if y != 2019}),
     Series("Benchmark", {y: Decimal("-99.99") for y in range(2015, 2025)})],
    [Series("Index", {y: Decimal("-36.61") for y in range(2015, 2025)})],
    # Fund and benchmark taking turns to lead: at every other boundary between years a long bar
    # stands on each side, and their labels, a little wider than the space between them, must be
    # staggered (measured a quarter too narrow, they would be drawn side by side, over each other).
    # (At the key facts' width, 510 pt, a short bar's label must be as wide as "12.34%" for that.)
    [Series("Fund", {y: Decimal(("12.34", "64.46")[y % 2]) for y in range(2015, 2025)}),
     Series("Benchmark", {y: Decimal(("64.46", "12.34")[y % 2]) for y in range(2015, 2025)})],
], ids=["mixed", "stress", "short-beside-long", "wide-labels", "one-series", "taking-turns"])
def test_labels_stay_clear_of_each_other_the_bars_legend_and_years(series):
    assert_labels_clear(chart(series), smallest=KEY_FACTS_BARS.floor)  # a key facts chart's labels: 6.5 pt at the least


def test_text_alternative_lists_the_same_figures():
    description = "2019: Fund 12.5%, Benchmark 10.0%; 2020: Fund \u22128.3%, Benchmark \u22125.5%"
    svg = parse(returns_chart(MIXED, "Calendar-year returns", description, "Noto"))
    assert svg.get("role") == "img" and svg.get("aria-label") == "Calendar-year returns"
    # The title, then the description with the figures, first in the SVG: where readers look for them.
    assert [(child.tag, child.text) for child in list(svg)[:2]] == [(SVG + "title", "Calendar-year returns"),
                                                                     (SVG + "desc", description)]


def performance(path, langs: tuple[str, ...] = ("en",)) -> PerformanceView:
    """The performance section a factsheet of the fund shows, built as `Renderer.html` builds it."""
    fund = load_fund(path)
    localisers = {lang: Localiser(lang) for lang in langs}
    view = performance_view(fund, fund_figures(fund), localisers, langs, "Noto", COLOURS)
    assert view is not None and view.bar_chart is not None
    return view


def test_factsheet_chart_text_alternative_matches_its_labels():
    svg = parse(performance(MONEY_MARKET).bar_chart)
    desc = svg.find(SVG + "desc").text
    assert desc.startswith("2019 (partial year): Fund 1.85%, Benchmark 0.98%; 2020: Fund 2.21%, Benchmark 1.35%")
    # Each year's figures, in the order the bars are drawn, exactly as the labels print them.
    described = [f.split(" ")[-1] for part in desc.split("; ") for f in part.split(": ", 1)[1].split(", ")]
    assert [t.text for t in labels(svg)] == described
    assert [t.text for t in svg.iter(SVG + "text") if t.get("class") == "year"][0] == "2019*"


def test_etf_chart_is_index_data():
    view = performance(ETF)
    assert not view.own and view.title == "Calendar-year index returns"
    svg = parse(view.bar_chart)
    assert svg.find(SVG + "title").text == "Calendar-year index returns"
    assert svg.find(SVG + "desc").text.startswith("2020: Index 109.31%; 2021: Index \u221236.61%")
    assert [t.text for t in labels(svg)][:2] == ["109.31%", "\u221236.61%"]


def test_only_complete_years_are_charted(tmp_path):
    # as_of 2025-11-07: a 2025 figure is year-to-date, not a calendar year, and is not drawn.
    partial = mutate(ETF, tmp_path, "    2024: 23.04\n", "    2024: 23.04\n    2025: 5.5\n")
    view = performance(partial)
    assert view.years[-1] == 2024 and "2025" not in str(view.bar_chart)
    assert "5.50%" not in str(view.bar_chart)
    # On December 31 the year is complete: charted.
    year_end = mutate(partial, tmp_path, "as_of: 2025-11-07", "as_of: 2025-12-31", "year_end.yaml")
    view = performance(year_end)
    assert view.years[-1] == 2025
    assert [t.text for t in labels(parse(view.bar_chart))][-1] == "5.50%"


@pytest.mark.parametrize("start,end", [(dt.date(2021, 1, 8), dt.date(2026, 1, 9)), (dt.date(2006, 3, 1), dt.date(2025, 10, 31))],
                         ids=["ending-in-january", "twenty-years"])
def test_growth_chart_names_its_years_inside_the_chart_without_overlap(start, end):
    from factsheets.documents.chart import growth_chart

    dates = [start + dt.timedelta(days=d) for d in range(0, (end - start).days + 1, 7)]
    line = [10000 + 10 * i for i in range(len(dates))]
    svg = parse(growth_chart(dates, [("Class A", line), ("Benchmark", line)], "Growth of 10,000", "the figures", "Noto"))
    width = float(svg.get("viewBox").split()[2])
    size = float(svg.get("font-size"))  # the years are set in the chart's own size (7 pt in a factsheet's column)
    boxes = sorted(text_box(t, size) for t in svg.iter(SVG + "text") if t.get("class") == "year")
    assert boxes and boxes[0][0] >= 0 and boxes[-1][1] <= width, boxes
    assert all(a[1] <= b[0] for a, b in zip(boxes, boxes[1:])), boxes
    # The last year begun is named (near the edge, kept inside it), and a name stays near its line.
    lines = {round(float(line.get("x1")), 2) for line in svg.iter(SVG + "line") if line.get("class") == "year"}
    for text in (t for t in svg.iter(SVG + "text") if t.get("class") == "year"):
        assert min(abs(float(text.get("x")) - x) for x in lines) < 12
    if end.year - start.year <= 5:
        assert [t.text for t in svg.iter(SVG + "text") if t.get("class") == "year"][-1] == str(end.year)
