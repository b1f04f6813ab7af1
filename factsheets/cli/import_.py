"""`factsheets import`: the house's export (workbook + NAV CSVs), an EPT file or a FundsXML file -> fund files."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ._common import TODAY_OPTION, fail

FORMATS = ("house", "ept", "fundsxml")


def detect(source: Path) -> str:
    """What SOURCE is, from its content: a FundsXML file (its FundsXML4 root), an EPT file (its 00001_EPT_Version
    field), else the house's export (a folder, or its workbook)."""
    from ..ingest.ept_read import looks_like_ept
    from ..ingest.fundsxml import looks_like_fundsxml

    if source.is_file() and looks_like_fundsxml(source):
        return "fundsxml"
    if source.is_file() and looks_like_ept(source):
        return "ept"
    return "house"


@click.command("import")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="The folder the fund files go to (<fund_code>.yaml, and their histories under history/).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="What SOURCE is: house (the house's export), ept (FinDatEx's European PRIIPs Template), fundsxml "
                   "(FundsXML 4.2)  [default: told from its content]")
@click.option("--mapping", "mapping_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="A TOML file naming this export's sheets, columns and files (house), or the elements this FundsXML "
                   "file keeps its data in (fundsxml), where they differ from the standard's.")
@click.option("--texts", "texts", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="A folder of prospectus texts, <fund_code>.yaml (schema prospectus/v1), laid over each fund's: "
                   "what key facts documents and KIDs need beyond the source.")
@TODAY_OPTION
def import_command(source: Path, out: Path, fmt: str | None, mapping_path: Path | None, texts: Path | None, today) -> None:
    """Import SOURCE: the house's export (a folder with the workbook and nav/, benchmark/, proxy/; or the workbook
    itself), an EPT file (.xlsx, .csv, .json, .yaml: one fund file per row, its KID from the row's stated figures) or
    a FundsXML 4.2 file (validated against the schema first; one fund file per fund).

    The house's funds are written only without a problem; an EPT row or a FundsXML fund is written with what the
    file gives, and the fields still needed are listed per fund (and in the file's header), for `check` to name.

    Exit code 0: every fund written whole; 1: problems, or fields to add; 2: the source, the mapping or the output
    folder cannot be used (a FundsXML file with a schema error: every error with its line, nothing written)."""
    from ..errors import FactsheetError

    if not source.exists():
        fail(f"{source}: no such export folder or workbook (nor EPT or FundsXML file)")
    kind = fmt or detect(source)
    day = today.date() if today else None
    if texts is not None and not texts.is_dir():
        fail(f"{texts}: no such folder of prospectus texts")
    try:
        if kind == "house":
            _house(source, out, mapping_path, texts, day)
        result = _partial(kind, source, out, mapping_path, texts, day)
    except FactsheetError as error:
        fail(str(error).replace("\n", "\nfactsheets: "))
        return
    except OSError as error:
        fail(f"{error.filename or out}: {error.strerror or error}")
        return
    _report(result, out)


def _partial(kind: str, source: Path, out: Path, mapping_path: Path | None, texts: Path | None, day):
    if kind == "ept":
        from ..ingest.ept_import import import_ept

        if mapping_path is not None:
            fail("--mapping: an EPT file has the template's own field names; no mapping applies")
        return import_ept(source, out, texts, day)
    from ..ingest.fundsxml import import_fundsxml
    from ..ingest.fundsxml_mapping import load_mapping

    mapping = load_mapping(mapping_path) if mapping_path is not None else None
    return import_fundsxml(source, out, mapping, texts, day)


def _report(result, out: Path) -> None:
    for problem in result.problems:
        click.echo(problem.format())
    whole = 0
    for fund in result.funds:
        for problem in fund.problems:
            click.echo(problem.format())
        if fund.to_add:
            click.echo(f"{fund.where}: fields to add to {out / (fund.code + '.yaml')}:")
            for line in fund.to_add:
                click.echo(f"  {line}")
        else:
            whole += fund.complete
    total = len(result.funds)
    click.echo(f"{len(result.written)} of {total} fund file{'s' * (total != 1)} written to {out}; {whole} whole, "
               f"{total - whole} with fields to add or problems (above)")
    sys.exit(0 if result.ok else 1)


def _house(export: Path, out: Path, mapping_path: Path | None, texts: Path | None, day) -> None:
    from ..ingest.importer import import_export
    from ..ingest.mapping import Mapping, load_mapping

    mapping = load_mapping(mapping_path) if mapping_path is not None else Mapping()
    result = import_export(export, out, mapping, today=day, texts=texts)
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
