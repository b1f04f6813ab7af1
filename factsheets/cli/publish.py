"""`factsheets publish OUT --to DIR`: copy only approved documents, with a publication manifest."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ._common import fail
from ._review import DB_OPTION, PASSWORD_OPTION, login, sign_off, store_of


@click.command()
@click.argument("out", type=click.Path(path_type=Path, file_okay=False))
@click.option("--to", "to", required=True, type=click.Path(path_type=Path, file_okay=False), help="The folder to publish to.")
@DB_OPTION
@click.option("--as", "as_user", metavar="NAME", default=None,
              help="The user publishing (with --password-stdin); else recorded as the operating-system user.")
@PASSWORD_OPTION
def publish(out: Path, to: Path, db: Path | None, as_user: str | None, password_stdin: bool) -> None:
    """Copy to DIR the documents of OUT whose current bytes carry an approval, write
    DIR/publication.json (document, sha256, approver, time), and list what was left out and why.

    Exit code 0: every document published; 1: some left out (listed); 2: a usage, file or database error."""
    from ..review import ReviewError
    from ..review.publish import default_actor
    from ..review.publish import publish as publish_

    if not out.is_dir():
        fail(f"{out}: no such folder")
    required = sign_off()
    store = store_of(db, create=False)
    actor = login(store, as_user, password_stdin).name if as_user else default_actor()
    try:
        result = publish_(store, out, to, required=required, actor=actor)
    except ReviewError as error:
        fail(str(error))
    for row in result.published:
        click.echo(f"published {row['document']} ({row['sha256'][:12]}), approved by {row['approver']} at {row['approved']}")
    for row in result.left_out:
        click.echo(f"left out {row['document']}: {row['reason']}")
    click.echo(f"{len(result.published)} published, {len(result.left_out)} left out; manifest {result.manifest}")
    sys.exit(1 if result.left_out else 0)
