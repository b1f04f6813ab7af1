"""What the review commands share: --db, --as, --password-stdin, the house's sign-off parts, and
the exit codes (1 for an action the rules refuse, 2 for a usage, file or database error)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ._common import fail

DB_OPTION = click.option("--db", "db", type=click.Path(path_type=Path, dir_okay=False), default=None,
                         help="The review database  [default: .factsheets/review.db in the project, else in the current folder]")
AS_OPTION = click.option("--as", "as_user", metavar="NAME", required=True, help="The user doing it.")
PASSWORD_OPTION = click.option("--password-stdin", is_flag=True,
                               help="Read the password from the first line of standard input (else it is asked for on a terminal).")


def store_of(db: Path | None, *, create: bool = True):
    from ..review import ReviewError
    from ..review.store import default_db_path, open_store

    try:
        return open_store(db or default_db_path(), create=create)
    except ReviewError as error:
        fail(str(error))


def read_password(from_stdin: bool, prompt: str = "Password") -> str:
    """One password: a line of standard input, or typed at a terminal without echo."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            fail("--password-stdin: standard input is empty")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        fail("give the password on standard input with --password-stdin")
    return click.prompt(prompt, hide_input=True)


def sign_off() -> tuple[str, ...]:
    """The parts this house signs off separately ([review] sign_off in factsheets.toml)."""
    from ..config.load import ConfigError, load_config

    try:
        return load_config().review.sign_off
    except ConfigError as error:
        fail(str(error))
        raise AssertionError("unreachable") from None


def login(store, name: str, from_stdin: bool):
    from ..review import Refused
    from ..review.auth import authenticate

    password = read_password(from_stdin, f"Password for {name}")
    try:
        return authenticate(store, name, password, via="cli")
    except Refused as error:
        refuse(str(error))


def refuse(message: str) -> None:
    click.echo(f"factsheets: refused: {message}", err=True)
    sys.exit(1)
