"""Incremental builds: every input a document depends on is in its inputs hash, so a build renders
again exactly the documents an edit affects, and gives the bytes a forced build gives."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from factsheets import Renderer, load_fund, parse_variant
from factsheets.brand import Brand
from factsheets.build.batch import Batch
from factsheets.render.inputs import PACKAGE_DIR, tree_digest

from .conftest import ETF, MONEY_MARKET, ROOT

MARK = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="{}"/></svg>'
LOGO = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="10"><rect width="40" height="10" fill="{}"/></svg>'


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Two funds; a template override; a style whose image (url(mark.svg)) only funds with an index
    show (the index section); a logo."""
    for source in (ETF, MONEY_MARKET):
        (tmp_path / "funds").mkdir(exist_ok=True)
        shutil.copy(source, tmp_path / "funds" / source.name)
    (tmp_path / "templates" / "sections").mkdir(parents=True)
    shutil.copy(ROOT / "templates" / "sections" / "sources.html.j2", tmp_path / "templates" / "sections" / "sources.html.j2")
    (tmp_path / "styles").mkdir()
    (tmp_path / "styles" / "house.css").write_text("section.index h2 { padding-left: 10pt; background: url(mark.svg) no-repeat; }\n"
                                                   "h2 { color: #1f4e79; }\n", encoding="utf-8")
    (tmp_path / "styles" / "mark.svg").write_text(MARK.format("#1f4e79"), encoding="utf-8")
    (tmp_path / "logo.svg").write_text(LOGO.format("#1f4e79"), encoding="utf-8")
    return tmp_path


def build(project: Path, out: str = "out", force: bool = False) -> dict[str, str]:
    """Build the project's funds in English; fund file name -> status."""
    options = {"template_dirs": (project / "templates",), "style_files": (project / "styles" / "house.css",),
               "brand": Brand(logo=project / "logo.svg"), "pdf_variant": None}
    entries = Batch(sorted((project / "funds").glob("*.yaml")), [parse_variant("en")], project / out, jobs=1,
                    force=force, renderer_options=options).run()
    return {Path(e.source).name: e.status for e in entries}


def shas(project: Path, out: str) -> dict[str, str]:
    rows = json.loads((project / out / "manifest.json").read_text(encoding="utf-8"))
    return {Path(r["source"]).name: r["sha256"] for r in rows}


def _package_changed(monkeypatch) -> None:
    monkeypatch.setattr("factsheets.render.inputs.package_digest", lambda: "another version of the package's code")


def _checks_changed(monkeypatch) -> None:
    monkeypatch.setattr("factsheets.pdf.legibility.CHECK_VERSION", 1000)


ETF_FILE, MM_FILE = ETF.name, MONEY_MARKET.name
BOTH = {ETF_FILE, MM_FILE}
# Each kind of input: the edit, and the documents it must render again (the others stay unchanged).
KINDS = {
    "fund file": (lambda p, m: _edit(p / "funds" / ETF_FILE, "pe_ratio: 24.68", "pe_ratio: 24.69"), {ETF_FILE}),
    "template": (lambda p, m: _edit(p / "templates" / "sections" / "sources.html.j2", "<", "<!-- edited -->\n<"), BOTH),
    "style": (lambda p, m: _edit(p / "styles" / "house.css", "#1f4e79", "#7a1f3d"), BOTH),
    "image a style uses for some funds": (lambda p, m: _edit(p / "styles" / "mark.svg", "#1f4e79", "#7a1f3d"), {ETF_FILE}),
    "logo the template shows": (lambda p, m: _edit(p / "logo.svg", "#1f4e79", "#7a1f3d"), BOTH),
    "package code": (lambda p, m: _package_changed(m), BOTH),
    "check version": (lambda p, m: _checks_changed(m), BOTH),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_an_edit_renders_again_exactly_the_documents_it_affects(project, monkeypatch, kind):
    edit, affected = KINDS[kind]
    assert build(project) == {ETF_FILE: "written", MM_FILE: "written"}
    assert build(project) == {ETF_FILE: "unchanged", MM_FILE: "unchanged"}
    edit(project, monkeypatch)
    assert build(project) == {name: "written" if name in affected else "unchanged" for name in BOTH}
    # What the incremental build kept or wrote is what a forced build writes now.
    build(project, "forced", force=True)
    assert shas(project, "out") == shas(project, "forced")


def test_the_package_digest_covers_its_code(tmp_path):
    copy = tmp_path / "factsheets"
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = tree_digest(copy)
    assert before == tree_digest(PACKAGE_DIR)
    _edit(copy / "documents" / "chart.py", 'COLOURS = ("#1f4e79", "#8fa3b8")', 'COLOURS = ("#1f4e79", "#8fa3b9")')
    assert tree_digest(copy) != before


def test_the_pdf_records_the_same_inputs_hash_over_the_same_inputs(project):
    """The XMP inputs hash follows an image a style uses, as the manifest does."""
    fund = load_fund(ETF)

    def recorded() -> str:
        renderer = Renderer(style_files=[project / "styles" / "house.css"], pdf_variant=None)
        return renderer.render(fund, parse_variant("en")).record.inputs_hash

    before = recorded()
    assert recorded() == before
    _edit(project / "styles" / "mark.svg", "#1f4e79", "#7a1f3d")
    assert recorded() != before
