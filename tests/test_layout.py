"""Pages a designer would sign: every document of the reference funds and the house export (factsheets in each
fund's own variants, key facts, KIDs) inside its margins, clear of the paper's edge, without text over text, text
too small or a last page barely used (the layout rules, LY); checked again on Poppler's and MuPDF's page images;
the build fitting each document to its pages and refusing one a style pushes past its margin."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from factsheets import load_fund
from factsheets.cli import cli
from factsheets.config.load import ConfigError, parse_config
from factsheets.documents import types
from factsheets.documents.registry import BUILDERS
from factsheets.documents.types import FACTSHEET, KEY_FACTS, KID, TYPES
from factsheets.documents.variants import own_variants
from factsheets.pdf.document import PdfFile
from factsheets.pdf.pages import MM, read_pages
from factsheets.pdf.text import pdf_pages_text
from factsheets.render import typeset
from factsheets.rules.check import check_pdf_bytes
from factsheets.rules.layout import layout_findings

from .conftest import ETF, MONEY_MARKET, rendered

FUNDS = Path(__file__).parent / "data" / "funds"
REFERENCE = [ETF, MONEY_MARKET, *(FUNDS / f"{code}.yaml" for code in ("990101", "990201", "990401", "LU0000990301"))]
FACTSHEETS = [(path, variant.name) for path in REFERENCE for variant in own_variants(load_fund(path).publishes)]
# The key facts documents and KIDs of the same funds: LU0000990301's in English and Traditional Chinese and its KID,
# the three mainland funds' in Simplified Chinese.
OTHERS = [(path, variant.name, name) for path in REFERENCE for name in ("kfs", "kid")
          if BUILDERS[name].has_data(load_fund(path)) for variant in TYPES[name].languages(load_fund(path))]
# Each type's margins as its style sets them (mm): the sides, the top, the foot.
MARGINS = {"factsheet": (13, 12, 16), "kfs": (15, 13, 17), "kid": (13, 12, 16)}


@pytest.mark.parametrize("path, variant", FACTSHEETS, ids=[f"{p.stem[:12]}-{v}" for p, v in FACTSHEETS])
def test_every_factsheet_passes_every_layout_rule(path, variant):
    document = rendered(path, variant)
    assert layout_findings(document.pdf, "doc.pdf") == []  # no error, no warning
    assert document.pages <= 2
    with PdfFile(document.pdf) as pdf:
        layout = read_pages(pdf)
        for page in layout.pages:  # the margin box is the one the style sets: 13 mm at the sides, 12 at the top
            assert page.margin_box == pytest.approx((13 * MM, 16 * MM, page.width - 13 * MM, page.height - 12 * MM), abs=0.01)
            assert min(r.size for r in page.texts()) >= 7.0 - 0.05  # chart labels included, at 7 pt here


def test_the_range_has_its_key_facts_and_kid():
    assert sorted((p.stem, v, d) for p, v, d in OTHERS) == [
        ("990101", "zh-CN", "kfs"), ("990201", "zh-CN", "kfs"), ("990401", "zh-CN", "kfs"),
        ("LU0000990301", "en", "kfs"), ("LU0000990301", "en", "kid"), ("LU0000990301", "zh-HK", "kfs")]


@pytest.mark.parametrize("path, variant, document", OTHERS, ids=[f"{p.stem[:12]}-{d}-{v}" for p, v, d in OTHERS])
def test_every_key_facts_document_and_kid_passes_every_layout_rule(path, variant, document):
    made = rendered(path, variant, document)
    assert layout_findings(made.pdf, "doc.pdf", document=document) == [] and made.warnings == []  # no error, no warning
    assert made.pages <= TYPES[document].page_limit
    side, top, foot = (m * MM for m in MARGINS[document])
    with PdfFile(made.pdf) as pdf:
        layout = read_pages(pdf)
    for page in layout.pages:
        assert page.margin_box == pytest.approx((side, foot, page.width - side, page.height - top), abs=0.01)
        texts = page.texts()
        assert min(r.size for r in texts) >= 6.5 - 0.05  # the charts' bar labels at 6.5 pt at the least
        assert min(r.size for r in texts if r.figure is None) >= 7.0 - 0.05
        edge = 8 * MM  # the running footer included
        assert all(min(r.box[0], r.box[1], page.width - r.box[2], page.height - r.box[3]) >= edge for r in texts)


# A paragraph's last line holding only one word, or one or two Chinese characters and a stop: "回。".
LONE_LINE = re.compile(r"^(?:[\u3400-\u9fff]{1,2}[。；）」]|[A-Za-z'’-]+[.;:])$")


@pytest.mark.parametrize("path, variant, document", OTHERS, ids=[f"{p.stem[:12]}-{d}-{v}" for p, v, d in OTHERS])
def test_no_paragraph_ends_on_a_lone_word_or_character(path, variant, document):
    lines = [line.strip() for page in pdf_pages_text(rendered(path, variant, document).pdf) for line in page.splitlines()]
    assert [line for line in lines if LONE_LINE.match(line)] == []


def test_a_paragraph_s_tail_is_kept_together_and_its_text_unchanged():
    text = "本基金可按基金合同约定延期办理赎回。"
    kept = typeset.tail(text)
    assert kept == "本基金可按基金合同约定延期<span class=\"tail\">办理赎回。</span>"
    assert re.sub(r"<[^>]+>", "", kept) == text
    assert typeset.tail("You may lose some or all of your investment.") == \
        "You may lose some or all of <span class=\"tail\">your investment.</span>"  # the last two words
    assert typeset.tail("A <b> & C") == "A &lt;b&gt; <span class=\"tail\">&amp; C</span>"  # escaped, as Jinja would
    assert typeset.tail("See https://funds.example.com/lu/LU0000990301/past-performance.") == \
        "See https://funds.example.com/lu/LU0000990301/past-performance."  # a tail too long for a line may still break
    assert typeset.tail("Daily") == "Daily" and typeset.tail("每日。") == "每日。"  # one line's worth


def _raster(engine: str, pdf: Path, out: Path) -> list:
    """Each page as a greyscale image at 72 dpi (one pixel a point), drawn by Poppler or MuPDF."""
    from PIL import Image

    if engine == "poppler":
        subprocess.run(["pdftoppm", "-r", "72", "-gray", "-png", str(pdf), str(out / "p")], check=True, capture_output=True)
    else:
        subprocess.run(["mutool", "draw", "-q", "-r", "72", "-c", "gray", "-o", str(out / "p-%d.png"), str(pdf)], check=True,
                       capture_output=True)
    return [Image.open(path).convert("L") for path in sorted(out.glob("p*.png"))]


@pytest.mark.skipif(not (shutil.which("pdftoppm") and shutil.which("mutool")), reason="needs Poppler and MuPDF")
@pytest.mark.parametrize("engine", ["poppler", "mupdf"])
def test_no_ink_outside_the_margins_nor_near_the_paper_edge_in_poppler_and_mupdf(engine, tmp_path):
    """An independent look at the page images (not at PDFium's reading): nothing drawn in the side margins (13 mm,
    a key facts document's 15), over the top margin (12 mm, 13) or within 8 mm of the foot, where only the running
    footer may stand above it."""
    import numpy as np

    for path, variant, document in [(p, v, "factsheet") for p, v in FACTSHEETS] + OTHERS:
        folder = tmp_path / f"{path.stem}-{document}-{variant}"
        folder.mkdir()
        (folder / "doc.pdf").write_bytes(rendered(path, variant, document).pdf)
        for number, image in enumerate(_raster(engine, folder / "doc.pdf", folder), 1):
            pixels = np.asarray(image)
            margins = MARGINS[document]
            side, top, foot = int(margins[0] * MM) - 1, int(margins[1] * MM) - 1, int(8 * MM)
            where = f"{path.stem} {document} {variant} page {number} ({engine})"
            assert pixels[:, :side].min() >= 250 and pixels[:, -side:].min() >= 250, f"{where}: ink in a side margin"
            assert pixels[:top, :].min() >= 250, f"{where}: ink in the top margin"
            assert pixels[-foot:, :].min() >= 250, f"{where}: ink within 8 mm of the foot"


def test_the_document_types_say_which_the_build_refuses_on_its_layout():
    assert FACTSHEET.layout_rules and KEY_FACTS.layout_rules and KID.layout_rules


def test_a_type_the_build_does_not_refuse_on_its_layout_is_reported_on_as_warnings(monkeypatch):
    from dataclasses import replace

    from weasyprint import HTML

    pdf = HTML(string='<style>@page { size: A4; margin: 3mm }</style><p>Near the edge</p>').write_pdf()
    assert [f.code for f in layout_findings(pdf, "doc.pdf", document="kid")] == ["LY002"]
    assert layout_findings(pdf, "doc.pdf", document="kid")[0].severity == "error"
    monkeypatch.setitem(types.TYPES, "kid", replace(KID, layout_rules=False))
    findings = layout_findings(pdf, "doc.pdf", document="kid")
    assert [(f.code, f.severity) for f in findings] == [("LY002", "warning")]
    assert findings[0].message.endswith("(reported only: the build does not yet refuse a document of this type on its layout)")


def _project(tmp_path: Path, css: str) -> Path:
    (tmp_path / "styles").mkdir()
    (tmp_path / "styles" / "house.css").write_text(css, encoding="utf-8")
    (tmp_path / "factsheets.toml").write_text('[build]\nstyles = "styles"\n', encoding="utf-8")
    return tmp_path / "factsheets.toml"


@pytest.mark.parametrize("fund, css, rule, options", [
    (ETF, ".holdings table { width: 125%; }", "LY001 outside-margin-box", ["--lang", "en"]),  # the second column's table past the right margin
    (FUNDS / "990101.yaml", ".charts .chart-cell svg.chart { width: 70%; }", "LY009 text-too-small", ["--lang", "en"]),  # 7 pt labels at 4.9 pt
    (FUNDS / "LU0000990301.yaml", ".kfs .quick-facts table.facts { width: 115%; }", "LY001 outside-margin-box",
     ["--doc", "kfs", "--lang", "en"]),  # the quick facts' table past the right margin
    (FUNDS / "LU0000990301.yaml", "@page { margin-bottom: 8mm; }", "LY002 near-paper-edge", ["--doc", "kid"]),  # the KID's footer
], ids=["table-past-the-margin", "chart-labels-at-five-points", "key-facts-table-past-the-margin", "kid-footer-at-the-edge"])
def test_a_style_that_breaks_the_layout_fails_the_build_naming_the_rule(fund, css, rule, options, tmp_path):
    config = _project(tmp_path, css)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(fund), *options, "--out", str(out), "--config", str(config)])
    assert result.exit_code == 1, result.output
    assert rule in result.output and "no PDF written" in result.output, result.output
    assert not list(out.glob("*.pdf"))


def test_a_deeper_foot_margin_keeps_the_running_footer_out_of_the_template_s_sections(tmp_path):
    """The template rules read a page's body above its margin box (/ArtBox), wherever a house style sets it: with a
    foot margin of 32 mm, the footer ("Page 2 of 3") still stands under it and in no section's text."""
    from factsheets.pdf.conformance import runs
    from factsheets.pdf.document import PdfFile

    config = _project(tmp_path, "@page { margin-bottom: 32mm; }")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(FUNDS / "LU0000990301.yaml"), "--doc", "kfs,kid", "--out", str(out),
                                      "--config", str(config)])
    assert result.exit_code == 0, result.output
    for path in sorted(out.glob("*.pdf")):
        with PdfFile(path.read_bytes()) as pdf:
            read = [run.text for run in runs(pdf)]
        assert read and not [text for text in read if re.search(r"Page \d of \d|第\d頁", text)], (path.name, read[-3:])


def test_the_build_reports_the_layout_it_chose_in_its_output_and_manifest(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(FUNDS / "990101.yaml"), str(ETF), "--lang", "bilingual", "--out", str(out),
                                      "--jobs", "1"])
    assert result.exit_code == 0, result.output
    rows = {row["fund"]: row for row in json.loads((out / "manifest.json").read_text(encoding="utf-8"))}
    # The house fund's standard form leaves the second column a third empty: its sections are rebalanced.
    assert rows["990101"]["layout"].startswith("layout balanced (2 pages, the last ") and "forms tried" in rows["990101"]["layout"]
    assert rows["513770"]["layout"].startswith("layout standard (2 pages")  # fits as it is: one form tried
    assert "forms tried" not in rows["513770"]["layout"]
    assert f"wrote {out / '990101.bilingual.pdf'} (2 pages" in result.output and "; layout balanced" in result.output
    assert "layout" in (out / "manifest.csv").read_text(encoding="utf-8").splitlines()[0].split(",")


def test_among_layouts_that_all_leave_a_page_s_foot_empty_the_fitting_keeps_the_least_empty():
    from factsheets.render.fit import Measure, best

    # 990101's key facts: its chart, kept whole with its table, fits no page's foot in any form.
    regular, condensed, open_ = Measure(3, 0.49, 30, 0.0, 0.20), Measure(3, 0.46, 28, 0.0, 0.25), Measure(3, 0.78, 45, 0.0, 0.19)
    assert best([regular, condensed, open_], 0.25) == 2
    assert best([regular, condensed, Measure(3, 0.78, 45, 0.0, 0.05)], 0.25) == 2  # one without a gap, whatever its order
    assert best([Measure(3, 0.49, 30, 0.0, 0.05), open_], 0.25) == 0
    assert best([Measure(2, 0.30, 20, 0.0, 0.30), open_], 0.25) == 0  # fewer pages first


def test_a_project_lowers_the_last_page_bar_only_with_a_reason(tmp_path):
    with pytest.raises(ConfigError, match=r"layout: last_page_min_fill 0.1 is under the 0.25 .* give the reason"):
        parse_config({"layout": {"last_page_min_fill": 0.1}})
    with pytest.raises(ConfigError, match=r"layout.last_page_min_fill: Input should be less than 1"):
        parse_config({"layout": {"last_page_min_fill": 1.2, "reason": "x"}})
    config = parse_config({"layout": {"last_page_min_fill": 0.05, "reason": "an archive of one-off notices"}})
    assert config.layout.last_page_min_fill == 0.05
    # A document whose sources stand alone on a last page (6 % used): under the bar, unless the project lowers it.
    folder = tmp_path / "sections"
    folder.mkdir()
    original = (Path(__file__).parent.parent / "templates" / "sections" / "sources.html.j2").read_text(encoding="utf-8")
    (folder / "sources.html.j2").write_text(original.replace('<section class="sources">', '<section class="sources" style="break-before: page">'),
                                            encoding="utf-8")
    from factsheets.render.renderer import Renderer

    pdf = Renderer([tmp_path]).render(load_fund(MONEY_MARKET), own_variants(("en",))[0]).pdf
    assert [f.code for f in check_pdf_bytes(pdf, "doc.pdf") if f.code == "LY004"] == ["LY004"]
    assert [f.code for f in check_pdf_bytes(pdf, "doc.pdf", last_page_min_fill=0.05) if f.code == "LY004"] == []
    (tmp_path / "factsheets.toml").write_text('[layout]\nlast_page_min_fill = 0.05\nreason = "one-off notices"\n', encoding="utf-8")
    (tmp_path / "doc.pdf").write_bytes(pdf)
    verified = CliRunner().invoke(cli, ["verify", str(tmp_path / "doc.pdf"), "--config", str(tmp_path / "factsheets.toml"),
                                        "--format", "json"])
    assert "LY004" not in verified.output and "LY005" in verified.output  # the few lines are still said (a warning)
