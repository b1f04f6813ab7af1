"""The fonts embedded in a PDF, read as a reader must read them (ISO 32000-2, 9.6 and 9.7), for the glyph
check (`glyphs`): a font's code -> CID mapping (its /Encoding CMap: Identity, embedded or predefined), its
ToUnicode map, its program (CFF, CID-keyed CFF or TrueType, read with fontTools) and which glyph a code selects
there. `Font.shown(code)` says what a code draws and, when no reader can be trusted to draw it, why."""

from __future__ import annotations

import hashlib
import io
import struct
from functools import lru_cache
from typing import Iterator


class _Program:
    """An embedded font program, opened with fontTools: which glyphs exist and which have outlines."""

    def __init__(self, data: bytes, kind: str):
        from fontTools.ttLib import TTFont

        self.kind = kind  # "cff", "opentype", "truetype", "type1"
        self.names: list[str] = []
        self.cid_keyed = False
        self.cmaps: dict[tuple[int, int], dict[int, str]] = {}
        self._outlined: dict[str, bool] = {}
        self._charstrings = None
        self._hb = None
        if kind == "cff":
            from fontTools.cffLib import CFFFontSet

            cff = CFFFontSet()
            cff.decompile(io.BytesIO(data), None)
            self._use_cff(cff)
        elif kind == "type1":
            from fontTools.t1Lib import T1Font

            font = T1Font()
            font.data = data  # T1Font reads from a file path; the program is already in memory
            font.parse()
            charstrings = font.font["CharStrings"]
            self.names = list(charstrings.keys())
            self._charstrings = charstrings
        else:
            font = TTFont(io.BytesIO(data), lazy=True)
            if "CFF " in font:
                self._use_cff(font["CFF "].cff)
            else:
                self.names = font.getGlyphOrder()
            if "cmap" in font:
                self.cmaps = {(t.platformID, t.platEncID): dict(t.cmap) for t in font["cmap"].tables}
            import uharfbuzz as hb  # outlines from HarfBuzz's glyph extents: C, where fontTools' pens take ~1 ms a glyph

            self._hb = hb.Font(hb.Face(data))
        self.index = {name: gid for gid, name in enumerate(self.names)}

    def _use_cff(self, cff) -> None:
        top = cff.topDictIndex[0]
        self.cid_keyed = hasattr(top, "ROS")
        self.names = list(top.charset)
        self._charstrings = top.CharStrings

    def name_of_cid(self, cid: int) -> str | None:
        """The glyph a CIDFontType0 selects for a CID (ISO 32000-2, 9.7.4.2)."""
        if self.cid_keyed:
            name = ".notdef" if cid == 0 else f"cid{cid:05d}"
            return name if name in self.index else None
        return self.names[cid] if 0 <= cid < len(self.names) else None

    def name_of_gid(self, gid: int) -> str | None:
        return self.names[gid] if 0 <= gid < len(self.names) else None

    def outlined(self, name: str) -> bool:
        if name not in self._outlined and self._hb is not None:
            extents = self._hb.get_glyph_extents(self.index[name])
            self._outlined[name] = bool(extents and extents.width and extents.height)
        if name not in self._outlined:
            from fontTools.pens.boundsPen import ControlBoundsPen

            pen = ControlBoundsPen(None)
            try:
                self._charstrings[name].draw(pen)
                self._outlined[name] = pen.bounds is not None
            except Exception:  # a broken charstring draws nothing a reader could show
                self._outlined[name] = False
        return self._outlined[name]



@lru_cache(maxsize=32)
def _program(digest: str, data: bytes, kind: str) -> _Program | str:
    """A font program by the hash of its bytes (the same subset recurs on every page); a message when unreadable."""
    try:
        return _Program(data, kind)
    except Exception as error:  # fontTools raises many types for broken programs
        return f"its embedded font program cannot be read ({type(error).__name__})"



def _embedded(descriptor) -> tuple[bytes, str] | None:
    import pikepdf

    if descriptor is None:
        return None
    for key, kind in (("/FontFile2", "truetype"), ("/FontFile3", None), ("/FontFile", "type1")):
        stream = descriptor.get(key)
        if stream is None:
            continue
        data = stream.read_bytes()
        if kind is None:
            subtype = str(stream.get("/Subtype", pikepdf.Name("/Type1C")))
            kind = "opentype" if subtype == "/OpenType" else "cff"
        return data, kind
    return None



class _CMap:
    """An embedded CMap (ToUnicode, or a Type0 /Encoding), read with qpdf's tokenizer: CMaps are
    PostScript in PDF syntax, and their few operators are interpreted here (pdfminer's parser, which
    does the same, takes some 30 ms per font against 0.5 ms). Codes are split by the codespace
    ranges (ISO 32000-2, 9.7.6.2)."""

    def __init__(self, stream=None):
        import pikepdf

        self.ranges: list[tuple[bytes, bytes]] = []
        self.cids: dict[int, int] = {}
        self.cid_ranges: list[tuple[int, int, int]] = []
        self.unicode: dict[int, str] = {}
        self.unicode_ranges: list[tuple[int, int, object]] = []
        if stream is None:
            return
        try:
            instructions = pikepdf.parse_content_stream(stream)
        except pikepdf.PdfError:
            return  # a damaged CMap maps nothing; its codes become findings
        for operands, operator in instructions:
            op, items = str(operator), list(operands)
            if op == "endcodespacerange":
                self.ranges += [(bytes(a), bytes(b)) for a, b in zip(items[0::2], items[1::2])]
            elif op == "endcidchar":
                self.cids.update((_int(a), int(b)) for a, b in zip(items[0::2], items[1::2]))
            elif op == "endcidrange":
                self.cid_ranges += [(_int(a), _int(b), int(c)) for a, b, c in zip(items[0::3], items[1::3], items[2::3])]
            elif op == "endbfchar":
                self.unicode.update((_int(a), _utf16(b)) for a, b in zip(items[0::2], items[1::2]))
            elif op == "endbfrange":
                self.unicode_ranges += [(_int(a), _int(b), c) for a, b, c in zip(items[0::3], items[1::3], items[2::3])]

    def decode(self, string: bytes) -> Iterator[int]:
        """The codes of a string: each as long as the codespace range it falls in (2 bytes without ranges)."""
        if not self.ranges:  # Identity-H/V and the like: two bytes a code, read in one go
            even = len(string) - len(string) % 2
            yield from struct.unpack(f">{even // 2}H", string[:even])
            if even < len(string):
                yield string[-1]
            return
        ranges = self.ranges
        pos = 0
        while pos < len(string):
            for low, high in ranges:
                chunk = string[pos: pos + len(low)]
                if len(chunk) == len(low) and all(a <= c <= b for a, c, b in zip(low, chunk, high)):
                    break
            else:
                chunk = string[pos: pos + 1]
            yield int.from_bytes(chunk, "big")
            pos += len(chunk)

    def cid(self, code: int) -> int | None:
        if code in self.cids:
            return self.cids[code]
        for low, high, first in self.cid_ranges:
            if low <= code <= high:
                return first + code - low
        return None

    def text(self, code: int) -> str | None:
        if code in self.unicode:
            return self.unicode[code]
        import pikepdf

        for low, high, target in self.unicode_ranges:
            if low <= code <= high:
                if isinstance(target, pikepdf.Array):
                    return _utf16(target[code - low]) if code - low < len(target) else None
                value = bytes(target)
                last = int.from_bytes(value[-2:], "big") + code - low
                return _utf16(value[:-2] + (last & 0xFFFF).to_bytes(2, "big"))
        return None



class _Identity(_CMap):
    def cid(self, code: int) -> int:
        return code



class _Predefined(_Identity):
    """A predefined CMap (UniGB-UCS2-H, ...), from the tables pdfminer ships."""

    def __init__(self, name: str):
        from pdfminer.cmapdb import CMapDB

        super().__init__()
        self._cmap = CMapDB.get_cmap(name)

    def decode(self, string: bytes) -> Iterator[int]:
        yield from self._cmap.decode(string)



def _int(value) -> int:
    return int.from_bytes(bytes(value), "big")



def _utf16(value) -> str:
    try:
        return bytes(value).decode("utf-16-be")
    except (UnicodeDecodeError, TypeError):
        return ""



class Font:
    """A font resource as a reader interprets it: codes of a string -> (code, text, problem)."""

    def __init__(self, font):
        import pikepdf

        self.base = str(font.get("/BaseFont", "(unnamed)")).lstrip("/")
        self.subtype = str(font.get("/Subtype", ""))
        self.unicode = None
        if (to_unicode := font.get("/ToUnicode")) is not None and isinstance(to_unicode, pikepdf.Stream):
            self.unicode = _CMap(to_unicode)
        self.problem: str | None = None
        self.program: _Program | None = None
        self.cid_to_gid: bytes | None = None  # CIDFontType2: None is /Identity
        self.type3 = None
        self.differences: dict[int, str] = {}
        self._problems: dict[tuple[int, str], str | None] = {}
        self._shown: dict[int, tuple[str, str | None]] = {}
        if self.subtype == "/Type0":
            encoding = font.get("/Encoding")
            if isinstance(encoding, pikepdf.Stream):
                self.cmap = _CMap(encoding)
            elif str(encoding) in ("/Identity-H", "/Identity-V"):
                self.cmap = _Identity()
            else:
                try:
                    self.cmap = _Predefined(str(encoding).lstrip("/"))
                except Exception:  # pdfminer's CMapNotFound and friends
                    self.cmap, self.problem = _Identity(), f"its encoding {encoding} is not a CMap a reader knows"
            descendant = font["/DescendantFonts"][0]
            self.cid_subtype = str(descendant.get("/Subtype", ""))
            mapping = descendant.get("/CIDToGIDMap")
            if isinstance(mapping, pikepdf.Stream):
                self.cid_to_gid = mapping.read_bytes()
            descriptor = descendant.get("/FontDescriptor")
        else:
            self.cmap = None
            descriptor = font.get("/FontDescriptor")
            encoding = font.get("/Encoding")
            if isinstance(encoding, pikepdf.Dictionary) and (differences := encoding.get("/Differences")) is not None:
                code = 0
                for item in differences:
                    if isinstance(item, int):
                        code = int(item)
                    else:
                        self.differences[code] = str(item).lstrip("/")
                        code += 1
            if self.subtype == "/Type3":
                self.type3 = font.get("/CharProcs")
        if self.problem is None and self.type3 is None and (embedded := _embedded(descriptor)) is not None:
            data, kind = embedded
            program = _program(hashlib.sha256(data).hexdigest(), data, kind)
            if isinstance(program, str):
                self.problem = program
            else:
                self.program = program

    def codes(self, string: bytes) -> Iterator[int]:
        if self.cmap is not None:
            yield from self.cmap.decode(string)
        else:
            yield from string

    def text(self, code: int) -> str:
        if self.unicode is not None and (text := self.unicode.text(code)) is not None:
            return text
        if self.cmap is None and code in self.differences:
            from pdfminer.encodingdb import name2unicode

            try:
                return name2unicode(self.differences[code])
            except Exception:
                return ""
        if self.cmap is None and 0x20 <= code < 0x7F:
            return chr(code)  # standard and WinAnsi encodings agree on printable ASCII
        return ""

    def shown(self, code: int) -> tuple[str, str | None]:
        """What a code says it is, and why no reader can be trusted to draw it (None when it can)."""
        if code not in self._shown:
            text = self.text(code)
            self._shown[code] = (text, self.problem_of(code, text))
        return self._shown[code]

    def problem_of(self, code: int, text: str) -> str | None:
        key = (code, text)
        if key not in self._problems:
            self._problems[key] = self._problem_of(code, text)
        return self._problems[key]

    def _problem_of(self, code: int, text: str) -> str | None:
        if self.problem is not None:
            return f"font {self.base}: {self.problem}"
        if self.type3 is not None:
            name = self.differences.get(code)
            return None if name and self.type3.get("/" + name) is not None else f"font {self.base} has no glyph for code {code}"
        program = self.program
        if program is None:
            return None  # not embedded: the reader's own font draws it (see the module's docstring)
        name = self._glyph(program, code, text)
        if name is None:
            return f"font {self.base} has no glyph for code {code} (a reader draws nothing or another glyph)"
        if name == ".notdef" or program.index.get(name) == 0:
            return f"font {self.base} maps code {code} to .notdef"
        if text.strip() and not program.outlined(name):
            return f"font {self.base} maps code {code} to glyph {name}, which has no outlines"
        if len(text) == 1 and (cmap := program.cmaps.get((3, 10)) or program.cmaps.get((3, 1))):
            if (expected := cmap.get(ord(text))) is not None and expected != name and program.outlined(expected):
                return (f"font {self.base} draws code {code} with glyph {name}, not with {expected}, the font's glyph "
                        f"for {text!r} (U+{ord(text):04X})")
        return None

    def _glyph(self, program: _Program, code: int, text: str) -> str | None:
        if self.cmap is not None:  # Type0: code -> CID (by the /Encoding CMap) -> glyph
            cid = self.cmap.cid(code)
            if cid is None:
                return None
            if self.cid_subtype == "/CIDFontType0" and program.kind in ("cff", "opentype") and program._charstrings is not None:
                return program.name_of_cid(cid)
            if self.cid_to_gid is not None:
                if 2 * cid + 2 > len(self.cid_to_gid):
                    return None
                cid = int.from_bytes(self.cid_to_gid[2 * cid: 2 * cid + 2], "big")
            return program.name_of_gid(cid)
        # Simple fonts (ISO 32000-2, 9.6.5.4 for TrueType): the glyph name of the encoding, else the cmap.
        if name := self.differences.get(code):
            if name in program.index:
                return name
        for key, value in (((3, 0), code), ((3, 0), 0xF000 + code), ((1, 0), code)):
            if (glyph := program.cmaps.get(key, {}).get(value)) is not None:
                return glyph
        if text and (glyph := program.cmaps.get((3, 1), {}).get(ord(text[0]))) is not None:
            return glyph
        if program.kind in ("cff", "type1") and text:
            from fontTools.agl import UV2AGL

            if (name := UV2AGL.get(ord(text[0]))) in program.index:
                return name
        if program.kind == "truetype" and not program.cmaps:
            return program.name_of_gid(code)
        return None
