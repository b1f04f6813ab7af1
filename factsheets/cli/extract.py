"""`factsheets extract`: a factsheet PDF -> the validated fund data it was made from (its
PDF/A-3 associated file), or with --record what its XMP says about it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ._common import fail


@click.command()
@click.argument("pdf", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write to this file instead of standard output.")
@click.option("--record", is_flag=True,
              help="Print the document record from the XMP metadata instead (fund code, as-of date, variant, "
                   "template version, statements carried, inputs hash), as JSON.")
def extract(pdf: Path, output: Path | None, record: bool) -> None:
    """Print the fund data attached to a factsheet PDF, as JSON (exactly as attached).

    Exit code 0: extracted; 1: the PDF carries no fund data; 2: a usage or file error."""
    from ..pdf.record import ArchiveError, NoAttachment, read_fund_json, read_record

    if not pdf.is_file():
        fail(f"{pdf}: no such file")
    try:
        data = pdf.read_bytes()
    except OSError as error:
        fail(f"{pdf}: cannot read: {error.strerror or error}")
    try:
        if record:
            found = read_record(data)
            if not found:
                click.echo(f"factsheets: {pdf}: no factsheet record in the XMP metadata", err=True)
                sys.exit(1)
            out = (json.dumps(found, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        else:
            out = read_fund_json(data)
    except NoAttachment as error:
        click.echo(f"factsheets: {pdf}: {error}", err=True)
        sys.exit(1)
    except ArchiveError as error:
        fail(f"{pdf}: {error}")
    except Exception as error:  # pikepdf's own errors for a damaged file
        fail(f"{pdf}: not a readable PDF: {error}")
    if output is None:
        sys.stdout.buffer.write(out)
        sys.stdout.buffer.flush()
    else:
        try:
            output.write_bytes(out)
        except OSError as error:
            fail(f"{output}: cannot write: {error.strerror or error}")
