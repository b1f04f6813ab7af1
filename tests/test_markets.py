"""Each market's words: a document speaks its regulator's and its fund's legal form's words as well as its language
(`localise.Market`). Hong Kong's Traditional Chinese (股份類別, 資料來源, 成立日期, 美元), the mainland's Simplified
Chinese (红利再投资, 48.62亿元, dividends per 10 units), English dates day first and dollars that say whose outside the
mainland, shares for a company and units for a trust; a mainland fund in Traditional Chinese keeps the mainland's
terms. The expected strings are written out here by hand, not computed by the package."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from factsheets import load_fund, render_document
from factsheets.documents.localise import Localiser, Market
from factsheets.pdf.text import normalise, pdf_pages_text

from .conftest import ETF, MONEY_MARKET, mutate, rendered

FUNDS = Path(__file__).parent / "data" / "funds"
HK_FUND = FUNDS / "LU0000990301.yaml"  # a Luxembourg SICAV (an investment company) sold in Hong Kong, in USD
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"


def text(path: Path, variant: str, document: str = "factsheet") -> str:
    pdf = rendered(path, variant).pdf if document == "factsheet" else render_document(load_fund(path), variant, document=document).pdf
    return "\n".join(pdf_pages_text(pdf))


@pytest.mark.parametrize("lang, market, expected", [
    ("en", Market("CN", "contractual_fund"), ("October 31, 2025", "CN¥4.86B", "CN¥10", "US$1,000", "CN¥0.006")),
    ("en", Market("HK", "investment_company"), ("31 October 2025", "CN¥4.86B", "CN¥10", "US$1,000", "CN¥0.006")),
    ("en", Market("EU"), ("31 October 2025", "CN¥4.86B", "CN¥10", "US$1,000", "CN¥0.006")),
    ("zh-CN", Market("CN", "contractual_fund"), ("2025年10月31日", "48.62亿元", "10元", "1,000美元", "0.06元")),
    ("zh-HK", Market("HK", "investment_company"), ("2025年10月31日", "48.62億人民幣", "10人民幣", "1,000美元", "0.006人民幣")),
    ("zh-HK", Market("CN", "contractual_fund"), ("2025年10月31日", "48.62億元", "10元", "1,000美元", "0.06元")),
])
def test_dates_and_amounts_in_each_market(lang, market, expected):
    loc = Localiser(lang, market=market)
    found = (loc.date(dt.date(2025, 10, 31)), loc.money(Decimal("4862000000"), "CNY"), loc.amount(Decimal(10), "CNY"),
             loc.amount(Decimal(1000), "USD"), loc.per_unit(Decimal("0.006"), "CNY"))
    assert found == expected


@pytest.mark.parametrize("lang, market, label, expected", [
    ("zh-HK", Market("HK", "investment_company"), "Share classes and fees", "股份類別及費用"),
    ("zh-HK", Market("HK", "unit_trust"), "Share classes and fees", "單位類別及費用"),
    ("zh-HK", Market("CN", "contractual_fund"), "Share classes and fees", "份額類別與費率"),
    ("zh-HK", Market("HK", "investment_company"), "Data sources", "資料來源"),
    ("zh-HK", Market("CN", "contractual_fund"), "Data sources", "數據來源"),
    ("zh-HK", Market("HK", "investment_company"), "Class launch date", "類別成立日期"),
    ("zh-CN", Market("CN", "contractual_fund"), "Accumulating", "红利再投资"),
    ("zh-CN", Market("CN", "contractual_fund"), "Monthly distribution", "现金分红（每月）"),
    ("en", Market("HK", "investment_company"), "Total per unit", "Total per share"),
    ("en", Market("HK", "unit_trust"), "Share classes and fees", "Unit classes and fees"),
    ("en", Market("CN", "contractual_fund"), "Share classes and fees", "Share classes and fees"),
])
def test_labels_in_each_market(lang, market, label, expected):
    assert Localiser(lang, market=market)._(label) == expected


def test_a_project_catalogue_still_comes_first(tmp_path):
    folder = tmp_path / "zh_HK" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "factsheets.po").write_text('msgid "Data sources"\nmsgstr "資料出處"\n', encoding="utf-8")
    assert Localiser("zh-HK", tmp_path, Market("HK", "investment_company"))._("Data sources") == "資料出處"


def test_hong_kong_documents_in_traditional_chinese_speak_hong_kong_words():
    for document, variant in (("factsheet", "zh-HK"), ("factsheet", "en+zh-HK"), ("kfs", "zh-HK")):
        flat = normalise(text(HK_FUND, variant, document))
        for word in ("份額", "發佈日", "USD計算", "數據來源"):
            assert word not in flat, (document, variant, word)
    flat = normalise(text(HK_FUND, "zh-HK"))
    for word in ("股份類別及費用", "資料來源", "類別成立日期2018年6月1日", "業績表現以美元", "6.12億美元", "1,000美元", "每股合計"):
        assert word in flat, word


def test_a_mainland_fund_in_traditional_chinese_keeps_the_mainland_words():
    flat = normalise(text(MONEY_MARKET, "zh-HK"))
    assert "份額類別與費率" in flat and "數據來源" in flat and "23.5億元" in flat and "股份類別" not in flat


def test_mainland_documents_in_simplified_chinese():
    for path, variant in ((ETF, "zh-CN"), (FUNDS / "990101.yaml", "zh-CN"), (FUNDS / "990201.yaml", "zh-CN"),
                          (FUNDS / "990101.yaml", "bilingual")):
        flat = normalise(text(path, variant))
        assert "累积" not in flat and not re.search(r"¥[\d.,]+亿", flat), (path.stem, variant)
    assert "118亿元" in normalise(text(ETF, "zh-CN"))
    flat = normalise(text(FUNDS / "990101.yaml", "zh-CN"))
    assert "分红方式红利再投资红利再投资" in flat and "48.62亿元" in flat and "10元" in flat
    # 990201's A class paid 0.006 a unit on 2025-09-22, 0.024 in the twelve months: per 10 units, 0.06 and 0.24元.
    flat = normalise(text(FUNDS / "990201.yaml", "zh-CN"))
    assert "每10份合计" in flat and "0.24元" in flat and "2025年9月22日每10份基金份额派发红利0.06元" in flat


def test_english_outside_the_mainland_writes_the_day_first_and_whose_dollar():
    for document, variant in (("factsheet", "en"), ("factsheet", "en+zh-HK"), ("kfs", "en"), ("kid", "en")):
        found = text(HK_FUND, variant, document)
        assert not re.search(rf"(?:{MONTHS}) \d{{1,2}}, \d{{4}}", " ".join(found.split())), (document, found)
        assert not re.search(r"(?<![A-Z])\$", found), document
    found = " ".join(text(HK_FUND, "en").split())
    assert "31 October 2025" in found and "US$612.5M" in found and "US$1,000" in found and "Total per share" in found
    # The mainland's English keeps the library's own dates: "December 30, 2016".
    assert "December 30, 2016" in " ".join(text(ETF, "en").split())


def test_a_unit_trust_speaks_of_units(tmp_path):
    path = mutate(HK_FUND, tmp_path, "legal_form: investment_company", "legal_form: unit_trust")
    shutil.copytree(FUNDS / "history", tmp_path / "history")  # a history file lies inside its fund's folder
    en, zh = (normalise("".join(pdf_pages_text(render_document(load_fund(path), lang).pdf))) for lang in ("en", "zh-HK"))
    assert "Unitclassesandfees" in en and "Totalperunit" in en and "Totalpershare" not in en
    assert "單位類別及費用" in zh and "股份類別" not in zh


def test_a_bilingual_footer_names_the_fund_in_both_languages():
    for path, variant, names in ((FUNDS / "990101.yaml", "bilingual", ("Demo Value Select Hybrid Fund", "示例价值精选混合型证券投资基金")),
                                 (HK_FUND, "en+zh-HK", ("Demo Asia Income Bond Fund", "示例亞洲收益債券基金"))):
        for page in pdf_pages_text(rendered(path, variant).pdf):
            footer = page.strip().splitlines()[-1]
            assert all(name in footer for name in names), footer
