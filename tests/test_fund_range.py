"""The whole fund range of the house export, as fund/v2 files (tests/data/funds/): each fund's own
documents, its terms, managers, benchmark and allocations, and exactly the performance figures its
jurisdiction allows, read back from the PDFs and compared with an independent computation."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from factsheets import BuildError, Renderer, load_fund, render_document
from factsheets.cli import cli
from factsheets.documents.disclosures import library
from factsheets.pdf.text import normalise, pdf_pages_text
from factsheets.rules.layout import layout_findings

from . import reference_performance as reference
from .conftest import MONEY_MARKET, rendered

FUNDS = Path(__file__).parent / "data" / "funds"
AS_OF = dt.date(2025, 10, 31)
SPEC = Path(__file__).resolve().parent.parent / "factsheets" / "disclosures"


def fund_path(code: str) -> Path:
    return FUNDS / f"{code}.yaml"


def text(code: str, variant: str) -> str:
    return normalise("".join(pdf_pages_text(rendered(fund_path(code), variant).pdf)))


def shown(fraction: float) -> str:
    """A percentage as the document prints it: two decimals, halves up, U+2212 for a loss (written here
    from PERFORMANCE.md, not with the package's formatter)."""
    value = Decimal(f"{fraction * 100:.9f}").quantize(Decimal("0.01"), ROUND_HALF_UP)
    return f"{value:,}%".replace("-", "\u2212") if value else "0.00%"


def build(tmp_path: Path, *args: str):
    return CliRunner().invoke(cli, ["build", str(FUNDS), "--out", str(tmp_path / "out"), *args], catch_exceptions=False)


def test_each_fund_gets_its_own_languages(tmp_path):
    result = build(tmp_path)
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (tmp_path / "out").glob("*.pdf"))
    assert written == sorted([
        "990101.en.pdf", "990101.zh-CN.pdf", "990101.bilingual.pdf",
        "990201.zh-CN.pdf",  # published in Chinese only: no English required, none written
        "990401.en.pdf", "990401.zh-CN.pdf", "990401.bilingual.pdf",
        "LU0000990301.en.pdf", "LU0000990301.zh-HK.pdf", "LU0000990301.en+zh-HK.pdf",
    ])


def test_a_language_the_fund_does_not_publish_in_is_skipped_not_failed(tmp_path):
    result = build(tmp_path, "--lang", "en,zh-HK")
    assert result.exit_code == 0, result.output
    assert "990201.yaml: the fund publishes in zh-CN, not in en: no en document" in result.output
    assert "LU0000990301.yaml: the fund publishes in en, zh-HK" not in result.output.replace("not in zh-HK", "")


def test_a_chinese_only_fund_needs_no_english():
    fund = load_fund(fund_path("990201"))
    assert fund.publishes == ("zh-CN",) and fund.fund.name.en is None


def _statements(jurisdiction: str, fund, langs) -> list[str]:
    """The approved wording, read from the library file itself (not through the code under test)."""
    data = yaml.safe_load((SPEC / f"{jurisdiction.lower()}.yaml").read_text(encoding="utf-8"))
    return [s[lang] for s in data["statements"] for lang in langs
            if "factsheet" in s["documents"] and s.get("when") is None and "{" not in s[lang]]


@pytest.mark.parametrize("code,variant,jurisdiction", [
    ("990101", "zh-CN", "CN"), ("990101", "en", "CN"), ("990201", "zh-CN", "CN"), ("990401", "zh-CN", "CN"),
    ("LU0000990301", "en", "HK"), ("LU0000990301", "zh-HK", "HK"),
])
def test_every_unconditional_statement_of_the_jurisdiction_is_printed(code, variant, jurisdiction):
    document = text(code, variant)
    for wording in _statements(jurisdiction, load_fund(fund_path(code)), (variant,)):
        assert normalise(wording) in document, wording


def test_a_hong_kong_fund_has_no_mainland_rating_or_statements():
    document = text("LU0000990301", "en")
    assert "R1" not in document and "Riskrating" not in document
    assert normalise("Investment involves risks. Invest with caution.") not in document
    assert normalise("SFC authorisation is not a recommendation or endorsement of the fund") in document


def test_hong_kong_performance_basis_names_currency_source_and_date():
    assert normalise("Performance is calculated in USD on a NAV-to-NAV basis with dividends reinvested. "
                     "Source: Demo Fund Services Limited, as of 31 October 2025.") in text("LU0000990301", "en")  # day first in Hong Kong
    assert normalise("業績表現以美元按資產淨值對資產淨值計算，股息再投資。資料來源：示例基金服務有限公司，截至2025年10月31日。") \
        in text("LU0000990301", "zh-HK")


def test_terms_managers_benchmark_and_allocations_are_shown():
    zh = text("990101", "zh-CN")
    for fact in ("管理费（年）", "1.20%", "托管费（年）", "0.20%", "销售服务费（年）", "0.40%", "申购费（最高）", "1.50%",
                 "最低投资金额", "10元", "李伟", "张敏", "2019年3月15日", "2022年7月1日",
                 normalise("沪深300指数收益率×80%+中债综合指数收益率×20%"), "股票", "86.40%", "主要消费", "21.30%"):
        assert fact in zh, fact
    en = text("990101", "en")
    assert "Managementfee(ayear)" in en and "LiWei" in en and normalise("CSI 300 Index return × 80%") in en


def test_allocation_figures_are_in_the_chart_and_its_text_alternative():
    html = rendered(fund_path("990101"), "en").html
    chart = re.search(r'<svg[^>]*class="chart allocation"[^>]*>.*?</svg>', html, re.S).group(0)
    desc = re.search(r"<desc>(.*?)</desc>", chart, re.S).group(1)
    for bucket, weight in (("Equities", "86.40%"), ("Bonds", "6.10%"), ("Cash and others", "7.50%")):
        assert f"{bucket}: {weight}" in desc
        assert f">{weight}</text>" in chart and f">{bucket}</text>" in chart


def test_chinese_documents_name_things_in_chinese():
    etf = normalise("".join(pdf_pages_text(rendered(Path(__file__).parent.parent / "examples/513770.yaml", "zh-CN").pdf)))
    for name in ("上海证券交易所", "中证指数有限公司", "人民币", "A类", "C类"):
        assert name in etf, name
    assert "R4（中高风险）" in etf and "SSE" not in etf.replace("513770", "")


def test_full_width_punctuation_and_no_folding_spaces_between_chinese_characters():
    mm = "".join(pdf_pages_text(rendered(MONEY_MARKET, "zh-CN").pdf))
    assert "计算基础：" in mm and "R1（低风险）" in mm
    # The YAML of 513770 folds its Chinese commentary over three lines: no space may remain between characters.
    html = rendered(Path(__file__).parent.parent / "examples/513770.yaml", "zh-CN").html
    commentary = re.search(r'<section class="commentary">(.*?)</section>', html, re.S).group(1)
    assert "本基金盘中测试半年线" in commentary
    assert not re.search(r"[\u4e00-\u9fff。，] +[\u4e00-\u9fff]", commentary), commentary


# -- performance: exactly the figures PERFORMANCE.md allows, beside the benchmark's -------------------

EXPECTED = {  # written from PERFORMANCE.md's tables for each fund's age at as_of 2025-10-31
    "990101": (["ytd", "1y", "3y", "5y", "since_inception", "since_inception_annualised"], [2019, 2020, 2021, 2022, 2023, 2024]),
    "990201": (["ytd", "1y", "3y", "5y", "since_inception", "since_inception_annualised"], [2018, 2019, 2020, 2021, 2022, 2023, 2024]),
    "LU0000990301": (["ytd", "1y", "3y", "5y", "since_inception", "since_inception_annualised"], [2020, 2021, 2022, 2023, 2024]),
}
CLASSES = {"990101": ["990101", "990102"], "990201": ["990201", "990202"], "LU0000990301": ["LU0000990301", "LU0000990319"]}
INCEPTION = {"990101": dt.date(2019, 3, 15), "990201": dt.date(2017, 8, 1), "LU0000990301": dt.date(2018, 6, 1)}


@pytest.mark.parametrize("code,variant", [("990101", "zh-CN"), ("990201", "zh-CN"), ("LU0000990301", "en")])
def test_the_figures_printed_are_the_independent_computation_of_the_allowed_periods(code, variant):
    document = text(code, variant)
    periods, years = EXPECTED[code]
    for class_code in CLASSES[code]:
        figures = reference.nav_figures(FUNDS / "history" / "nav" / f"{class_code}.csv", INCEPTION[code], AS_OF)
        row = "".join(shown(figures[k][0]) for k in periods)
        assert row in document, (class_code, row)
        year_row = "".join(shown(figures[str(y)][0]) for y in years)
        assert year_row in document, (class_code, year_row)
    benchmark = FUNDS / "history" / "benchmark" / f"{code}.csv"
    if benchmark.exists():  # every mainland figure beside its benchmark's
        figures = reference.level_figures(benchmark, INCEPTION[code], AS_OF)
        assert "".join(shown(figures[k][0]) for k in periods) in document
        assert "".join(shown(figures[str(y)][0]) for y in years) in document


def test_periods_the_rules_forbid_are_not_shown():
    bond = text("990201", "zh-CN")
    assert "年度2018" in bond  # the years table starts in 2018: 2017 was five months, a period of six months or less
    hk = text("LU0000990301", "en")
    assert "Year2020" in hk  # Hong Kong: the last five complete years, no launch year
    for document in (bond, hk, text("990101", "zh-CN")):
        assert "6个月" not in document and "6months" not in document


def test_the_fund_under_six_months_shows_no_performance_and_says_why():
    for variant, statement in (("zh-CN", "本基金合同生效未满六个月，不展示业绩表现。"),
                               ("en", "The fund's contract has been effective for less than six months, so its performance is not shown.")):
        assert normalise(statement) in text("990401", variant)
        html = rendered(fund_path("990401"), variant).html
        section = re.search(r'<section class="returns[^"]*">(.*?)</section>', html, re.S).group(1)
        assert not re.search(r"\d\.\d\d%", section.replace("×90%", "").replace("×10%", "")), section  # no figure at all
        assert "<svg" not in section and "<table" not in section
    figures = reference.nav_figures(FUNDS / "history" / "nav" / "990401.csv", dt.date(2025, 6, 20), AS_OF)
    assert shown(figures["since_inception"][0]) not in text("990401", "zh-CN")


# -- layout ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("code,variant", [("990101", "zh-CN"), ("990101", "en"), ("990201", "zh-CN"), ("990401", "zh-CN"),
                                          ("990401", "en"), ("LU0000990301", "en"), ("LU0000990301", "zh-HK")])
def test_a_single_language_factsheet_fits_two_pages_without_a_lonely_last_page(code, variant):
    document = rendered(fund_path(code), variant)
    assert document.pages <= 2
    assert layout_findings(document.pdf, "doc.pdf") == []  # no layout rule finds anything, warnings included


def test_a_last_page_with_only_a_line_or_two_fails_the_build(tmp_path):
    # A house template that pushes the sources onto a page of their own: the last page is a few lines (LY005, a
    # warning) and under a quarter used (LY004, an error, which the build refuses a factsheet on).
    folder = tmp_path / "sections"
    folder.mkdir()
    original = (Path(__file__).parent.parent / "templates" / "sections" / "sources.html.j2").read_text(encoding="utf-8")
    (folder / "sources.html.j2").write_text(original.replace('<section class="sources">', '<section class="sources" style="break-before: page">'),
                                            encoding="utf-8")
    fund = load_fund(MONEY_MARKET)
    with pytest.raises(BuildError) as raised:
        render_document(fund, "en", Renderer([tmp_path], pdf_variant=None))
    assert [f.code for f in raised.value.layout] == ["LY004"]
    assert "LY004 last-page-underfilled: page 2, the last, is" in str(raised.value)
    with pytest.raises(BuildError) as strict:  # --strict-layout: the warning refuses it too
        render_document(fund, "en", Renderer([tmp_path], pdf_variant=None, strict_layout=True))
    assert [f.code for f in strict.value.layout] == ["LY004", "LY005"]
    assert "the last page (page 2) holds only" in str(strict.value) and "Data sources" in str(strict.value)
    assert "(--strict-layout)" in str(strict.value)
    # A project that lowers the bar, with a reason (factsheets.toml), gets the document with the warning.
    document = render_document(fund, "en", Renderer([tmp_path], pdf_variant=None, last_page_min_fill=0.02))
    assert document.pages == 2 and [w.split(" ", 1)[0] for w in document.warnings] == ["LY005"]
    assert render_document(fund, "en").warnings == []  # the built-in layout fits one page


def test_a_template_error_names_the_template_and_its_line(tmp_path):
    folder = tmp_path / "templates" / "sections"
    folder.mkdir(parents=True)
    original = (Path(__file__).parent.parent / "templates" / "sections" / "header.html.j2").read_text(encoding="utf-8")
    (folder / "header.html.j2").write_text(original.replace("{{ fund.code }}", "{{ fund.nosuch.attr }}", 1), encoding="utf-8")
    (tmp_path / "factsheets.toml").write_text('[build]\ntemplates = "templates"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(MONEY_MARKET), "--out", str(tmp_path / "out"), "--lang", "en",
                                      "--config", str(tmp_path / "factsheets.toml")])
    assert result.exit_code == 1
    assert re.search(r"template error in .*sections/header\.html\.j2, line \d+: .*nosuch", result.output), result.output


def test_the_library_in_use_is_the_approved_one():
    assert library("CN").statement("past-performance").version == 2
    assert library("CN").statement("other-funds") is None
    assert [r.id for r in library("CN").retired] == ["other-funds"]


def test_a_project_template_may_add_labels_through_its_own_catalogue(tmp_path):
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    for folder, text in (("zh_CN", "本公司温馨提示"), ("zh_HK", "本公司溫馨提示")):
        catalog = Catalog(locale=folder)
        catalog.add("A word from the house", text)
        path = tmp_path / "locale" / folder / "LC_MESSAGES" / "factsheets.po"
        path.parent.mkdir(parents=True)
        with path.open("wb") as fh:
            write_po(fh, catalog)
    templates = tmp_path / "templates" / "sections"
    templates.mkdir(parents=True)
    (templates / "commentary.html.j2").write_text('<section class="commentary"><h2>{{ t("A word from the house") }}</h2></section>\n',
                                                  encoding="utf-8")
    (tmp_path / "factsheets.toml").write_text('[build]\ntemplates = "templates"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(MONEY_MARKET), "--out", str(tmp_path / "out"), "--lang", "zh-CN",
                                      "--config", str(tmp_path / "factsheets.toml")])
    assert result.exit_code == 0, result.output
    assert "本公司温馨提示" in "".join(pdf_pages_text((tmp_path / "out" / "990001.zh-CN.pdf").read_bytes()))
    # Without the project's catalogue, the label is missing in Chinese: an error, never English in a Chinese page.
    (tmp_path / "locale" / "zh_CN" / "LC_MESSAGES" / "factsheets.po").unlink()
    result = CliRunner().invoke(cli, ["build", str(MONEY_MARKET), "--out", str(tmp_path / "out2"), "--lang", "zh-CN",
                                      "--config", str(tmp_path / "factsheets.toml")])
    assert result.exit_code == 1 and "has no zh-CN translation" in result.output
