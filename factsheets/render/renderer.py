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
from ..documents.factsheet import Form
from ..documents.localise import FilledStatement, Localiser, Market, fill_statements, market_of
from ..documents.types import TYPES, document_type
from ..documents.variants import Variant
from ..errors import BuildError, FactsheetError
from ..fund.model import FundFile
from ..pdf.layout import LAST_PAGE_MIN_FILL
from . import archive, fit, typeset
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
    fit: fit.Fit | None = None  # the layout chosen among those tried (a factsheet's), and how it measured




class Renderer:
    def __init__(self, template_dirs: list[Path] | None = None, style_files: list[Path] | None = None,
                 pdf_variant: str | None = archive.DEFAULT_PDF_VARIANT, brand: Brand | None = None, strict_layout: bool = False,
                 catalogue: Path | None = None, sent_on: dt.date | str | None = None,
                 last_page_min_fill: float = LAST_PAGE_MIN_FILL):
        # The day the documents are sent (a 基金产品资料概要's 送出日期: `--sent-on`); each fund's as_of without it.
        self.sent_on = dt.date.fromisoformat(sent_on) if isinstance(sent_on, str) else sent_on
        self.pdf_variant = archive.check_pdf_variant(pdf_variant)  # None: a plain (tagged) PDF
        self.strict_layout = strict_layout  # a layout warning (a last page with only a line or two) fails the document
        self.last_page_min_fill = last_page_min_fill  # the project's bar for a last page (`[layout]`, LY004)
        style_files = [Path(p).resolve() for p in style_files or []]
        self.template_dirs = [*(Path(p).resolve() for p in template_dirs or []), TEMPLATES_DIR]  # user folders first: they override
        self.env = Environment(
            loader=FileSystemLoader(self.template_dirs),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["tail"] = typeset.tail  # a paragraph's last characters kept on its last line together
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
        self._catalogue = Path(catalogue).resolve() if catalogue else None
        self._markets: dict[Market, dict[str, Localiser]] = {}
        self._localisers = self.localisers(Market())
        # Once per renderer: what every document shares, for the inputs hash of each (`inputs`).
        templates = [(name, self.env.loader.get_source(self.env, name)[0]) for name in self.env.list_templates(extensions=["j2"])]
        self.imports = dict(imports.served)  # the files the styles import
        own_labels = tree_digest(Path(catalogue)) if catalogue else ""  # a project's catalogue changes the labels printed
        styles_text = [self.css_text, *(text for _, text in self.document_styles.values())]
        self.setup = setup_digest(templates, styles_text, {"brand": repr(brand), "pdf_variant": self.pdf_variant,
                                                           "catalogue": own_labels, "sent_on": str(self.sent_on),
                                                           "last_page_min_fill": last_page_min_fill},
                                  self.imports)

    # -- HTML -----------------------------------------------------------------
    def localisers(self, market: Market) -> dict[str, Localiser]:
        """A localiser for each language, in a market's words (made once per market)."""
        if market not in self._markets:
            self._markets[market] = {lang: Localiser(lang, self._catalogue, market) for lang in ("en", "zh-CN", "zh-HK")}
        return self._markets[market]

    def _labeller(self, langs: tuple[str, ...], localisers: dict[str, Localiser]):
        def t(msgid: str, **values: object) -> Markup:
            seen: list[str] = []
            for lang in langs:
                text = localisers[lang]._(msgid, **values)
                if text not in seen:
                    seen.append(text)
            return Markup("").join(Markup('<span lang="{}">{}</span>').format(lang, text) for lang, text in zip(langs, seen))
        return t

    def html(self, fund: FundFile, variant: Variant, document: str = "factsheet",
             form: Form | None = None) -> tuple[str, list[FilledStatement]]:
        family = fonts.family_name(fonts.script_for(variant.langs))
        dtype, build = document_type(document), registry.builder(document)
        build.check(fund, variant.langs)  # every field the document lacks, named, before any statement needs one
        facts = registry.document_facts(fund, document)
        statements = fill_statements(fund, variant, facts, build.statement_values(fund), dtype.library(fund))
        every = self.localisers(market_of(fund, dtype.library(fund)))
        localisers = {lang: every[lang] for lang in variant.langs}
        colour = self.brand.primary if self.brand and self.brand.primary else None
        colours = (colour, COLOURS[1]) if colour else COLOURS
        context = {
            "fund": fund,
            "variant": variant,
            "brand": self.brand,
            "langs": variant.langs,
            "L": every,
            "t": self._labeller(variant.langs, every),
            "facts": facts,
            "statements": {block: [s for s in statements if s.block == block] for block in ("risk", "performance", "disclaimer")},
            **registry.context(fund, document, localisers, variant.langs, family, colours, colour, form, self.sent_on),
        }
        return self.env.get_template(dtype.template(fund.jurisdiction)).render(context), statements

    # -- PDF ------------------------------------------------------------------
    def _page_css(self, variant: Variant, family: str) -> str:
        return _page_css(variant.langs, family, tuple(self._localisers[lang]._("Page {page} of {pages}") for lang in variant.langs))

    def render(self, fund: FundFile, variant: Variant, document: str = "factsheet") -> Document:
        """The document laid out in its type's first form and, when that does not fit its pages, in the others the
        type offers until one does (`fit`); the best of them written as an archival PDF."""
        check_glyphs(fund, variant)
        build = registry.builder(document)
        form = build.form(fund)
        tried = [self._lay_out(fund, variant, document, form)]
        # A template that lays out no sections by the form (a house's own factsheet.html.j2) has nothing to try.
        fitting = build.alternatives is not None and bool(tried[0].measure.sections)
        if fitting and not tried[0].measure.fits(self.last_page_min_fill):
            for other in build.alternatives(form, tried[0].measure.sections):
                tried.append(self._lay_out(fund, variant, document, other))
                if tried[-1].measure.fits(self.last_page_min_fill):
                    break
        chosen = tried[fit.best([t.measure for t in tried], self.last_page_min_fill)]
        try:
            assets = {**self.imports, **chosen.fetcher.served}  # every file this document was made from
            pdf, record = archive.write_pdf(chosen.laid_out, fund, variant, chosen.statements, chosen.html, self.pdf_variant,
                                            self.setup, assets, document)
        except RefusedResource as refused:  # a BaseException, so that WeasyPrint cannot swallow it
            raise BuildError(fund.code, [f"{variant.name}: {refused}; no PDF written"]) from None
        laid_out = fit.Fit(chosen.form.describe(), chosen.measure, len(tried)) if build.alternatives is not None else None
        return Document(fund, variant, chosen.html, chosen.statements, pdf, len(chosen.laid_out.pages),
                        {name: len(data) for name, data in chosen.fonts.items()}, record, assets=assets, fit=laid_out)

    def _lay_out(self, fund: FundFile, variant: Variant, document: str, form: Form) -> _Attempt:
        """One form of the document, laid out by WeasyPrint (no PDF written yet) and measured."""
        html, statements = self.html(fund, variant, document, form)
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
        except RefusedResource as refused:  # a BaseException, so that WeasyPrint cannot swallow it
            raise BuildError(fund.code, [f"{variant.name}: {refused}; no PDF written"]) from None
        return _Attempt(form, html, statements, laid_out, fetcher, memory, fit.measure(laid_out))


@dataclass
class _Attempt:
    """One form of a document, laid out."""

    form: Form
    html: str
    statements: list[FilledStatement]
    laid_out: object  # weasyprint.Document
    fetcher: AssetFetcher
    fonts: dict[str, bytes]
    measure: fit.Measure


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
