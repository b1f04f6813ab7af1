"""`factsheets check`: fund files -> findings, without rendering (or, with --render, rendering in memory)."""

from __future__ import annotations

from pathlib import Path

import click

from ..config.load import Config, renderer_options
from ..errors import FactsheetError
from ..fund.load import fund_files
from ._common import CONFIG_OPTION, FORMAT_OPTION, TODAY_OPTION, config_of, emit, existing, fail, today_of


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@FORMAT_OPTION
@click.option("--max-age", type=click.IntRange(min=0), default=None, metavar="DAYS",
              help="Largest age of as_of in days before the data is stale  [default: max_age in the configuration, else 45 "
                   "days for mainland funds and three months for Hong Kong funds (SFC)]")
@TODAY_OPTION
@click.option("--render", "render_pdfs", is_flag=True,
              help="Also render each fund in memory as `build` does (the project's templates, styles and brand; every "
                   "statement verified) and run the PDF rules (writes nothing).")
@click.option("--lang", "variants", default=None,
              help="With --render: the variants to render (default: the project's, else bilingual, and en+zh-HK for "
                   "funds with zh-HK texts).")
@click.option("--doc", "documents", default=None,
              help="With --render: the document types to render, comma-separated: factsheet, kfs (key facts), kid  "
                   "[default: factsheet, and the KID of a fund with PRIIPs data]; with several, the cross-document rules (XD) compare what they print.")
@click.option("--templates", "template_dirs", multiple=True,
              type=click.Path(path_type=Path, file_okay=False, exists=True, resolve_path=True),
              help="With --render: a folder of templates overriding the built-in ones and the project's (repeatable).")
@click.option("--styles", "style_files", multiple=True,
              type=click.Path(path_type=Path, dir_okay=False, exists=True, resolve_path=True),
              help="With --render: a stylesheet added after the built-in one and the project's (repeatable).")
@CONFIG_OPTION
def check(paths, fmt, max_age, today, render_pdfs, variants, documents, template_dirs, style_files, config_path) -> None:
    """Check fund files (and folders of them) for every rule, without rendering; or an EPT file (FinDatEx's
    European PRIIPs Template, .xlsx, .csv, .json or .yaml, told by its 00001_EPT_Version field) for the EPT
    rules, each finding naming the row, its ISIN and the field.

    Exit code 0: nothing found; 1: findings; 2: a usage, file or internal error."""
    from ..ingest.ept_read import EptFileError, looks_like_ept
    from ..rules.check import check_ept_file, check_fund_file

    existing(paths, "file or folder")
    files = fund_files(list(paths))
    if not files:
        fail("no fund files (*.yaml, *.yml, *.json) found")
    config = config_of(config_path)
    today_ = today_of(today)
    age = max_age if max_age is not None else config.max_age  # None: each jurisdiction's limit (CN 45 days, HK three months)
    chosen = None
    if variants is not None or (render_pdfs and config.build.variants):
        from ..documents.variants import VariantError, parse_variants
        try:
            chosen = parse_variants(variants if variants is not None else ",".join(config.build.variants))
        except VariantError as error:
            fail(f"--lang: {error}")
    kinds = None  # check --render's default: a fund's factsheets, and its KID when it has PRIIPs data
    if documents is not None:
        from ..documents.types import parse_documents
        from ..documents.variants import VariantError
        try:
            kinds = parse_documents(documents)
        except VariantError as error:
            fail(f"--doc: {error}")
    renderer = _renderer(config, template_dirs, style_files) if render_pdfs else None
    findings, funds, unchecked = [], set(), 0
    for path in files:
        if looks_like_ept(path):
            try:
                findings += check_ept_file(path)
            except EptFileError as error:
                click.echo(f"factsheets: {error}", err=True)
                unchecked += 1
            continue
        ctx, found = check_fund_file(path, today=today_, max_age=age)
        findings += found
        if ctx.fund_code:
            funds.add(ctx.fund_code)
        if render_pdfs and ctx.fund is not None:
            from ..build.render_check import DEFAULT_DOCUMENTS, chosen_variants, render_findings

            kinds = kinds or DEFAULT_DOCUMENTS
            findings += render_findings(ctx.fund, str(path), chosen_variants(ctx.fund, kinds, chosen), renderer, kinds)
    emit(findings, [str(p) for p in files], fmt, config, today_, funds, unchecked=unchecked)


def _renderer(config: Config, template_dirs: tuple[Path, ...], style_files: tuple[Path, ...]):
    """The renderer `build` would use in this project (its templates, styles and brand), with the
    --templates first and the --styles last; None for the built-in one."""
    options = renderer_options(config)
    if template_dirs:
        options["template_dirs"] = (*(p.resolve() for p in template_dirs), *options.get("template_dirs", ()))
    if style_files:
        options["style_files"] = (*options.get("style_files", ()), *(p.resolve() for p in style_files))
    if not options:
        return None
    from ..render.renderer import Renderer

    try:
        return Renderer(**options)
    except (FactsheetError, OSError, UnicodeDecodeError) as error:
        fail(f"--render: {error}")
