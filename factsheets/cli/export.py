"""`factsheets export`: fund files -> the FinDatEx European PRIIPs Template (EPT V2.1) a manufacturer sends to platforms."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ._common import existing, fail


@click.command("export")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["ept"]), default="ept", show_default=True,
              help="ept: FinDatEx's European PRIIPs Template V2.1, one row per share class the house makes a KID for.")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The file to write: .xlsx (the template's column order and codification), .json or .csv.")
def export(paths: tuple[Path, ...], fmt: str, out: Path) -> None:
    """Export the EPT rows of fund files (and folders of them): each fund with a `priips` section gives the row of
    its KID's class, filled from the KID's own figures, and the file is written only when ept.schema.json finds
    nothing wrong with it. What the fund files cannot fill is named (notes on stderr), never invented.

    Exit code 0: written; 1: a fund's KID figures cannot be had, or the schema refuses a row (nothing written);
    2: a usage or file error."""
    from ..errors import FactsheetError, FundFileError
    from ..export.ept import FORMATS, EptExportError, ept_rows, write_ept
    from ..fund.load import fund_files
    from ..fund.validate import load_fund

    existing(paths, "fund file or folder")
    if out.suffix.lower() not in FORMATS:
        fail(f"--out {out}: the EPT is written as .xlsx, .json or .csv")
    files = fund_files(list(paths))
    if not files:
        fail("no fund files (*.yaml, *.yml, *.json) found")
    funds, problems = [], []
    for path in files:
        try:
            funds.append(load_fund(path))
        except FundFileError as error:
            problems += [f"{path}: {line}" for line in str(error).splitlines()]
    if problems:
        for line in problems:
            click.echo(line, err=True)
        click.echo(f"{len(problems)} problem{'s' * (len(problems) != 1)} in the fund files: nothing written to {out}", err=True)
        sys.exit(1)
    try:
        rows, notes = ept_rows(funds)
        for note in notes:
            click.echo(f"note: {note}", err=True)
        if not rows:
            fail("no fund with a priips section: no EPT row to write")
        write_ept(rows, out)
    except EptExportError as error:
        for line in error.problems:
            click.echo(line, err=True)
        click.echo(f"nothing written to {out}", err=True)
        sys.exit(1)
    except FactsheetError as error:
        fail(str(error))
    except OSError as error:
        fail(f"{error.filename or out}: {error.strerror or error}")
    click.echo(f"wrote {out}: {len(rows)} EPT row{'s' * (len(rows) != 1)} ({', '.join(r['00030_Portfolio_Identifying_Data'] for r in rows)})")
