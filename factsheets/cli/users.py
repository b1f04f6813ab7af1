"""`factsheets users`: the people who submit (maker), approve (checker) and manage users (admin)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ._common import fail
from ._review import DB_OPTION, PASSWORD_OPTION, login, read_password, refuse, store_of


@click.group()
def users() -> None:
    """Users of the review database: makers submit, checkers approve or reject, admins add users."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["maker", "checker", "admin"]), required=True)
@click.option("--as", "as_user", metavar="ADMIN", default=None,
              help="The admin adding the user (required once an admin exists; the first user is an admin).")
@DB_OPTION
@PASSWORD_OPTION
def add(name: str, role: str, as_user: str | None, db: Path | None, password_stdin: bool) -> None:
    """Add a user. The new user's password is read from standard input (--password-stdin), after
    the admin's own when --as is given (one line each), and kept only as an argon2id hash."""
    from ..review import Refused, ReviewError
    from ..review.auth import add_user
    from ..review.publish import default_actor

    store = store_of(db)
    if store.has_admin():
        if not as_user:
            fail("an admin adds users: give --as ADMIN (and the admin's password first on standard input)")
        admin = login(store, as_user, password_stdin)
        if admin.role != "admin":
            refuse(f"{admin.name} is a {admin.role}: only an admin adds users")
        by = admin.name
    else:
        if role != "admin":
            fail("the database has no admin yet: the first user must be one (--role admin)")
        by = f"bootstrap ({default_actor()})"
    password = read_password(password_stdin, f"Password for {name}")
    try:
        add_user(store, name, role, password, by=by)
    except Refused as error:
        refuse(str(error))
    except ReviewError as error:
        fail(str(error))
    click.echo(f"added {role} {name} to {store.path}")


@users.command("list")
@DB_OPTION
def list_users(db: Path | None) -> None:
    """List the users and their roles."""
    store = store_of(db, create=False)
    rows = store.users()
    for name, role, created in rows:
        click.echo(f"{name}\t{role}\t{created}")
    sys.exit(0)
