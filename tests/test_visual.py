"""Visual regression: each page of the reference factsheets, rasterised by pdftoppm at 40 dpi in
grey, against the PNG stored under tests/visual/. A page differs when more than 0.5 % of its
pixels differ by more than a quarter of the grey range (tolerating anti-aliasing and font
rasteriser noise, not a moved block, a lost line or a changed chart). On failure the difference
image is written next to the test's output and named in the message.

After an intended change:  bash scripts/dev test tests/test_visual.py --refresh-visual
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

Image = pytest.importorskip("PIL.Image")
ImageChops = pytest.importorskip("PIL.ImageChops")

from .conftest import ETF, MONEY_MARKET, rendered  # noqa: E402

STORED = Path(__file__).resolve().parent / "visual"
DPI = 40
PIXEL_TOLERANCE = 64  # grey levels (of 255)
AREA_TOLERANCE = 0.005  # share of a page's pixels
CASES = [(ETF, "en"), (ETF, "zh-CN"), (MONEY_MARKET, "zh-HK")]

pytestmark = pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils (pdftoppm) not installed")


def pages_of(pdf: bytes, folder: Path) -> list[Image.Image]:
    source = folder / "doc.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", str(source), str(folder / "page")], check=True, timeout=60)
    return [Image.open(p).convert("L") for p in sorted(folder.glob("page-*.png"))]


def difference(stored: Image.Image, new: Image.Image) -> tuple[float, Image.Image]:
    """Share of pixels beyond the tolerance, and an image showing them (black on white)."""
    delta = ImageChops.difference(stored, new)
    mask = delta.point(lambda v: 255 if v > PIXEL_TOLERANCE else 0)
    changed = mask.histogram()[255]
    return changed / (stored.width * stored.height), ImageChops.invert(mask)


@pytest.mark.parametrize("path,variant", CASES, ids=[f"{p.stem[:6]}-{v}" for p, v in CASES])
def test_pages_match_the_stored_images(path, variant, tmp_path, request):
    name = f"{path.stem[:6]}.{variant}"
    pages = pages_of(rendered(path, variant).pdf, tmp_path)
    assert pages, "pdftoppm produced no page"
    if request.config.getoption("--refresh-visual"):
        for old in STORED.glob(f"{name}.p*.png"):
            old.unlink()
        for number, page in enumerate(pages, 1):
            page.save(STORED / f"{name}.p{number}.png", optimize=True)
        pytest.skip(f"refreshed {len(pages)} stored image(s) of {name}")
    stored = sorted(STORED.glob(f"{name}.p*.png"))
    assert stored, f"no stored images for {name}: run with --refresh-visual"
    assert len(pages) == len(stored), f"{name}: {len(pages)} pages, stored {len(stored)}"
    for number, (reference, page) in enumerate(zip(stored, pages), 1):
        expected = Image.open(reference).convert("L")
        assert page.size == expected.size, f"{name} page {number}: {page.size}, stored {expected.size}"
        share, diff = difference(expected, page)
        if share > AREA_TOLERANCE:
            target = tmp_path / f"{name}.p{number}.diff.png"
            diff.save(target)
            page.save(tmp_path / f"{name}.p{number}.new.png")
            pytest.fail(f"{name} page {number}: {share:.2%} of pixels differ (tolerance {AREA_TOLERANCE:.1%}); "
                        f"difference image {target}, new render beside it, stored {reference}")


def test_the_comparison_catches_a_real_change(tmp_path):
    """A test that cannot fail is a defect: a moved chart is caught, render noise is not."""
    (page,) = pages_of(rendered(MONEY_MARKET, "zh-HK").pdf, tmp_path)[:1]
    assert difference(page, page)[0] == 0
    shifted = ImageChops.offset(page, 0, 6)  # everything 6 px (about 4 mm) lower
    assert difference(page, shifted)[0] > AREA_TOLERANCE
    noisy = page.point(lambda v: max(0, v - 30))  # darker anti-aliasing everywhere, below the pixel tolerance
    assert difference(page, noisy)[0] <= AREA_TOLERANCE
