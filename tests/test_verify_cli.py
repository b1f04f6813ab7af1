"""`factsheets verify` on finished PDFs: ours, tampered ones, and PDFs with no data of ours."""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from factsheets.cli import cli
from factsheets.documents.disclosures import library
from factsheets.documents.variants import parse_variant
from factsheets.fund.validate import load_fund
from factsheets.pdf.text import normalise, pdf_pages_text
from factsheets.render.renderer import Renderer

from .conftest import ETF, MONEY_MARKET, drop_statement, mutate, rendered, text_pdf


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@cache
def tampered_pdf(kind: str) -> bytes:
    import tempfile
    folder = Path(tempfile.mkdtemp())
    if kind == "dropped":
        renderer = Renderer([drop_statement(folder, "risk-general")])
    else:
        (folder / "small.css").write_text(".risk .statements p.statement { font-size: 4pt; }", encoding="utf-8")
        renderer = Renderer(style_files=[folder / "small.css"])
    return renderer.render(load_fund(ETF), parse_variant("bilingual")).pdf


def _write(tmp_path: Path, data: bytes, name: str = "doc.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_our_pdf_verifies_clean(tmp_path):
    pdf = _write(tmp_path, rendered(ETF, "bilingual").pdf)
    assert run("verify", str(pdf)).exit_code == 0
    result = run("verify", str(pdf), "--fund", str(ETF), "--format", "json")
    assert result.exit_code == 0 and json.loads(result.output) == []


def test_template_dropping_a_statement_fails(tmp_path):
    pdf = _write(tmp_path, tampered_pdf("dropped"))
    for extra in ([], ["--fund", str(ETF)]):
        result = run("verify", str(pdf), *extra, "--format", "json")
        assert result.exit_code == 1, result.output
        findings = json.loads(result.output)
        assert {(f["code"], f["lang"]) for f in findings} == {("PDF001", "en"), ("PDF001", "zh-CN")}
        assert all(f["file"] == str(pdf) and "risk-general" in f["message"] for f in findings)


def test_statement_shrunk_to_4pt_fails(tmp_path):
    pdf = _write(tmp_path, tampered_pdf("small"))
    result = run("verify", str(pdf), "--fund", str(ETF), "--format", "json")
    assert result.exit_code == 1
    every = json.loads(result.output)
    # The statements (PDF002), and the layout rules on any text under 6 pt and body text under 7 pt (LY009, LY010).
    assert {f["code"] for f in every} == {"PDF002", "LY009", "LY010"}
    findings = [f for f in every if f["code"] == "PDF002"]
    risk_block = {"risk-general", "past-performance", "no-guarantee", "suitability"}
    assert {f["message"].split()[1] for f in findings} == risk_block
    assert all("4.0 pt, below 7 pt" in f["message"] and f["location"].startswith("page ") for f in findings)


def test_pdf_without_lang_is_checked_in_the_languages_of_its_text(tmp_path):
    # As a PDF from Word or Typst: no /Lang, no data of ours, only the text.
    with pikepdf.open(io.BytesIO(rendered(MONEY_MARKET, "zh-HK").pdf)) as document:
        del document.Root.Lang
        buffer = io.BytesIO()
        document.save(buffer)
    with pikepdf.open(io.BytesIO(buffer.getvalue())) as document:
        assert "/Lang" not in document.Root
    pdf = _write(tmp_path, buffer.getvalue())
    assert run("verify", str(pdf)).exit_code == 0
    # Asked for English too, it lacks every English statement.
    result = run("verify", str(pdf), "--lang", "en,zh-HK", "--format", "json")
    assert result.exit_code == 1
    assert {f["lang"] for f in json.loads(result.output)} == {"en"}


def test_pdf_of_another_fund_fails(tmp_path):
    pdf = _write(tmp_path, rendered(MONEY_MARKET, "bilingual").pdf)
    result = run("verify", str(pdf), "--fund", str(ETF), "--format", "json")
    assert result.exit_code == 1
    assert "PDF005" in {f["code"] for f in json.loads(result.output)}


@pytest.mark.parametrize("setup, message", [
    (lambda p: p / "missing.pdf", "missing.pdf: no such file"),
    (lambda p: _write(p, b"hello, not a PDF", "text.pdf"), "text.pdf: not a PDF file"),
    (lambda p: _write(p, b"%PDF-1.7\n garbage", "broken.pdf"), "broken.pdf: cannot read PDF"),
])
def test_bad_files_exit_2(tmp_path, setup, message):
    result = run("verify", str(setup(tmp_path)))
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_bad_lang_and_bad_fund_exit_2(tmp_path):
    pdf = _write(tmp_path, rendered(ETF, "bilingual").pdf)
    assert run("verify", str(pdf), "--lang", "fr").exit_code == 2
    bad_fund = tmp_path / "bad.yaml"
    bad_fund.write_text(ETF.read_text(encoding="utf-8").replace("min_investor: C4 ", "min_investor: C2 "), encoding="utf-8")
    result = run("verify", str(pdf), "--fund", str(bad_fund))
    assert result.exit_code == 2 and "fund.risk.min_investor" in result.output


def test_pdf_of_unknown_language_is_never_a_clean_pass(tmp_path):
    pdf = _write(tmp_path, text_pdf("Quarterly update of the HK Internet ETF."))
    result = run("verify", str(pdf), "--format", "json")
    assert result.exit_code == 1, result.output
    assert {f["code"] for f in json.loads(result.output)} == {"PDF007"}
    assert "--lang" in json.loads(result.output)[0]["message"]
    # With the fund, its languages are required: every statement is missing in en and zh-CN.
    result = run("verify", str(pdf), "--fund", str(ETF), "--format", "json")
    assert result.exit_code == 1, result.output
    findings = json.loads(result.output)
    assert {(f["code"], f["lang"]) for f in findings if f["code"] == "PDF001"} == {("PDF001", "en"), ("PDF001", "zh-CN")}
    assert "All clear" not in run("verify", str(pdf), "--fund", str(ETF)).output


def test_covered_statement_is_a_finding(tmp_path):
    css = tmp_path / "cover.css"
    css.write_text(".disclaimer { position: relative } .disclaimer::after { content: ''; position: absolute;"
                   " left: 0; right: 0; top: 0; bottom: 0; background: #fff; }", encoding="utf-8")
    document = Renderer(style_files=[css], pdf_variant=None).render(load_fund(ETF), parse_variant("en"))
    pdf = _write(tmp_path, document.pdf)
    for extra in ([], ["--fund", str(ETF)]):
        result = run("verify", str(pdf), *extra, "--format", "json")
        assert result.exit_code == 1, result.output
        findings = json.loads(result.output)
        covered = {f["message"].split()[1] for f in findings if f["code"] == "PDF002" and "covered" in f["message"]}
        assert "not-advice" in covered, findings


def test_statement_inside_another_does_not_count(tmp_path):
    # zh-CN no-guarantee is part of money-market-not-deposit: dropped on its own, it is missing.
    folder = drop_statement(tmp_path / "templates", "no-guarantee")
    pdf = Renderer(template_dirs=[folder], pdf_variant=None).render(load_fund(MONEY_MARKET), parse_variant("zh-CN")).pdf
    result = run("verify", str(_write(tmp_path, pdf)), "--fund", str(MONEY_MARKET), "--format", "json")
    assert result.exit_code == 1, result.output
    findings = json.loads(result.output)
    assert [(f["code"], f["lang"], f["location"]) for f in findings] == [("PDF001", "zh-CN", "statement no-guarantee")]


def test_a_statement_quoted_in_the_commentary_does_not_count(tmp_path):
    # The fund's commentary quotes past-performance word for word and the template leaves the
    # statement out: with --fund, the quote is the fund's own prose, and the statement is missing.
    quoted = library("CN").statement("past-performance").texts["en"]
    fund = mutate(ETF, tmp_path, "of its 10-year range.\n", f"of its 10-year range. {quoted}\n")
    folder = drop_statement(tmp_path / "templates", "past-performance")
    pdf = Renderer(template_dirs=[folder], pdf_variant=None).render(load_fund(fund), parse_variant("en")).pdf
    assert normalise(quoted) in normalise("".join(pdf_pages_text(pdf)))  # the quote is printed
    result = run("verify", str(_write(tmp_path, pdf)), "--fund", str(fund), "--format", "json")
    assert result.exit_code == 1, result.output
    findings = json.loads(result.output)
    assert [(f["code"], f["lang"], f["location"]) for f in findings] == [("PDF001", "en", "statement past-performance")]


def test_an_unreadable_pdf_does_not_hide_the_others(tmp_path):
    broken = _write(tmp_path, b"%PDF-1.7\n garbage", "broken.pdf")
    dropped = _write(tmp_path, tampered_pdf("dropped"), "dropped.pdf")
    result = run("verify", str(broken), str(dropped), "--format", "json")
    assert result.exit_code == 2
    assert "broken.pdf: cannot read PDF" in result.stderr
    findings = json.loads(result.stdout)
    assert {(f["file"], f["code"]) for f in findings} == {(str(dropped), "PDF001")}
