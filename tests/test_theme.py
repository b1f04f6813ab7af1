"""House styles cannot hide a mandatory statement: every trick fails the build with the statement's id."""

from __future__ import annotations

import pytest

from factsheets import BuildError, Renderer, load_fund, render_document

from .conftest import ETF

HIDING = {
    "display-none": ".disclaimer .statement[data-statement='not-advice'] { display: none; }",
    "visibility-hidden": ".disclaimer .statement[data-statement='not-advice'] { visibility: hidden; }",
    "white-text": ".disclaimer .statement[data-statement='not-advice'] { color: #ffffff; }",
    "faint-text": ".disclaimer .statement[data-statement='not-advice'] { color: #d0d0d0; }",
    "one-pixel-font": ".disclaimer .statement[data-statement='not-advice'] { font-size: 1px; }",
    "four-point-font": ".disclaimer .statement[data-statement='not-advice'] { font-size: 4pt; }",
    "off-the-page": ".disclaimer .statement[data-statement='not-advice'] { position: absolute; left: 260mm; }",
    "covered-by-a-box": (
        ".disclaimer .statement[data-statement='not-advice'] { position: relative; }"
        ".disclaimer .statement[data-statement='not-advice']::after { content: ''; position: absolute;"
        " left: -2pt; right: -2pt; top: -2pt; bottom: -2pt; background: #ffffff; }"
    ),
    "covered-by-a-dark-box": (
        ".disclaimer .statement[data-statement='not-advice'] { position: relative; }"
        ".disclaimer .statement[data-statement='not-advice']::after { content: ''; position: absolute;"
        " left: -2pt; right: -2pt; top: -2pt; bottom: -2pt; background: #1f4e79; }"
    ),
    "clipped-to-nothing": ".disclaimer .statement[data-statement='not-advice'] { height: 0; overflow: hidden; }",
}


@pytest.mark.parametrize("trick", sorted(HIDING))
def test_css_that_hides_a_statement_fails_the_build_with_its_id(tmp_path, trick):
    css = tmp_path / "theme.css"
    css.write_text(HIDING[trick], encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        render_document(load_fund(ETF), "en", Renderer(style_files=[css], pdf_variant=None))
    assert "not-advice" in str(caught.value), str(caught.value)


def test_a_harmless_theme_renders(tmp_path):
    css = tmp_path / "theme.css"
    css.write_text("h2 { color: #7a1f3d; border-bottom-color: #7a1f3d; } .statements p { font-size: 8.5pt; }", encoding="utf-8")
    document = render_document(load_fund(ETF), "en", Renderer(style_files=[css], pdf_variant=None))
    assert document.pdf.startswith(b"%PDF-")
