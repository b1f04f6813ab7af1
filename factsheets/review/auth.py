"""Users and log-in: argon2id password hashes (argon2-cffi), never a password in clear, a lock-out
after repeated failures (lockout.py), and the users over time (disabled, role changed, password
reset), each change a trail row written with it.

- A user name is checked in full (text.is_name) before anything is read or written: a name of
  65,000 characters or with a newline costs nothing and leaves nothing.
- At most `ARGON2_AT_ONCE` argon2 computations run at once in a process (each takes 64 MiB): a
  burst of log-ins queues instead of taking a gigabyte.
- A log-in, from the command line or the page, is a trail row; so is the first failure of a
  window (lockout.py summarises the rest).
- The user a log-in finds must be the one the trail added, with the role, state and password the
  trail gave it (ledger.py): a row put into the users table by hand logs nobody in.
- Nobody removes the last enabled admin (by disabling or by a change of role): someone must
  still be able to manage users.
"""

from __future__ import annotations

import threading

from . import ROLES, Refused, ReviewError, audit, lockout
from .ledger import USER_ACTIONS, Ledger, password_digest
from .store import Store, User
from .text import NAME_RULE, is_name

MAX_FAILURES = lockout.MAX_FAILURES
WINDOW = lockout.WINDOW
MIN_PASSWORD = 8
ARGON2_AT_ONCE = 2
_argon2 = threading.BoundedSemaphore(ARGON2_AT_ONCE)


class Locked(Refused):
    pass


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id, the library's current recommended parameters (64 MiB, 3 passes)


# The hash of a random password nobody knows: checking a name that does not exist costs as much as a wrong password.
DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$xWAht13HpCfN+HAyLKbYKg$zddZDnyxjfGpjW43igdRSo/QParTEro1T1a93oytRjc"


def hash_password(password: str) -> str:
    with _argon2:
        return _hasher().hash(password)


def _verify(stored: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    with _argon2:
        try:
            return _hasher().verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False


def check_name(name: str) -> None:
    if not is_name(name):
        raise ReviewError(f"user name {name[:80]!r}{'…' if len(name) > 80 else ''}: use {NAME_RULE}")


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ReviewError(f"the password must have at least {MIN_PASSWORD} characters")
    if len(password) > 1024:
        raise ReviewError("the password must have at most 1,024 characters")
    if password != password.strip() or any(ord(c) < 32 or ord(c) == 127 for c in password):
        raise ReviewError("the password must not start or end with a space or hold control characters")


def add_user(store: Store, name: str, role: str, password: str, *, by: str) -> User:
    """Add a user. `by`: the admin who adds it (or "bootstrap (...)" for the first admin). The trail
    row binds the role and the SHA-256 of the password hash."""
    check_name(name)
    if role not in ROLES:
        raise ReviewError(f"role {role!r}: use one of {', '.join(ROLES)}")
    check_new_password(password)
    hashed = hash_password(password)
    with store.transaction() as conn:
        if conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            raise Refused(f"a user named {name} already exists")
        row = audit.append(conn, by, "user-added", detail={"user": name, "role": role, "password_sha256": password_digest(hashed)})
        conn.execute("INSERT INTO users (name, role, password, created) VALUES (?, ?, ?, ?)", (name, role, hashed, row["at"]))
    return User(name, role, hashed)


# -- users over time ------------------------------------------------------------------------
def _change(store: Store, admin: User, name: str, action: str, detail: dict, update: tuple[str, tuple]) -> None:
    """One change of a user by an admin: checked, written and recorded in one transaction."""
    if admin.role != "admin" or admin.disabled:
        raise Refused(f"{admin.name} is not an admin: only an admin changes users")
    with store.transaction() as conn:
        if conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone() is None:
            raise Refused(f"there is no user named {name}")
        conn.execute(*update)
        admins = conn.execute("SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0").fetchone()[0]
        if admins == 0:
            raise Refused(f"{name} is the last enabled admin: make another user an admin first")
        audit.append(conn, admin.name, action, detail={"user": name, **detail})


def disable_user(store: Store, admin: User, name: str) -> None:
    """The user can no longer log in (and their sessions on the page end); their name stays taken."""
    _change(store, admin, name, "user-disabled", {}, ("UPDATE users SET disabled = 1 WHERE name = ?", (name,)))


def enable_user(store: Store, admin: User, name: str) -> None:
    _change(store, admin, name, "user-enabled", {}, ("UPDATE users SET disabled = 0 WHERE name = ?", (name,)))


def set_role(store: Store, admin: User, name: str, role: str) -> None:
    if role not in ROLES:
        raise ReviewError(f"role {role!r}: use one of {', '.join(ROLES)}")
    _change(store, admin, name, "user-role", {"role": role}, ("UPDATE users SET role = ? WHERE name = ?", (role, name)))


def reset_password(store: Store, admin: User, name: str, password: str) -> None:
    check_new_password(password)
    hashed = hash_password(password)
    _change(store, admin, name, "password-reset", {"password_sha256": password_digest(hashed)},
            ("UPDATE users SET password = ? WHERE name = ?", (hashed, name)))


def accounts(store: Store) -> Ledger:
    """The users as the trail has them (only the users' rows replayed)."""
    ledger = Ledger()
    marks = ", ".join("?" * len(USER_ACTIONS))
    for values in store.connection().execute(
            f"SELECT {', '.join(audit.COLUMNS)} FROM audit WHERE action IN ({marks}) ORDER BY seq", USER_ACTIONS):
        ledger.apply(dict(zip(audit.COLUMNS, values)))
    return ledger


def disagreement(store: Store, user: User) -> str:
    """How the users table's row of `user` differs from what the trail says of it; "" when it does not."""
    account = accounts(store).users.get(user.name)
    if account is None:
        return "no row of the audit trail adds this user"
    if account.role != user.role:
        return f"the trail granted the role {account.role}, not {user.role}"
    if account.disabled != user.disabled:
        return "the trail " + ("disabled" if account.disabled else "enabled") + " this user"
    if account.password and account.password != password_digest(user.password):
        return "the password hash is not the one the trail recorded"
    return ""


# -- log-in -------------------------------------------------------------------------------
def authenticate(store: Store, name: str, password: str, *, via: str, client: str = "") -> User:
    """The user, when the name is well-formed, the password right, the name not locked and the
    user enabled and as the trail has it; else `Refused` (the first failure of a window audited)."""
    if not is_name(name) or len(password) > 1024:
        raise Refused("wrong user name or password")  # nothing read or written: a flood of long names leaves no trace
    with store.transaction() as conn:
        user = store.user(name)
        attempt = lockout.reserve(conn, name, client, via, known=user is not None)
    if attempt.locked_until is not None:
        raise Locked(f"too many failed log-ins for {name}: try again after {attempt.locked_until:%H:%M} UTC")
    good = _verify(user.password if user else DUMMY_HASH, password) and user is not None
    reason = None if good else "password" if user else "unknown-name"
    refusal = "wrong user name or password"
    if good and user.disabled:
        reason, refusal = "disabled", f"{name} is disabled: an admin enables the user again"
    elif good and (problem := disagreement(store, user)):
        reason, refusal = "not-in-trail", f"the users table does not agree with the audit trail for {name} ({problem}): " \
                                          "an admin runs `factsheets audit verify`"
    with store.transaction() as conn:
        lockout.settle(conn, attempt, reason)
        if reason is None:
            audit.append(conn, name, "login", detail={"via": via, **({"client": client} if client else {})})
    if reason is not None:
        raise Refused(refusal)
    return user
