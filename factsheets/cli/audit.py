"""`factsheets audit verify|export`: the review database's audit trail."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ._common import fail
from ._review import DB_OPTION, store_of


@click.group()
def audit() -> None:
    """The audit trail of the review database: every action, chained by hashes."""


@audit.command("verify")
@DB_OPTION
@click.option("--against", "against", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="A publication.json: the trail must still hold the row it recorded as the head.")
def verify(db: Path | None, against: Path | None) -> None:
    """Check the hash chain from the first row to the last.

    Exit code 0: intact; 1: a row was edited or deleted (the first broken row is named); 2: no database."""
    from ..review import ReviewError
    from ..review.publish import read_anchor

    store = store_of(db, create=False)
    try:
        anchor = read_anchor(against) if against else None
    except ReviewError as error:
        fail(str(error))
    result = store.verify(anchor)
    if result.ok:
        click.echo(f"audit trail intact: {result.rows} rows, head {result.head}")
        sys.exit(0)
    click.echo(f"audit trail broken at {result.broken}", err=True)
    sys.exit(1)


@audit.command("export")
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write to this file instead of standard output.")
def export(db: Path | None, fmt: str, output: Path | None) -> None:
    """Every row of the trail (seq, at, actor, action, document, sha256, comment, detail, prev, hash)."""
    from ..review.audit import export as export_

    store = store_of(db, create=False)
    text = export_(store.connection(), fmt)
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as error:
            fail(f"{output}: cannot write: {error.strerror or error}")
