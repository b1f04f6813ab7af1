"""FundsXML 4.2 in: the sample fund validated against the schema and imported into a fund file whose factsheet builds
once the fields the import names are added; a file with a schema error refused with its lines; NAV prices from a
class's launch written as its NAV history; a mapping file for other elements."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from factsheets.cli import cli
from factsheets.fund.validate import load_fund

SAMPLE = Path(__file__).parent / "data" / "fundsxml" / "europa_growth_fund.xml"
CODE = "549300ABCDEFGHIJ1234"  # the fund's LEI: it has no ISIN


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("fundsxml")
    result = run("import", str(SAMPLE), "--out", str(out))
    return out, result.output, result.exit_code


def test_the_sample_validates_and_imports_naming_the_fields_to_add(imported):
    out, output, code = imported
    assert code == 1  # written, with fields to add
    assert f"1 of 1 fund file written to {out}" in output
    named = re.findall(r"^  ([a-z_.0-9]+):", output, re.MULTILINE)
    assert named[:2] == ["jurisdiction", "fund.category"]
    assert {"fund.share_classes.0.nav", "fund.share_classes.1.nav", "fund.share_classes.2.nav", "fund.risk"} <= set(named)
    assert "FX forwards (-0.03 %)" in output  # a negative position is left out of the allocation, and said
    data = yaml.safe_load((out / f"{CODE}.yaml").read_text())
    info = data["fund"]
    assert info["name"] == {"en": "Europa Growth Fund"} and info["currency"] == "EUR" and info["domicile"] == "LU"
    assert info["inception_date"] == dt.date(2012, 6, 15) and str(info["aum"]) == "464552848.78"
    assert info["ucits"] is True and info["legal_form"] == "investment_company"
    assert info["custodian"]["name"]["en"] == "Banque Internationale a Luxembourg S.A."
    assert [c["code"] for c in info["share_classes"]] == ["LU1234567890", "LU1234567891", "LU1234567892"]
    assert [c["class"] for c in info["share_classes"]] == ["R EUR ACC", "I EUR DIST", "R CHF ACC HEDGED"]
    top = data["holdings"]["top"]
    assert [h["name"]["en"] for h in top[:3]] == ["ASML Holding N.V.", "ABB Ltd", "SAP SE"] and len(top) == 10
    assert {b["name"]["en"]: str(b["weight"]) for b in data["allocations"]["asset"]} == {
        "Equities": "78.02", "Bonds": "17.31", "Cash": "4.69"}


def test_its_factsheet_builds_once_the_named_fields_are_added(imported, tmp_path):
    out, _, _ = imported
    path = tmp_path / f"{CODE}.yaml"
    text = (out / f"{CODE}.yaml").read_text()
    path.write_text(text.replace("as_of: 2026-03-31\n", "as_of: 2026-03-31\njurisdiction: HK\n")
                    .replace("  currency: EUR\n  inception_date", "  category: equity\n  currency: EUR\n  inception_date"),
                    encoding="utf-8")
    assert run("check", str(path), "--today", "2026-04-02").exit_code == 0
    result = run("build", str(path), "--out", str(tmp_path / "pdf"))
    assert result.exit_code == 0, result.output
    from factsheets.pdf.text import pdf_pages_text

    text = " ".join(" ".join(pdf_pages_text((tmp_path / "pdf" / f"{CODE}.en.pdf").read_bytes())).split())
    for shown in ("Europa Growth Fund", "ASML Holding N.V.", "78.02%", "LU1234567892", "Banque Internationale a Luxembourg"):
        assert shown in text


def test_a_file_with_schema_errors_is_refused_with_their_lines(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text(SAMPLE.read_text().replace("<InceptionDate>2012-06-15</InceptionDate>", "<InceptionDate>2012-16-15</InceptionDate>")
                   .replace("<NavPrice>108.3344</NavPrice>", "<NavPrice>abc</NavPrice>"), encoding="utf-8")
    lines = [i for i, line in enumerate(bad.read_text().splitlines(), start=1) if "2012-16-15" in line or ">abc<" in line]
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["import", str(bad), "--out", str(out)])
    assert result.exit_code == 2 and not out.exists()
    for line in lines:
        assert f"bad.xml:{line}: " in result.output
    assert "2 schema errors: nothing imported" in result.output


def test_not_well_formed_xml_is_refused_with_its_line(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text(SAMPLE.read_text().replace("</ControlData>", "</ControlDat>"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(bad), "--out", str(tmp_path / "out"), "--format", "fundsxml"])
    assert result.exit_code == 2 and re.search(r"bad\.xml:\d+: not well-formed XML", result.output)


def weekdays(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1) if (first + dt.timedelta(days=i)).weekday() < 5]


def test_prices_from_a_class_s_launch_become_its_nav_history_and_fees_its_fees(tmp_path):
    days = weekdays(dt.date(2026, 3, 2), dt.date(2026, 3, 31))
    prices = "".join(f"<Price><ActionCode>C</ActionCode><NavDate>{d.isoformat()}</NavDate><PriceCurrency>EUR</PriceCurrency>"
                     f"<PriceNature>OFFICIAL</PriceNature><NavPrice>{100 + i / 10:.4f}</NavPrice></Price>" for i, d in enumerate(days))
    text = SAMPLE.read_text()
    first_class = text.index("<ISIN>LU1234567890</ISIN>")
    head, tail = text[:first_class], text[first_class:]
    tail = tail.replace("<Currency>EUR</Currency>", "<Currency>EUR</Currency>\n<InceptionDate>2026-03-02</InceptionDate>", 1)
    start, end = tail.index("<Prices>"), tail.index("</Prices>")
    tail = tail[:start] + f"<Prices>{prices}" + tail[end:]
    fees = ("<Fees><Fee><Type>ManagementFee</Type><PayReceive>P</PayReceive><Maximum>1.5</Maximum></Fee>"
            "<Fee><Type>SubscriptionFee</Type><PayReceive>R</PayReceive><Maximum>5</Maximum></Fee></Fees>")
    close = tail.index("</TotalAssetValues>") + len("</TotalAssetValues>")
    tail = tail[:close] + fees + tail[close:]
    source = tmp_path / "fund.xml"
    source.write_text(head + tail, encoding="utf-8")
    out = tmp_path / "out"
    result = run("import", str(source), "--out", str(out))
    assert "fund.share_classes.0.nav" not in result.output and "fund.share_classes.1.nav" in result.output
    history = (out / "history" / "nav" / "LU1234567890.csv").read_text().splitlines()
    assert history[0] == "date,unit_nav,acc_nav,dividend_per_unit" and len(history) == len(days) + 1
    assert history[1] == "2026-03-02,100.0000,100.0000,"
    data = yaml.safe_load((out / f"{CODE}.yaml").read_text())
    share_class = data["fund"]["share_classes"][0]
    assert share_class["nav"] == "history/nav/LU1234567890.csv" and share_class["inception_date"] == dt.date(2026, 3, 2)
    assert {k: str(v) for k, v in share_class["fees"].items()} == {"management": "1.5", "max_subscription": "5"}
    path = out / f"{CODE}.yaml"
    path.write_text(path.read_text().replace("as_of: 2026-03-31\n", "as_of: 2026-03-31\njurisdiction: HK\n")
                    .replace("  currency: EUR\n  inception_date", "  category: equity\n  currency: EUR\n  inception_date"),
                    encoding="utf-8")
    fund = load_fund(path)
    assert fund.files["history/nav/LU1234567890.csv"].startswith(b"date,unit_nav")


def test_a_mapping_file_names_other_elements(tmp_path):
    mapping = tmp_path / "fundsxml.toml"
    mapping.write_text('[fund]\ncode = ["Names/ShortName"]\n[share_class]\nclass = ["Identifiers/ISIN"]\n', encoding="utf-8")
    out = tmp_path / "out"
    run("import", str(SAMPLE), "--out", str(out), "--mapping", str(mapping))
    data = yaml.safe_load((out / "EGF.yaml").read_text())
    assert [c["class"] for c in data["fund"]["share_classes"]] == ["LU1234567890", "LU1234567891", "LU1234567892"]
    mapping.write_text('[fund]\ncode = ["Names/[bad"]\nwhat = "x"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(SAMPLE), "--out", str(tmp_path / "o2"), "--mapping", str(mapping)])
    assert result.exit_code == 2 and "fund.code" in result.output and "fund.what" in result.output
