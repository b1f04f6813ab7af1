"""`factsheets import`: the house's export (workbook + NAV CSVs) -> one validated fund file per fund."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ._common import TODAY_OPTION, fail


@click.command("import")
@click.argument("export", type=click.Path(path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="The folder the fund files go to (<fund_code>.yaml, and their histories under history/).")
@click.option("--mapping", "mapping_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="A TOML file naming this export's sheets, columns and files where they differ from the house format.")
@click.option("--texts", "texts", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="A folder of prospectus texts, <fund_code>.yaml (schema prospectus/v1), laid over each fund's: "
                   "what key facts documents need beyond the export.")
@TODAY_OPTION
def import_command(export: Path, out: Path, mapping_path: Path | None, texts: Path | None, today) -> None:
    """Import EXPORT (a folder with the workbook and nav/, benchmark/, proxy/; or the workbook itself).

    Every fund without a problem is written as OUT/<fund_code>.yaml (fund/v2) with its histories copied
    under OUT/history/; a fund with problems is not written (an earlier file of it is left as it was).
    Every problem is listed, with the sheet!cell or file:line it comes from.

    Exit code 0: every fund written; 1: problems (the other funds are written); 2: the export, the
    mapping or the output folder cannot be used."""
    from ..errors import FactsheetError
    from ..ingest.importer import import_export
    from ..ingest.mapping import Mapping, load_mapping

    if not export.exists():
        fail(f"{export}: no such export folder or workbook")
    try:
        mapping = load_mapping(mapping_path) if mapping_path is not None else Mapping()
        result = import_export(export, out, mapping, today=today.date() if today else None, texts=texts)
    except FactsheetError as error:
        fail(str(error).replace("\n", "\nfactsheets: "))
        return
    except OSError as error:
        fail(f"{error.filename or out}: {error.strerror or error}")
        return
    for problem in result.problems:
        click.echo(problem.format())
    errors = [p for p in result.problems if p.severity == "error"]
    done = len(result.written)
    total = len(result.funds)
    summary = f"{done} of {total} fund{'s' if total != 1 else ''} written to {out}"
    if result.written:
        summary += ": " + ", ".join(result.written)
    click.echo(summary)
    if result.failed:
        click.echo(f"not written ({len(errors)} problem{'s' if len(errors) != 1 else ''} above): " + ", ".join(result.failed))
    for code in result.kept:
        click.echo(f"{out / (code + '.yaml')} from an earlier import is left as it was (not updated)")
    sys.exit(1 if errors else 0)
