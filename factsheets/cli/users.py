"""`factsheets users`: the people who submit (maker), approve (checker) and manage users (admin).
Every change is an admin's, logged in, and a trail row."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ._review import DB_OPTION, PASSWORD_OPTION, admin, fail, read_password, refuse, say, store_of

ADMIN_OPTION = click.option("--as", "as_user", metavar="ADMIN", required=True,
                            help="The admin making the change (the admin's password first on standard input).")


@click.group()
def users() -> None:
    """Users of the review database: makers submit, checkers approve or reject, admins manage users."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["maker", "checker", "admin"]), required=True)
@click.option("--as", "as_user", metavar="ADMIN", default=None,
              help="The admin adding the user (required once an admin exists; the first user is an admin).")
@DB_OPTION
@PASSWORD_OPTION
def add(name: str, role: str, as_user: str | None, db: Path | None, password_stdin: bool) -> None:
    """Add a user. The new user's password is read from standard input (--password-stdin), after
    the admin's own when --as is given (one line each), and kept only as an argon2id hash.

    Only the first admin makes a new database: with --db naming a file that does not exist, and no --as."""
    from ..review import Refused, ReviewError
    from ..review.auth import add_user, check_name
    from ..review.publish import default_actor
    from ..review.store import default_db_path

    try:
        check_name(name)
    except ReviewError as error:
        fail(str(error))
    path = db or default_db_path()
    first = not path.exists() and not as_user
    if first and role != "admin":
        fail("the database has no admin yet: the first user must be one (--role admin)")
    store = store_of(path, create=first)
    if store.has_admin():
        if not as_user:
            fail("an admin adds users: give --as ADMIN (and the admin's password first on standard input)")
        by = admin(store, as_user, password_stdin, "adds users").name
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
    say(f"added {role} {name} to {store.path}")


@users.command("list")
@DB_OPTION
def list_users(db: Path | None) -> None:
    """List the users: name, role, when added, and whether enabled (reads the database read-only)."""
    store = store_of(db, read_only=True)
    for name, role, created, disabled in store.users():
        say(f"{name}\t{role}\t{created}\t{'disabled' if disabled else 'enabled'}")
    sys.exit(0)


def _change(db: Path | None, as_user: str, password_stdin: bool, change, done: str, *, new_password: bool = False) -> None:
    """Log the admin in, make the change (a trail row), say what was done; a refusal exits 1."""
    from ..review import Refused, ReviewError

    store = store_of(db)
    by = admin(store, as_user, password_stdin)
    extra = (read_password(password_stdin, "New password"),) if new_password else ()
    try:
        change(store, by, *extra)
    except Refused as error:
        refuse(str(error))
    except ReviewError as error:
        fail(str(error))
    say(done)


@users.command("disable")
@click.argument("name")
@ADMIN_OPTION
@DB_OPTION
@PASSWORD_OPTION
def disable(name: str, as_user: str, db: Path | None, password_stdin: bool) -> None:
    """Disable a user: no more log-ins, their sessions on the page end; the name stays theirs in the trail."""
    from ..review.auth import disable_user

    _change(db, as_user, password_stdin, lambda store, by: disable_user(store, by, name), f"disabled {name}")


@users.command("enable")
@click.argument("name")
@ADMIN_OPTION
@DB_OPTION
@PASSWORD_OPTION
def enable(name: str, as_user: str, db: Path | None, password_stdin: bool) -> None:
    """Enable a disabled user again."""
    from ..review.auth import enable_user

    _change(db, as_user, password_stdin, lambda store, by: enable_user(store, by, name), f"enabled {name}")


@users.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(["maker", "checker", "admin"]))
@ADMIN_OPTION
@DB_OPTION
@PASSWORD_OPTION
def role(name: str, role: str, as_user: str, db: Path | None, password_stdin: bool) -> None:
    """Give a user another role (their sessions on the page end)."""
    from ..review.auth import set_role

    _change(db, as_user, password_stdin, lambda store, by: set_role(store, by, name, role), f"{name} is now {role}")


@users.command("reset-password")
@click.argument("name")
@ADMIN_OPTION
@DB_OPTION
@PASSWORD_OPTION
def reset_password(name: str, as_user: str, db: Path | None, password_stdin: bool) -> None:
    """Give a user a new password: the admin's password, then the new one, on standard input (one
    line each). The trail binds the new hash; the user's sessions on the page end."""
    from ..review.auth import reset_password as reset

    _change(db, as_user, password_stdin, lambda store, by, password: reset(store, by, name, password),
            f"new password for {name}", new_password=True)
