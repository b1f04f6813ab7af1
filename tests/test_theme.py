"""House styles cannot hide a mandatory statement: every trick fails the build with the statement's
id, and `verify` rejects the same PDF made elsewhere (rendered with the build's check bypassed).

Each trick names the checks of the judge (`factsheets.pdf.legibility`) that catch it, exactly: every
check has a trick that only it catches, so that a check switched off fails a test here (see
scripts/mutations.py)."""

from __future__ import annotations

import io
import shutil
from functools import cache
from pathlib import Path

import pikepdf
import pytest

from factsheets import BuildError, Renderer, load_fund, parse_variant, render_document
from factsheets.pdf.legibility import MIN_CONTRAST, judge
from factsheets.pdf.text import place
from factsheets.rules.check import check_pdf_bytes

from .conftest import ETF

NOT_ADVICE = ".disclaimer .statement[data-statement='not-advice']"
PAST = ".risk .statement[data-statement='past-performance']"
COVER = "{ content: ''; position: absolute; top: -1pt; bottom: -1pt; background: #ffffff; }"
DARK = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="#444444"/></svg>'

# trick -> (css, the statement it hides, the checks that catch it: "missing" or the judge's kinds)
HIDING = {
    "display-none": (f"{NOT_ADVICE} {{ display: none; }}", "not-advice", {"missing"}),
    "visibility-hidden": (f"{NOT_ADVICE} {{ visibility: hidden; }}", "not-advice", {"missing"}),
    "white-text": (f"{NOT_ADVICE} {{ color: #ffffff; }}", "not-advice", {"ink"}),
    "faint-text": (f"{NOT_ADVICE} {{ color: #d0d0d0; }}", "not-advice", {"contrast"}),
    "opacity": (f"{NOT_ADVICE} {{ opacity: 0.35; }}", "not-advice", {"contrast"}),
    "dark-on-a-dark-background": (f"{NOT_ADVICE} {{ background: #555555; }}", "not-advice", {"contrast"}),
    "light-on-a-light-background": (f"{NOT_ADVICE} {{ color: #b0b0b0; background: #f4f4f4; }}", "not-advice", {"contrast"}),
    "over-a-dark-image": (f"{NOT_ADVICE} {{ background: url(dark.svg); }}", "not-advice", {"contrast"}),
    "one-pixel-font": (f"{NOT_ADVICE} {{ font-size: 1px; }}", "not-advice", {"size", "ink"}),
    "four-point-font": (f"{NOT_ADVICE} {{ font-size: 4pt; }}", "not-advice", {"size"}),
    "squashed": (f"{NOT_ADVICE} {{ font-size: 12pt; transform: scaleY(0.4); }}", "not-advice", {"size"}),
    "off-the-page": (f"{NOT_ADVICE} {{ position: absolute; left: 260mm; }}", "not-advice", {"missing"}),  # not even drawn
    "half-off-the-page": (f"{NOT_ADVICE} {{ position: relative; left: -39pt; }}", "not-advice", {"page"}),
    "covered-by-a-box": (f"{NOT_ADVICE} {{ position: relative; }} {NOT_ADVICE}::after {{ content: ''; position: absolute;"
                         " left: -2pt; right: -2pt; top: -2pt; bottom: -2pt; background: #ffffff; }", "not-advice", {"ink"}),
    "covered-by-a-dark-box": (f"{NOT_ADVICE} {{ position: relative; }} {NOT_ADVICE}::after {{ content: ''; position: absolute;"
                              " left: -2pt; right: -2pt; top: -2pt; bottom: -2pt; background: #1f4e79; }", "not-advice", {"ink"}),
    # "Past" covered: the page reads "performance does not indicate future results."
    "one-word-covered": (f"{PAST} {{ position: relative; }} {PAST}::after {COVER} {PAST}::after {{ left: -1pt; width: 18.5pt; }}",
                         "past-performance", {"ink"}),
    "clipped-to-nothing": (f"{NOT_ADVICE} {{ height: 0; overflow: hidden; }}", "not-advice", {"ink"}),
    "pushed-over-its-neighbour": (f"{NOT_ADVICE} {{ margin-top: -11pt; }}", "not-advice", {"overlap"}),
}


@cache
def made(trick: str):
    """The document a trick gives, rendered with the build's check bypassed (as a PDF made elsewhere)."""
    import tempfile

    folder = Path(tempfile.mkdtemp())
    (folder / "dark.svg").write_text(DARK, encoding="utf-8")
    (folder / "theme.css").write_text(HIDING[trick][0], encoding="utf-8")
    return Renderer(style_files=[folder / "theme.css"], pdf_variant=None).render(load_fund(ETF), parse_variant("en"))


class Replay:
    """A renderer that gives back a document already rendered: the build's own check runs on it."""

    def __init__(self, document):
        self.document = document

    def render(self, fund, variant, document="factsheet"):
        return self.document


@pytest.mark.parametrize("trick", sorted(HIDING))
def test_css_that_hides_a_statement_fails_the_build_with_its_id(trick):
    _, statement, kinds = HIDING[trick]
    with pytest.raises(BuildError) as caught:
        render_document(load_fund(ETF), "en", Replay(made(trick)))
    assert statement in str(caught.value), str(caught.value)
    assert {p.kind for p in caught.value.statements if p.id == statement} == kinds, str(caught.value)


@pytest.mark.parametrize("trick", sorted(HIDING))
def test_verify_rejects_the_same_pdf_made_elsewhere(trick):
    _, statement, kinds = HIDING[trick]
    findings = check_pdf_bytes(made(trick).pdf, "elsewhere.pdf", fund=load_fund(ETF))
    code = "PDF001" if kinds == {"missing"} else "PDF002"
    assert [f.lang for f in findings if f.code == code and statement in f.message] == ["en"], findings


def test_a_harmless_theme_renders(tmp_path):
    css = tmp_path / "theme.css"
    css.write_text("h2 { color: #7a1f3d; border-bottom-color: #7a1f3d; } .statements p { font-size: 8.5pt; }", encoding="utf-8")
    document = render_document(load_fund(ETF), "en", Renderer(style_files=[css], pdf_variant=None))
    assert document.pdf.startswith(b"%PDF-")


# -- PDFs made elsewhere: what CSS cannot do, a PDF writer can ----------------------------------

def _wrapped(pdf: bytes, state, paint: bytes = b"") -> bytes:
    """The PDF on a white page (blending over a transparent backdrop would change the whole page,
    not the text), with a graphics state (`state(document)`) set as another tool would: for
    `paint` drawn over the finished page, or, without paint, for the page's whole content."""
    document = pikepdf.open(io.BytesIO(pdf))
    for page in document.pages:
        resources = page.obj.Resources
        if "/ExtGState" not in resources:
            resources.ExtGState = pikepdf.Dictionary()
        resources.ExtGState["/Trick"] = document.make_indirect(state(document))
        page.contents_add(document.make_stream(b"q 1 g -1000 -1000 4000 4000 re f Q" + (b"" if paint else b" q /Trick gs\n")),
                          prepend=True)
        page.contents_add(document.make_stream(b"\nq /Trick gs " + paint + b" Q\n" if paint else b"\nQ\n"))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _blend(mode: str):
    return lambda document: pikepdf.Dictionary(Type=pikepdf.Name.ExtGState, BM=pikepdf.Name(mode))


def _soft_mask(document):
    """A luminosity soft mask of 30 % grey over the whole page: everything drawn shows at 30 %."""
    group = document.make_stream(b"0.3 g 0 0 2000 2000 re f")
    group["/Type"], group["/Subtype"], group["/BBox"] = pikepdf.Name.XObject, pikepdf.Name.Form, [0, 0, 2000, 2000]
    group["/Group"] = pikepdf.Dictionary(S=pikepdf.Name.Transparency, CS=pikepdf.Name.DeviceGray)
    return pikepdf.Dictionary(Type=pikepdf.Name.ExtGState, SMask=pikepdf.Dictionary(S=pikepdf.Name.Luminosity, G=group))


@cache
def _plain() -> bytes:
    return Renderer(pdf_variant=None).render(load_fund(ETF), parse_variant("en")).pdf


def _statement_problems(pdf: bytes) -> dict[str, set[str]]:
    """The judge's findings on a PDF of the ETF in English: statement id -> kinds of problem."""
    fund = load_fund(ETF)
    statements = made("faint-text").statements  # the same fund and variant: the same statements
    problems = judge(pdf, lambda text: place(text, statements, fund.free_texts(("en",))),
                     {(s.id, lang): text for s in statements for lang, text in s.texts.items()})
    found: dict[str, set[str]] = {}
    for problem in problems:
        found.setdefault(problem.id, set()).add(problem.kind)
    return found


@pytest.mark.parametrize("trick, state, paint, kind", [
    ("lighten", _blend("/Lighten"), b"0.75 g -1000 -1000 4000 4000 re f", "contrast"),  # nothing darker than 75 % grey
    ("screen", _blend("/Screen"), b"", "ink"),  # the page screened onto white: all white
    ("soft-mask", _soft_mask, b"", "contrast"),  # everything at 30 %
], ids=lambda v: v if isinstance(v, str) else "")
def test_blend_modes_and_soft_masks_from_elsewhere_are_seen(trick, state, paint, kind):
    pdf = _wrapped(_plain(), state, paint)
    statements = {s.id for s in made("faint-text").statements}
    assert _statement_problems(pdf) == {sid: {kind} for sid in statements}
    findings = check_pdf_bytes(pdf, f"{trick}.pdf", fund=load_fund(ETF))
    assert {f.message.split()[1] for f in findings if f.code == "PDF002"} == statements, findings


def test_the_untouched_pdf_passes_the_same_checks():
    assert _statement_problems(_plain()) == {}
    assert _statement_problems(_wrapped(_plain(), _blend("/Normal"))) == {}


# -- the tricks are real: another renderer and another reader see them too ----------------------

def _poppler_page(pdf: bytes):
    """Page 1 drawn by Poppler (pdftoppm, 144 dpi, RGB): an engine other than the judge's PDFium."""
    import subprocess
    import tempfile

    import numpy as np

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "doc.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "144", "-f", "1", "-l", "1", str(Path(folder) / "doc.pdf"), str(Path(folder) / "p")],
                       check=True)
        (image,) = Path(folder).glob("p*.ppm")
        data = image.read_bytes()
    _, size, _, pixels = data.split(b"\n", 3)
    width, height = map(int, size.split())
    return np.frombuffer(pixels, dtype=np.uint8)[: width * height * 3].reshape(height, width, 3)


def _region(pdf: bytes, words: str) -> tuple[int, int, int, int]:
    """Where pdfplumber (a reader other than PDFium) finds `words` on page 1, in pixels at 144 dpi."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as document:
        chars = [c for c in document.pages[0].chars if c["text"].strip()]
    text = "".join(c["text"] for c in chars)
    start = text.index(words.replace(" ", ""))
    span = chars[start: start + len(words.replace(" ", ""))]
    return (int(min(c["x0"] for c in span) * 2), int(min(c["top"] for c in span) * 2),
            int(max(c["x1"] for c in span) * 2) + 1, int(max(c["bottom"] for c in span) * 2) + 1)


def _darkest_contrast(pdf: bytes, words: str) -> float:
    """The WCAG contrast of the darkest pixel Poppler draws where `words` stand, against white."""
    from factsheets.pdf.legibility import contrast, luminance

    x0, y0, x1, y1 = _region(pdf, words)
    pixels = _poppler_page(pdf)[y0:y1, x0:x1].reshape(-1, 3)
    return max(contrast(luminance(tuple(p / 255)), 1.0) for p in pixels)


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")
def test_the_tricks_are_real_in_another_renderer():
    words = "This document is for information only."
    assert _darkest_contrast(_plain(), words) > 10  # untouched: dark text, found where pdfplumber says
    assert _darkest_contrast(made("opacity").pdf, words) < MIN_CONTRAST
    assert _darkest_contrast(made("faint-text").pdf, words) < MIN_CONTRAST
    assert _darkest_contrast(made("one-word-covered").pdf, "Past") < 1.05  # nothing drawn there
    assert _darkest_contrast(made("one-word-covered").pdf, "of the fund does not") > 10
    assert _darkest_contrast(_wrapped(_plain(), _blend("/Lighten"), b"0.75 g -1000 -1000 4000 4000 re f"), words) < MIN_CONTRAST
    assert _darkest_contrast(_wrapped(_plain(), _soft_mask), words) < MIN_CONTRAST


def test_squashed_text_is_small_for_another_reader():
    import pdfplumber

    with pdfplumber.open(io.BytesIO(made("squashed").pdf)) as document:
        sizes = {round(c["size"], 1) for c in document.pages[0].chars if c["text"] == "T"}
    assert 4.8 in sizes  # pdfplumber's glyph height: 12 pt squashed to 40 %
