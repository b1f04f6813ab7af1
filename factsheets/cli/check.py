"""`factsheets check`: fund files -> findings, without rendering (or, with --render, rendering in memory)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from ..config import Config, ConfigError, apply_waivers, load_config
from ..load import fund_files
from ..report import FORMATS, exit_code, render

FORMAT_OPTION = click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
                             help="Report format: text, json, junit (JUnit XML), github (workflow annotations), sarif (2.1.0).")
TODAY_OPTION = click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                            help="The date to check against (YYYY-MM-DD); default: today.")
CONFIG_OPTION = click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
                             help="factsheets.toml or pyproject.toml; default: the nearest one above the current folder.")


def fail(message: str) -> None:
    """A usage, file or configuration error: a message on stderr and exit code 2."""
    click.echo(f"factsheets: {message}", err=True)
    sys.exit(2)


def today_of(value: dt.datetime | None) -> dt.date:
    return value.date() if value else dt.date.today()


def config_of(path: Path | None) -> Config:
    try:
        return load_config(path)
    except ConfigError as error:
        fail(str(error))
        raise AssertionError("unreachable")


def emit(findings, files: list[str], fmt: str, config: Config, today: dt.date, funds: set[str]) -> None:
    findings = apply_waivers(findings, config, today, funds)
    output = render(findings, files, fmt)
    if output:
        click.echo(output)
    sys.exit(exit_code(findings))


def existing(paths: tuple[Path, ...], what: str) -> None:
    missing = [p for p in paths if not p.exists()]
    for path in missing:
        click.echo(f"factsheets: {path}: no such {what}", err=True)
    if missing:
        sys.exit(2)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@FORMAT_OPTION
@click.option("--max-age", type=click.IntRange(min=0), default=None, metavar="DAYS",
              help="Largest age of as_of in days before the data is stale  [default: 45, or max_age in the configuration]")
@TODAY_OPTION
@click.option("--render", "render_pdfs", is_flag=True,
              help="Also render each fund in memory through the current templates and styles and run the PDF rules (writes nothing).")
@click.option("--lang", "variants", default=None,
              help="With --render: the variants to render (default: bilingual, and en+zh-HK for funds with zh-HK texts).")
@click.option("--templates", "template_dirs", multiple=True, type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="With --render: a folder of templates overriding the built-in ones (repeatable).")
@click.option("--styles", "style_files", multiple=True, type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="With --render: a stylesheet added after the built-in one (repeatable).")
@CONFIG_OPTION
def check(paths, fmt, max_age, today, render_pdfs, variants, template_dirs, style_files, config_path) -> None:
    """Check fund files (and folders of them) for every rule, without rendering.

    Exit code 0: nothing found; 1: findings; 2: a usage, file or internal error."""
    from ..rules.check import DEFAULT_MAX_AGE, check_fund_file

    existing(paths, "file or folder")
    files = fund_files(list(paths))
    if not files:
        fail("no fund files (*.yaml, *.yml, *.json) found")
    config = config_of(config_path)
    today_ = today_of(today)
    age = max_age if max_age is not None else (config.max_age if config.max_age is not None else DEFAULT_MAX_AGE)
    chosen = None
    if variants is not None:
        from ..variants import VariantError, parse_variants
        try:
            chosen = parse_variants(variants)
        except VariantError as error:
            fail(f"--lang: {error}")
    renderer = None
    if render_pdfs and (template_dirs or style_files):
        from ..render import Renderer
        renderer = Renderer(list(template_dirs), list(style_files))
    findings, funds = [], set()
    for path in files:
        ctx, found = check_fund_file(path, today=today_, max_age=age)
        findings += found
        if ctx.fund_code:
            funds.add(ctx.fund_code)
        if render_pdfs and ctx.fund is not None:
            from ..rules.check import render_findings
            from ..variants import parse_variant
            wanted = chosen or [parse_variant("bilingual")] + ([parse_variant("en+zh-HK")] if ctx.fund.has_lang("zh-HK") else [])
            findings += render_findings(ctx.fund, str(path), wanted, renderer)
    emit(findings, [str(p) for p in files], fmt, config, today_, funds)
