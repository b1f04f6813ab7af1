"""`factsheets build`: fund files -> verified PDFs in the output folder, in parallel and incrementally."""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from ..load import fund_files
from ..variants import DEFAULT, VariantError, parse_variants


def _variants(ctx: click.Context, param: click.Parameter, value: str):
    try:
        return parse_variants(value)
    except VariantError as error:
        raise click.BadParameter(str(error)) from None


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", default=Path("out"), show_default=True, type=click.Path(path_type=Path, file_okay=False),
              help="Folder for the PDFs, named <fund code>.<variant>.pdf, and manifest.json.")
@click.option("--lang", "variants", default=DEFAULT, show_default=True, callback=_variants,
              help="Variants, comma-separated: en, zh-CN, zh-HK, two joined by + (en+zh-HK), or bilingual (en+zh-CN).")
@click.option("-j", "--jobs", default=0, type=click.IntRange(0, 256), help="Worker processes [default: one per core].")
@click.option("--force", is_flag=True, help="Render every document, even those whose inputs are unchanged.")
@click.option("--fail-fast", is_flag=True, help="Stop at the first failed document.")
@click.option("-q", "--quiet", is_flag=True, help="Print failures and the summary only.")
def build(paths: tuple[Path, ...], out_dir: Path, variants, jobs: int, force: bool, fail_fast: bool, quiet: bool) -> None:
    """Build factsheets from fund files (YAML or JSON) and folders of them."""
    from ..batch import Batch, Entry  # here, not at the top: other commands start without WeasyPrint
    missing = [p for p in paths if not p.exists()]
    for path in missing:
        click.echo(f"{path}: no such file or folder", err=True)
    if missing:
        sys.exit(2)
    files = fund_files(list(paths))
    if not files:
        click.echo("no fund files (*.yaml, *.yml, *.json) found", err=True)
        sys.exit(2)

    console = Console(stderr=True)
    live = console.is_terminal and not quiet
    counts: Counter[str] = Counter()
    failures: list = []
    started = time.perf_counter()
    progress = Progress(TextColumn("building"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                        TextColumn("{task.fields[rate]}"), TimeRemainingColumn(), console=console, disable=not live)
    task = progress.add_task("build", total=None, rate="")

    def on_entry(entry: "Entry") -> None:
        counts[entry.status] += 1
        if entry.status == "failed":
            failures.append(entry)
            progress.console.print(entry.error, markup=False, highlight=False, soft_wrap=True)
        elif not live and not quiet:
            click.echo(_line(entry))
        rate = sum(counts.values()) / max(time.perf_counter() - started, 1e-9)
        progress.update(task, advance=1, rate=f"{rate:.1f} docs/s")

    batch = Batch(files, variants, out_dir, jobs=jobs, force=force, fail_fast=fail_fast)
    try:
        with progress:
            batch.run(on_entry, on_total=lambda n: progress.update(task, total=n))
    except KeyboardInterrupt:
        click.echo("interrupted: finished documents are kept and listed in the manifest; run again to resume", err=True)
        sys.exit(130)
    elapsed = time.perf_counter() - started
    if not quiet and live:
        _summary(console, counts, elapsed)
    click.echo(
        f"{counts['written']} written, {counts['unchanged']} unchanged, {counts['skipped']} skipped, "
        f"{counts['failed']} failed in {elapsed:.1f} s"
    )
    sys.exit(1 if counts["failed"] else 0)


def _line(entry) -> str:
    if entry.status == "written":
        return f"wrote {entry.path} ({entry.pages} pages, {entry.bytes / 1024:.0f} KB)"
    if entry.status == "unchanged":
        return f"unchanged {entry.path}"
    return f"skipped {entry.error}"


def _summary(console: Console, counts: Counter[str], elapsed: float) -> None:
    table = Table(title="factsheets build")
    for status in ("written", "unchanged", "skipped", "failed"):
        table.add_column(status, justify="right")
    table.add_column("seconds", justify="right")
    table.add_row(*(str(counts[s]) for s in ("written", "unchanged", "skipped", "failed")), f"{elapsed:.1f}")
    console.print(table)
