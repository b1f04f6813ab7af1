"""What the review commands share: --db, --as, --password-stdin, --signing-key, the house's review
settings, printing (control characters shown, never sent to the terminal), and the exit codes (1 for
an action the rules refuse, 2 for a usage, file or database error)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

DB_OPTION = click.option("--db", "db", type=click.Path(path_type=Path, dir_okay=False), default=None,
                         help="The review database  [default: .factsheets/review.db in the project, else in the current folder]")
AS_OPTION = click.option("--as", "as_user", metavar="NAME", required=True, help="The user doing it.")
PASSWORD_OPTION = click.option("--password-stdin", is_flag=True,
                               help="Read the password from the first line of standard input (else it is asked for on a terminal).")
SIGNING_KEY_OPTION = click.option("--signing-key", "signing_key_path", type=click.Path(path_type=Path, dir_okay=False, exists=True),
                                  envvar="FACTSHEETS_SIGNING_KEY", default=None,
                                  help="The house's Ed25519 private key (PEM or OpenSSH; also $FACTSHEETS_SIGNING_KEY), "
                                       "to sign the trail's head.")


def fail(message: str) -> None:
    """A usage, file or database error: the message on stderr (as `say` prints it) and exit code 2."""
    say(f"factsheets: {message}", err=True)
    sys.exit(2)


def say(text: str, *, err: bool = False) -> None:
    """Print a line whose parts may come from users (names, comments, paths): control characters
    and bidirectional overrides never reach the terminal (review.text.printable)."""
    from ..review.text import printable

    click.echo(printable(text), err=err)


def store_of(db: Path | None, *, create: bool = False, read_only: bool = False):
    """The review database: it must exist (only `users add` of the first admin creates it); opened
    read-only (`mode=ro`) for the commands that only read, so an archived copy can be checked."""
    from ..review import ReviewError
    from ..review.store import default_db_path, open_store

    try:
        return open_store(db or default_db_path(), create=create, read_only=read_only)
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


def settings():
    """The house's review settings ([review] in factsheets.toml): sign_off, public_key, allowed_hosts."""
    from ..config.load import ConfigError, load_config

    try:
        return load_config().review
    except ConfigError as error:
        fail(str(error))
        raise AssertionError("unreachable") from None


def sign_off() -> tuple[str, ...]:
    """The parts this house signs off separately ([review] sign_off in factsheets.toml)."""
    return settings().sign_off


def public_key():
    """The house's public key from the configuration, or None when it names none."""
    from ..config.schema import ed25519_public_key
    from ..review.anchor import public_key as key_of

    text = settings().public_key
    return key_of(ed25519_public_key(text)) if text else None


def signing_key(path: Path | None):
    """The house's private key, checked against the configured public key; None without --signing-key."""
    from ..review import ReviewError
    from ..review.anchor import fingerprint, private_key, raw_public

    if path is None:
        return None
    try:
        key = private_key(path)
    except ReviewError as error:
        fail(str(error))
    configured = public_key()
    if configured is None:
        fail(f"{path}: factsheets.toml names no public key to check its signatures against: add to its [review] "
             f"section\n    public_key = \"{_public_text(key)}\"")
    if raw_public(key.public_key()) != raw_public(configured):
        fail(f"{path}: not the key whose public half factsheets.toml names (key {fingerprint(key.public_key())}, "
             f"configured {fingerprint(configured)})")
    return key


def _public_text(key) -> str:
    from cryptography.hazmat.primitives import serialization

    pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return "".join(pem.decode("ascii").splitlines()[1:-1])


def login(store, name: str, from_stdin: bool):
    """The user `name`, with the password read as --password-stdin says; a log-in is a trail row."""
    from ..review import Refused
    from ..review.auth import authenticate
    from ..review.text import is_name

    if not is_name(name):
        fail(f"--as {name[:80]!r}: not a user name (letters, digits and . _ @ -, at most 64)")
    password = read_password(from_stdin, f"Password for {name}")
    try:
        return authenticate(store, name, password, via="cli")
    except Refused as error:
        refuse(str(error))


def admin(store, name: str, from_stdin: bool, doing: str = "manages users"):
    """An admin, logged in; anyone else is refused ("only an admin `doing`")."""
    user = login(store, name, from_stdin)
    if user.role != "admin":
        refuse(f"{user.name} is a {user.role}: only an admin {doing}")
    return user


def refuse(message: str) -> None:
    say(f"factsheets: refused: {message}", err=True)
    sys.exit(1)
