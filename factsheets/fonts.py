"""Fonts: the pinned Noto Sans CJK faces, subset to each document's own characters.

Noto Sans CJK holds 65,535 glyphs and WeasyPrint keeps glyph ids when it subsets, so
every CJK face it embeds weighs some 150 KB. Subsetting the face to the document's
characters first (HarfBuzz, a few ms) gives WeasyPrint a small font and a small PDF.

The faces are CID-keyed CFF. HarfBuzz renumbers the glyphs of a subset but keeps each glyph's
original CID in the CFF charset; WeasyPrint embeds the font as a CIDFontType0 whose codes are
the glyph ids, and a PDF reader finds a CIDFontType0 glyph by its CID through that charset.
Poppler and PDFium happen to use the glyph id, MuPDF and Ghostscript (rightly) the CID, so a
subset that keeps the old CIDs is blank or wrong in half the readers. `identity_cids` rewrites
the subset's charset so that every glyph's CID is its glyph id: the one reading every engine
agrees on (checked structurally by `glyphs.py` and by rendering in four engines in the tests).
"""

from __future__ import annotations

import hashlib
import os
import struct
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
    return identity_cids(hb.subset(source.face, subset_input).blob.data)


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


# -- CID = glyph id -------------------------------------------------------------------
# Written by hand: neither HarfBuzz nor fontTools renumbers the CIDs of a CID-keyed subset
# (both keep the source's, by design), and rewriting the charset in place is some 0.1 ms,
# where renaming every glyph through fontTools' object model costs tens of ms per face.
# The format is the Compact Font Format Specification (Adobe Technical Note #5176).

def _cff_index(data: bytes, pos: int) -> tuple[int, list[int], int]:
    """A CFF INDEX at `pos`: its count, the absolute start of each item (and of the end), and its end."""
    count = struct.unpack_from(">H", data, pos)[0]
    if count == 0:
        return 0, [], pos + 2
    size = data[pos + 2]
    base = pos + 3
    offsets = [int.from_bytes(data[base + i * size: base + (i + 1) * size], "big") for i in range(count + 1)]
    start = base + (count + 1) * size - 1
    return count, [start + offset for offset in offsets], start + offsets[-1]


def _cff_dict(data: bytes, start: int, end: int) -> dict[int, list[float]]:
    """The operators of a CFF DICT and their operands (escaped operators as 1200 + second byte)."""
    found: dict[int, list[float]] = {}
    operands: list[float] = []
    pos = start
    while pos < end:
        byte = data[pos]
        if byte <= 21:
            operator, pos = (1200 + data[pos + 1], pos + 2) if byte == 12 else (byte, pos + 1)
            found[operator], operands = operands, []
        elif byte == 28:
            operands.append(struct.unpack_from(">h", data, pos + 1)[0])
            pos += 3
        elif byte == 29:
            operands.append(struct.unpack_from(">i", data, pos + 1)[0])
            pos += 5
        elif byte == 30:  # a real: nibbles up to an 0xf; never an offset, so its value is not needed
            pos += 1
            while (data[pos] & 0x0F) != 0x0F and (data[pos] >> 4) != 0x0F:
                pos += 1
            pos += 1
            operands.append(0.0)
        elif 32 <= byte <= 246:
            operands.append(byte - 139)
            pos += 1
        elif 247 <= byte <= 250:
            operands.append((byte - 247) * 256 + data[pos + 1] + 108)
            pos += 2
        elif 251 <= byte <= 254:
            operands.append(-(byte - 251) * 256 - data[pos + 1] - 108)
            pos += 2
        else:
            raise FontError(f"unexpected byte {byte} in a CFF DICT")
    return found


def _charset_length(cff: bytes, offset: int, glyphs: int) -> int:
    fmt = cff[offset]
    if fmt == 0:
        return 1 + 2 * (glyphs - 1)
    pos, covered, size = offset + 1, 0, 3 if fmt == 1 else 4
    while covered < glyphs - 1:
        left = cff[pos + 2] if fmt == 1 else struct.unpack_from(">H", cff, pos + 2)[0]
        covered += left + 1
        pos += size
    return pos - offset


def _identity_charset(glyphs: int) -> bytes:
    """The shortest charset mapping glyph ids 1..glyphs-1 to the same CIDs. Whatever format the old
    charset has, the new one in that format is no longer (a format-1 range covers at most 256 glyphs,
    format 0 lists each), so the shortest of the three always fits where the old one was."""
    formats = [bytes([0]) + b"".join(struct.pack(">H", cid) for cid in range(1, min(glyphs, 4))),  # used for 3 glyphs at most
               bytes([1]) + b"".join(struct.pack(">HB", first, min(255, glyphs - first - 1)) for first in range(1, glyphs, 256)),
               bytes([2]) + b"".join(struct.pack(">HH", first, min(65535, glyphs - first - 1)) for first in range(1, glyphs, 65536))]
    return min(formats if glyphs <= 3 else formats[1:], key=len)


ROS, CHARSET, CHARSTRINGS = 1230, 15, 17  # Top DICT operators: 12 30, 15, 17


def identity_cids(otf: bytes) -> bytes:
    """An OpenType-CFF font whose CID-keyed charset maps each glyph id to the CID of the same number.

    The charset of a subset is rewritten in place (format 2, one range: 5 bytes, never longer than
    the charset it replaces), and the table's checksum is updated. A font that is not CID-keyed is
    returned unchanged: its glyphs are found by glyph id already."""
    tables = struct.unpack_from(">H", otf, 4)[0]
    for number in range(tables):
        record = 12 + 16 * number
        tag, _, offset, length = struct.unpack_from(">4sIII", otf, record)
        if tag == b"CFF ":
            break
    else:
        return otf
    out = bytearray(otf)
    cff = bytes(out[offset: offset + length])
    _, _, pos = _cff_index(cff, cff[2])  # the header, then the Name INDEX
    _, tops, _ = _cff_index(cff, pos)  # the Top DICT INDEX: one font
    top = _cff_dict(cff, tops[0], tops[1])
    if ROS not in top:
        return otf
    glyphs = _cff_index(cff, int(top[CHARSTRINGS][0]))[0]
    where = int(top[CHARSET][0])
    if glyphs < 2:
        return otf
    charset = _identity_charset(glyphs)
    if len(charset) > _charset_length(cff, where, glyphs):  # cannot happen: see _identity_charset
        raise FontError("the subset's charset is too short to renumber in place")
    out[offset + where: offset + where + len(charset)] = charset
    padded = bytes(out[offset: offset + length]) + b"\0" * (-length % 4)
    struct.pack_into(">I", out, 12 + 16 * number + 4, sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF)
    return bytes(out)
