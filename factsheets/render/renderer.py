"""Stage 4, render: a validated fund and a variant -> HTML (Jinja2) -> PDF (WeasyPrint).

A `Renderer` holds what is costly and shared by every document: the Jinja environment,
the parsed stylesheets and the opened fonts. Create one and reuse it.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import weasyprint
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from weasyprint.text.fonts import FontConfiguration

from .. import fonts
from ..assets import STYLES_DIR, TEMPLATES_DIR
from ..brand import Brand
from ..documents import registry
from ..documents.chart import COLOURS
from ..documents.localise import FilledStatement, Localiser, fill_statements
from ..documents.types import TYPES, document_type
from ..documents.variants import Variant
from ..errors import BuildError, FactsheetError
from ..fund.model import FundFile
from . import archive
from .fetcher import SCHEME, AssetFetcher, RefusedResource
from .inputs import setup_digest, tree_digest


@dataclass
class Document:
    """A rendered document, with what it must carry so that `verify` can check it."""

    fund: FundFile
    variant: Variant
    html: str
    statements: list[FilledStatement]
    pdf: bytes = b""
    pages: int = 0
    fonts: dict[str, int] = field(default_factory=dict)  # embedded face -> subset bytes
    record: archive.Record | None = None  # what the PDF says about itself (XMP), with the inputs hash
    warnings: list[str] = field(default_factory=list)  # layout problems that do not stop the build (unless strict)
    assets: dict[str, str] = field(default_factory=dict)  # the files it was made from: path -> SHA-256 (`inputs`)




class Renderer:
    def __init__(self, template_dirs: list[Path] | None = None, style_files: list[Path] | None = None,
                 pdf_variant: str | None = archive.DEFAULT_PDF_VARIANT, brand: Brand | None = None, strict_layout: bool = False,
                 catalogue: Path | None = None, sent_on: dt.date | str | None = None):
        # The day the documents are sent (a 基金产品资料概要's 送出日期: `--sent-on`); each fund's as_of without it.
        self.sent_on = dt.date.fromisoformat(sent_on) if isinstance(sent_on, str) else sent_on
        self.pdf_variant = archive.check_pdf_variant(pdf_variant)  # None: a plain (tagged) PDF
        self.strict_layout = strict_layout  # a layout warning (a last page with only a line or two) fails the document
        style_files = [Path(p).resolve() for p in style_files or []]
        self.template_dirs = [*(Path(p).resolve() for p in template_dirs or []), TEMPLATES_DIR]  # user folders first: they override
        self.env = Environment(
            loader=FileSystemLoader(self.template_dirs),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.asset_roots = [*self.template_dirs, STYLES_DIR, *(p.parent for p in style_files)]
        if brand and brand.logo:
            self.asset_roots.append(brand.logo.resolve())  # the logo file itself, not its folder (which may hold the funds)
        styles = [STYLES_DIR / "factsheet.css", *style_files]
        sources = {p: p.read_text(encoding="utf-8") for p in styles}
        imports = AssetFetcher({}, self.asset_roots)
        try:  # @import and url() in a user's stylesheet go through the same locked fetcher as the document
            self.stylesheets = [weasyprint.CSS(string=text, base_url=p.as_uri(), url_fetcher=imports) for p, text in sources.items()]
        except RefusedResource as refused:
            raise FactsheetError(f"styles: {refused}") from None
        # A document type's own stylesheet (styles/kid.css), after the built-in one and before the user's.
        self.document_styles = {dtype.name: (weasyprint.CSS(string=text, base_url=path.as_uri()), text)
                                for dtype in TYPES.values() if dtype.stylesheet
                                for path in [STYLES_DIR / dtype.stylesheet] for text in [path.read_text(encoding="utf-8")]}
        self.brand = brand
        if brand_css := _brand_css(brand):  # after the built-in and user styles: the configuration wins
            self.stylesheets.append(weasyprint.CSS(string=brand_css))
        self.css_text = "".join(sources.values()) + brand_css  # its content strings are drawn too: subset fonts for them
        # A project's own labels (its templates may use labels the package does not have) come first.
        self._localisers = {lang: Localiser(lang, Path(catalogue).resolve() if catalogue else None) for lang in ("en", "zh-CN", "zh-HK")}
        # Once per renderer: what every document shares, for the inputs hash of each (`inputs`).
        templates = [(name, self.env.loader.get_source(self.env, name)[0]) for name in self.env.list_templates(extensions=["j2"])]
        self.imports = dict(imports.served)  # the files the styles import
        own_labels = tree_digest(Path(catalogue)) if catalogue else ""  # a project's catalogue changes the labels printed
        styles_text = [self.css_text, *(text for _, text in self.document_styles.values())]
        self.setup = setup_digest(templates, styles_text, {"brand": repr(brand), "pdf_variant": self.pdf_variant,
                                                           "catalogue": own_labels, "sent_on": str(self.sent_on)}, self.imports)

    # -- HTML -----------------------------------------------------------------
    def _labeller(self, langs: tuple[str, ...]):
        def t(msgid: str, **values: object) -> Markup:
            seen: list[str] = []
            for lang in langs:
                text = self._localisers[lang]._(msgid, **values)
                if text not in seen:
                    seen.append(text)
            return Markup("").join(Markup('<span lang="{}">{}</span>').format(lang, text) for lang, text in zip(langs, seen))
        return t

    def html(self, fund: FundFile, variant: Variant, document: str = "factsheet") -> tuple[str, list[FilledStatement]]:
        family = fonts.family_name(fonts.script_for(variant.langs))
        dtype, build = document_type(document), registry.builder(document)
        build.check(fund, variant.langs)  # every field the document lacks, named, before any statement needs one
        facts = registry.document_facts(fund, document)
        statements = fill_statements(fund, variant, facts, build.statement_values(fund), dtype.library(fund))
        localisers = {lang: self._localisers[lang] for lang in variant.langs}
        colour = self.brand.primary if self.brand and self.brand.primary else None
        colours = (colour, COLOURS[1]) if colour else COLOURS
        context = {
            "fund": fund,
            "variant": variant,
            "brand": self.brand,
            "langs": variant.langs,
            "L": self._localisers,
            "t": self._labeller(variant.langs),
            "facts": facts,
            "statements": {block: [s for s in statements if s.block == block] for block in ("risk", "performance", "disclaimer")},
            **registry.context(fund, document, localisers, variant.langs, family, colours, colour, self.sent_on),
        }
        return self.env.get_template(dtype.template(fund.jurisdiction)).render(context), statements

    # -- PDF ------------------------------------------------------------------
    def _page_css(self, variant: Variant, family: str) -> str:
        return _page_css(variant.langs, family, tuple(self._localisers[lang]._("Page {page} of {pages}") for lang in variant.langs))

    def render(self, fund: FundFile, variant: Variant, document: str = "factsheet") -> Document:
        check_glyphs(fund, variant)
        html, statements = self.html(fund, variant, document)
        script = fonts.script_for(variant.langs)
        family = fonts.family_name(script)
        page_css = self._page_css(variant, family)
        own, own_text = self.document_styles.get(document, (None, ""))
        stylesheets = [self.stylesheets[0], own, *self.stylesheets[1:]] if own is not None else self.stylesheets
        text = html_lib.unescape(html) + page_css + self.css_text + own_text
        if missing := fonts.missing_chars(text, script):
            raise BuildError(fund.code, [f"{', '.join(map(repr, missing))} cannot be drawn with {family}"])
        memory = {f"/{weight}.otf": fonts.subset(script, weight, text) for weight in fonts.FILES}
        font_config = FontConfiguration()
        font_css = weasyprint.CSS(string=_font_face_css(family) + page_css, font_config=font_config,
                                  url_fetcher=AssetFetcher(memory, []))
        fetcher = AssetFetcher(memory, self.asset_roots)
        source = weasyprint.HTML(string=html, base_url=TEMPLATES_DIR.as_uri() + "/", url_fetcher=fetcher)
        try:
            laid_out = source.render(stylesheets=[*stylesheets, font_css], font_config=font_config)
            assets = {**self.imports, **fetcher.served}  # every file this document was made from
            pdf, record = archive.write_pdf(laid_out, fund, variant, statements, html, self.pdf_variant, self.setup, assets, document)
        except RefusedResource as refused:  # a BaseException, so that WeasyPrint cannot swallow it
            raise BuildError(fund.code, [f"{variant.name}: {refused}; no PDF written"]) from None
        return Document(fund, variant, html, statements, pdf, len(laid_out.pages), {name: len(data) for name, data in memory.items()},
                        record, assets=assets)


def _brand_css(brand: Brand | None) -> str:
    """The configured colours as CSS variables (validated as #rrggbb by the configuration)."""
    if brand is None:
        return ""
    colours = [f"--{name}: {value};" for name, value in (("brand", brand.primary), ("accent", brand.accent)) if value]
    return f":root {{ {' '.join(colours)} }}\n" if colours else ""


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ") + '"'


@lru_cache(maxsize=16)
def _page_css(langs: tuple[str, ...], family: str, page_texts: tuple[str, ...]) -> str:
    """Margin boxes do not inherit the body's font: name it there too, with the page numbers."""
    parts = []
    for i, text in enumerate(page_texts):
        if i:
            parts.append('" · "')
        for piece in text.replace("{page}", "\0page\0").replace("{pages}", "\0pages\0").split("\0"):
            if piece in ("page", "pages"):
                parts.append(f"counter({piece})")
            elif piece:
                parts.append(_css_string(piece))
    quoted = _css_string(family)
    return (
        # !important: the subset Noto Sans CJK is the only font there is; a theme's font-family would
        # fall back to whatever the system has (and to boxes for Chinese).
        f"html, html * {{ font-family: {quoted} !important; }}\n"
        f"@page {{ @bottom-right {{ content: {' '.join(parts)}; font-family: {quoted}; font-size: 7pt; color: #555; }}\n"
        f"  @bottom-left {{ font-family: {quoted}; }} }}\n"
    )


def _font_face_css(family: str) -> str:
    quoted = _css_string(family)
    return "".join(
        f"@font-face {{ font-family: {quoted}; font-weight: {css_weight}; src: url({SCHEME}:/{weight}.otf); }}\n"
        for weight, css_weight in (("regular", 400), ("bold", 700))
    )


def check_glyphs(fund: FundFile, variant: Variant) -> None:
    """A character the font cannot draw is an error naming the field, never a box in the PDF."""
    script = fonts.script_for(variant.langs)
    problems = []
    if fund.index and isinstance(fund.index.provider, str) and (missing := fonts.missing_chars(fund.index.provider, script)):
        shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in missing)
        problems.append(f"index.provider: {shown} cannot be drawn with {fonts.family_name(script)}")
    for path, text in fund.texts():
        for lang in variant.langs:
            value = text.get(lang)
            if value and (missing := fonts.missing_chars(value, script)):
                shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in missing)
                problems.append(f"{path}.{lang}: {shown} cannot be drawn with {fonts.family_name(script)}")
    if problems:
        raise BuildError(fund.code, problems)


logging.getLogger("weasyprint").setLevel(logging.WARNING)
