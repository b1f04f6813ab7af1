"""`factsheets submit`, `approve` and `reject`: four eyes over the documents of a build.

Each PDF is named by its path below its output folder (the nearest folder above it holding a
manifest.json) and its bytes' SHA-256: an approval holds for those bytes only. `--sha256` pins the
bytes the checker looked at: a file whose bytes are other by the time of the decision is refused."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ._common import existing
from ._review import AS_OPTION, DB_OPTION, PASSWORD_OPTION, login, say, sign_off, store_of

PDFS = click.argument("pdfs", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
COMMENT = click.option("--comment", default="", help="The comment kept with the action (a rejection needs one).")
PART = click.option("--part", "parts", multiple=True, type=click.Choice(["document", "data", "commentary"]),
                    help="With separate sign-off ([review] sign_off in factsheets.toml): the part decided; "
                         "repeatable  [default: every part still open]")
PIN = click.option("--sha256", "pins", multiple=True, metavar="HASH",
                   help="The SHA-256 of the bytes looked at (64 hexadecimal digits; repeatable, one per PDF): a PDF whose "
                        "bytes now have another hash is refused, not decided.")


def _each(pdfs: tuple[Path, ...], action) -> None:
    """Do `action(document, data)` for each PDF; a refusal for one does not stop the others. Exit
    1 when any was refused, 2 when a file could not be read."""
    from ..review import Refused, ReviewError
    from ..review.documents import locate, read_document

    existing(pdfs, "file")
    refused = failed = 0
    for pdf in pdfs:
        out, document = locate(pdf)
        try:
            data, _ = read_document(out, document)
            say(action(document, data))
        except Refused as error:
            say(f"factsheets: refused: {pdf}: {error}", err=True)
            refused += 1
        except ReviewError as error:
            say(f"factsheets: {pdf}: {error}", err=True)
            failed += 1
    sys.exit(2 if failed else 1 if refused else 0)


@click.command()
@PDFS
@AS_OPTION
@DB_OPTION
@PASSWORD_OPTION
@COMMENT
def submit(pdfs: tuple[Path, ...], as_user: str, db: Path | None, password_stdin: bool, comment: str) -> None:
    """Submit documents for review (a maker, or a checker for another checker).

    Exit code 0: all submitted; 1: refused (wrong password, role, already submitted); 2: a usage or file error."""
    from ..review.workflow import short
    from ..review.workflow import submit as submit_

    store = store_of(db)
    user = login(store, as_user, password_stdin)

    def action(document: str, data: bytes) -> str:
        made = submit_(store, user, document, data, comment=comment)
        return f"submitted {document} ({short(made.sha256)}) for review"

    _each(pdfs, action)


def _pins(pins: tuple[str, ...]) -> frozenset[str]:
    from ..review.store import is_sha256
    from ._review import fail

    wrong = [p for p in pins if not is_sha256(p.lower())]
    if wrong:
        fail(f"--sha256 {wrong[0][:80]!r}: give the whole SHA-256, 64 hexadecimal digits")
    return frozenset(p.lower() for p in pins)


def _decide(decision: str):
    verb = "approve" if decision == "approved" else "reject"

    help_text = (f"{verb.capitalize()} submitted documents (a checker who did not submit them).\n\n"
                 f"The decision holds for the bytes of each PDF as they are now; with --sha256, only if those "
                 f"are the bytes looked at.\n\n"
                 "Exit code 0: all done; 1: refused (wrong password, role, own submission, not submitted, "
                 "already decided, other bytes than pinned); 2: a usage or file error.")

    @click.command(verb, help=help_text)
    @PDFS
    @AS_OPTION
    @DB_OPTION
    @PASSWORD_OPTION
    @COMMENT
    @PART
    @PIN
    def command(pdfs: tuple[Path, ...], as_user: str, db: Path | None, password_stdin: bool, comment: str,
                parts: tuple[str, ...], pins: tuple[str, ...]) -> None:
        from ..review import Refused
        from ..review.workflow import decide, sha_of, short

        pinned = _pins(pins)
        required = sign_off()
        store = store_of(db)
        user = login(store, as_user, password_stdin)

        def action(document: str, data: bytes) -> str:
            sha = sha_of(data)
            if pinned and sha not in pinned:
                raise Refused(f"{document} is {short(sha)} now, not the bytes pinned with --sha256 "
                              f"({', '.join(short(p) for p in sorted(pinned))}): nothing {decision}")
            made = decide(store, user, document, sha, decision, parts=parts, required=required, comment=comment)
            which = ", ".join(d.part for d in made if d.part != "document")
            return f"{decision} {document} ({short(made[0].sha256)}){f' ({which})' if which else ''}"

        _each(pdfs, action)

    return command


approve = _decide("approved")
reject = _decide("rejected")
