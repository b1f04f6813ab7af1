"""User projects: `factsheets init`, file-by-file template overrides, styles, brand, and --watch."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from queue import Empty, Queue

import pypdfium2 as pdfium
import pytest

from factsheets.pdf.text import normalise, pdf_pages_text


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "factsheets", *args], capture_output=True, text=True, cwd=cwd)
    if args[0] == "init" and result.returncode == 0:  # as a user starts: the examples copied into funds/
        folder = cwd / args[1]
        for example in (folder / "examples").glob("*.yaml"):
            shutil.copy(example, folder / "funds" / example.name)
    return result


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("house") / "project"
    result = run("init", str(folder), cwd=folder.parent)
    assert result.returncode == 0, result.stderr
    return folder


def test_init_creates_a_project_that_builds_at_once(project):
    assert sorted(p.name for p in project.iterdir()) == ["assets", "examples", "factsheets.toml", "funds", "styles", "templates"]
    result = run("build", "--lang", "en", cwd=project)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (project / "out").glob("*.pdf")) == ["513770.en.pdf", "990001.en.pdf"]
    text = normalise("".join(pdf_pages_text((project / "out" / "513770.en.pdf").read_bytes())))
    assert "ExampleAssetManagement" in text and "ExampleAssetManagementCo.,Ltd." in text


def test_init_leaves_funds_to_the_house_and_puts_the_examples_aside(tmp_path):
    result = subprocess.run([sys.executable, "-m", "factsheets", "init", "fresh"], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0 and "factsheets import" in result.stdout
    assert [p.name for p in (tmp_path / "fresh" / "funds").iterdir()] == ["README.txt"]
    assert sorted(p.name for p in (tmp_path / "fresh" / "examples").iterdir()) == ["513770.yaml", "990001-demo-money-market.yaml"]
    build = subprocess.run([sys.executable, "-m", "factsheets", "build"], capture_output=True, text=True, cwd=tmp_path / "fresh")
    assert build.returncode == 2 and "factsheets import" in build.stderr


def test_init_refuses_a_folder_that_is_not_empty(project):
    result = run("init", str(project), cwd=project.parent)
    assert result.returncode == 2 and "not empty" in result.stderr


def _heading_colour(pdf: bytes) -> tuple[int, int, int]:
    import ctypes

    import pypdfium2.raw as raw

    page = pdfium.PdfDocument(pdf)[0]
    textpage = page.get_textpage()
    text = textpage.get_text_range()
    index = text.index("Key facts")
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    raw.FPDFText_GetFillColor(textpage.raw, index, r, g, b, a)
    return r.value, g.value, b.value


def test_a_theme_overrides_templates_styles_colours_and_logo(tmp_path):
    folder = tmp_path / "themed"
    assert run("init", str(folder), cwd=tmp_path).returncode == 0
    config = folder / "factsheets.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('primary = "#1f4e79"', 'primary = "#7a1f3d"'), encoding="utf-8")
    (folder / "templates" / "sections").mkdir()
    (folder / "templates" / "sections" / "commentary.html.j2").write_text(
        '<section class="commentary"><h2>{{ t("Commentary") }}</h2>'
        '{% for lang in langs %}<p lang="{{ lang }}">House view: {{ fund.commentary[lang] }}</p>{% endfor %}</section>\n',
        encoding="utf-8",
    )
    (folder / "styles" / "house.css").write_text(".commentary p { font-style: italic; }", encoding="utf-8")
    result = run("build", "--lang", "en", cwd=folder)
    assert result.returncode == 0, result.stderr
    pdf = (folder / "out" / "513770.en.pdf").read_bytes()
    assert "Houseview:HongKongtechnology" in normalise("".join(pdf_pages_text(pdf)))
    assert _heading_colour(pdf) == (0x7A, 0x1F, 0x3D)
    assert _logo_pixels(pdf) > 200  # the logo is drawn: its #1f4e79 square (headings and chart are now #7a1f3d)


def _logo_pixels(pdf: bytes) -> int:
    """Pixels of the init logo's dark blue (#1f4e79) in the masthead (the top 100 pt of page 1), drawn by PDFium."""
    import numpy as np

    document = pdfium.PdfDocument(pdf)
    try:
        pixels = document[0].render(scale=1, rev_byteorder=True).to_numpy()[:100, :, :3].astype(int)
    finally:
        document.close()
    return int((np.abs(pixels - (0x1F, 0x4E, 0x79)).max(axis=2) <= 2).sum())


@pytest.mark.parametrize("css", [
    ".disclaimer { display: none; }",
    ".risk .statement { color: #fff; }",
])
def test_a_hostile_house_style_fails_the_build_with_the_statement_id(tmp_path, css):
    folder = tmp_path / "hostile"
    assert run("init", str(folder), cwd=tmp_path).returncode == 0
    (folder / "styles" / "hide.css").write_text(css, encoding="utf-8")
    result = run("build", "--lang", "en", cwd=folder)
    assert result.returncode == 1
    assert "statement " in result.stderr and ("not-advice" in result.stderr or "risk-general" in result.stderr)
    assert not list((folder / "out").glob("*.pdf"))


def test_a_bad_configuration_lists_every_error_at_once(tmp_path):
    folder = tmp_path / "bad"
    assert run("init", str(folder), cwd=tmp_path).returncode == 0
    config = folder / "factsheets.toml"
    text = config.read_text(encoding="utf-8").replace('primary = "#1f4e79"', 'primary = "blue"')
    text = text.replace('# variants = ["bilingual", "en"]', 'variants = ["fr"]\ncolour = 1')
    config.write_text(text, encoding="utf-8")
    result = run("build", cwd=folder)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert any(line.startswith(f"{config}: brand.primary: 'blue' is not a colour: write it as # and six") for line in lines), lines
    assert any(line.startswith(f"{config}: build.variants: unknown variant 'fr'") for line in lines), lines
    assert any(line.startswith(f"{config}: build.colour: unknown key (allowed here: funds, out, variants") for line in lines), lines


def _save(path: Path, old: str, new: str) -> None:
    """Save an edit as editors do, in one step (a new file renamed over the old): the watcher never
    sees the file half-written."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    draft = path.with_name(f".{path.name}.draft")
    draft.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.replace(draft, path)


def test_watch_rebuilds_what_changed_and_survives_errors(tmp_path):
    """Waits on what the watcher prints, never on time: each step ends when its line appears (the
    generous deadline only turns a hang into a failure, on a machine however busy)."""
    folder = tmp_path / "live"
    assert run("init", str(folder), cwd=tmp_path).returncode == 0
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    watcher = subprocess.Popen([sys.executable, "-m", "factsheets", "build", "--watch", "--lang", "en", "--jobs", "1"],
                               cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    queue: Queue[str | None] = Queue()

    def read() -> None:  # a reader thread, so that a missing line fails the test instead of blocking it
        for line in watcher.stdout:
            queue.put(line)
        queue.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    lines: list[str] = []

    def wait_for(words: str) -> None:
        deadline = time.monotonic() + 600
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = queue.get(timeout=left)
            except Empty:
                break
            if line is None:
                raise AssertionError(f"the watcher stopped before {words!r}: {lines}")
            lines.append(line)
            if words in line:
                return
        raise AssertionError(f"{words!r} not seen in {lines}")

    fund = folder / "funds" / "513770.yaml"
    try:
        wait_for("2 written, 0 unchanged, 0 skipped, 0 failed")
        _save(fund, "min_investor: C4 ", "min_investor: C2 ")
        wait_for("C2 is below C4")
        wait_for("0 written, 1 unchanged, 0 skipped, 1 failed")
        _save(fund, "min_investor: C2 ", "min_investor: C5 ")
        wait_for("1 written, 1 unchanged, 0 skipped, 0 failed")
    finally:
        watcher.send_signal(signal.SIGINT)
        watcher.wait(timeout=600)
        reader.join(timeout=60)
        watcher.stdout.close()
    assert watcher.returncode == 0
