"""Fonts: the pinned Noto Sans CJK faces, subset to each document's own characters.

Noto Sans CJK holds 65,535 glyphs and WeasyPrint keeps glyph ids when it subsets, so
every CJK face it embeds weighs some 150 KB. Subsetting the face to the document's
characters first (HarfBuzz, a few ms) gives WeasyPrint a small font and a small PDF.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import uharfbuzz as hb

from .errors import FactsheetError

# Debian's fonts-noto-cjk; FACTSHEETS_FONT_DIR points elsewhere (another distribution).
FONT_DIRS = [
    Path(p) for p in os.environ.get("FACTSHEETS_FONT_DIR", "").split(os.pathsep) if p
] + [Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts/noto-cjk"), Path("/usr/share/fonts/google-noto-cjk")]
FILES = {"regular": "NotoSansCJK-Regular.ttc", "bold": "NotoSansCJK-Bold.ttc"}
# Face index of each script in the collections (JP, KR, SC, TC, HK, then the Mono faces).
FACE_INDEX = {"SC": 2, "TC": 3, "HK": 4}
INSTALL_HINT = "install Debian's fonts-noto-cjk (apt-get install fonts-noto-cjk) or set FACTSHEETS_FONT_DIR"


class FontError(FactsheetError):
    pass


def script_for(langs: tuple[str, ...]) -> str:
    """One CJK face per document: Traditional glyph forms when zh-HK is present, else Simplified.
    English text uses the same face's Latin glyphs, so a document embeds one family only."""
    return "HK" if "zh-HK" in langs else "SC"


def family_name(script: str) -> str:
    return f"Factsheet Noto Sans CJK {script}"  # not the system family: only our subset may match


# ASCII and the list bullet: generated content (counters, markers) draws them outside the text.
ALWAYS = frozenset(range(0x20, 0x7F)) | frozenset(map(ord, "\u2022\u00b7\u2212\u2013"))


@cache
def font_path(weight: str) -> Path:
    for folder in FONT_DIRS:
        if (path := folder / FILES[weight]).is_file():
            return path
    raise FontError(f"font {FILES[weight]} not found in {', '.join(map(str, FONT_DIRS))}: {INSTALL_HINT}")


@dataclass(frozen=True)
class Face:
    script: str
    weight: str
    path: Path
    face: hb.Face
    unicodes: frozenset[int]


@cache
def face(script: str, weight: str) -> Face:
    """Open a face once per process; HarfBuzz maps the file instead of reading it."""
    path = font_path(weight)
    hb_face = hb.Face(hb.Blob.from_file_path(str(path)), FACE_INDEX[script])
    return Face(script, weight, path, hb_face, frozenset(hb_face.unicodes))


def missing_chars(text: str, script: str) -> list[str]:
    """Characters of `text` that the face cannot draw (white space and controls aside)."""
    covered = face(script, "regular").unicodes
    return sorted({c for c in text if ord(c) not in covered and not c.isspace() and c.isprintable()})


@lru_cache(maxsize=16)  # bilingual and single-language documents of one fund share glyphs
def _subset_cached(script: str, weight: str, chars: frozenset[int]) -> bytes:
    source = face(script, weight)
    subset_input = hb.SubsetInput()
    for codepoint in chars:
        subset_input.unicode_set.add(codepoint)
    # No layout closure: vertical and regional alternates are never drawn here and would
    # double the subset; hinting is dropped by WeasyPrint anyway.
    subset_input.flags = hb.SubsetFlags.NO_LAYOUT_CLOSURE | hb.SubsetFlags.NO_HINTING
    return hb.subset(source.face, subset_input).blob.data


def subset(script: str, weight: str, text: str) -> bytes:
    """The face cut down to the characters of `text` (plus ASCII, for generated content)."""
    chars = frozenset(ord(c) for c in text) | ALWAYS
    return _subset_cached(script, weight, chars)


def fingerprint() -> str:
    """A hash naming the font files in use (their paths, sizes and dates), for caches and manifests."""
    digest = hashlib.sha256()
    for weight in sorted(FILES):
        path = font_path(weight)
        stat = path.stat()
        digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]
