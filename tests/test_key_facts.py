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

# The regulators' order of sections, as a reader sees the headings.
HEADINGS = {
    "en": ["This statement provides you with key information about this product.", "Quick facts", "What is this product?",
           "Objectives and investment strategy", "Use of derivatives", "What are the key risks?", "How has the fund performed?",
           "Is there any guarantee?", "What are the fees and charges?", "Additional information"],
    "zh-HK": ["本概要提供本基金的重要資料。", "資料便覽", "本基金是甚麼產品？", "目標及投資策略", "運用衍生工具", "本基金有哪些主要風險？",
              "本基金過往的業績表現如何？", "本基金有否提供保證？", "投資本基金涉及哪些費用及收費？", "其他資料"],
    "zh-CN": ["本概要提供本基金的重要信息", "一、产品概况", "二、基金投资与净值表现", "（一）投资目标与投资策略", "（二）投资组合资产配置图表",
              "（三）基金每年的净值增长率及与同期业绩比较基准的比较图", "三、投资本基金涉及的费用", "四、风险揭示与重要提示", "（一）风险揭示",
              "五、其他资料查询方式"],
}
TITLES = {"en": "Product Key Facts", "zh-HK": "產品資料概要", "zh-CN": "基金产品资料概要"}


def refused(findings: list) -> list:
    """The findings that fail a key facts document: the layout rules' (LY), which its type is not yet refused on,
    are reported as warnings (`rules.layout`) and left out."""
    return [f for f in findings if not (f.code.startswith("LY") and f.severity == "warning")]


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
    elif _months(start, dt.date(start.year, 12, 31)) >= 6:  # the launch year, longer than six months, is shown (990101)
        found["cn-kfs-launch-year"] = approved("CN", "cn-kfs-launch-year", lang)
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
    assert refused(check_pdf_bytes(document.pdf, "kfs.pdf", fund=fund)) == []  # the kfs set, told from the PDF's record
    assert refused(check_pdf_bytes(document.pdf, "kfs.pdf")) == []  # without the fund: told from the text
    assert recorded_document(document.pdf) == "kfs"


def test_hong_kong_quick_facts_as_the_fund_file_gives_them():
    en, zh = text("LU0000990301", "en"), text("LU0000990301", "zh-HK")
    fund = raw("LU0000990301")["fund"]
    for key, value in (("management_company", fund["management_company"]), ("custodian", fund["custodian"]["name"])):
        assert normalise(f"{'Management company' if key == 'management_company' else 'Depositary'}{value['en']}") in en
        assert normalise(value["zh-HK"]) in zh
    for label, value in (("Dealing frequency", "Daily"), ("Base currency", "US Dollar (USD)"), ("Financial year end", "31 December"),
                         ("Minimum investment", "US$1,000"), ("Ongoing charges over a year", "1.15%")):
        assert normalise(label + value) in en, label
    assert normalise("A USD Acc: Accumulating") in en and normalise("A USD MDis: Monthly distribution") in en
    for label, value in (("交易頻密程度", "每日"), ("財政年度終結日", "12月31日"), ("最低投資額", "1,000美元"), ("全年經常性開支比率", "1.15%"),
                         ("存管人", fund["custodian"]["name"]["zh-HK"])):
        assert normalise(label + value) in zh, label


def test_hong_kong_performance_is_ten_complete_calendar_years_with_launch_dates():
    en = text("LU0000990301", "en")
    # Launched 1 June 2018, as of 31 October 2025: 2019 to 2024 (the launch year and this year are not complete).
    assert normalise("Year 2019 2020 2021 2022 2023 2024") in en and "2018A" not in en
    assert normalise("Fund launch date: 1 June 2018") in en and normalise("Class launch date (A USD Acc): 1 June 2018") in en
    assert normalise("Representative share class: A USD Acc") in en


def test_mainland_overview_as_the_fund_file_gives_it():
    found = text("990101", "zh-CN")
    for label, value in (("基金名称", "示例价值精选混合型证券投资基金"), ("基金代码", "A类：990101C类：990102"), ("基金管理人", "示例基金管理有限公司"),
                         ("基金托管人", "示例银行股份有限公司"), ("基金合同生效日", "2019年3月15日"), ("基金类型", "混合型基金"),
                         ("风险等级", "R3（中风险）"), ("业绩比较基准：", "沪深300指数收益率×80%+中债综合指数收益率×20%")):
        assert normalise(label + value) in found, label
    assert normalise("李伟2019年3月15日") in found and normalise("张敏2022年7月1日") in found
    # The fees of each class as the fund file gives them: A has a subscription fee, C a sales service fee.
    assert normalise("申购费（最高）1.50%–") in found and normalise("销售服务费（年）–0.40%") in found


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
    findings = [f for f in findings if f["severity"] == "error"]  # the key facts' layout warnings aside (`refused`)
    assert sorted((f["code"], f["file"]) for f in findings) == [("XD001", str(tmp_path / "f.pdf")), ("XD001", str(tmp_path / "k.pdf"))]
    assert all(f["message"].endswith("prints management fee (a year) of 1.20%; the fund file gives 1.50%") for f in findings)


def test_check_render_renders_the_key_facts():
    result = CliRunner().invoke(cli, ["check", "--render", "--doc", "kfs", str(FUNDS / "990401.yaml"), *TODAY, "--format", "json"])
    findings = json.loads(result.output)
    assert result.exit_code == 0 and [f for f in findings if f["severity"] == "error"] == []  # the young fund's key facts render
    # and verify (its figures left out); the layout rules report on them, as warnings until their layout is redone.
    assert {f["code"][:2] for f in findings} <= {"LY"} and {f["severity"] for f in findings} <= {"warning"}


def test_plan_gives_hong_kong_funds_their_languages_and_mainland_funds_zh_cn():
    assert [t.name for t, why in plan(load_fund(FUNDS / "LU0000990301.yaml"), ("kfs",)) if not why] == ["kfs.en", "kfs.zh-HK"]
    assert [t.name for t, why in plan(load_fund(FUNDS / "990101.yaml"), ("kfs",)) if not why] == ["kfs.zh-CN"]


# -- the prospectus texts -------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["LU0000990301", "990101", "990201", "990401"])
def test_prospectus_texts_merged_into_the_export_give_the_fixture(code):
    """examples/prospectus/<code>.yaml holds exactly the key facts fields the fixture adds to the export."""
    prospectus = yaml.safe_load((EXAMPLES / "prospectus" / f"{code}.yaml").read_text(encoding="utf-8"))
    fixture = raw(code)
    exported = {**fixture, "fund": {k: v for k, v in fixture["fund"].items() if k not in prospectus["texts"]}}
    assert merge_texts(exported, prospectus, "p.yaml") == fixture


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
    ("990101", "zh-CN", "990101", "990101", range(2019, 2025)),  # CN: as its factsheet, the partial launch year too
    ("990201", "zh-CN", "990201", "990201", range(2018, 2025)),  # launched 1 August 2017: five months, not shown
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
    fees = {key: {Decimal(str(c["fees"][key])).quantize(Decimal("0.01")) for c in data["fund"]["share_classes"] if key in c["fees"]}
            for key in ("management", "custody", "sales_service", "max_subscription", "max_redemption", "ongoing_charges")}
    assert printed.fees == {key: values for key, values in fees.items() if values}
    assert printed.as_of == {as_of} and printed.inception == {inception}


def test_a_statement_the_key_facts_do_not_place_by_id_still_stands_in_them():
    """A statement added to the library for key facts later, with no place of its own, goes to the last
    section (HK: Important; mainland: 四（二）重要提示): never left out."""
    from factsheets.documents.key_facts import placed
    from factsheets.documents.localise import FilledStatement

    header = FilledStatement("hk-kfs-header", 1, "disclaimer", {"en": "h"})
    new = FilledStatement("hk-kfs-new-warning", 1, "disclaimer", {"en": "n"})
    risk = FilledStatement("hk-dividends", 1, "risk", {"en": "d"})
    found = placed({"risk": [risk], "performance": [], "disclaimer": [new, header]})
    assert {section: items for section, items in found.items() if items} == {"header": [header], "risks": [risk], "other": [new]}
    for name in ("kfs-hk.html.j2", "kfs-cn.html.j2"):
        assert "statements_of(where.important + where.other)" in (ROOT / "templates" / name).read_text(encoding="utf-8")


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
