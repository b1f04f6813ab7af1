"""Archival PDFs: PDF/A-3u structure (checked with pikepdf, as veraPDF cannot be installed here),
tags, metadata and XMP, the attached fund data, and byte-identical rebuilds."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys

import pikepdf
import pytest
from click.testing import CliRunner

from factsheets import Renderer, glyphs, load_fund, parse_variant
from factsheets.archive import NS, ArchiveError, fund_from_pdf, read_fund_json
from factsheets.chart import label
from factsheets.cli import cli
from factsheets.model import FundFile

from .conftest import ETF, MONEY_MARKET, ROOT, drop_statement, mutate, rendered
from .test_render import expected_statements

REFERENCE = [(ETF, "en"), (ETF, "zh-CN"), (ETF, "bilingual"), (MONEY_MARKET, "zh-HK"), (MONEY_MARKET, "en+zh-HK")]
IDS = [f"{p.stem[:6]}-{v}" for p, v in REFERENCE]
FS = f"{{{NS}}}"


def open_pdf(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


def fonts_of(pdf: pikepdf.Pdf):
    """Every font dictionary the pages use, with the descendants of composite (Type0) fonts."""
    for page in pdf.pages:
        for font in page.Resources.Font.values():
            yield font
            for descendant in font.get("/DescendantFonts", []):
                yield descendant


def struct_elems(pdf: pikepdf.Pdf):
    stack = [pdf.Root.StructTreeRoot]
    while stack:
        node = stack.pop()
        kids = node.get("/K")
        if kids is None:
            continue
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
                yield kid
                stack.append(kid)


@pytest.mark.parametrize("path,variant", REFERENCE, ids=IDS)
def test_pdf_a_3u_structure(path, variant):
    document = rendered(path, variant)
    pdf = open_pdf(document.pdf)
    meta = pdf.open_metadata()
    assert meta["pdfaid:part"] == "3" and meta["pdfaid:conformance"] == "U"
    intents = pdf.Root.OutputIntents
    assert len(intents) == 1 and intents[0].S == "/GTS_PDFA1" and isinstance(intents[0].DestOutputProfile, pikepdf.Stream)
    fonts = list(fonts_of(pdf))
    assert fonts
    for font in fonts:
        if font.Subtype == "/Type0":
            continue  # its glyphs are in its descendant, checked in turn
        descriptor = font.FontDescriptor
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), f"{font.get('/BaseFont')} is not embedded"
    assert str(pdf.Root.Lang) == parse_variant(variant).primary
    assert pdf.Root.MarkInfo.Marked is True
    assert "/StructTreeRoot" in pdf.Root
    assert pdf.pdf_version == "1.7"
    # ISO 19005-3, 6.2.11.4: every glyph a code selects is in the embedded font program (structurally).
    assert glyphs.problems(document.pdf) == []


def test_the_pre_fix_document_breaks_pdf_a_glyph_rules():
    """Its metadata claims PDF/A-3u, but its codes select CIDs its fonts do not have (6.2.11.4)."""
    from .test_engines import PRE_FIX

    data = PRE_FIX.read_bytes()
    assert open_pdf(data).open_metadata()["pdfaid:part"] == "3"
    assert len(glyphs.problems(data)) > 700


@pytest.mark.parametrize("path,variant", REFERENCE, ids=IDS)
def test_tags_carry_headings_tables_and_the_chart_figures(path, variant):
    document = rendered(path, variant)
    pdf = open_pdf(document.pdf)
    kinds = [str(e.S) for e in struct_elems(pdf)]
    for kind in ("/H1", "/H2", "/Table", "/TR", "/TH", "/TD", "/P", "/Figure"):
        assert kind in kinds, kind
    (figure,) = [e for e in struct_elems(pdf) if e.S == "/Figure"]
    alt = str(figure.Alt)
    fund = load_fund(path)
    returns = fund.performance.annual_returns.fund if fund.performance else fund.index.annual_returns
    for year, value in returns.items():
        assert str(year) in alt and label(value) in alt, (year, alt)


def test_two_headings_in_the_reading_order_of_the_page():
    pdf = open_pdf(rendered(ETF, "en").pdf)
    # Document order of the structure tree: the masthead's H1 comes before any section's H2.
    order = [str(e.S) for e in _depth_first(pdf.Root.StructTreeRoot)]
    assert order.index("/H1") < order.index("/H2")


def _depth_first(node):
    kids = node.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else ([kids] if kids is not None else []):
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
            yield kid
            yield from _depth_first(kid)


@pytest.mark.parametrize("path,variant", REFERENCE, ids=IDS)
def test_metadata_and_xmp_record(path, variant):
    document = rendered(path, variant)
    fund = load_fund(path)
    langs = parse_variant(variant).langs
    pdf = open_pdf(document.pdf)
    info = pdf.docinfo
    for lang in langs:
        assert fund.fund.name[lang] in str(info.Title)
        assert fund.fund.name[lang] in str(info.Keywords)
    assert fund.code in str(info.Title) and fund.code in str(info.Subject) and fund.code in str(info.Keywords)
    assert str(info.Creator) == "factsheets 0.1.0"
    meta = pdf.open_metadata()
    assert meta["dc:title"] == str(info.Title)
    assert set(meta["dc:language"]) == set(langs)
    assert meta[FS + "fundCode"] == fund.code
    assert meta[FS + "asOf"] == fund.as_of.isoformat()
    assert meta[FS + "variant"] == variant
    assert meta[FS + "pdfVariant"] == "pdf/a-3u"
    assert re.fullmatch(r"0\.1\.0\+[0-9a-f]{12}", meta[FS + "templateVersion"])
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", meta[FS + "inputsHash"])
    expected = {(sid, 1) for sid, _, _ in expected_statements(path, variant)}
    assert {tuple(s.split("@")) for s in meta[FS + "statements"]} == {(sid, str(v)) for sid, v in expected}
    # The PDF/A extension schema declares our namespace, as PDF/A requires for custom properties.
    assert NS.encode() in bytes(pdf.Root.Metadata.read_bytes()).split(b"namespaceURI>")[1]


def test_dates_are_as_of_never_the_clock():
    for path, variant in REFERENCE:
        fund = load_fund(path)
        pdf = open_pdf(rendered(path, variant).pdf)
        stamp = f"D:{fund.as_of:%Y%m%d}000000"
        dates = [str(pdf.docinfo.CreationDate), str(pdf.docinfo.ModDate)]
        for spec in pdf.attachments.values():
            params = spec.obj.EF.F.Params
            dates += [str(params.CreationDate), str(params.ModDate)]
        assert dates and all(d.startswith(stamp) for d in dates), dates
        meta = pdf.open_metadata()
        assert meta["xmp:CreateDate"] == meta["xmp:ModifyDate"] == f"{fund.as_of.isoformat()}T00:00:00Z"
    today = dt.date.today().strftime("%Y%m%d").encode()
    assert today not in rendered(ETF, "en").pdf  # the object streams are compressed, the info is not


def test_source_date_epoch_sets_the_dates(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    pdf = open_pdf(Renderer().render(load_fund(MONEY_MARKET), parse_variant("zh-HK")).pdf)
    assert str(pdf.docinfo.CreationDate).startswith("D:20231114221320")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "tomorrow")
    with pytest.raises(ArchiveError, match="SOURCE_DATE_EPOCH"):
        Renderer().render(load_fund(MONEY_MARKET), parse_variant("zh-HK"))


@pytest.mark.parametrize("path,variant", [(ETF, "bilingual"), (MONEY_MARKET, "zh-HK")])
def test_attached_fund_data_is_the_validated_fund(path, variant):
    pdf = open_pdf(rendered(path, variant).pdf)
    (spec,) = pdf.attachments.values()
    assert spec.obj.AFRelationship == "/Source"
    assert spec.obj.EF.F.Subtype == "/application/json"
    assert list(pdf.Root.AF) == [spec.obj]  # a PDF/A-3 associated file of the document
    fund = load_fund(path)
    assert FundFile.model_validate_json(read_fund_json(rendered(path, variant).pdf), context={"as_of": fund.as_of}) == fund
    assert fund_from_pdf(rendered(path, variant).pdf) == fund


def test_extract_command_gives_the_fund_data_back(tmp_path):
    target = tmp_path / "513770.en.pdf"
    target.write_bytes(rendered(ETF, "en").pdf)
    result = CliRunner().invoke(cli, ["extract", str(target)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    fund = load_fund(ETF)
    assert json.loads(result.stdout) == fund.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert json.loads(result.stdout)["index"]["annual_returns"]["2020"] == "109.31"  # exact decimals survive

    result = CliRunner().invoke(cli, ["extract", "--record", str(target)], catch_exceptions=False)
    assert result.exit_code == 0 and json.loads(result.stdout)["fundCode"] == "513770"

    other = tmp_path / "other.pdf"
    other.write_bytes(Renderer(pdf_variant="pdf/a-1b").render(fund, parse_variant("en")).pdf)  # PDF/A-1 forbids files
    result = CliRunner().invoke(cli, ["extract", str(other)])
    assert result.exit_code == 1 and "no fund.json is attached" in result.stderr
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7\nnot really")
    result = CliRunner().invoke(cli, ["extract", str(bad)])
    assert result.exit_code == 2 and "not a readable PDF" in result.stderr


def test_verify_against_the_attached_fund(tmp_path):
    target = tmp_path / "990001.zh-HK.pdf"
    target.write_bytes(rendered(MONEY_MARKET, "zh-HK").pdf)
    result = CliRunner().invoke(cli, ["verify", "--attached-fund", "--today", "2025-11-20", str(target)])
    assert result.exit_code == 0, result.output
    # A PDF that lacks a statement its own attached data calls for is a finding.
    dropped = tmp_path / "dropped.pdf"
    renderer = Renderer([drop_statement(tmp_path / "templates", "risk-general")])
    dropped.write_bytes(renderer.render(load_fund(MONEY_MARKET), parse_variant("zh-HK")).pdf)
    result = CliRunner().invoke(cli, ["verify", "--attached-fund", "--today", "2025-11-20", str(dropped)])
    assert result.exit_code == 1 and "risk-general" in result.output
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(Renderer(pdf_variant="pdf/a-1b").render(load_fund(MONEY_MARKET), parse_variant("en")).pdf)
    result = CliRunner().invoke(cli, ["verify", "--attached-fund", str(plain)])
    assert result.exit_code == 2 and "carries no fund data" in result.stderr


def test_inputs_hash_follows_the_inputs(tmp_path):
    fund = load_fund(ETF)
    renderer = Renderer()
    base = renderer.render(fund, parse_variant("en")).record.inputs_hash
    assert renderer.render(fund, parse_variant("en")).record.inputs_hash == base
    assert renderer.render(fund, parse_variant("zh-CN")).record.inputs_hash != base
    changed = load_fund(mutate(ETF, tmp_path, "109.31", "109.32"))
    assert renderer.render(changed, parse_variant("en")).record.inputs_hash != base
    css = tmp_path / "house.css"
    css.write_text("h2 { color: #000; }", encoding="utf-8")
    assert Renderer(style_files=[css]).render(fund, parse_variant("en")).record.inputs_hash != base


def test_other_variants_and_plain_pdf():
    fund = load_fund(MONEY_MARKET)
    plain = open_pdf(Renderer(pdf_variant=None).render(fund, parse_variant("en")).pdf)
    meta = plain.open_metadata()
    assert "pdfaid:part" not in meta and meta[FS + "fundCode"] == "990001"
    assert "/StructTreeRoot" in plain.Root and "fund.json" in plain.attachments
    ua = open_pdf(Renderer(pdf_variant="pdf/ua-1").render(fund, parse_variant("en")).pdf)
    assert ua.open_metadata()["pdfuaid:part"] == "1"
    with pytest.raises(ArchiveError, match="unknown PDF variant 'pdf/a-9'"):
        Renderer(pdf_variant="pdf/a-9")


REBUILD = """
import sys
from factsheets import load_fund, render_document
sys.stdout.buffer.write(render_document(load_fund(sys.argv[1]), sys.argv[2]).pdf)
"""


@pytest.mark.parametrize("path,variant", [(ETF, "bilingual"), (MONEY_MARKET, "zh-HK")])
def test_rebuild_in_separate_processes_is_byte_identical(path, variant):
    outputs = []
    for tz, hashseed in (("UTC", "1"), ("Asia/Hong_Kong", "2")):
        env = {**os.environ, "TZ": tz, "PYTHONHASHSEED": hashseed}
        env.pop("SOURCE_DATE_EPOCH", None)
        result = subprocess.run([sys.executable, "-c", REBUILD, str(path), variant], capture_output=True, env=env,
                                cwd=ROOT, check=True, timeout=120)
        outputs.append(result.stdout)
    assert outputs[0][:5] == b"%PDF-" and outputs[0] == outputs[1]
    assert outputs[0] == rendered(path, variant).pdf  # and this process, hours later, agrees
