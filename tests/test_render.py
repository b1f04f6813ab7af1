"""The finished PDFs: what a reader (and compliance) would check, read back from the PDF."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from factsheets import BuildError, Renderer, load_fund, parse_variant, render_document
from factsheets.pdf.text import normalise, pdf_pages_text

from .conftest import ETF, MONEY_MARKET, approved_statements, drop_statement, mutate, rendered, text_of

CASES = [(ETF, v) for v in ("en", "zh-CN", "bilingual")] + [
    (MONEY_MARKET, v) for v in ("en", "zh-CN", "bilingual", "zh-HK", "en+zh-HK")
]
IDS = [f"{p.stem[:6]}-{v}" for p, v in CASES]


def expected_statements(path, variant):
    """The statements the approved library says apply, filled in independently of the renderer."""
    return approved_statements(yaml.safe_load(path.read_text(encoding="utf-8")), parse_variant(variant).langs)


@pytest.mark.parametrize("path,variant", CASES, ids=IDS)
def test_every_applicable_statement_is_in_the_pdf_text(path, variant):
    text = text_of(path, variant)
    statements = expected_statements(path, variant)
    assert len(statements) >= 8 * len(parse_variant(variant).langs)  # the library's unconditional statements and the fund's
    for sid, lang, sentence in statements:
        assert normalise(sentence) in text, f"{sid} missing in {lang}"


def test_statement_placeholders_are_filled_with_long_dates():
    en, zh = text_of(ETF, "en"), text_of(ETF, "zh-CN")
    assert normalise("The CSI HK Internet Index has a base date of December 30, 2016 and was launched on January 11, 2021.") in en
    assert normalise("中证港股通互联网指数基日为2016年12月30日，发布日为2021年1月11日") in zh
    assert normalise("This fund is rated R4 (medium-high risk) and is suitable for investors assessed C4 or above.") in en
    assert normalise("本基金风险等级为R4（中高风险），适合风险承受能力为C4及以上的投资者。") in zh
    assert "{" not in en and "{" not in zh


@pytest.mark.parametrize("variant", ["en", "zh-CN", "bilingual"])
def test_key_facts_of_the_etf(variant):
    text = text_of(ETF, variant)
    for fact in ("513770", "017125", "017126", "19.22", "R4", "C4", "24.68", "73.00%"):  # every weight to two decimals
        assert fact in text, fact


def test_money_market_shows_fund_and_benchmark_not_index():
    text = text_of(MONEY_MARKET, "en")
    assert "Benchmark" in text and "1.85%" in text and "0.98%" in text
    assert "Tracked index" not in text and "Market and flows" not in text  # no data, no section
    assert normalise("Buying a money market fund is not the same as placing money on deposit") in text
    assert "2019*" in text and "Partialyear" in text


def test_etf_returns_are_labelled_as_index_data():
    text = text_of(ETF, "en")
    assert "Calendar-yearindexreturns" in text and "Indexdata,notthefund'sreturns" in text
    assert "指数历年收益率" in text_of(ETF, "zh-CN")


def test_chinese_documents_use_chinese_formats_and_labels():
    zh = text_of(ETF, "zh-CN")
    assert "118亿元" in zh and "¥" not in zh and "数据截至2025年11月7日" in zh and "第1页，共1页" in zh
    assert "Key facts" not in zh
    hk = text_of(MONEY_MARKET, "zh-HK")
    assert "基本資料" in hk and "23.5億元" in hk and "基金有風險，投資需謹慎。" in hk  # a mainland fund: 元, and its words
    assert "第1頁，共1頁" in hk


def test_bilingual_has_both_languages_in_every_section():
    text = text_of(ETF, "bilingual")
    for en, zh in [("Keyfacts", "基本信息"), ("Tophold", "主要持仓"), ("Commentary", "市场评论"), ("Riskdisclosures", "风险提示")]:
        assert en in text and zh in text
    assert "Page1of" in text and "第1页" in text


@pytest.mark.parametrize("path,variant", [(p, v) for p, v in CASES if "+" not in v and v != "bilingual"])
def test_single_language_factsheet_fits_two_pages(path, variant):
    assert rendered(path, variant).pages <= 2


def test_only_the_subset_noto_sans_cjk_is_embedded():
    pikepdf = pytest.importorskip("pikepdf")
    import io

    for variant in ("en", "bilingual"):
        pdf = pikepdf.open(io.BytesIO(rendered(ETF, variant).pdf))
        names = {str(font.BaseFont) for page in pdf.pages for font in page.Resources.Font.values()}
        assert names and all("Noto-Sans-CJK-SC" in n for n in names), names
        assert len(names) <= 2  # regular and bold, nothing else


def test_render_logs_no_weasyprint_warning(no_weasyprint_warnings):
    render_document(load_fund(MONEY_MARKET), "en+zh-HK", Renderer())


def test_same_inputs_give_the_same_bytes():
    fund = load_fund(ETF)
    assert render_document(fund, "en", Renderer()).pdf == render_document(fund, "en", Renderer()).pdf


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")
def test_first_page_is_not_blank(tmp_path):
    pdf = tmp_path / "f.pdf"
    pdf.write_bytes(rendered(ETF, "bilingual").pdf)
    subprocess.run(["pdftoppm", "-r", "30", "-gray", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True)
    (image,) = tmp_path.glob("p*.pgm")
    pixels = image.read_bytes().split(b"\n", 3)[3]
    dark = sum(1 for b in pixels if b < 200)  # text at 30 dpi is grey, not black
    assert dark > len(pixels) * 0.005, "page 1 is (almost) blank"


def test_fund_text_is_data_not_markup(tmp_path):
    hostile = '<img src="file:///etc/passwd"> <script>x</script> {{ 7*7 }} {% include "x" %}'
    bad = mutate(ETF, tmp_path, "Hong Kong technology stocks", f"'{hostile}' Hong Kong technology stocks")
    document = render_document(load_fund(bad), "en")
    text = "".join(pdf_pages_text(document.pdf))
    assert '<img src="file:///etc/passwd">' in text and "{{ 7*7 }}" in text and "<script>" in text


def test_a_template_that_drops_a_statement_fails_the_build(tmp_path):
    renderer = Renderer(template_dirs=[drop_statement(tmp_path / "templates", "not-advice", "disclaimer")])
    with pytest.raises(BuildError) as caught:
        render_document(load_fund(ETF), "bilingual", renderer)
    assert "not-advice" in str(caught.value) and "en" in str(caught.value) and "zh-CN" in str(caught.value)


def test_zh_hk_needs_zh_hk_texts():
    with pytest.raises(BuildError, match=r"fund\.name\.zh-HK: missing, needed for the zh-HK variant"):
        render_document(load_fund(ETF), "zh-HK")


def test_a_character_no_font_can_draw_is_an_error_naming_the_field(tmp_path):
    bad = mutate(ETF, tmp_path, "Recent volatility", "Recent \U0001F680 volatility")
    with pytest.raises(BuildError, match=r"fund\.risk\.notes\.0\.en: .*U\+1F680"):
        render_document(load_fund(bad), "en")
