"""Users and log-in: argon2id password hashes (argon2-cffi), never a password in clear, and a
lock-out after repeated failures.

After `MAX_FAILURES` wrong passwords for one user name within `WINDOW`, that name is locked until
the window has passed since the first of them: even the right password is refused (and not
checked, so a locked account tells nothing about a guess). Every failure is an audit row.
"""

from __future__ import annotations

import datetime as dt
import re

from . import ROLES, Refused, ReviewError, audit
from .store import Store, User

MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=15)
MIN_PASSWORD = 8
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


class Locked(Refused):
    pass


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id, the library's current recommended parameters


# The hash of a random password nobody knows: checking a name that does not exist costs as much as a wrong password.
DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$xWAht13HpCfN+HAyLKbYKg$zddZDnyxjfGpjW43igdRSo/QParTEro1T1a93oytRjc"


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def _verify(stored: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ReviewError(f"the password must have at least {MIN_PASSWORD} characters")
    if password != password.strip() or any(ord(c) < 32 for c in password):
        raise ReviewError("the password must not start or end with a space or hold control characters")


def add_user(store: Store, name: str, role: str, password: str, *, by: str) -> User:
    """Add a user. `by`: the admin who adds it (or "bootstrap" for the first admin)."""
    if not NAME.match(name):
        raise ReviewError(f"user name {name!r}: use letters, digits and . _ @ - (at most 64, starting with a letter or digit)")
    if role not in ROLES:
        raise ReviewError(f"role {role!r}: use one of {', '.join(ROLES)}")
    check_new_password(password)
    hashed = hash_password(password)
    with store.transaction() as conn:
        if conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            raise Refused(f"a user named {name} already exists")
        conn.execute("INSERT INTO users (name, role, password, created) VALUES (?, ?, ?, ?)", (name, role, hashed, audit.now()))
        audit.append(conn, by, "user-added", detail={"user": name, "role": role})
    return User(name, role, hashed)


def authenticate(store: Store, name: str, password: str, *, via: str, client: str = "") -> User:
    """The user, when the password is right and the name not locked; else `Refused` (logged)."""
    since = (dt.datetime.now(dt.timezone.utc) - WINDOW).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    detail = {"via": via, **({"client": client} if client else {})}
    failures, first = store.count_failures(name, since)
    if failures >= MAX_FAILURES:
        store.log(name, "login-failed", detail={**detail, "reason": "locked"})
        until = dt.datetime.strptime(first, "%Y-%m-%dT%H:%M:%S.%fZ") + WINDOW
        raise Locked(f"too many failed log-ins for {name}: try again after {until:%H:%M} UTC")
    user = store.user(name)
    good = _verify(user.password if user else DUMMY_HASH, password) and user is not None
    if not good:
        store.log(name, "login-failed", detail={**detail, "reason": "password"})
        raise Refused("wrong user name or password")
    return user
