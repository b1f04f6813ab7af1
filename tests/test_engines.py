"""No single engine is the judge: every reference document must look the same in Poppler, PDFium,
MuPDF and Ghostscript, and its fonts must map every code to a glyph, structurally.

Each page is rasterised by the four engines at 72 dpi, blurred a little (anti-aliasing differs from
engine to engine) and compared pixel by pixel with Poppler's: the share of pixels that differ by more
than a quarter of the grey scale must stay tiny (measured: at most 0.02 % between engines on a good
page; 4.3 % for MuPDF and 0.5 % for Ghostscript on the document made before the font fix, where
MuPDF left every Chinese character blank and Ghostscript drew boxes). MuPDF must print no glyph
warning and Ghostscript no error.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageFilter

from factsheets import render_document
from factsheets.fund.validate import load_fund
from factsheets.pdf import glyphs
from factsheets.pdf.text import normalise

from .conftest import ETF, MONEY_MARKET, rendered

DPI = 72
MAX_DISAGREEMENT = 0.001  # share of pixels that may differ strongly from Poppler's render
STRONG = 64  # grey levels (of 255) that count as a strong difference once blurred
PRE_FIX = Path(__file__).parent / "data" / "pre-fix" / "513770.zh-CN.pdf"  # made by this project before the fix

DOCUMENTS = [(ETF, v) for v in ("en", "zh-CN", "bilingual")] + [
    (MONEY_MARKET, v) for v in ("en", "zh-CN", "zh-HK", "bilingual", "en+zh-HK")
]


def _load(folder: Path, prefix: str) -> list[Image.Image]:
    return [Image.open(p).convert("L") for p in sorted(folder.glob(f"{prefix}*.pgm"))]


def render_everywhere(pdf: Path, folder: Path) -> tuple[dict[str, list[Image.Image]], str, str]:
    """The pages as each engine draws them, with MuPDF's and Ghostscript's messages."""
    for tool in ("pdftoppm", "mutool", "gs"):
        assert shutil.which(tool), f"{tool} is not installed: `bash scripts/dev setup` installs poppler-utils, mupdf-tools, ghostscript"
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", str(pdf), str(folder / "poppler")], check=True)
    mupdf = subprocess.run(["mutool", "draw", "-r", str(DPI), "-c", "gray", "-o", str(folder / "mupdf%03d.pgm"), str(pdf)],
                           capture_output=True, text=True)
    ghostscript = subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pgmraw", f"-r{DPI}",
                                  "-dTextAlphaBits=4", "-dGraphicsAlphaBits=4", f"-sOutputFile={folder / 'gs%03d.pgm'}", str(pdf)],
                                 capture_output=True, text=True)
    document = pdfium.PdfDocument(str(pdf))
    try:
        pdfium_pages = [page.render(scale=DPI / 72, grayscale=True).to_pil().convert("L") for page in document]
    finally:
        document.close()
    pages = {"Poppler": _load(folder, "poppler"), "MuPDF": _load(folder, "mupdf"), "Ghostscript": _load(folder, "gs"),
             "PDFium": pdfium_pages}
    return pages, mupdf.stderr, ghostscript.stdout + ghostscript.stderr


def disagreement(a: Image.Image, b: Image.Image) -> float:
    """Share of pixels whose grey levels differ strongly once both are slightly blurred."""
    width, height = min(a.width, b.width), min(a.height, b.height)  # engines round the page size differently by a pixel
    x = np.asarray(a.filter(ImageFilter.GaussianBlur(1.2)), dtype=float)[:height, :width]
    y = np.asarray(b.filter(ImageFilter.GaussianBlur(1.2)), dtype=float)[:height, :width]
    return float((np.abs(x - y) > STRONG).mean())


def glyph_warnings(messages: str) -> list[str]:
    """MuPDF's complaints about glyphs (its build here also says it has no ICC support: not about glyphs)."""
    return [line for line in messages.splitlines() if "glyph" in line.lower() or "FT_Load" in line]


def compare(pdf: Path, folder: Path) -> list[str]:
    pages, mupdf, ghostscript = render_everywhere(pdf, folder)
    problems = [f"MuPDF: {line}" for line in glyph_warnings(mupdf)[:3]]
    if ghostscript.strip():
        problems.append(f"Ghostscript: {ghostscript.strip().splitlines()[0]}")
    counts = {engine: len(images) for engine, images in pages.items()}
    if len(set(counts.values())) != 1:
        return problems + [f"page counts differ: {counts}"]
    for number, reference in enumerate(pages["Poppler"], 1):
        for engine in ("PDFium", "MuPDF", "Ghostscript"):
            share = disagreement(pages[engine][number - 1], reference)
            if share > MAX_DISAGREEMENT:
                problems.append(f"page {number}: {engine} differs from Poppler on {share:.2%} of the page")
    return problems


@pytest.mark.parametrize("source,variant", DOCUMENTS, ids=[f"{p.stem.split('-')[0]}.{v}" for p, v in DOCUMENTS])
def test_every_reference_document_reads_the_same_in_four_engines(source, variant, tmp_path):
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(rendered(source, variant).pdf)
    assert compare(pdf, tmp_path) == []


# The house export's funds: their performance charts, key facts in three languages and the KID.
HOUSE = Path(__file__).parent / "data" / "funds"
HOUSE_DOCUMENTS = [("LU0000990301", "factsheet", "en+zh-HK"), ("LU0000990301", "kfs", "en"), ("LU0000990301", "kfs", "zh-HK"),
                   ("LU0000990301", "kid", "en"), ("990101", "factsheet", "bilingual"), ("990101", "kfs", "zh-CN")]


@pytest.mark.parametrize("code,document,variant", HOUSE_DOCUMENTS, ids=[".".join(d) for d in HOUSE_DOCUMENTS])
def test_every_document_type_reads_the_same_in_four_engines(code, document, variant, tmp_path):
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(render_document(load_fund(HOUSE / f"{code}.yaml"), variant, document=document).pdf)
    assert compare(pdf, tmp_path) == []


@pytest.mark.parametrize("source,variant", DOCUMENTS, ids=[f"{p.stem.split('-')[0]}.{v}" for p, v in DOCUMENTS])
def test_every_code_maps_to_a_glyph_with_outlines(source, variant):
    document = rendered(source, variant)
    reading = glyphs.read(document.pdf)
    assert [d for d in reading.codes if d.problem] == []
    # The structural reading spells the statements out too: it is a reading of the PDF, not of our model.
    for statement in document.statements:
        for text in statement.texts.values():
            assert normalise(text) in reading.text


def test_the_comparison_catches_the_document_made_before_the_fix(tmp_path):
    """The test above can fail: the pre-fix document is blank in MuPDF and boxes in Ghostscript."""
    problems = compare(PRE_FIX, tmp_path)
    assert any(p.startswith("MuPDF: ") for p in problems)
    assert any("MuPDF differs from Poppler" in p for p in problems)
    assert any("Ghostscript differs from Poppler" in p for p in problems)
    assert not any("PDFium differs" in p for p in problems)  # the forgiving engines agree with each other


def test_the_structural_check_finds_every_broken_code_of_the_pre_fix_document():
    broken = glyphs.problems(PRE_FIX.read_bytes())
    codes = {(d.font, d.code) for d in broken}
    assert len(codes) > 250  # 294 distinct codes in the two faces; measured from the file
    assert any("has no glyph for code" in d.problem for d in broken)
    # One code's CID exists but is another glyph: 《 drawn as whatever glyph has its old CID.
    assert any(d.text == "《" and "not with" in d.problem for d in broken)
