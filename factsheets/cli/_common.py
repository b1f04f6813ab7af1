"""What the commands share: the report options, the usage-error exit, the check for paths that do
not exist, the configuration and the report itself. No command imports another command's module."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from ..config.load import Config, ConfigError, apply_waivers, load_config
from ..rules.report import FORMATS, exit_code, render

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
    """The project's configuration; a bad one exits 2 with every problem, each line naming the file."""
    try:
        return load_config(path)
    except ConfigError as error:
        click.echo(str(error), err=True)
        sys.exit(2)


def emit(findings, files: list[str], fmt: str, config: Config, today: dt.date, funds: set[str], *,
         unchecked: int = 0) -> None:
    """Print the report of `files` and exit: 1 with findings, 0 without; 2 when `unchecked` inputs
    could not be checked (each already reported on stderr)."""
    findings = apply_waivers(findings, config, today, funds)
    output = render(findings, files, fmt, unchecked)
    if output:
        click.echo(output)
    sys.exit(2 if unchecked else exit_code(findings))


def existing(paths: tuple[Path, ...], what: str) -> None:
    missing = [p for p in paths if not p.exists()]
    for path in missing:
        click.echo(f"factsheets: {path}: no such {what}", err=True)
    if missing:
        sys.exit(2)
