"""The structural font check: every code of a mandatory statement must map, as the PDF specification
says a reader maps it, to a glyph with outlines. The build refuses a PDF that fails it, and `verify`
reports it (PDF008) with the statement's id, whatever PDFium draws."""

from __future__ import annotations

import io
import json
import struct

import pytest
from click.testing import CliRunner
from fontTools.ttLib import TTFont

from factsheets import fonts, load_fund
from factsheets.build.pipeline import render_document
from factsheets.cli import cli
from factsheets.errors import BuildError
from factsheets.pdf import glyphs
from factsheets.render.renderer import Renderer

from .conftest import ETF, text_pdf
from .test_engines import PRE_FIX


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def cids(font: bytes) -> list[int]:
    """The CID of each glyph of a subset, as fontTools reads the CFF charset."""
    order = TTFont(io.BytesIO(font)).getGlyphOrder()
    return [0 if name == ".notdef" else int(name[3:]) for name in order]


@pytest.mark.parametrize("text", ["a", "ab", "基", "基金有风险，投资需谨慎。", "".join(map(chr, range(0x4E00, 0x4E00 + 700)))])
def test_subset_cids_are_glyph_ids(text):
    for weight in fonts.FILES:
        font = fonts.subset("SC", weight, text)
        assert cids(font) == list(range(len(cids(font))))
        # HarfBuzz alone keeps the source's CIDs: the rewrite is what makes them agree.
        source = fonts.face("SC", weight)
        import uharfbuzz as hb

        subset_input = hb.SubsetInput()
        for char in text:
            subset_input.unicode_set.add(ord(char))
        raw = hb.subset(source.face, subset_input).blob.data
        if any(ord(c) > 0x7F for c in text):
            assert cids(raw) != list(range(len(cids(raw))))


def test_the_rewritten_table_checksum_is_right():
    font = fonts.subset("HK", "regular", "基金有風險")
    tables = struct.unpack_from(">H", font, 4)[0]
    for number in range(tables):
        tag, checksum, offset, length = struct.unpack_from(">4sIII", font, 12 + 16 * number)
        padded = font[offset: offset + length] + b"\0" * (-length % 4)
        if tag != b"head":  # head's checksum leaves out its own adjustment field
            assert checksum == sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF, tag


def test_verify_rejects_the_pre_fix_document_naming_each_statement():
    result = run("verify", str(PRE_FIX), "--fund", str(ETF), "--format", "json", "--lang", "zh-CN")
    assert result.exit_code == 1
    findings = [f for f in json.loads(result.output) if f["code"] == "PDF008"]
    statements = {f["location"] for f in findings}
    assert {"statement risk-general", "statement no-guarantee", "statement not-advice"} <= statements
    assert all(f["lang"] == "zh-CN" for f in findings)
    assert "not drawable in every PDF reader" in findings[0]["message"]


def test_verify_without_the_fund_rejects_it_too():
    result = run("verify", str(PRE_FIX))
    assert result.exit_code == 1
    assert "PDF008" in result.output and "statement risk-general" in result.output


@pytest.fixture
def old_subsetting(monkeypatch):
    """Subsets as the project made them before the fix: original CIDs kept."""
    monkeypatch.setattr(fonts, "identity_cids", lambda font: font)
    fonts._subset_cached.cache_clear()
    yield
    fonts._subset_cached.cache_clear()


def test_the_build_never_writes_a_document_a_reader_cannot_draw(old_subsetting, tmp_path):
    with pytest.raises(BuildError) as error:
        render_document(load_fund(ETF), "zh-CN", Renderer())
    kinds = {(p.id, p.kind) for p in error.value.statements}
    assert ("risk-general", "undrawable") in kinds
    result = run("build", str(ETF), "--out", str(tmp_path / "out"), "--lang", "zh-CN")
    assert result.exit_code == 1
    assert "risk-general in zh-CN is not drawable in every PDF reader" in result.output
    assert not list((tmp_path / "out").glob("*.pdf"))


def test_check_render_reports_it_as_pdf008(old_subsetting):
    result = run("check", "--render", str(ETF), "--lang", "zh-CN", "--format", "json", "--today", "2025-11-20")
    assert result.exit_code == 1
    codes = {(f["code"], f["location"]) for f in json.loads(result.output)}
    assert ("PDF008", "statement risk-general") in codes


def test_a_pdf_in_a_standard_font_that_is_not_embedded_is_not_judged():
    reading = glyphs.read(text_pdf("Investment involves risks."))
    assert reading.text == "Investmentinvolvesrisks." and not [d for d in reading.codes if d.problem]
