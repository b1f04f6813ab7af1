"""Key facts documents: the SFC's Product Key Facts Statement (en, zh-HK) and the mainland
基金产品资料概要 (zh-CN) of the house export's funds, read back from their PDFs as a reader would:
their sections in order, every applicable statement word for word (the approved library files' own
words, read here), the quick facts as the fund file gives them, four pages at most, `verify` clean;
and what happens to a fund whose key facts would run over, lack a field, or have no data at all."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from factsheets import load_fund, render_document
from factsheets.build.pipeline import plan
from factsheets.cli import cli
from factsheets.errors import BuildError, FundFileError
from factsheets.fund.load import fund_files
from factsheets.ingest.prospectus import merge_texts
from factsheets.pdf.text import normalise, pdf_pages_text
from factsheets.rules.check import check_pdf_bytes, recorded_document

from .conftest import ETF, EXAMPLES, ROOT

FUNDS = ROOT / "tests" / "data" / "funds"
LIBRARIES = ROOT / "factsheets" / "disclosures"  # the approved files, byte for byte the spec's
TODAY = ("--today", "2025-11-20")

DOCUMENTS = [("LU0000990301", "en"), ("LU0000990301", "zh-HK"), ("990101", "zh-CN"), ("990201", "zh-CN"), ("990401", "zh-CN")]

# The regulators' order of sections and subsections, as a reader sees the headings (spec/templates/: hk-kfs, cn-kfs).
HEADINGS = {
    "en": ["This statement provides you with key information about this product.", "Quick facts", "What is this product?",
           "Objectives and investment strategy", "Use of derivatives / investment in derivatives", "What are the key risks?",
           "How has the fund performed?", "Is there any guarantee?", "What are the fees and charges?",
           "Charges which may be payable by you", "Ongoing fees payable by the fund", "Other fees", "Additional information",
           "Important"],
    "zh-HK": ["本概要提供本基金的重要資料。", "資料便覽", "本基金是甚麼產品？", "目標及投資策略", "運用衍生工具／投資於衍生工具", "本基金有哪些主要風險？",
              "本基金過往的業績表現如何？", "本基金有否提供保證？", "投資本基金涉及哪些費用及收費？", "閣下或須繳付的收費", "本基金持續繳付的費用",
              "其他費用", "其他資料", "重要提示"],
    "zh-CN": ["编制日期", "送出日期", "本概要提供本基金的重要信息", "一、产品概况", "二、基金投资与净值表现", "（一）投资目标与投资策略",
              "（二）投资组合资产配置图表", "（三）自基金合同生效以来基金每年的净值增长率及与同期业绩比较基准的比较图", "三、投资本基金涉及的费用",
              "（一）基金销售相关费用", "（二）基金运作相关费用", "四、风险揭示与重要提示", "（一）风险揭示", "（二）重要提示", "五、其他资料查询方式"],
}
TITLES = {"en": "PRODUCT KEY FACTS", "zh-HK": "產品資料概要", "zh-CN": "基金产品资料概要"}


@cache
def library_file(jurisdiction: str) -> dict:
    return yaml.safe_load((LIBRARIES / f"{jurisdiction.lower()}.yaml").read_text(encoding="utf-8"))


def approved(jurisdiction: str, sid: str, lang: str, **values: str) -> str:
    statement = next(s for s in library_file(jurisdiction)["statements"] if s["id"] == sid)
    return statement[lang].format(**values)


def raw(code: str) -> dict:
    return yaml.safe_load((FUNDS / f"{code}.yaml").read_text(encoding="utf-8"))


def expected_statements(code: str, lang: str) -> dict[str, str]:
    """Every statement a fund's key facts must carry, from the library file and the fund file."""
    data = raw(code)
    fund = data["fund"]
    if data["jurisdiction"] == "HK":
        currency = fund["share_classes"][0]["currency"]
        # What a fund issues by its legal form, and a currency's name, in the reader's words (the library's header).
        units = {"investment_company": {"en": "shares", "zh-HK": "股份"}, "unit_trust": {"en": "units", "zh-HK": "單位"}}
        currency_name = {"USD": {"en": "US Dollar", "zh-HK": "美元"}, "HKD": {"en": "Hong Kong Dollar", "zh-HK": "港元"}}
        found = {"hk-kfs-header": approved("HK", "hk-kfs-header", lang),
                 "hk-kfs-past-performance": approved("HK", "hk-kfs-past-performance", lang, currency=currency,
                                                     currency_name=currency_name[currency][lang]),
                 "hk-insufficient-data": approved("HK", "hk-insufficient-data", lang),
                 "hk-kfs-fees-dealing": approved("HK", "hk-kfs-fees-dealing", lang, units=units[fund["legal_form"]][lang]),
                 "hk-kfs-fees-ongoing": approved("HK", "hk-kfs-fees-ongoing", lang),
                 "hk-kfs-other-fees": approved("HK", "hk-kfs-other-fees", lang, units=units[fund["legal_form"]][lang]),
                 "hk-kfs-important": approved("HK", "hk-kfs-important", lang)}
        if not fund.get("guarantee"):
            found["hk-kfs-no-guarantee"] = approved("HK", "hk-kfs-no-guarantee", lang)
        if any(c.get("distribution", "accumulating") != "accumulating" for c in fund["share_classes"]):
            found["hk-dividends"] = approved("HK", "hk-dividends", lang)
        return found
    rating = fund["risk"]["rating"]
    suitability = next(s for s in library_file("CN")["statements"] if s["id"] == "suitability")
    found = {"cn-kfs-header": approved("CN", "cn-kfs-header", lang),
             "past-performance": approved("CN", "past-performance", lang),
             "suitability": approved("CN", "suitability", lang, risk_rating=rating, min_investor=fund["risk"]["min_investor"],
                                     risk_label=suitability["labels"]["risk_label"][rating][lang]),
             "cn-kfs-risk-opening": approved("CN", "cn-kfs-risk-opening", lang),
             "cn-kfs-registration": approved("CN", "cn-kfs-registration", lang),
             "cn-kfs-no-minimum-return": approved("CN", "cn-kfs-no-minimum-return", lang),
             "cn-kfs-updates": approved("CN", "cn-kfs-updates", lang),
             "cn-kfs-other-documents": approved("CN", "cn-kfs-other-documents", lang, website=fund["contact"]["website"],
                                                phone=fund["contact"]["phone"])}
    start = fund["inception_date"]
    if _months(start, data["as_of"]) < 6:  # 990401: launched 2025-06-20, as of 2025-10-31
        found["performance-too-young"] = approved("CN", "performance-too-young", lang)
    elif start.year >= data["as_of"].year - 10 and (start.month, start.day) != (1, 1):
        found["cn-kfs-launch-year"] = approved("CN", "cn-kfs-launch-year", lang)  # every year charted, the part launch year too
    return found


def _months(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from start to end."""
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


@cache
def kfs(code: str, lang: str):
    return render_document(load_fund(FUNDS / f"{code}.yaml"), lang, document="kfs")


@cache
def text(code: str, lang: str) -> str:
    return normalise("".join(pdf_pages_text(kfs(code, lang).pdf)))


@pytest.mark.parametrize("code, lang", DOCUMENTS)
def test_every_section_in_the_regulators_order(code, lang):
    found, position = text(code, lang), 0
    assert found.startswith(normalise(TITLES[lang]))
    for heading in HEADINGS[lang]:
        at = found.find(normalise(heading), position)
        assert at >= 0, f"{heading!r} missing, or out of order, in {code} {lang}"
        position = at + 1


@pytest.mark.parametrize("code, lang", DOCUMENTS)
def test_every_applicable_statement_word_for_word_and_no_other(code, lang):
    found = text(code, lang)
    expected = expected_statements(code, lang)
    for sid, wording in expected.items():
        assert normalise(wording) in found, f"{sid} missing from {code} {lang}"
    jurisdiction = raw(code)["jurisdiction"]
    for statement in library_file(jurisdiction)["statements"]:
        wording = statement.get(lang, "")
        if statement["id"] not in expected and "{" not in wording:
            assert normalise(wording) not in found, f"{statement['id']} is not a statement of this key facts document"
    assert sorted(s.id for s in kfs(code, lang).statements) == sorted(expected)  # and the PDF's record says so


@pytest.mark.parametrize("code, lang", DOCUMENTS)
def test_four_pages_at_most_and_verify_passes(code, lang):
    document = kfs(code, lang)
    assert 1 <= document.pages <= 4 and len(pdf_pages_text(document.pdf)) == document.pages
    fund = load_fund(FUNDS / f"{code}.yaml")
    assert check_pdf_bytes(document.pdf, "kfs.pdf", fund=fund) == []  # the kfs set, told from the PDF's record
    assert check_pdf_bytes(document.pdf, "kfs.pdf") == []  # without the fund: told from the text
    assert recorded_document(document.pdf) == "kfs"


def test_hong_kong_quick_facts_as_the_fund_file_gives_them():
    en, zh = text("LU0000990301", "en"), text("LU0000990301", "zh-HK")
    fund = raw("LU0000990301")["fund"]
    for label, value in (("Management Company", fund["management_company"]["en"]), ("Investment Manager", fund["investment_manager"]["en"]),
                         ("Depositary", fund["custodian"]["name"]["en"]), ("Ongoing charges over a year", "1.15%*"),
                         ("Dealing frequency", "Daily"), ("Base currency", "US Dollar (USD)"),
                         ("Financial year end of this fund", "31 December"), ("Minimum investment", "US$1,000")):
        assert normalise(label + value) in en, label
    # Each class's dividend policy, the distributing class's paying out of capital as the prospectus words it.
    assert normalise("Dividend policyA USD Acc: No dividends will be declared (accumulating)A USD MDis: Monthly, at the") in en
    assert normalise(fund["share_classes"][1]["dividend_policy"]["en"]) in en
    assert normalise("* " + fund["ongoing_charges_note"]["en"]) in en  # the ongoing charges' basis, under the rows
    for label, value in (("管理公司", fund["management_company"]["zh-HK"]), ("投資經理", fund["investment_manager"]["zh-HK"]),
                         ("存管人", fund["custodian"]["name"]["zh-HK"]), ("交易頻密程度", "每日"), ("本基金財政年度終結日", "12月31日"),
                         ("最低投資額", "1,000美元"), ("全年經常性開支比率", "1.15%*")):
        assert normalise(label + value) in zh, label


def test_hong_kong_fees_every_row_for_the_fund_and_its_classes():
    """Every fee of the SFC's template, a fee not charged as N/A (never left out), under the three fixed sentences."""
    en, zh = text("LU0000990301", "en"), text("LU0000990301", "zh-HK")
    assert normalise("Fee What you pay Subscription fee Up to 3.00% Switching fee Up to 1.00% Redemption fee N/A") in en
    assert normalise("Fee Annual rate (as a % of the fund's value) Management fee 1.00% Depositary fee 0.05% "
                     "Performance fee N/A Administration fee 0.10%") in en
    assert normalise("費用 閣下須繳付 認購費 最高3.00% 轉換費 最高1.00% 贖回費 不適用") in zh
    assert normalise("管理費 1.00% 存管人費用 0.05% 表現費 不適用 行政費 0.10%") in zh
    for sid in ("hk-kfs-fees-dealing", "hk-kfs-fees-ongoing", "hk-kfs-other-fees", "hk-kfs-important"):
        assert normalise(approved("HK", sid, "en", units="shares")) in en, sid
    assert en.index(normalise("Other fees")) < en.index(normalise(approved("HK", "hk-kfs-other-fees", "en", units="shares")))
    assert en.index(normalise("Important")) < en.index(normalise(approved("HK", "hk-kfs-important", "en")))


def test_hong_kong_performance_is_ten_complete_calendar_years_with_launch_dates():
    en = text("LU0000990301", "en")
    # Launched 1 June 2018, as of 31 October 2025: 2019 to 2024 (the launch year and this year are not complete).
    assert normalise("Year 2019 2020 2021 2022 2023 2024") in en and "2018A" not in en
    assert normalise("Fund launch date 1 June 2018") in en and normalise("Class launch date 1 June 2018") in en
    assert normalise("Representative share class: A USD Acc") in en


def test_mainland_overview_as_the_fund_file_gives_it():
    found = text("990101", "zh-CN")
    for label, value in (("编制日期", "2025年10月15日"), ("送出日期", "2025年10月31日"),  # prepared_on, and the build's day (as_of)
                         ("基金简称", "示例价值精选混合"), ("基金代码", "990101"), ("下属基金简称", "示例价值精选混合A示例价值精选混合C"),
                         ("下属基金代码", "990101990102"), ("基金管理人", "示例基金管理有限公司"), ("基金托管人", "示例银行股份有限公司"),
                         ("基金合同生效日", "2019年3月15日"), ("基金类型", "混合型基金"), ("交易币种", "人民币"), ("运作方式", "普通开放式"),
                         ("开放频率", "每个开放日"),
                         ("基金经理", "李伟（开始担任本基金基金经理的日期：2019年3月15日；证券从业日期：2010年7月1日）"
                                     "张敏（开始担任本基金基金经理的日期：2022年7月1日；证券从业日期：2014年7月1日）"),
                         ("投资范围：", "本基金的投资范围为具有良好流动性的金融工具"), ("主要投资策略：", "本基金采用自上而下的资产配置"),
                         ("业绩比较基准：", "沪深300指数收益率×80%+中债综合指数收益率×20%")):
        assert normalise(label + value) in found, label
    assert "风险等级R3" not in found and "基金名称" not in found  # rows the template does not have
    # 三（一）: each class's tiers by amount (M) and holding period (N); C charges no subscription fee, and says so.
    assert normalise("示例价值精选混合A 费用类型 份额（S）或金额（M）/持有期限（N） 收费方式/费率 申购费（前收费） M<100万元 1.50% "
                     "100万元≤M<500万元 1.00% M≥500万元 每笔1,000元 赎回费 N<7天 1.50% 7天≤N<30天 0.75% 30天≤N<1年 0.50% "
                     "1年≤N<2年 0.25% N≥2年 0") in found
    assert normalise("示例价值精选混合C 费用类型 份额（S）或金额（M）/持有期限（N） 收费方式/费率 申购费（前收费） 不收取 赎回费 N<7天 1.50%") in found
    # 三（二）: every operating fee, the sales service fee class by class.
    assert normalise("管理费 1.20% 托管费 0.20% 销售服务费 A类：不收取 C类：0.40% 审计费用 120,000元/年 信息披露费 120,000元/年 "
                     "其他费用 《基金合同》生效后") in found


def test_the_young_fund_shows_no_performance_and_says_why():
    found = text("990401", "zh-CN")
    assert normalise(approved("CN", "performance-too-young", "zh-CN")) in found
    assert "年度" not in found.split(normalise("（三）"))[1].split(normalise("三、"))[0]  # no table of years
    assert not re.search(r"20\d\d\*?−?\d+\.\d\d%", found)  # no bar of a year
    assert kfs("990401", "zh-CN").pages <= 4


def test_hong_kong_chinese_key_facts_are_in_traditional_chinese():
    found = text("LU0000990301", "zh-HK")
    simplified_only = set("险资过业绩现证读说书买卖费这门时产务报动额类")
    assert not simplified_only & set(found), sorted(simplified_only & set(found))
    assert "本基金是甚麼產品？" in found and "閣下或須繳付的收費" in found and "存管人" in found
    for english in HEADINGS["en"][1:] + ["Depositary", "Dividend policy", "Ongoing charges", "Fund launch date", "Website"]:
        assert normalise(english) not in found, english  # no English label in a Chinese document


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data) -> bool:  # fund files admit no aliases: write a repeated text out each time
        return True


def _fund_with(tmp_path: Path, code: str, change) -> Path:
    """A copy of a fixture (with its history) whose data `change` edits."""
    import shutil

    shutil.copytree(FUNDS / "history", tmp_path / "history", dirs_exist_ok=True)
    data = raw(code)
    change(data)
    path = tmp_path / f"{code}.yaml"
    path.write_text(yaml.dump(data, Dumper=_NoAliases, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_key_facts_that_would_run_to_five_pages_fail_naming_the_overflow(tmp_path):
    def forty_risks(data):
        risk = data["fund"]["key_risks"][1]
        data["fund"]["key_risks"] = [{"title": {lang: f"{text} {i + 1}" for lang, text in risk["title"].items()},
                                      "text": risk["text"]} for i in range(40)]

    fund = load_fund(_fund_with(tmp_path, "LU0000990301", forty_risks))
    with pytest.raises(BuildError) as error:
        render_document(fund, "en", document="kfs")
    message = str(error.value)
    assert "kfs.en:" in message and "more than the 4 a key facts may have" in message
    assert re.search(r"page 5 starts with '.+'", message) and "no PDF written" in message


def test_part_of_the_key_facts_data_fails_naming_each_missing_field_and_the_document(tmp_path):
    def drop(data):
        for key in ("strategy", "derivatives", "financial_year_end"):
            del data["fund"][key]
        del data["fund"]["share_classes"][1]["fees"]["ongoing_charges"]

    path = _fund_with(tmp_path, "LU0000990301", drop)
    result = subprocess.run([sys.executable, "-m", "factsheets", "build", str(path), "--doc", "factsheet,kfs", "--lang", "en",
                             "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert result.returncode == 1, result.stdout + result.stderr
    for field in ("fund.strategy", "fund.derivatives", "fund.financial_year_end", "fund.share_classes.1.fees.ongoing_charges"):
        assert f"kfs.en: {field}: required for the key facts (kfs)" in result.stderr, field
    assert "Traceback" not in result.stderr
    # The factsheet needs none of it: written; the key facts are not.
    assert sorted(p.name for p in (tmp_path / "out").glob("*.pdf")) == ["LU0000990301.en.pdf"]
    # `check` says the same, as findings on the fund file.
    checked = CliRunner().invoke(cli, ["check", str(path), *TODAY, "--format", "json"])
    findings = json.loads(checked.output)
    assert checked.exit_code == 1
    assert sorted(f["location"] for f in findings if f["code"] == "FD009") == [
        "fund.derivatives", "fund.financial_year_end", "fund.share_classes.1.fees.ongoing_charges", "fund.strategy"]


def test_a_fund_without_key_facts_data_is_skipped_with_a_message_and_the_manifest_says_kfs(tmp_path):
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "factsheets", "build", str(ETF), str(FUNDS / "LU0000990301.yaml"),
                             "--doc", "kfs", "--out", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "no key facts for 513770: the fund file gives no data for one" in result.stdout
    assert sorted(p.name for p in out.glob("*.pdf")) == ["LU0000990301.kfs.en.pdf", "LU0000990301.kfs.zh-HK.pdf"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    written = [row for row in manifest if row.get("status") != "skipped"]
    assert {row["document"] for row in written} == {"kfs"}
    from factsheets.review.documents import read_documents

    assert {d.kind for d in read_documents(out)} == {"kfs"}  # the review list's document column
    # verify: the key facts set, told from each PDF; both PDFs of the fund agree with it and each other.
    verified = CliRunner().invoke(cli, ["verify", *map(str, sorted(out.glob("*.pdf"))), "--fund", str(FUNDS / "LU0000990301.yaml"), *TODAY])
    assert verified.exit_code == 0, verified.output
    wrong = CliRunner().invoke(cli, ["verify", str(out / "LU0000990301.kfs.en.pdf"), "--doc", "factsheet", *TODAY])
    assert wrong.exit_code == 1 and "hk-investment-risk" in wrong.output  # a factsheet's statements are not there


def test_factsheet_and_key_facts_of_a_fund_verify_together(tmp_path):
    (tmp_path / "f.pdf").write_bytes(render_document(load_fund(FUNDS / "990101.yaml"), "zh-CN").pdf)
    (tmp_path / "k.pdf").write_bytes(kfs("990101", "zh-CN").pdf)
    result = CliRunner().invoke(cli, ["verify", str(tmp_path / "f.pdf"), str(tmp_path / "k.pdf"), "--fund", str(FUNDS / "990101.yaml"),
                                      *TODAY, "--format", "json"])
    assert result.exit_code == 0, result.output
    # The same PDFs against a fund file whose fees have changed since: both documents disagree with it.
    changed = _fund_with(tmp_path, "990101", lambda d: [c["fees"].update(management=1.5) for c in d["fund"]["share_classes"]])
    result = CliRunner().invoke(cli, ["verify", str(tmp_path / "f.pdf"), str(tmp_path / "k.pdf"), "--fund", str(changed),
                                      *TODAY, "--format", "json"])
    findings = json.loads(result.output)
    assert result.exit_code == 1
    assert sorted((f["code"], f["file"]) for f in findings) == [("XD001", str(tmp_path / "f.pdf")), ("XD001", str(tmp_path / "k.pdf"))]
    assert all(f["message"].endswith("prints management fee (a year) of 1.20%; the fund file gives 1.50%") for f in findings)


def test_check_render_renders_the_key_facts():
    result = CliRunner().invoke(cli, ["check", "--render", "--doc", "kfs", str(FUNDS / "990401.yaml"), *TODAY, "--format", "json"])
    findings = json.loads(result.output)
    # The young fund's key facts render and verify (its figures left out), the layout rules included: nothing found.
    assert result.exit_code == 0 and findings == [], result.output


def test_plan_gives_hong_kong_funds_their_languages_and_mainland_funds_zh_cn():
    assert [t.name for t, why in plan(load_fund(FUNDS / "LU0000990301.yaml"), ("kfs",)) if not why] == ["kfs.en", "kfs.zh-HK"]
    assert [t.name for t, why in plan(load_fund(FUNDS / "990101.yaml"), ("kfs",)) if not why] == ["kfs.zh-CN"]


# -- the prospectus texts -------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["LU0000990301", "990101", "990201", "990401"])
def test_prospectus_texts_merged_into_the_export_give_the_fixture(code):
    """examples/prospectus/<code>.yaml holds exactly what the fixture adds to the export's data: the v1 texts of the
    fund, and v2's fields each where the fund file keeps them (a class's fees and tiers, a manager's career start)."""
    from factsheets.fund.validate import validate_data
    from factsheets.ingest.importer import import_export

    exported = next(f for f in import_export(ROOT / "tests" / "data" / "house-export", today=dt.date(2025, 11, 10)).funds
                    if f.code == code).data
    prospectus = yaml.safe_load((EXAMPLES / "prospectus" / f"{code}.yaml").read_text(encoding="utf-8"))
    assert prospectus["schema"] == "prospectus/v2"
    merged = validate_data(merge_texts(exported, prospectus, "p.yaml"), "p.yaml")
    assert merged.model_dump() == load_fund(FUNDS / f"{code}.yaml").model_dump()


def test_prospectus_v2_fields_go_where_the_fund_file_keeps_them():
    fund = load_fund(FUNDS / "990101.yaml")
    a, c = fund.fund.share_classes
    assert [(t.below, t.from_, t.rate, t.fixed) for t in a.subscription_tiers] == [(1000000, None, 1.5, None),
                                                                                  (5000000, None, 1, None), (None, 5000000, None, 1000)]
    assert c.subscription_tiers == [] and c.redemption_tiers[-1].from_days == 30
    assert [m.career_start for m in fund.fund.managers] == [dt.date(2010, 7, 1), dt.date(2014, 7, 1)]
    hk = load_fund(FUNDS / "LU0000990301.yaml")
    assert (hk.fund.share_classes[0].fees.switching, hk.fund.fund_fees.trustee, hk.priips.umbrella.en) == (1, Decimal("0.05"),
                                                                                                          "Demo Global Funds SICAV")
    assert hk.priips.complaints.email == "complaints@funds.example.com"


def test_a_prospectus_fee_the_export_gives_otherwise_and_unknown_classes_and_managers_are_named():
    exported = raw("990101")
    texts = {"fees": {"990101": {"management": 1.5}, "990999": {"management": 1}}, "manager_careers": {"王五": "2010-01-01"},
             "umbrella": {"en": "X"}}
    with pytest.raises(FundFileError) as error:
        merge_texts(exported, {"schema": "prospectus/v2", "fund": "990101", "texts": texts}, "p.yaml")
    message = str(error.value)
    assert "p.yaml: texts.fees.990101.management: 1.5 is not the export's management of 1.2" in message
    assert "p.yaml: texts.fees.990999: is not a share class of the fund (990101, 990102)" in message
    assert "p.yaml: texts.manager_careers.王五: is not a manager of the fund" in message
    assert "p.yaml: texts.umbrella: is a text of the PRIIPs KID, and the fund has no priips section" in message
    with pytest.raises(FundFileError, match="texts.short_name: is a prospectus/v2 field: set `schema: prospectus/v2`"):
        merge_texts(exported, {"schema": "prospectus/v1", "fund": "990101", "texts": {"short_name": {"zh-CN": "x"}}}, "p.yaml")


def test_migrate_rewrites_a_v1_prospectus_file_and_names_what_its_documents_lack(tmp_path):
    source = tmp_path / "990201.yaml"
    text = (EXAMPLES / "prospectus" / "990201.yaml").read_text(encoding="utf-8")
    v1 = text[:text.index("  # prospectus/v2")].replace("schema: prospectus/v2", "schema: prospectus/v1")
    source.write_text(v1, encoding="utf-8")
    result = CliRunner().invoke(cli, ["migrate", str(source)])
    assert result.exit_code == 0, result.output
    written = tmp_path / "990201.v2.yaml"
    assert written.read_text(encoding="utf-8") == v1.replace("schema: prospectus/v1", "schema: prospectus/v2")
    assert (f"{written}: for the 基金产品资料概要 (kfs) it lacks texts.short_name, texts.operation, texts.opening, texts.scope, "
            "texts.prepared_on, texts.manager_careers, texts.subscription_tiers, texts.redemption_tiers, texts.operating_fees"
            in result.output)
    again = CliRunner().invoke(cli, ["migrate", str(written)])
    assert again.exit_code == 0 and "prospectus/v2 already, nothing to do" in again.output


def test_a_bad_prospectus_file_names_every_problem():
    exported = raw("990101")
    with pytest.raises(FundFileError) as error:
        merge_texts(exported, {"schema": "prospectus/v1", "fund": "990201", "texts": {"objectiv": {}, "strategy": {}}, "x": 1}, "p.yaml")
    message = str(error.value)
    assert "p.yaml: fund: '990201' is not the fund '990101'" in message
    assert "p.yaml: texts.objectiv: is not a prospectus field" in message and "p.yaml: x: is not a key" in message


def test_prospectus_files_beside_fund_files_are_not_taken_for_fund_files():
    assert not [p for p in fund_files([EXAMPLES]) if "prospectus" in p.parts]
    assert fund_files([EXAMPLES / "prospectus" / "990101.yaml"]) == [EXAMPLES / "prospectus" / "990101.yaml"]  # named: taken


@pytest.mark.parametrize("code, lang, nav, benchmark, years", [
    ("LU0000990301", "en", "LU0000990301", None, range(2019, 2025)),  # HK: every complete year, up to ten
    ("990101", "zh-CN", "990101", "990101", range(2019, 2025)),  # CN: every year since the contract took effect
    ("990201", "zh-CN", "990201", "990201", range(2017, 2025)),  # launched 1 August 2017: the five months shown, marked
])
def test_the_bars_printed_are_the_independent_reference_figures(code, lang, nav, benchmark, years):
    """What the key facts print for each calendar year (read back from the PDF) against pandas's figures."""
    from decimal import ROUND_HALF_UP, Decimal

    from factsheets.pdf.printed import read

    from . import reference_performance as reference

    data = raw(code)
    inception = dt.date.fromisoformat(str(data["fund"]["inception_date"]))
    as_of = dt.date.fromisoformat(str(data["as_of"]))

    def shown(figures: dict) -> dict[int, Decimal]:
        return {int(k): Decimal(str(v[0] * 100)).quantize(Decimal("0.01"), ROUND_HALF_UP) for k, v in figures.items()
                if k.isdigit() and int(k) in years}

    printed = read(kfs(code, lang).pdf, code, "kfs", (lang,))
    assert printed.years == shown(reference.nav_figures(FUNDS / "history" / "nav" / f"{nav}.csv", inception, as_of))
    if benchmark:
        assert printed.benchmark_years == shown(reference.level_figures(FUNDS / "history" / "benchmark" / f"{benchmark}.csv",
                                                                         inception, as_of))
    # The fees as they are printed after their rows' labels: a fee not charged (N/A, 不收取) is no figure, and a
    # mainland class's subscription and redemption fees stand in tiers (their highest is the maximum: the model checks it).
    keys = ("management", "custody", "sales_service", "ongoing_charges") + (("max_subscription", "max_redemption") if lang == "en" else ())
    fees = {key: {Decimal(str(c["fees"][key])).quantize(Decimal("0.01")) for c in data["fund"]["share_classes"]
                  if c["fees"].get(key)} for key in keys}
    assert printed.fees == {key: values for key, values in fees.items() if values}
    assert printed.as_of == {as_of} and printed.inception == {inception}


def test_a_statement_the_key_facts_do_not_place_by_id_still_stands_in_them():
    """The regulator's template places each statement it lists (hk-kfs-header in the header, the fees sentences in their
    subsections); one it does not list stands where `key_facts.PLACES` says, and one added to the library later, with no
    place at all, in the last part (HK: Important; mainland: 四（二）重要提示): never left out."""
    from factsheets.documents.key_facts import placed
    from factsheets.documents.localise import FilledStatement

    hk, cn = load_fund(FUNDS / "LU0000990301.yaml"), load_fund(FUNDS / "990101.yaml")
    header = FilledStatement("hk-kfs-header", 1, "disclaimer", {"en": "h"})
    dealing = FilledStatement("hk-kfs-fees-dealing", 1, "disclaimer", {"en": "f"})
    new = FilledStatement("hk-kfs-new-warning", 1, "disclaimer", {"en": "n"})
    risk = FilledStatement("hk-dividends", 1, "risk", {"en": "d"})
    found = placed(hk, {"risk": [risk], "performance": [], "disclaimer": [new, header, dealing]})
    assert {part: items for part, items in found.items() if items} == {"header": [header], "key-risks": [risk], "fees.1": [dealing],
                                                                      "important": [new]}
    suitability = FilledStatement("suitability", 1, "risk", {"zh-CN": "s"})
    later = FilledStatement("cn-kfs-new", 1, "disclaimer", {"zh-CN": "n"})
    found = placed(cn, {"risk": [suitability], "performance": [], "disclaimer": [later]})
    assert {part: items for part, items in found.items() if items} == {"risks.1": [suitability], "risks.2": [later]}


def test_the_same_inputs_give_the_same_bytes():
    again = render_document(load_fund(FUNDS / "990201.yaml"), "zh-CN", document="kfs")
    assert again.pdf == kfs("990201", "zh-CN").pdf


def test_printed_years_are_read_from_split_tables_where_the_lead_class_is_younger():
    """Thirteen years in tables of five, four and four; the representative class launched in the fourth
    year, so the first table's lead row is mostly "–": every figure is still read, at its year."""
    from decimal import Decimal

    import weasyprint

    from factsheets.pdf.printed import _years_tables

    years = list(range(2012, 2025))
    own = {y: Decimal(f"{(y % 7) * 3.1 - 5:.2f}") for y in years if y >= 2015}
    other = {y: Decimal(f"{(y % 5) * 2.3 - 4:.2f}") for y in years}
    bench = {y: Decimal(f"{(y % 3) * 4.7 - 6:.2f}") for y in years if y >= 2015}

    def cell(values, year):
        return f"{values[year]:.2f}%".replace("-", "\u2212") if year in values else "–"

    html = ""
    for chunk in (years[:5], years[5:9], years[9:]):
        html += "<table><thead><tr><th>Year</th>" + "".join(f"<th class=num>{y}</th>" for y in chunk) + "</tr></thead><tbody>"
        for label, values in (("Class A", own), ("Class B", other), ("Benchmark", bench)):
            html += f"<tr><th>{label}</th>" + "".join(f"<td class=num>{cell(values, y)}</td>" for y in chunk) + "</tr>"
        html += "</tbody></table>"
    pdf = weasyprint.HTML(string=f"<style>@page{{size:A4;margin:20mm}} body{{font:8pt sans-serif;width:90mm}}"
                               f"table{{width:100%;margin:4pt 0}} .num{{text-align:right}} th{{text-align:left}}</style>{html}").write_pdf()
    assert _years_tables(pdf, ("en",)) == (own, bench)


def test_fee_tiers_that_leave_a_gap_or_disagree_with_the_maximum_are_named():
    from factsheets.fund.validate import validate_data

    data = raw("990101")
    a, c = data["fund"]["share_classes"]
    a["subscription_tiers"] = [{"below": 1000000, "rate": 1.2}, {"below": 500000, "rate": 1.0}, {"from": 5000000, "fixed": 1000}]
    a["redemption_tiers"] = [{"below_days": 7, "rate": 1.5}, {"below_days": 30, "rate": 0.5}]
    c["subscription_tiers"] = [{"below": 1000, "rate": 1, "fixed": 5}]
    with pytest.raises(FundFileError) as error:
        validate_data(data, "f.yaml")
    message = str(error.value)
    assert "fund.share_classes.0.subscription_tiers.1.below: 500000 is not above the band before (1000000)" in message
    assert ("fund.share_classes.0.subscription_tiers: the highest rate of the tiers is 1.2%, and fees.max_subscription is 1.5%"
            in message)
    assert "fund.share_classes.0.redemption_tiers.1: the last band must start `from_days` 30 and run on" in message
    assert "fund.share_classes.1.subscription_tiers.0.rate: give either `rate`" in message


def test_the_build_refuses_key_facts_whose_house_template_drops_a_row_naming_section_and_row(tmp_path):
    """A house's override of the fee table that leaves out a fee: the document is read against the SFC's template
    and not written, the message naming the template, the section and the row."""
    from factsheets.render.renderer import Renderer

    templates = tmp_path / "templates"
    templates.mkdir()
    macros = (ROOT / "templates" / "kfs-macros.html.j2").read_text(encoding="utf-8")
    (templates / "kfs-macros.html.j2").write_text(macros.replace(
        "{% for row_id, label, values in table.rows %}", '{% for row_id, label, values in table.rows if row_id != "switching-fee" %}'),
        encoding="utf-8")
    with pytest.raises(BuildError) as error:
        render_document(load_fund(FUNDS / "LU0000990301.yaml"), "en", Renderer([templates]), document="kfs")
    assert str(error.value).endswith("LU0000990301: kfs.en: hk-kfs: 'What are the fees and charges?' › 'Charges which may be "
                                     "payable by you': no row labelled 'Switching fee'; no PDF written")
    assert [d.location for d in error.value.nonconformities] == ["section fees.1 row switching-fee"]


def test_sent_on_is_the_builds_day_and_never_before_the_preparation_date(tmp_path):
    from factsheets.render.renderer import Renderer

    fund = load_fund(FUNDS / "990101.yaml")
    found = normalise("".join(pdf_pages_text(render_document(fund, "zh-CN", Renderer(sent_on="2025-11-20"), document="kfs").pdf)))
    assert normalise("编制日期2025年10月15日送出日期2025年11月20日") in found
    with pytest.raises(BuildError, match="sent on 2025-10-01, before fund.prepared_on 2025-10-15"):
        render_document(fund, "zh-CN", Renderer(sent_on="2025-10-01"), document="kfs")
    result = CliRunner().invoke(cli, ["build", str(FUNDS / "990201.yaml"), "--doc", "kfs", "--sent-on", "2025-11-03",
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert normalise("送出日期2025年11月3日") in normalise("".join(pdf_pages_text((tmp_path / "out" / "990201.kfs.zh-CN.pdf").read_bytes())))
