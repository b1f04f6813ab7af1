"""Stage 4, render: a validated fund and a variant -> HTML (Jinja2) -> PDF (WeasyPrint).

A `Renderer` holds what is costly and shared by every document: the Jinja environment,
the parsed stylesheets and the opened fonts. Create one and reuse it.
"""

from __future__ import annotations

import calendar
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

from . import archive, fonts
from .assets import STYLES_DIR, TEMPLATES_DIR
from .brand import Brand
from .chart import COLOURS, Series, chart_years, returns_chart
from .chart import label as chart_label
from .errors import BuildError, FactsheetError
from .fetcher import SCHEME, AssetFetcher, RefusedResource
from .inputs import setup_digest
from .localise import FilledStatement, Localiser, fill_statements, risk_labels
from .model import FundFile
from .variants import Variant

CHART_YEARS = 10  # the chart shows the last ten complete years; the table lists every year
WIDE_CHART_BARS = 12  # more bars than this: the chart takes the full width of the page


def N_(msgid: str) -> str:
    """Marks a label chosen in code, so that catalogue checks find it."""
    return msgid


CATEGORY_LABELS = {
    "etf": N_("Exchange-traded fund (ETF)"),
    "etf_feeder": N_("ETF feeder fund"),
    "open_ended": N_("Open-ended fund"),
    "money_market": N_("Money market fund"),
}


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
    assets: dict[str, str] = field(default_factory=dict)  # the files it was made from: path -> SHA-256 (`inputs`)


class Renderer:
    def __init__(self, template_dirs: list[Path] | None = None, style_files: list[Path] | None = None,
                 pdf_variant: str | None = archive.DEFAULT_VARIANT, brand: Brand | None = None):
        self.pdf_variant = archive.check_variant(pdf_variant)  # None: a plain (tagged) PDF
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
        self.brand = brand
        if brand_css := _brand_css(brand):  # after the built-in and user styles: the configuration wins
            self.stylesheets.append(weasyprint.CSS(string=brand_css))
        self.css_text = "".join(sources.values()) + brand_css  # its content strings are drawn too: subset fonts for them
        self._localisers = {lang: Localiser(lang) for lang in ("en", "zh-CN", "zh-HK")}
        # Once per renderer: what every document shares, for the inputs hash of each (`inputs`).
        templates = [(name, self.env.loader.get_source(self.env, name)[0]) for name in self.env.list_templates(extensions=["j2"])]
        self.imports = dict(imports.served)  # the files the styles import
        self.setup = setup_digest(templates, [self.css_text], {"brand": repr(brand), "pdf_variant": self.pdf_variant}, self.imports)

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

    def _returns(self, fund: FundFile, variant: Variant, family: str) -> dict | None:
        primary = self._localisers[variant.primary]
        partial: frozenset[int] = frozenset()
        if fund.performance and not _too_young(fund.fund.inception_date, fund.as_of):
            perf = fund.performance.annual_returns
            series = [Series(N_("Fund"), perf.fund)] + ([Series(N_("Benchmark"), perf.benchmark)] if perf.benchmark else [])
            title, caption, basis = N_("Calendar-year returns"), N_("Fund and benchmark returns, in percent"), fund.performance.basis
            start = fund.fund.inception_date
            if start and (start.month, start.day) != (1, 1) and start.year in perf.fund:
                partial = frozenset({start.year})
        elif fund.index and fund.index.annual_returns:
            series = [Series(N_("Index"), fund.index.annual_returns)]
            title, caption, basis = N_("Calendar-year index returns"), N_("Index data, not the fund's returns; in percent"), None
        else:
            return None
        # Complete calendar years only: the as_of year counts once as_of is its last day.
        last = fund.as_of.year if (fund.as_of.month, fund.as_of.day) == (12, 31) else fund.as_of.year - 1
        series = [Series(s.label, {y: v for y, v in s.values.items() if y <= last}) for s in series]
        series = [s for s in series if s.values]
        if not series:
            return None
        years = chart_years(series)
        table_years = years
        if len(years) > CHART_YEARS:  # the chart shows the last ten years, as regulators' rules do; the table all
            shown = set(years[-CHART_YEARS:])
            series_for_chart = [Series(s.label, {y: v for y, v in s.values.items() if y in shown}) for s in series]
            series_for_chart = [s for s in series_for_chart if s.values]
            years = chart_years(series_for_chart)
        else:
            series_for_chart = series
        # The text alternative lists the very figures the bars are labelled with.
        description = "; ".join(
            f"{year}" + (f" ({primary._(N_('partial year'))})" if year in partial else "") + ": "
            + (", ".join(f"{primary._(s.label)} {chart_label(s.values[year])}" for s in series_for_chart if year in s.values)
               or primary._(N_("no data")))
            for year in years
        )
        colours = (self.brand.primary, COLOURS[1]) if self.brand and self.brand.primary else COLOURS
        chart = returns_chart(
            [Series(primary._(s.label), s.values) for s in series_for_chart], primary._(title), description, family, partial,
            colours=colours,
        )
        note = N_("The chart shows the last {n} calendar years; the table lists every year.") if table_years != years else None
        return {"title": title, "caption": caption, "series": series, "years": table_years, "chart": chart,
                "partial_years": partial, "basis": basis, "note": note, "chart_years": len(years),
                "wide": len(years) * len(series_for_chart) > WIDE_CHART_BARS}

    def html(self, fund: FundFile, variant: Variant) -> tuple[str, list[FilledStatement]]:
        shows_holdings = fund.holdings is not None
        statements = fill_statements(fund, variant, shows_holdings)
        family = fonts.family_name(fonts.script_for(variant.langs))
        context = {
            "fund": fund,
            "variant": variant,
            "brand": self.brand,
            "langs": variant.langs,
            "L": self._localisers,
            "t": self._labeller(variant.langs),
            "category_label": CATEGORY_LABELS[fund.fund.category.value],
            "risk_labels": risk_labels(fund),
            "returns": self._returns(fund, variant, family),
            "statements": {
                "risk": [s for s in statements if s.block == "risk"],
                "disclaimer": [s for s in statements if s.block != "risk"],
            },
        }
        return self.env.get_template("factsheet.html.j2").render(context), statements

    # -- PDF ------------------------------------------------------------------
    def _page_css(self, variant: Variant, family: str) -> str:
        return _page_css(variant.langs, family, tuple(self._localisers[lang]._("Page {page} of {pages}") for lang in variant.langs))

    def render(self, fund: FundFile, variant: Variant) -> Document:
        check_glyphs(fund, variant)
        html, statements = self.html(fund, variant)
        script = fonts.script_for(variant.langs)
        family = fonts.family_name(script)
        page_css = self._page_css(variant, family)
        text = html_lib.unescape(html) + page_css + self.css_text
        if missing := fonts.missing_chars(text, script):
            raise BuildError(fund.code, [f"{', '.join(map(repr, missing))} cannot be drawn with {family}"])
        memory = {f"/{weight}.otf": fonts.subset(script, weight, text) for weight in fonts.FILES}
        font_config = FontConfiguration()
        font_css = weasyprint.CSS(string=_font_face_css(family) + page_css, font_config=font_config,
                                  url_fetcher=AssetFetcher(memory, []))
        fetcher = AssetFetcher(memory, self.asset_roots)
        document = weasyprint.HTML(string=html, base_url=TEMPLATES_DIR.as_uri() + "/", url_fetcher=fetcher)
        try:
            laid_out = document.render(stylesheets=[*self.stylesheets, font_css], font_config=font_config)
            assets = {**self.imports, **fetcher.served}  # every file this document was made from
            pdf, record = archive.write_pdf(laid_out, fund, variant, statements, html, self.pdf_variant, self.setup, assets)
        except RefusedResource as refused:  # a BaseException, so that WeasyPrint cannot swallow it
            raise BuildError(fund.code, [f"{variant.name}: {refused}; no PDF written"]) from None
        return Document(fund, variant, html, statements, pdf, len(laid_out.pages), {name: len(data) for name, data in memory.items()},
                        record, assets)


def _too_young(start: dt.date | None, as_of: dt.date) -> bool:
    """A fund younger than six months on as_of shows no performance of its own."""
    if start is None:
        return False
    month = start.month + 6
    year, month = start.year + (month - 1) // 12, (month - 1) % 12 + 1
    six_months = dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
    return as_of < six_months


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
    if fund.index and (missing := fonts.missing_chars(fund.index.provider, script)):
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
