"""What a checker looks at: page previews, the visual diff against the last approved version,
and the data diff of the attached fund.json.

- Previews: each page rendered by PDFium once per document version, cached as PNG under
  `cache/<sha256>/p<N>.png` (PDFium is not thread-safe: renders are serialised).
- Visual diff: both versions' previews compared pixel by pixel (Pillow); differences beyond
  anti-aliasing noise are grouped into regions on a coarse grid, and the two pages are drawn
  side by side with the changed regions outlined, cached under `cache/diff/<old>-<new>/`.
- Data diff: the two fund.json files flattened to dotted paths; fields added, removed and changed.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..files import write_atomic
from . import ReviewError
from .store import is_sha256

SCALE = 1.25  # 90 dpi: an A4 page is 744 x 1052 pixels
CELL = 12  # pixels per grid cell when grouping differences into regions
PIXEL_TOLERANCE = 48  # of 255, per channel: anti-aliasing and rasteriser noise stay below
HIGHLIGHT = (220, 38, 38)
_pdfium = threading.Lock()


def _write_png(image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            image.save(fh, format="PNG", optimize=False, compress_level=3)
        os.replace(tmp, path)  # readers see a whole file or none
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Previews:
    """Page images of document versions, made once per SHA-256 and kept in `cache`."""

    def __init__(self, cache: Path, load: Callable[[str], bytes | None]):
        self.cache = Path(cache)
        self.load = load  # sha256 -> the document's bytes, or None when unknown

    def _folder(self, sha: str) -> Path:
        if not is_sha256(sha):
            raise ReviewError(f"{sha!r} is not a SHA-256")
        return self.cache / sha

    def pages(self, sha: str) -> int:
        """How many pages the version has (rendering its previews if not yet done)."""
        folder = self._folder(sha)
        count = folder / "pages"
        if not count.is_file():
            self._render(sha)
        return int(count.read_text())

    def page(self, sha: str, number: int) -> Path:
        if number < 1 or number > self.pages(sha):
            raise ReviewError(f"{sha[:12]} has no page {number}")
        return self._folder(sha) / f"p{number}.png"

    def _render(self, sha: str) -> None:
        import pypdfium2 as pdfium

        data = self.load(sha)
        if data is None:
            raise ReviewError(f"no document with SHA-256 {sha[:12]} in the output folder or the store")
        folder = self._folder(sha)
        with _pdfium:
            if (folder / "pages").is_file():  # another request made them meanwhile
                return
            document = pdfium.PdfDocument(data)
            try:
                for index in range(len(document)):
                    page = document[index]
                    image = page.render(scale=SCALE).to_pil().convert("RGB")
                    page.close()
                    _write_png(image, folder / f"p{index + 1}.png")
                total = len(document)
            finally:
                document.close()
            folder.mkdir(parents=True, exist_ok=True)
            write_atomic(folder / "pages", str(total).encode())  # last: its presence says every page is there


@dataclass(frozen=True)
class Region:
    left: int
    top: int
    right: int
    bottom: int


def changed_regions(old, new) -> list[Region]:
    """Boxes around the pixels that differ between two same-size RGB images."""
    from PIL import ImageChops

    delta = ImageChops.difference(old, new).convert("L").point(lambda v: 255 if v > PIXEL_TOLERANCE else 0)
    if delta.getbbox() is None:
        return []
    cols, rows = -(-delta.width // CELL), -(-delta.height // CELL)
    # A cell is changed when any of its pixels is: the box filter's maximum, on a grid.
    grid = delta.resize((cols, rows), resample=_box()).point(lambda v: 255 if v else 0)
    cells = grid.load()
    seen = [[False] * cols for _ in range(rows)]
    regions = []
    for y in range(rows):
        for x in range(cols):
            if not cells[x, y] or seen[y][x]:
                continue
            stack, box = [(x, y)], [x, y, x, y]
            seen[y][x] = True
            while stack:  # cells touching (with one cell of slack) make one region
                cx, cy = stack.pop()
                box = [min(box[0], cx), min(box[1], cy), max(box[2], cx), max(box[3], cy)]
                for nx in range(max(cx - 2, 0), min(cx + 3, cols)):
                    for ny in range(max(cy - 2, 0), min(cy + 3, rows)):
                        if cells[nx, ny] and not seen[ny][nx]:
                            seen[ny][nx] = True
                            stack.append((nx, ny))
            regions.append(Region(box[0] * CELL, box[1] * CELL, min((box[2] + 1) * CELL, delta.width),
                                  min((box[3] + 1) * CELL, delta.height)))
    return regions


def _box():
    from PIL import Image

    return Image.Resampling.BOX


def side_by_side(old, new, regions: list[Region]):
    """The old page (left) and the new (right), the changed regions tinted and outlined in both."""
    from PIL import Image, ImageDraw

    gap = 16
    canvas = Image.new("RGB", (old.width + gap + new.width, max(old.height, new.height)), (241, 243, 245))
    for image, offset in ((old, 0), (new, old.width + gap)):
        overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(overlay)
        for r in regions:  # the outline drawn just outside the region, so it covers no changed glyph
            box = (max(r.left - 3, 0), max(r.top - 3, 0), min(r.right + 2, image.width - 1), min(r.bottom + 2, image.height - 1))
            draw.rectangle(box, fill=(*HIGHLIGHT, 36), outline=(*HIGHLIGHT, 255), width=2)
        canvas.paste(Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB"), (offset, 0))
    return canvas


class VisualDiff:
    def __init__(self, previews: Previews):
        self.previews = previews

    def page(self, old: str, new: str, number: int) -> tuple[Path, int]:
        """The side-by-side image of page `number` and how many regions changed."""
        from PIL import Image

        folder = self.previews.cache / "diff" / f"{old}-{new}"
        if not (is_sha256(old) and is_sha256(new)):
            raise ReviewError("not a pair of SHA-256")
        target, regions_file = folder / f"p{number}.png", folder / f"p{number}.json"
        if target.is_file() and regions_file.is_file():
            return target, len(json.loads(regions_file.read_text()))
        pages_old, pages_new = self.previews.pages(old), self.previews.pages(new)
        if number < 1 or number > max(pages_old, pages_new):
            raise ReviewError(f"neither version has a page {number}")
        blank = None
        images = []
        for sha, count in ((old, pages_old), (new, pages_new)):
            if number <= count:
                images.append(Image.open(self.previews.page(sha, number)).convert("RGB"))
            else:
                images.append(None)
        for image in images:
            blank = blank or image
        images = [image or Image.new("RGB", blank.size, (255, 255, 255)) for image in images]
        if images[0].size != images[1].size:  # a page size changed: compare on the larger canvas
            size = (max(images[0].width, images[1].width), max(images[0].height, images[1].height))
            images = [_on_canvas(image, size) for image in images]
        regions = changed_regions(images[0], images[1])
        _write_png(side_by_side(images[0], images[1], regions), target)
        write_atomic(regions_file, json.dumps([r.__dict__ for r in regions]).encode())  # two requests at once: whole files
        return target, len(regions)


def _on_canvas(image, size):
    from PIL import Image

    canvas = Image.new("RGB", size, (255, 255, 255))
    canvas.paste(image, (0, 0))
    return canvas


# -- data diff ------------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    path: str
    kind: str  # added, removed, changed
    old: str
    new: str

    @property
    def part(self) -> str:
        return "commentary" if self.path == "commentary" or self.path.startswith("commentary.") else "data"


def flatten(value: object, prefix: str = "") -> dict[str, object]:
    if isinstance(value, dict):
        found: dict[str, object] = {}
        for key in sorted(value):
            found.update(flatten(value[key], f"{prefix}.{key}" if prefix else str(key)))
        return found or ({prefix: {}} if prefix else {})
    if isinstance(value, list):
        found = {}
        for i, item in enumerate(value):
            found.update(flatten(item, f"{prefix}.{i}" if prefix else str(i)))
        return found or ({prefix: []} if prefix else {})
    return {prefix: value}


def _show(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def data_diff(old: bytes, new: bytes) -> list[Change]:
    """Fields and figures that changed between two fund.json files, in path order."""
    try:
        before, after = flatten(json.loads(old)), flatten(json.loads(new))
    except ValueError as error:
        raise ReviewError(f"the attached fund data is not JSON: {error}") from None
    changes = []
    for path in sorted(before.keys() | after.keys()):
        if path not in after:
            changes.append(Change(path, "removed", _show(before[path]), ""))
        elif path not in before:
            changes.append(Change(path, "added", "", _show(after[path])))
        elif before[path] != after[path]:
            changes.append(Change(path, "changed", _show(before[path]), _show(after[path])))
    return changes
