"""The FinDatEx European PRIIPs Template (EPT V2.1) out and in: the export of the house's UCITS against the official
schema, its KID and an independent computation of its moments; the manager's real EPT file imported into fund files
whose KIDs build from the stated figures; the EPT checks in every report format."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import shutil
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from openpyxl import load_workbook

from factsheets.cli import cli
from factsheets.documents.kid import figures
from factsheets.fund.validate import load_fund
from factsheets.ingest.ept_read import read_ept

from .test_priips import fixture_series, ref_history, ref_market_risk

DATA = Path(__file__).parent / "data"
EPT = DATA / "ept"
UCITS = DATA / "funds" / "LU0000990301.yaml"
REAL_YAML = EPT / "findatex-ept-captor-2023-12-29.yaml"
REAL_XLSX = EPT / "findatex-ept-captor-2023-12-29.xlsx"
SCHEMA = json.loads((Path(__file__).parents[1] / "factsheets" / "ingest" / "findatex" / "ept.schema.json").read_text())
TEMPLATE = EPT / "EPT_V2.1_Final.xlsx"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def schema_errors(rows: list[dict]) -> list[str]:
    validator = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    return [error.message for error in validator.iter_errors(rows)]


def template_fields() -> list[str]:
    """The field names in the order of the official template's rows (column B below the header)."""
    book = load_workbook(TEMPLATE, read_only=True)  # read-only workbooks keep their file open until closed
    try:
        rows = list(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()
    return [str(row[1]).strip() for row in rows if row[1] and re.match(r"\d{5}_", str(row[1]).strip())]


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("ept")
    files = {}
    for suffix in ("xlsx", "json", "csv"):
        files[suffix] = out / f"house.{suffix}"
        result = run("export", str(UCITS), "--format", "ept", "--out", str(files[suffix]))
        assert result.exit_code == 0, result.output
    return files


def as_json_row(row: dict) -> dict:
    """A row read back from any format as the JSON schema types it (numbers as numbers, flags and texts as text)."""
    out = {}
    for name, value in row.items():
        spec = SCHEMA["components"]["schemas"]["ept"]["properties"].get(name, {})
        if spec.get("type") in ("number", "integer") and not isinstance(value, (int, float)):
            value = float(value)
        if spec.get("type") == "integer":
            value = int(value)
        out[name] = value
    return out


def test_the_ucits_export_passes_the_official_schema_in_every_format(exported):
    assert schema_errors(json.loads(exported["json"].read_text())) == []
    for suffix in ("xlsx", "csv"):
        rows = [as_json_row(r.values) for r in read_ept(exported[suffix]).rows]
        assert len(rows) == 1 and schema_errors(rows) == []


def test_the_workbook_has_the_template_s_columns_in_its_order(exported):
    book = load_workbook(exported["xlsx"], read_only=True)
    try:
        header = [c.value for c in next(book.worksheets[0].iter_rows(max_row=1))]
    finally:
        book.close()
    assert header == template_fields()
    assert len(header) == 144  # EPT_V2.1_fields.json has 145 entries, one of them without a field


def test_its_sri_mrm_and_vev_are_the_kid_s(exported):
    kid = figures(load_fund(UCITS))
    row = read_ept(exported["xlsx"]).rows[0].values
    assert (row["01090_SRI"], row["01100_MRM"], row["01110_CRM"]) == (kid.sri, kid.market_risk.mrm, 2) == (3, 3, 2)
    assert json.loads(exported["json"].read_text())[0]["01020_Portfolio_VEV_Reference"] == kid.market_risk.vev
    assert math.isclose(row["01020_Portfolio_VEV_Reference"], kid.market_risk.vev, rel_tol=1e-15)  # a workbook keeps 16 digits
    assert round(row["01020_Portfolio_VEV_Reference"] * 100, 2) == 5.92  # the KID's README figure


def test_its_moments_are_those_an_independent_implementation_computes(exported):
    nav_dates, g, proxy_dates, proxy_levels = fixture_series()
    dates, prices = ref_history(nav_dates, g, proxy_dates, proxy_levels)
    as_of = load_fund(UCITS).as_of
    keep = [i for i, d in enumerate(dates) if d <= as_of]
    ref = ref_market_risk([dates[i] for i in keep], [prices[i] for i in keep], 3)
    row = json.loads(exported["json"].read_text())[0]
    assert row["02130_Portfolio_Number_Of_Observed_Return_M0"] == ref.m0
    for field, value in (("02140_Portfolio_Mean_Observed_Returns_M1", ref.m1), ("02150_Portfolio_Observed_Sigma", ref.sigma),
                         ("02160_Portfolio_Observed_Skewness", ref.skew), ("02170_Portfolio_Observed_Excess_Kurtosis", ref.kurt),
                         ("01020_Portfolio_VEV_Reference", ref.vev)):
        assert math.isclose(row[field], value, rel_tol=1e-9), field
    assert row["01100_MRM"] == ref.mrm


def test_its_scenarios_are_the_kid_s_before_the_entry_cost(exported):
    kid = figures(load_fund(UCITS)).display()
    row = json.loads(exported["json"].read_text())[0]
    invested_after_entry = Decimal(10_000) * (1 - Decimal("0.03"))
    for name, field, years in (("stress", "02100_Portfolio_Return_Stress_Scenario_1_Year", 1),
                               ("moderate", "02060_Portfolio_Return_Moderate_Scenario_RHP_Or_First_Call_Date", 3)):
        amount = invested_after_entry * Decimal(str((1 + row[field]) ** years))
        shown = next(s for s in kid.scenarios[name] if s.years == years)
        assert amount.quantize(Decimal(1), ROUND_HALF_UP) == shown.amount


def test_the_same_funds_give_the_same_bytes(exported, tmp_path):
    again = tmp_path / "again.xlsx"
    time.sleep(1.1)  # a second later: a writer that stamps the clock's time (openpyxl does) would show here
    assert run("export", str(UCITS), "--out", str(again)).exit_code == 0
    assert again.read_bytes() == exported["xlsx"].read_bytes()
    kept = json.loads((EPT / "LU0000990301.ept.json").read_text())
    assert kept == json.loads(exported["json"].read_text()), "tests/data/ept/LU0000990301.ept.json is our export: write it again"


def test_the_ept_checks_find_nothing_in_our_own_export(exported):
    for path in exported.values():
        result = run("check", str(path))
        assert result.exit_code == 0 and "All clear" in result.output, result.output


def test_a_fund_without_kid_figures_writes_nothing(tmp_path):
    broken = tmp_path / "LU0000990301.yaml"
    broken.write_text(UCITS.read_text().replace("  proxy: history/proxy/LU0000990301.csv\n", ""), encoding="utf-8")
    shutil.copytree(UCITS.parent / "history", tmp_path / "history")
    out = tmp_path / "ept.json"
    result = CliRunner().invoke(cli, ["export", str(broken), "--out", str(out)])
    assert result.exit_code == 1 and not out.exists()
    assert "LU0000990301" in result.output and "10 years" in result.output


# --- the manager's real file ---------------------------------------------------------------------------

def real_rows() -> list[dict]:
    return yaml.safe_load(REAL_YAML.read_text(encoding="utf-8"))


def additions(folder: Path) -> Path:
    """What a KID needs and this EPT does not carry (its narratives section is not reported, and no EPT has the
    manufacturer's phone or regulator): placeholders for the tests, said to be so, by ISIN."""
    folder.mkdir(exist_ok=True)
    for row in real_rows():
        code = row["00030_Portfolio_Identifying_Data"]
        (folder / f"{code}.yaml").write_text(yaml.safe_dump({
            "schema": "prospectus/v2", "fund": code,
            "texts": {"legal_form": "investment_company", "ucits": False,
                      "other_risks": {"en": "Placeholder for the tests: the other risks are not in the EPT."},
                      "complaints": {"steps": {"en": "Placeholder for the tests: write to the manufacturer."},
                                     "website": "https://example.com/complaints",
                                     "address": {"en": "Placeholder for the tests: the manufacturer's postal address"},
                                     "email": "complaints@example.com"}},
            "priips": {"website": "https://example.com/kid", "phone": "+46 8 000 000 00",
                       "competent_authority": "Finansinspektionen (placeholder for the tests)",
                       "objective": {"en": "Placeholder for the tests: the objective is not in the EPT."},
                       "intended_investor": {"en": "Placeholder for the tests: the intended investor is not in the EPT."},
                       "scenario_windows": [{"scenario": s, "start": "January 2014", "end": "January 2016"}
                                            for s in ("unfavourable", "moderate", "favourable")]}}), encoding="utf-8")
    return folder


def test_the_real_file_imports_one_fund_file_per_row_naming_what_it_lacks(tmp_path):
    out = tmp_path / "funds"
    result = run("import", str(REAL_YAML), "--out", str(out))
    assert result.exit_code == 1  # written, with fields to add
    assert len(list(out.glob("*.yaml"))) == 22
    assert "22 of 22 fund files written" in result.output
    lacking = re.findall(r"^  (priips\.[a-z_]+):", result.output, re.MULTILINE)
    assert set(lacking) == {"priips.website", "priips.phone", "priips.competent_authority", "priips.objective",
                            "priips.intended_investor", "priips.scenario_windows", "priips.other_risks", "priips.complaints"}
    assert set(re.findall(r"^  (fund\.[a-z_]+):", result.output, re.MULTILINE)) >= {"fund.legal_form", "fund.ucits"}
    assert "00006_EPT_Data_Reporting_Narratives is not Y" in result.output
    header = (out / "SE0011337195.yaml").read_text().split("schema:")[0]
    assert "priips.website" in header and "the EPT has no such field" in header


def test_the_real_workbook_s_missing_costs_are_named(tmp_path):
    result = run("import", str(REAL_XLSX), "--out", str(tmp_path / "funds"), "--texts", str(additions(tmp_path / "texts")))
    assert result.exit_code == 1
    assert len(re.findall(r"priips\.costs\.entry: is required \(03010 and 03015", result.output)) == 22
    assert len(re.findall(r"priips\.costs\.exit: is required", result.output)) == 22


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("real")
    out = base / "funds"
    result = run("import", str(REAL_YAML), "--out", str(out), "--texts", str(additions(base / "texts")),
                 "--today", "2024-03-01")
    assert result.exit_code == 0, result.output
    assert "22 whole" in result.output
    pdfs = base / "pdf"
    result = run("build", str(out), "--doc", "kid", "--out", str(pdfs), "--jobs", "1")
    assert result.exit_code == 0, result.output
    return out, pdfs


def money(currency: str, value: Decimal) -> str:
    return f"{currency} {value.quantize(Decimal(1), ROUND_HALF_UP):,}"


def pct(fraction: Decimal) -> str:
    return f"{(fraction * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%".replace("-", "\u2212")


def test_every_row_s_kid_builds_as_stated(built):
    from factsheets.pdf.text import pdf_pages_text
    from factsheets.rules.check import check_pdf_bytes

    funds, pdfs = built
    pages_seen: list[int] = []
    for row in real_rows():
        code, currency = row["00030_Portfolio_Identifying_Data"], row["00060_Portfolio_Or_Share_Class_Currency"]
        pdf = (pdfs / f"{code}.kid.en.pdf").read_bytes()
        pages = pdf_pages_text(pdf)
        assert len(pages) <= 3, code
        pages_seen.append(len(pages))
        text = " ".join(" ".join(pages).split())
        assert f"We have classified this product as {row['01090_SRI']} out of 7" in text, code
        invested, rhp = Decimal(row["02220_Reference_Invested_Amount"]), row["01120_Recommended_Holding_Period"]
        assert f"{money(currency, invested)} is invested" in text, code  # the row's own example amount and currency
        for one_year, at_rhp in (("02100_Portfolio_Return_Stress_Scenario_1_Year", "02120_Portfolio_Return_Stress_Scenario_RHP_Or_First_Call_Date"),
                                 ("02010_Portfolio_Return_Unfavourable_Scenario_1_Year", "02030_Portfolio_Return_Unfavourable_Scenario_RHP_Or_First_Call_Date"),
                                 ("02040_Portfolio_Return_Moderate_Scenario_1_Year", "02060_Portfolio_Return_Moderate_Scenario_RHP_Or_First_Call_Date"),
                                 ("02070_Portfolio_Return_Favourable_Scenario_1_Year", "02090_Portfolio_Return_Favourable_Scenario_RHP_Or_First_Call_Date")):
            for field, years in ((one_year, 1), (at_rhp, rhp)):
                r = Decimal(str(row[field]))  # no entry cost in this file: the KID's return is the row's
                assert money(currency, invested * (1 + r) ** years) in text, (code, field)
                assert pct(r) in text, (code, field)
        findings = check_pdf_bytes(pdf, "kid.pdf", fund=load_fund(funds / f"{code}.yaml"), document="kid")
        assert [f for f in findings if f.severity == "error"] == [], (code, findings)
    assert set(pages_seen) == {2}  # as the README says: two A4 pages each (condensed spacing), the regulator's template whole


# --- the checks, in every format ---------------------------------------------------------------------------

def broken_copy(tmp_path: Path) -> Path:
    """The real file with a wrong SRI (row 3), a VEV its moments do not give (row 5) and crossed scenarios (row 6)."""
    text = REAL_YAML.read_text(encoding="utf-8")
    for old, new in (("0.035044\n  01080_Existing_Credit_Risk: N\n  01090_SRI: 2", "0.035044\n  01080_Existing_Credit_Risk: N\n  01090_SRI: 4"),
                     ("01020_Portfolio_VEV_Reference: 0.118206", "01020_Portfolio_VEV_Reference: 0.118206\n"
                      "  02130_Portfolio_Number_Of_Observed_Return_M0: 1260\n  02150_Portfolio_Observed_Sigma: 0.02\n"
                      "  02160_Portfolio_Observed_Skewness: 0\n  02170_Portfolio_Observed_Excess_Kurtosis: 0"),
                     ("02070_Portfolio_Return_Favourable_Scenario_1_Year: 0.451", "02070_Portfolio_Return_Favourable_Scenario_1_Year: 0.051")):
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path


EXPECTED = {("EP002", "SE0011337187", "01090_SRI", 3), ("EP004", "SE0015193172", "01020_Portfolio_VEV_Reference", 5),
            ("EP005", "SE0010101360", "02040_Portfolio_Return_Moderate_Scenario_1_Year", 6)}


def test_copies_with_a_wrong_sri_a_vev_off_its_moments_and_crossed_scenarios_fail_naming_row_isin_and_field(tmp_path):
    path = broken_copy(tmp_path)
    result = run("check", str(path), "--format", "json")
    assert result.exit_code == 1
    found = {(f["code"], f["fund"], f["location"].split(": ")[1], int(re.search(r"row (\d+)", f["location"]).group(1)))
             for f in json.loads(result.output)}
    assert found == EXPECTED
    text = run("check", str(path)).output
    assert re.search(r"broken\.yaml:\d+:\d+: row 3 \(SE0011337187\): 01090_SRI: EP002 \[ept-sri-not-grid\] SRI 4, but MRM 2 "
                     r"with CRM 2 gives 2", text)
    for fmt in ("junit", "github", "sarif"):
        output = run("check", str(path), "--format", fmt).output
        for _, isin, field, number in EXPECTED:
            assert f"row {number} ({isin})" in output and field in output, fmt
    sarif = json.loads(run("check", str(path), "--format", "sarif").output)
    assert {r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for r in sarif["runs"][0]["results"]} == {
        f"row {n} ({i}): {f}" for _, i, f, n in EXPECTED}
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] > 1 for r in sarif["runs"][0]["results"])


def test_the_checks_on_the_real_files_find_only_the_workbook_s_missing_costs():
    assert run("check", str(REAL_YAML)).exit_code == 0
    result = run("check", str(REAL_XLSX), "--format", "json")
    found = json.loads(result.output)
    assert result.exit_code == 1 and {f["code"] for f in found} == {"EP001"}
    fields = {f["location"].split(": ")[1] for f in found}
    assert fields == {"03010_One_Off_Cost_Portfolio_Entry_Cost", "03015_One_Off_Cost_Portfolio_Entry_Cost_Acquired",
                      "03020_One_Off_Costs_Portfolio_Exit_Cost_At_RHP", "03030_One_Off_Costs_Portfolio_Exit_Cost_At_1_Year"}
    assert len(found) == 3 * 22 + 19  # 03030 only where the RHP is above 1 year
    assert all(f["line"] and f["column"] for f in found)  # the sheet's row and the field's column


def test_an_unreadable_ept_file_is_a_file_error(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("00001_EPT_Version\n", encoding="utf-8")
    bad.write_bytes(b"\xff\xfe00001_EPT_Version\n")
    result = CliRunner().invoke(cli, ["check", str(bad)])
    assert result.exit_code == 2


def test_a_kid_s_stated_sri_off_the_grid_is_refused(tmp_path):
    out = tmp_path / "funds"
    run("import", str(REAL_YAML), "--out", str(out), "--texts", str(additions(tmp_path / "texts")), "--today", "2024-03-01")
    path = out / "SE0011337187.yaml"
    path.write_text(path.read_text().replace("  sri: 2\n", "  sri: 4\n"), encoding="utf-8")
    result = run("check", str(path), "--today", "2024-03-01")
    assert result.exit_code == 1 and "KD002" in result.output and "stated SRI 4 is not 2" in result.output
    assert dt.date(2024, 2, 16).isoformat() in path.read_text()
