"""The calendar-year returns chart, measured from its SVG: the past-performance display rules
(linear axis crossing at 0 %, one bar per year with data, labels to one decimal, fund and
benchmark side by side, partial years marked, no missing year drawn as zero)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from factsheets import Renderer, load_fund, parse_variant
from factsheets.chart import (
    BOTTOM,
    HEIGHT,
    TOP,
    WIDTH,
    Series,
    label,
    returns_chart,
)

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


def chart(series: list[Series], partial=frozenset()) -> ET.Element:
    return parse(returns_chart(series, "Calendar-year returns", "the figures", "Noto", frozenset(partial)))


MIXED = [Series("Fund", D({2019: "12.5", 2020: "-8.25", 2021: "3.04", 2022: "-20", 2023: "0.04"})),
         Series("Benchmark", D({2019: "10", 2020: "-5.5", 2021: "4", 2022: "-15.05", 2023: "1"}))]


def test_bar_heights_are_proportional_to_the_values_on_a_linear_axis():
    svg = chart(MIXED)
    ratios = {round(float(b.get("height")) / abs(float(b.get("data-value"))), 6) for b in bars(svg)}
    assert max(ratios) - min(ratios) < 0.01 * max(ratios), ratios  # one scale for every bar (2-decimal coordinates)
    assert len(bars(svg)) == 10


def test_the_axis_crosses_at_zero_gains_up_and_losses_down():
    svg = chart(MIXED)
    zero = zero_y(svg)
    assert TOP <= zero <= HEIGHT - BOTTOM
    for bar in bars(svg):
        y, h, value = float(bar.get("y")), float(bar.get("height")), Decimal(bar.get("data-value"))
        if value > 0:
            assert y + h == pytest.approx(zero, abs=0.02), "a gain stands on the zero line"
        else:
            assert y == pytest.approx(zero, abs=0.02), "a loss hangs from the zero line"
    # The plot uses its full height: the largest gain reaches the top, the largest loss the bottom.
    tops = [float(b.get("y")) for b in bars(svg)]
    bottoms = [float(b.get("y")) + float(b.get("height")) for b in bars(svg)]
    assert min(tops) == pytest.approx(TOP, abs=0.02) and max(bottoms) == pytest.approx(HEIGHT - BOTTOM, abs=0.02)


@pytest.mark.parametrize("values,zero", [({2020: "5", 2021: "10"}, HEIGHT - BOTTOM), ({2020: "-5", 2021: "-10"}, TOP)])
def test_zero_line_at_the_edge_when_all_returns_have_one_sign(values, zero):
    svg = chart([Series("Index", D(values))])
    assert zero_y(svg) == pytest.approx(zero, abs=0.02)


def test_every_bar_is_labelled_in_percent_to_one_decimal_over_its_own_bar():
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


@pytest.mark.parametrize("value,shown", [("12.5", "12.5%"), ("2.25", "2.3%"), ("-8.25", "\u22128.3%"), ("3.04", "3.0%"),
                                         ("-0.04", "0.0%"), ("-20", "\u221220.0%"), ("109.31", "109.3%")])
def test_label_format(value, shown):
    assert label(Decimal(value)) == shown


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


def test_labels_of_neighbouring_bars_do_not_overlap_with_ten_years_of_two_series():
    years = range(2015, 2025)
    svg = chart([Series("Fund", {y: Decimal("-36.61") for y in years}), Series("Benchmark", {y: Decimal("-23.01") for y in years})])
    spans = []
    for text in labels(svg):
        width = advance_ems(text.text) * float(text.get("font-size"))
        spans.append((float(text.get("x")) - width / 2, float(text.get("x")) + width / 2))
    spans.sort()
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), spans
    assert min(float(t.get("font-size")) for t in labels(svg)) >= 5


def test_text_alternative_lists_the_same_figures():
    description = "2019: Fund 12.5%, Benchmark 10.0%; 2020: Fund \u22128.3%, Benchmark \u22125.5%"
    svg = parse(returns_chart(MIXED, "Calendar-year returns", description, "Noto"))
    assert svg.get("role") == "img" and svg.get("aria-label") == "Calendar-year returns"
    # The title, then the description with the figures, first in the SVG: where readers look for them.
    assert [(child.tag, child.text) for child in list(svg)[:2]] == [(SVG + "title", "Calendar-year returns"),
                                                                     (SVG + "desc", description)]


def test_factsheet_chart_text_alternative_matches_its_labels():
    renderer = Renderer()
    returns = renderer._returns(load_fund(MONEY_MARKET), parse_variant("en"), "Noto")
    svg = parse(returns["chart"])
    desc = svg.find(SVG + "desc").text
    assert desc.startswith("2019 (partial year): Fund 1.9%, Benchmark 1.0%; 2020: Fund 2.2%, Benchmark 1.4%")
    for text in labels(svg):
        assert text.text in desc
    assert [t.text for t in svg.iter(SVG + "text") if t.get("class") == "year"][0] == "2019*"


def test_etf_chart_is_index_data(tmp_path):
    returns = Renderer()._returns(load_fund(ETF), parse_variant("en"), "Noto")
    svg = parse(returns["chart"])
    assert svg.find(SVG + "title").text == "Calendar-year index returns"
    assert svg.find(SVG + "desc").text.startswith("2020: Index 109.3%; 2021: Index \u221236.6%")


def test_only_complete_years_are_charted(tmp_path):
    # as_of 2025-11-07: a 2025 figure is year-to-date, not a calendar year, and is not drawn.
    partial = mutate(ETF, tmp_path, "    2024: 23.04\n", "    2024: 23.04\n    2025: 5.5\n")
    returns = Renderer()._returns(load_fund(partial), parse_variant("en"), "Noto")
    assert returns["years"][-1] == 2024 and "2025" not in str(returns["chart"])
    year_end = mutate(ETF, tmp_path, "as_of: 2025-11-07", "as_of: 2025-12-31", "year_end.yaml")
    text = year_end.read_text(encoding="utf-8").replace("    2024: 23.04\n", "    2024: 23.04\n    2025: 5.5\n", 1)
    year_end.write_text(text, encoding="utf-8")
    assert Renderer()._returns(load_fund(year_end), parse_variant("en"), "Noto")["years"][-1] == 2025
