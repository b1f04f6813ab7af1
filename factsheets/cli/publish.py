"""`factsheets publish OUT --to DIR`: copy only approved documents, with a publication manifest."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ._review import DB_OPTION, PASSWORD_OPTION, SIGNING_KEY_OPTION, fail, login, say, settings, signing_key, store_of


@click.command()
@click.argument("out", type=click.Path(path_type=Path, file_okay=False))
@click.option("--to", "to", required=True, type=click.Path(path_type=Path, file_okay=False), help="The folder to publish to.")
@DB_OPTION
@click.option("--as", "as_user", metavar="NAME", required=True,
              help="The user publishing, logged in (with --password-stdin) and recorded in the trail as who published.")
@PASSWORD_OPTION
@SIGNING_KEY_OPTION
def publish(out: Path, to: Path, db: Path | None, as_user: str | None, password_stdin: bool, signing_key_path: Path | None) -> None:
    """Copy to DIR the documents of OUT whose current bytes carry an approval, write
    DIR/publication.json (document, sha256, approver, time, the trail's head, signed with
    --signing-key), and list what was left out and why. Every target is checked before anything
    is copied; nothing is copied that the trail does not record.

    Exit code 0: every document published; 1: some left out (listed); 2: a usage, file or database error."""
    from ..review import ReviewError
    from ..review.publish import publish as publish_

    if not out.is_dir():
        fail(f"{out}: no such folder")
    house = settings()
    key = signing_key(signing_key_path)
    if house.public_key and key is None:
        fail("factsheets.toml names the house's public key: publish signs the trail's head with its private key "
             "(--signing-key FILE or $FACTSHEETS_SIGNING_KEY)")
    store = store_of(db)
    actor = login(store, as_user, password_stdin).name
    try:
        result = publish_(store, out, to, required=house.sign_off, actor=actor, key=key)
    except ReviewError as error:
        fail(str(error))
    for row in result.published:
        say(f"published {row['document']} ({row['sha256'][:12]}), approved by {row['approver']} at {row['approved']}")
    for row in result.left_out:
        say(f"left out {row['document']}: {row['reason']}")
    signed = "signed" if result.signed else "not signed (no --signing-key)"
    say(f"{len(result.published)} published, {len(result.left_out)} left out; manifest {result.manifest}, {signed}")
    sys.exit(1 if result.left_out else 0)
