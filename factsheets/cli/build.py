"""`factsheets build`: fund files -> verified PDFs in the output folder."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from ..load import fund_files
from ..pipeline import build_file, default_renderer
from ..variants import DEFAULT, VariantError, parse_variants


def _variants(ctx: click.Context, param: click.Parameter, value: str):
    try:
        return parse_variants(value)
    except VariantError as error:
        raise click.BadParameter(str(error)) from None


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", default=Path("out"), show_default=True, type=click.Path(path_type=Path, file_okay=False),
              help="Folder for the PDFs, named <fund code>.<variant>.pdf.")
@click.option("--lang", "variants", default=DEFAULT, show_default=True, callback=_variants,
              help="Variants, comma-separated: en, zh-CN, zh-HK, two joined by + (en+zh-HK), or bilingual (en+zh-CN).")
@click.option("-q", "--quiet", is_flag=True, help="Print failures and the summary only.")
def build(paths: tuple[Path, ...], out_dir: Path, variants, quiet: bool) -> None:
    """Build factsheets from fund files (YAML or JSON) and folders of them."""
    missing = [p for p in paths if not p.exists()]
    if missing:
        for path in missing:
            click.echo(f"{path}: no such file or folder", err=True)
        sys.exit(2)
    files = fund_files(list(paths))
    if not files:
        click.echo("no fund files (*.yaml, *.yml, *.json) found", err=True)
        sys.exit(2)
    renderer = default_renderer()
    counts = {"written": 0, "skipped": 0, "failed": 0}
    started = time.perf_counter()
    for source in files:
        for outcome in build_file(source, variants, out_dir, renderer):
            counts[outcome.status] += 1
            if outcome.status == "written" and not quiet:
                click.echo(f"wrote {outcome.path} ({outcome.pages} pages, {outcome.bytes / 1024:.0f} KB)")
            elif outcome.status == "skipped" and not quiet:
                click.echo(f"skipped {outcome.message}")
            elif outcome.status == "failed":
                click.echo(outcome.message, err=True)
    elapsed = time.perf_counter() - started
    click.echo(f"{counts['written']} written, {counts['skipped']} skipped, {counts['failed']} failed in {elapsed:.1f} s")
    sys.exit(1 if counts["failed"] else 0)
