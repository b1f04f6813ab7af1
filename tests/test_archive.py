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
from decimal import Decimal

import pikepdf
import pytest
from click.testing import CliRunner

from factsheets import Renderer, load_fund, parse_variant
from factsheets.cli import cli
from factsheets.documents.chart import label
from factsheets.documents.disclosures import library
from factsheets.pdf import glyphs
from factsheets.pdf.record import NS, ArchiveError, fund_from_pdf, read_fund_json

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


def _number_tree(node) -> dict[int, object]:
    found = {}
    if "/Nums" in node:
        items = list(node.Nums)
        found.update((int(key), value) for key, value in zip(items[::2], items[1::2]))
    for kid in node.get("/Kids", []):
        found.update(_number_tree(kid))
    return found


def _lang(element, document_lang: str) -> str:
    """A structure element's language: its own /Lang, else its nearest ancestor's, else the document's."""
    while element is not None and element.get("/Type") == "/StructElem":
        if "/Lang" in element:
            return str(element.Lang)
        element = element.get("/P")
    return document_lang


def _marked_texts(pdf: pikepdf.Pdf, data: bytes) -> list[tuple[str, object]]:
    """(text, structure element) of each marked-content sequence in the structure tree of `pdf` (the
    PDF in `data`), read with pdfplumber (which knows each character's MCID) and the /ParentTree."""
    import pdfplumber

    in_tree = {e.objgen for e in struct_elems(pdf)}
    parents = _number_tree(pdf.Root.StructTreeRoot.ParentTree)
    texts: dict[tuple[int, int], str] = {}
    with pdfplumber.open(io.BytesIO(data)) as document:
        for number, page in enumerate(document.pages):
            for char in page.chars:
                if char.get("mcid") is not None:
                    texts[number, char["mcid"]] = texts.get((number, char["mcid"]), "") + char["text"]
    found = []
    for (number, mcid), text in texts.items():
        element = parents[int(pdf.pages[number].StructParents)][mcid]
        if element.objgen in in_tree and not _in_figure(element):  # page furniture (margin boxes) is not in the tree
            found.append((text, element))
    return found


def _in_figure(element) -> bool:
    """Text inside a figure with a text alternative (a chart whose legend names a series in both
    languages): assistive technology reads the /Alt, not the drawing's words."""
    while isinstance(element, pikepdf.Dictionary) and element.get("/Type") == "/StructElem":
        if element.get("/S") == "/Figure" and "/Alt" in element:
            return True
        element = element.get("/P")
    return False


_HAN = re.compile(r"[\u3400-\u9fff]")


@pytest.mark.parametrize("path,variant", REFERENCE, ids=IDS)
def test_each_language_is_tagged_with_its_own_lang(path, variant):
    """A screen reader reads the Chinese half of a bilingual document in a Chinese voice: every piece of
    text with Chinese characters is in a structure element whose language (its /Lang, or inherited) is the
    document's Chinese; in a document with English, every piece of English text is in English."""
    document = rendered(path, variant)
    langs = parse_variant(variant).langs
    chinese = next((lang for lang in langs if lang.startswith("zh")), None)
    pdf = open_pdf(document.pdf)
    document_lang = str(pdf.Root.Lang)
    marked = _marked_texts(pdf, document.pdf)
    han = [(text, _lang(element, document_lang)) for text, element in marked if _HAN.search(text)]
    latin = [(text, _lang(element, document_lang)) for text, element in marked
             if not _HAN.search(text) and re.search(r"[A-Za-z]{3}", text)]
    if chinese:
        assert len(han) > 20
        assert [(text, lang) for text, lang in han if lang != chinese] == []
    if "en" in langs:
        assert len(latin) > 20
        wrong = [(text, lang) for text, lang in latin if lang != "en"]
        # Latin codes inside Chinese text (CNY, ETF) are Chinese only where the document has no English.
        assert wrong == [], wrong[:10]
    if len(langs) == 2:
        declared = {str(e.Lang) for e in struct_elems(pdf) if "/Lang" in e}
        assert declared == {chinese}, declared  # the English half inherits the document's en


@pytest.mark.parametrize("path,variant", REFERENCE, ids=IDS)
def test_table_headers_have_a_scope_and_every_id_is_in_the_id_tree(path, variant):
    pdf = open_pdf(rendered(path, variant).pdf)
    elements = list(struct_elems(pdf))
    headers = [e for e in elements if e.S == "/TH"]
    assert headers
    for th in headers:
        assert th.A.Scope in ("/Row", "/Column"), th.A
    ids = {str(e.ID): e for e in elements if "/ID" in e}
    assert set(ids) == {str(th.ID) for th in headers}
    names = list(pdf.Root.StructTreeRoot.IDTree.Names)
    keys = [bytes(key) for key in names[::2]]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)  # a name tree: sorted, unique
    tree = {str(key): value for key, value in zip(names[::2], names[1::2])}
    assert set(tree) == set(ids)
    assert all(tree[key].objgen == element.objgen for key, element in ids.items())
    # Each data cell names only headers that are its own: row headers of its row, column headers of
    # other rows (a footer's "Top 10 combined" labels its row, not the holdings above it).
    cells = [e for e in elements if e.S == "/TD" and "/Headers" in e.get("/A", {})]
    assert cells
    for td in cells:
        for key in map(str, td.A.Headers):
            th = ids[key]
            assert (th.P.objgen == td.P.objgen) == (th.A.Scope == "/Row"), (key, th.A.Scope)


def test_a_header_row_in_the_footer_labels_its_row():
    data = rendered(ETF, "en").pdf
    pdf = open_pdf(data)
    text_of: dict = {}
    for text, element in _marked_texts(pdf, data):
        while element is not None and element.get("/Type") == "/StructElem":
            text_of[element.objgen] = text_of.get(element.objgen, "") + text
            element = element.get("/P")
    scopes = {text_of.get(e.objgen, "").strip(): str(e.A.Scope) for e in struct_elems(pdf) if e.S == "/TH"}
    # "Top 10 holdings, combined weight (the 3 largest listed)", over two lines: <th> without scope, in a row with data
    assert scopes[next(key for key in scopes if key.startswith("Top 10 holdings"))] == "/Row"
    assert scopes["Holding"] == "/Column" and scopes["Weight"] == "/Column"  # the header row
    assert scopes["Fund code"] == "/Row"  # <th scope="row">


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
    versions = {s.id: s.version for s in library("CN").statements}  # past-performance is at version 2
    expected = {(sid, versions[sid]) for sid, _, _ in expected_statements(path, variant)}
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
    langs = parse_variant(variant).langs
    attached = fund_from_pdf(rendered(path, variant).pdf)
    # What the document shows, and nothing else: every text in the document's languages only.
    assert attached.schema_ == "fund/v2" and tuple(attached.languages) == langs
    assert [(p, {lang: t.get(lang) for lang in langs}) for p, t in fund.texts()] == \
        [(p, {lang: t.get(lang) for lang in langs}) for p, t in attached.texts()]
    assert all(t.get(lang) is None for _, t in attached.texts() for lang in ("en", "zh-CN", "zh-HK") if lang not in langs)
    # Figures and dates exactly as validated (JSON numbers read back as the same decimals).
    assert attached.fund.aum == fund.fund.aum and attached.as_of == fund.as_of
    assert attached.holdings == fund.holdings.model_copy(update={"top": [
        h.model_copy(update={"name": type(h.name).model_construct(**{k: v for k, v in h.name if k.replace("_", "-") in langs})})
        for h in fund.holdings.top]})
    assert b'"aum": 11800000000' in read_fund_json(rendered(path, variant).pdf) or fund.code != "513770"


def test_extract_command_gives_the_fund_data_back(tmp_path):
    target = tmp_path / "513770.en.pdf"
    target.write_bytes(rendered(ETF, "en").pdf)
    result = CliRunner().invoke(cli, ["extract", str(target)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    fund = load_fund(ETF)
    extracted = json.loads(result.stdout, parse_float=Decimal)
    assert extracted["fund"]["name"] == {"en": "HK Internet ETF"} and extracted["languages"] == ["en"]
    assert extracted["index"]["annual_returns"]["2020"] == Decimal("109.31")  # exact decimals survive, as numbers
    assert '"2020": 109.31' in result.stdout

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
