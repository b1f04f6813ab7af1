"""Layout under stress (issue 5): 50 holdings, 30 years of returns, names of 200 characters and a
commentary of 5,000 characters still lay out on A4, read back from the PDF itself: nothing outside
the page, no text drawn over other text, tables continued with their header, every mandatory
statement whole on one page and legible."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal
from functools import cache

import pdfplumber
import pytest
import yaml

from factsheets import Renderer, render_document
from factsheets.fund.load import FundLoader
from factsheets.fund.validate import validate_data
from factsheets.pdf.text import normalise, pdf_pages_text

from .conftest import MONEY_MARKET

A4 = (595.28, 841.89)
CHART_MAX_PT = 6.0  # the returns chart's SVG text is scaled down below this; all other text is 7 pt or more


def _drop_zh_hk(value: object) -> None:
    if isinstance(value, dict):
        value.pop("zh-HK", None)
        for item in value.values():
            _drop_zh_hk(item)
    elif isinstance(value, list):
        for item in value:
            _drop_zh_hk(item)


def long_word(n: int = 200) -> str:
    return ("Supercalifragilisticexpialidocious" * 10)[:n]


def long_name(i: int, n: int = 200) -> str:
    return (f"Holding {i:02d} " + " ".join(["International Technology Holdings"] * 10))[:n]


def zh_name(i: int, n: int = 200) -> str:
    return (f"第{i}号" + "中国国际科技控股集团有限公司" * 20)[:n]


def stress_data() -> dict:
    data = yaml.load(MONEY_MARKET.read_text(encoding="utf-8"), Loader=FundLoader)
    _drop_zh_hk(data)
    data["fund"]["name"] = {"en": long_word(), "zh-CN": zh_name(0)}  # one word of 200 letters
    data["fund"]["inception_date"] = dt.date(1994, 1, 3)
    years = range(1995, 2025)
    data["performance"]["annual_returns"] = {
        "fund": {y: Decimal((y * 37) % 200 - 90) + Decimal("0.37") for y in years},
        "benchmark": {y: Decimal((y * 53) % 150 - 60) + Decimal("0.12") for y in years},
    }
    data["holdings"] = {"top10_weight": Decimal("20.0"), "top": [
        {"name": {"en": long_word() if i % 5 == 0 else long_name(i), "zh-CN": zh_name(i)}, "weight": Decimal("1.90")}
        for i in range(50)
    ]}
    sentence = "Markets were volatile over the period as liquidity conditions shifted and rates moved. "
    data["commentary"] = {"en": (sentence * 80)[:5000].strip(), "zh-CN": ("本月市场波动加剧，流动性条件变化，利率有所调整。" * 250)[:5000]}
    return data


@cache
def stressed(variant: str):
    return render_document(validate_data(stress_data(), "stress.yaml"), variant, Renderer())


def test_the_stress_fund_is_as_large_as_the_issue_asks():
    fund = validate_data(stress_data(), "stress.yaml")
    assert len(fund.holdings.top) == 50
    assert len(fund.performance.annual_returns.fund) == 30 and len(fund.performance.annual_returns.benchmark) == 30
    assert len(fund.fund.name.en) == 200 and all(len(h.name.en) == 200 for h in fund.holdings.top)
    assert len(fund.commentary.en) >= 4990 and len(fund.commentary.zh_CN) == 5000


@cache
def _read(variant: str):
    """Each page's size, drawn characters and words (pdfplumber is slow: read each PDF once)."""
    with pdfplumber.open(io.BytesIO(stressed(variant).pdf)) as document:
        return [((page.width, page.height), [c for c in page.chars if c["text"].strip()],
                 page.extract_words(use_text_flow=True)) for page in document.pages]


def overlaps(chars: list[dict]) -> list[str]:
    """Pairs of characters drawn over each other (more than a third of each box), found on a grid."""
    grid: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, c in enumerate(chars):
        grid[(int(c["x0"] // 20), int(c["top"] // 20))].append(i)
    found = []
    for i, c in enumerate(chars):
        gx, gy = int(c["x0"] // 20), int(c["top"] // 20)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for j in grid.get((gx + dx, gy + dy), ()):
                    if j <= i:
                        continue
                    d = chars[j]
                    ox = min(c["x1"], d["x1"]) - max(c["x0"], d["x0"])
                    oy = min(c["bottom"], d["bottom"]) - max(c["top"], d["top"])
                    if ox > min(c["width"], d["width"]) / 3 and oy > min(c["height"], d["height"]) / 3:
                        found.append(f"{c['text']!r} over {d['text']!r} at ({c['x0']:.0f}, {c['top']:.0f})")
    return found


@pytest.mark.parametrize("variant", ["en", "bilingual"])
def test_every_page_is_a4_and_nothing_is_drawn_outside_it_or_over_other_text(variant):
    document = stressed(variant)
    assert document.pages >= 3
    for number, ((width, height), chars, _) in enumerate(_read(variant), 1):
        assert (round(width, 1), round(height, 1)) == (round(A4[0], 1), round(A4[1], 1))
        outside = [c["text"] for c in chars if c["x0"] < -0.5 or c["x1"] > width + 0.5 or c["top"] < -0.5 or c["bottom"] > height + 0.5]
        assert not outside, f"page {number}: {''.join(outside)[:80]} drawn outside the page"
        text = [c for c in chars if c["size"] >= CHART_MAX_PT]
        assert not (found := overlaps(text)), f"page {number}: {found[:5]}"


@pytest.mark.parametrize("variant", ["en", "bilingual"])
def test_text_outside_the_chart_is_at_least_7_pt(variant):
    # The chart is the text the PDF's own tags mark as a Figure (pdfplumber reads its marked content).
    pages = _read(variant)
    assert any(c.get("tag") == "Figure" for _, chars, _ in pages for c in chars), "the chart's text was not found"
    for number, (_, chars, _) in enumerate(pages, 1):
        small = {(c["text"], round(c["size"], 2)) for c in chars if c.get("tag") != "Figure" and c["size"] < 6.95}
        assert not small, f"page {number}: text set below 7 pt: {sorted(small)[:10]}"


@pytest.mark.parametrize("variant", ["en", "bilingual"])
def test_every_mandatory_statement_is_whole_on_one_page(variant):
    document = stressed(variant)
    pages = [normalise(text) for text in pdf_pages_text(document.pdf)]
    assert len(document.statements) >= 8  # other-funds is retired into past-performance v2
    for statement in document.statements:
        for lang, text in statement.texts.items():
            assert any(normalise(text) in page for page in pages), f"{statement.id} ({lang}) is not whole on one page"


@pytest.mark.parametrize("variant", ["en", "bilingual"])
def test_tables_continued_on_the_next_page_repeat_their_header(variant):
    holdings_pages = returns_pages = 0
    for number, (_, _, words) in enumerate(_read(variant), 1):
        texts = [w["text"] for w in words]
        if "Weight" in texts:
            holdings_pages += 1
            header = min(w["top"] for w in words if w["text"] == "Weight")
            first_row = min((w["top"] for w in words if w["text"] == "1.90%"), default=None)
            assert first_row is None or header < first_row, f"page {number}: holdings rows above their header"
        else:
            assert "1.90%" not in texts, f"page {number}: holdings continued without their header"
        rows = [t for t in texts if t in {f"{y}" for y in range(1995, 2025)}]
        if rows:
            assert "Benchmark" in texts, f"page {number}: returns continued without their header"
            returns_pages += 1
    assert holdings_pages >= 3, "50 long holdings should run over several pages"
    assert returns_pages >= 1


def test_the_returns_chart_stays_legible_with_30_years():
    # Ten years of two series take the full width (the table lists all 30): every label of the
    # first page, the chart's included, is at least 4.5 pt and none overlaps another.
    (_, chars, _), *_ = _read("en")
    assert chars and min(c["size"] for c in chars) >= 4.5
    assert not overlaps(chars)
