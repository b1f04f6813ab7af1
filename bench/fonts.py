"""How the CJK faces are embedded: size, speed and correctness of each way, measured in one run.

    .venv/bin/python bench/fonts.py [--repeat 5]

For each reference document (both funds, every variant), each way of preparing the font that
WeasyPrint embeds is timed (median render: HTML, WeasyPrint, PDF/A-3u) and checked: the codes whose glyph a reader following the specification cannot find
(`factsheets.glyphs`), and MuPDF's glyph warnings.

- keep-cids: HarfBuzz's subset as it comes (the glyph ids renumbered, the charset keeping the
  source's CIDs): the project before the fix. Broken in MuPDF and Ghostscript.
- identity (chosen): the same subset, its charset rewritten so that each CID is its glyph id.
- retain-gids: a HarfBuzz subset that keeps the source's glyph ids (CID = glyph id in Noto Sans CJK).
- truetype: the subset converted to quadratic outlines with fontTools' cu2qu, embedded as CIDFontType2.
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import uharfbuzz as hb

from factsheets import Renderer, fonts, load_fund, parse_variant
from factsheets.pdf import glyphs

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [(ROOT / "examples/513770.yaml", v) for v in ("en", "zh-CN", "bilingual")] + [
    (ROOT / "examples/990001-demo-money-market.yaml", v) for v in ("en", "zh-CN", "zh-HK", "bilingual", "en+zh-HK")]


def _hb_subset(script: str, weight: str, text: str, retain: bool) -> bytes:
    subset_input = hb.SubsetInput()
    for codepoint in frozenset(ord(c) for c in text) | fonts.ALWAYS:
        subset_input.unicode_set.add(codepoint)
    subset_input.flags = hb.SubsetFlags.NO_LAYOUT_CLOSURE | hb.SubsetFlags.NO_HINTING | (hb.SubsetFlags.RETAIN_GIDS if retain else 0)
    return hb.subset(fonts.face(script, weight).face, subset_input).blob.data


def keep_cids(script, weight, text):
    return _hb_subset(script, weight, text, False)


def identity(script, weight, text):
    return fonts.identity_cids(_hb_subset(script, weight, text, False))


def retain_gids(script, weight, text):
    return _hb_subset(script, weight, text, True)


def truetype(script, weight, text):
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(io.BytesIO(identity(script, weight, text)))
    order, glyph_set = font.getGlyphOrder(), font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    font["loca"], font["glyf"] = newTable("loca"), glyf
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for name in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements",
                 "maxSizeOfInstructions", "maxComponentElements", "maxPoints", "maxContours", "maxCompositePoints",
                 "maxCompositeContours", "maxComponentDepth"):
        setattr(maxp, name, 1 if name == "maxZones" else 0)
    font["head"].indexToLocFormat = font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"
    if "post" in font:
        font["post"].formatType = 3.0
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


WAYS = {"keep-cids": keep_cids, "identity": identity, "retain-gids": retain_gids, "truetype": truetype}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    original = fonts.subset
    renderer = Renderer()
    print(f"{'way':<12}{'document':<22}{'KB':>8}{'render s':>9}{'bad codes':>11}{'MuPDF warnings':>16}")
    totals = {}
    for name, way in WAYS.items():
        fonts.subset = lambda script, weight, text, way=way: way(script, weight, text)
        kb, seconds, bad_total = [], [], 0
        for source, variant in DOCUMENTS:
            fund = load_fund(source)
            times, pdf = [], b""
            for _ in range(args.repeat):  # render and write the PDF/A: the build's verification refuses keep-cids
                start = time.perf_counter()
                pdf = renderer.render(fund, parse_variant(variant)).pdf
                times.append(time.perf_counter() - start)
            bad = len({(d.font, d.code) for d in glyphs.problems(pdf)})
            with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
                file.write(pdf)
                file.flush()
                messages = subprocess.run(["mutool", "draw", "-r", "30", "-o", "/dev/null", file.name],
                                          capture_output=True, text=True).stderr
            warnings = sum("glyph" in line.lower() for line in messages.splitlines())
            label = f"{source.stem.split('-')[0]}.{variant}"
            print(f"{name:<12}{label:<22}{len(pdf) / 1024:8.1f}{statistics.median(times):9.3f}{bad:11d}{warnings:16d}")
            kb.append(len(pdf) / 1024)
            seconds.append(statistics.median(times))
            bad_total += bad
        totals[name] = (statistics.mean(kb), statistics.mean(seconds), bad_total)
    fonts.subset = original
    print(f"\n{'way':<12}{'mean KB':>9}{'mean render s':>14}{'bad codes':>11}")
    for name, (kb, seconds, bad) in totals.items():
        print(f"{name:<12}{kb:9.1f}{seconds:14.3f}{bad:11d}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
