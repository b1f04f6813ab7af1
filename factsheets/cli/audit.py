"""`factsheets audit verify|export|anchor`: the review database's audit trail. Each opens the
database read-only, so an archived copy on read-only media can be checked."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ._review import DB_OPTION, SIGNING_KEY_OPTION, fail, public_key, say, signing_key, store_of


@click.group()
def audit() -> None:
    """The audit trail of the review database: every action, chained by hashes."""


@audit.command("verify")
@DB_OPTION
@click.option("--against", "against", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="A publication.json, or a head printed by `audit anchor`: its signature must hold for the project's "
                   "public key, and the trail must still hold the row it records.")
def verify(db: Path | None, against: Path | None) -> None:
    """Check the hash chain from the first row to the last, then that the users, submissions and
    decisions are what the trail says they are.

    Exit code 0: intact; 1: a row was edited or deleted, a state row has no trail row (each is named),
    or the anchor does not hold; 2: no database, or not one."""
    from ..review import ReviewError, anchor
    from ..review.anchor import fingerprint
    from ..review.ledger import verify as verify_

    store = store_of(db, read_only=True)
    head = documents = None
    if against:
        try:
            head, documents = anchor.read(against)
        except ReviewError as error:
            fail(str(error))
        key = public_key()
        if key is not None:
            problem = anchor.check(head, documents, key)
            if problem:
                say(f"audit trail not checked against {against}: {problem}", err=True)
                sys.exit(1)
            say(f"{against}: signed by the house's key {fingerprint(key)}")
        elif "signature" in head:
            say(f"{against}: signed by key {head.get('key', '?')}, but factsheets.toml names no public key "
                "([review] public_key): the signature is not checked", err=True)
    result = verify_(store.connection(), (head["row"], head["hash"]) if head else None)
    if result.broken is not None:
        say(f"audit trail broken at {result.broken}", err=True)
        sys.exit(1)
    if result.problems:
        say(f"audit trail intact ({result.rows} rows), but the state does not agree with it:", err=True)
        for problem in result.problems:
            say(f"  {problem}", err=True)
        sys.exit(1)
    ledger = result.ledger
    say(f"audit trail intact: {result.rows} rows, head {result.head}")
    say(f"state agrees with the trail: {len(ledger.users)} users, {len(ledger.submissions)} submissions, "
        f"{len(ledger.decisions)} decisions")
    if result.unbound:
        say(f"note: the trail binds no password hash for {', '.join(result.unbound)} (added before schema 2): "
            "`factsheets users reset-password` binds one")
    sys.exit(0)


@audit.command("export")
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write to this file instead of standard output.")
def export(db: Path | None, fmt: str, output: Path | None) -> None:
    """Every row of the trail (seq, at, actor, action, document, sha256, comment, detail, prev, hash).
    In CSV, a cell a spreadsheet would read as a formula (=, +, -, @) starts with a '."""
    from ..review.audit import export as export_

    store = store_of(db, read_only=True)
    text = export_(store.connection(), fmt)
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as error:
            fail(f"{output}: cannot write: {error.strerror or error}")


@audit.command("anchor")
@DB_OPTION
@SIGNING_KEY_OPTION
def anchor_(db: Path | None, signing_key_path: Path | None) -> None:
    """Print the trail's head (row and hash), signed with the house's key, as one line of JSON to
    keep outside the database (a ticket, an e-mail). `audit verify --against` that file later
    fails if the trail was rewritten or cut back before that row.

    The trail must verify first (exit 1 otherwise). Without --signing-key the head is printed unsigned,
    unless factsheets.toml names the house's public key (then the key is required)."""
    from ..review import anchor, audit
    from ..review.ledger import verify as verify_

    store = store_of(db, read_only=True)
    key = signing_key(signing_key_path)
    if key is None and public_key() is not None:
        fail("factsheets.toml names the house's public key: sign the head with its private key "
             "(--signing-key FILE or $FACTSHEETS_SIGNING_KEY)")
    result = verify_(store.connection())
    if not result.ok:
        say(f"audit trail does not verify ({result.broken or result.problems[0]}): no anchor", err=True)
        sys.exit(1)
    if result.rows == 0:
        fail(f"{store.path}: the trail is empty: nothing to anchor")
    head = anchor.make(result.rows, result.head, audit.now(), key)
    click.echo(json.dumps(head, sort_keys=True, separators=(",", ":")))
