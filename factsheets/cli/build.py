"""`factsheets build`: fund files -> verified PDFs in the output folder, in parallel and incrementally."""

from __future__ import annotations

import signal
import sys
import time
from collections import Counter
from pathlib import Path

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from ..config.load import ConfigError, load_config, renderer_options
from ..documents.types import parse_documents
from ..documents.variants import VariantError, parse_variants
from ..errors import FactsheetError
from ..fund.load import fund_files
from ._common import config_of, existing


def _documents(ctx: click.Context, param: click.Parameter, value: str | None):
    if value is None:
        return None
    try:
        return parse_documents(value)
    except VariantError as error:
        raise click.BadParameter(str(error)) from None


def _variants(ctx: click.Context, param: click.Parameter, value: str | None):
    if value is None:
        return None  # from the project's configuration, else the default
    try:
        return parse_variants(value)
    except VariantError as error:
        raise click.BadParameter(str(error)) from None


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", default=None, type=click.Path(path_type=Path, file_okay=False),
              help="Folder for the PDFs, named <fund code>.<variant>.pdf, and manifest.json  [default: the project's, else out]")
@click.option("--lang", "variants", default=None, callback=_variants,
              help="Variants, comma-separated: en, zh-CN, zh-HK, two joined by + (en+zh-HK), or bilingual (en+zh-CN)  "
                   "[default: the project's, else each fund's own: every language it publishes in, and English with each Chinese]")
@click.option("--doc", "documents", default=None, callback=_documents,
              help="Document types, comma-separated: factsheet, kfs (key facts), kid (PRIIPs KID)  [default: the project's, else factsheet]")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="The project's factsheets.toml  [default: the nearest one above the current folder]")
@click.option("-j", "--jobs", default=0, type=click.IntRange(0, 256), help="Worker processes [default: one per core].")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Worker processes on this machine, or a Dask distributed cluster (pip install 'factsheets[dask]').")
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler address (tcp://host:8786); without it, a local Dask cluster.")
@click.option("--force", is_flag=True, help="Render every document, even those whose inputs are unchanged.")
@click.option("--fail-fast", is_flag=True, help="Stop at the first failed document.")
@click.option("--pdf-variant", default="pdf/a-3u", show_default=True,
              help="A WeasyPrint PDF variant (pdf/a-3u, pdf/a-2b, pdf/ua-1, ...), or 'plain' for none.")
@click.option("--strict-layout", is_flag=True,
              help="Fail a document on the layout rules' warnings too (LY005: a last page holding a few lines; the key "
                   "facts' and KID's layout findings), as CI should.")
@click.option("--sent-on", "sent_on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day the documents are sent, which a 基金产品资料概要 prints as its 送出日期  [default: each fund's as_of]")
@click.option("--watch", is_flag=True, help="Rebuild the affected documents whenever a fund file, template, style or the configuration changes.")
@click.option("-q", "--quiet", is_flag=True, help="Print failures and the summary only.")
def build(paths: tuple[Path, ...], out_dir: Path | None, variants, documents, config_path: Path | None, jobs: int, executor: str,
          scheduler: str | None, force: bool, fail_fast: bool, pdf_variant: str, strict_layout: bool, sent_on, watch: bool,
          quiet: bool) -> None:
    """Build factsheets from fund files (YAML or JSON) and folders of them; in a project
    (`factsheets init`), from its funds/ with its templates, styles and brand."""
    if scheduler and executor != "dask":
        raise click.UsageError("--scheduler goes with --executor dask")
    from ..render.archive import ArchiveError, check_pdf_variant

    try:
        pdf_variant_ = check_pdf_variant(None if pdf_variant == "plain" else pdf_variant)
    except ArchiveError as error:
        raise click.BadParameter(str(error), param_hint="--pdf-variant") from None
    config = config_of(config_path)
    if not paths:
        if config.build.funds is None:
            raise click.UsageError("give fund files or folders, or run inside a project (factsheets init) whose "
                                   "factsheets.toml names [build] funds")
        paths = (config.build.funds,)
    existing(paths, "file or folder")
    signal.signal(signal.SIGTERM, _interrupt)  # SIGTERM stops as Ctrl-C does: no partial file, a manifest to resume from

    def run_once() -> Counter[str]:
        nonlocal config
        if watch:  # the configuration may have changed since the last round
            try:
                config = load_config(config_path)
            except ConfigError as error:
                click.echo(str(error), err=True)
                return Counter(failed=1)
        files = fund_files(list(paths))
        if not files:
            click.echo(f"no fund files (*.yaml, *.yml, *.json) in {', '.join(map(str, paths))}: import the house's export "
                       "(`factsheets import EXPORT --out FOLDER`) or copy a fund file there", err=True)
            if not watch:
                sys.exit(2)
            return Counter()
        out = out_dir or config.build.out or Path("out")
        chosen = variants or (parse_variants(",".join(config.build.variants)) if config.build.variants else None)
        options = dict(jobs=jobs, force=force, fail_fast=fail_fast, executor=executor, scheduler=scheduler,
                       renderer_options={**renderer_options(config), "pdf_variant": pdf_variant_,
                                         **({"strict_layout": True} if strict_layout else {}),
                                         **({"sent_on": sent_on.date().isoformat()} if sent_on else {})},
                       documents=documents or ("factsheet",))
        try:
            return _run(files, chosen, out, options, quiet)
        except FactsheetError as error:
            click.echo(f"factsheets: {error}", err=True)
            if not watch:
                sys.exit(2)
            return Counter(failed=1)

    if watch:
        from ..build.watch import watch as watch_paths

        watched = [*paths, *(p for p in (config.path, config.build.templates, config.build.styles) if p)]
        if config.brand.logo:
            watched.append(config.brand.logo.parent)
        click.echo(f"watching {', '.join(map(str, watched))}; Ctrl-C stops")
        try:
            watch_paths(watched, run_once, on_change=lambda changed: click.echo(f"changed: {', '.join(changed)}"))
        except KeyboardInterrupt:
            pass
        sys.exit(0)
    try:
        counts = run_once()
    except KeyboardInterrupt:
        click.echo("interrupted: finished documents are kept and listed in the manifest; run again to resume", err=True)
        sys.exit(130)
    sys.exit(1 if counts["failed"] else 0)


def _run(files: list[Path], variants, out_dir: Path, options: dict, quiet: bool) -> Counter[str]:
    """One batch, with a progress bar on a terminal (plain lines otherwise) and a closing summary."""
    from ..build.batch import Batch

    console = Console(stderr=True)
    live = console.is_terminal and not quiet
    counts: Counter[str] = Counter()
    started = time.perf_counter()
    progress = Progress(TextColumn("building"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                        TextColumn("{task.fields[rate]}"), TimeRemainingColumn(), console=console, disable=not live)
    task = progress.add_task("build", total=None, rate="")

    def on_entry(entry) -> None:
        counts[entry.status] += 1
        for warning in entry.warnings if entry.status == "written" else []:
            counts["warnings"] += 1
            progress.console.print(f"warning: {warning}", markup=False, highlight=False, soft_wrap=True)
        if entry.status == "failed":
            progress.console.print(entry.error, markup=False, highlight=False, soft_wrap=True)
        elif not live and not quiet:
            click.echo(_line(entry))
        rate = sum(counts.values()) / max(time.perf_counter() - started, 1e-9)
        progress.update(task, advance=1, rate=f"{rate:.1f} docs/s")

    with progress:
        Batch(files, variants, out_dir, **options).run(on_entry, on_total=lambda n: progress.update(task, total=n))
    elapsed = time.perf_counter() - started
    if live:
        _summary(console, counts, elapsed)
    click.echo(
        f"{counts['written']} written, {counts['unchanged']} unchanged, {counts['skipped']} skipped, "
        f"{counts['failed']} failed" + (f", {counts['warnings']} layout warning{'s' * (counts['warnings'] != 1)}" if counts["warnings"] else "")
        + f" in {elapsed:.1f} s"
    )
    return counts


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _line(entry) -> str:
    if entry.status == "written":
        layout = f"; {entry.layout}" if entry.layout else ""
        return f"wrote {entry.path} ({entry.pages} pages, {entry.bytes / 1024:.0f} KB{layout})"
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
