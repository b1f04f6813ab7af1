"""The state the trail proves: users and their roles, submissions and decisions, replayed from the
hash-chained rows in order, each action checked against the rules as they stood at that row.

The tables `users`, `submissions` and `decisions` are a fast copy of this state (their UNIQUE
constraints settle races), never its source: the page and `publish` read submissions and decisions
from the trail (`replay`), a log-in checks the user's row against it, and `verify` walks the chain
and then names every table row the trail does not account for, and every trail row the tables lost:

- a decision, submission or user that no trail row records (three INSERTs with no trail row);
- a role or an enabled/disabled state other than the trail's last word on that user;
- a password hash other than the one the trail bound (its SHA-256 is in the row that set it; a
  user added before this binding existed, in schema 1, has none: `users reset-password` binds one);
- a trail row that breaks the rules of its time: a user added by someone who was not an admin, a
  decision by someone who was not a checker, or by the maker, on a version never submitted, a
  publication of a version not approved.

What it cannot tell: rows appended by someone who can write the file and computes the hashes as
this code does, naming real users in their real roles. That is what the signed anchor is for
(anchor.py): a trail rewritten or cut back before an anchor no longer holds it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass, field

from . import ROLES, audit
from .store import Decision, Submission

USER_ACTIONS = ("user-added", "user-disabled", "user-enabled", "user-role", "password-reset")
STATE_ACTIONS = (*USER_ACTIONS, "submit", "approve", "reject", "publish")
SUBMITTERS = ("maker", "checker")
DECIDERS = ("checker",)


def password_digest(hashed: str) -> str:
    """What the trail keeps of a password hash: its SHA-256 (the hash itself stays in the users table)."""
    return hashlib.sha256(hashed.encode("utf-8")).hexdigest()


@dataclass
class Account:
    name: str
    role: str
    seq: int  # the row that added the user
    disabled: bool = False
    password: str = ""  # password_digest of the hash the trail bound; "" for a user of schema 1 not reset since


@dataclass
class Ledger:
    users: dict[str, Account] = field(default_factory=dict)
    submissions: dict[tuple[str, str], Submission] = field(default_factory=dict)
    decisions: dict[tuple[str, str, str], Decision] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # trail rows that break the rules of their time

    def active(self, name: str, roles: tuple[str, ...]) -> Account | None:
        account = self.users.get(name)
        return account if account and not account.disabled and account.role in roles else None

    def apply(self, row: dict) -> None:
        action = row["action"]
        if action not in STATE_ACTIONS:
            return
        try:
            detail = json.loads(row["detail"] or "{}")
        except ValueError:
            detail = None
        if not isinstance(detail, dict):
            self.problems.append(f"row {row['seq']}: its detail is not a JSON object")
            return
        if action in USER_ACTIONS:
            self._user(row, action, detail)
        elif action == "submit":
            self._submit(row)
        elif action == "publish":
            self._publish(row)
        else:
            self._decide(row, "approved" if action == "approve" else "rejected", detail)

    def _refuse(self, row: dict, why: str) -> None:
        self.problems.append(f"row {row['seq']}: {row['actor']} {row['action']}"
                             f"{' ' + row['document'] if row['document'] else ''}: {why}")

    def _user(self, row: dict, action: str, detail: dict) -> None:
        name, actor = str(detail.get("user", "")), row["actor"]
        if self.users and not self.active(actor, ("admin",)):
            return self._refuse(row, f"{actor} was not an admin (of the users the trail had added)")
        account = self.users.get(name)
        if action == "user-added":
            if account is not None:
                return self._refuse(row, f"{name} had been added already (row {account.seq})")
            if detail.get("role") not in ROLES:
                return self._refuse(row, f"no such role {detail.get('role')!r}")
            self.users[name] = Account(name, detail["role"], row["seq"], password=str(detail.get("password_sha256", "")))
            return None
        if account is None:
            return self._refuse(row, f"the trail never added a user {name}")
        if action == "user-role":
            if detail.get("role") not in ROLES:
                return self._refuse(row, f"no such role {detail.get('role')!r}")
            account.role = detail["role"]
        elif action == "password-reset":
            account.password = str(detail.get("password_sha256", ""))
        else:
            account.disabled = action == "user-disabled"
        return None

    def _submit(self, row: dict) -> None:
        key = (row["document"], row["sha256"])
        if not self.active(row["actor"], SUBMITTERS):
            return self._refuse(row, f"{row['actor']} was not a maker or a checker")
        if key in self.submissions:
            return self._refuse(row, "this version had been submitted already")
        self.submissions[key] = Submission(row["document"], row["sha256"], row["actor"], row["at"], row["comment"])
        return None

    def _decide(self, row: dict, decision: str, detail: dict) -> None:
        document, sha, actor = row["document"], row["sha256"], row["actor"]
        submission = self.submissions.get((document, sha))
        parts = detail.get("parts")
        if not self.active(actor, DECIDERS):
            return self._refuse(row, f"{actor} was not a checker")
        if submission is None:
            return self._refuse(row, "this version had not been submitted")
        if submission.maker == actor:
            return self._refuse(row, f"{actor} submitted this version")
        if not isinstance(parts, list) or not parts or any(p not in ("document", "data", "commentary") for p in parts):
            return self._refuse(row, f"no parts, or an unknown part, in {parts!r}")
        for part in parts:
            if (document, sha, part) in self.decisions:
                return self._refuse(row, f"the {part} of this version had been decided already")
        for part in parts:
            self.decisions[(document, sha, part)] = Decision(document, sha, part, decision, actor, row["at"], row["comment"])
        return None

    def _publish(self, row: dict) -> None:
        mine = [d for (doc, sha, _), d in self.decisions.items() if (doc, sha) == (row["document"], row["sha256"])]
        if not mine or any(d.decision == "rejected" for d in mine):
            self._refuse(row, "this version had no approval")


def state_rows(conn: sqlite3.Connection):
    """The trail's rows that change the state, in order (no hash checked: `verify` does that)."""
    marks = ", ".join("?" * len(STATE_ACTIONS))
    cursor = conn.execute(f"SELECT {', '.join(audit.COLUMNS)} FROM audit WHERE action IN ({marks}) ORDER BY seq", STATE_ACTIONS)
    for values in cursor:
        yield dict(zip(audit.COLUMNS, values))


def replay(conn: sqlite3.Connection) -> Ledger:
    ledger = Ledger()
    for row in state_rows(conn):
        ledger.apply(row)
    return ledger


@dataclass(frozen=True)
class Verification:
    rows: int
    head: str  # the last row's hash
    broken: audit.Break | None
    problems: tuple[str, ...] = ()  # the tables against the trail, and rows against the rules of their time
    ledger: Ledger | None = None
    unbound: tuple[str, ...] = ()  # users whose password hash the trail does not bind (schema 1)

    @property
    def ok(self) -> bool:
        return self.broken is None and not self.problems


def verify(conn: sqlite3.Connection, anchor: tuple[int, str] | None = None) -> Verification:
    """The chain from row 1 to the head (and `anchor`, if given), then the state it proves against the tables."""
    ledger = Ledger()
    chain = audit.verify(conn, anchor, each=ledger.apply)
    if chain.broken is not None:
        return Verification(chain.rows, chain.head, chain.broken)
    problems = [*ledger.problems, *compare(conn, ledger)]
    unbound = tuple(sorted(name for name, account in ledger.users.items() if not account.password))
    return Verification(chain.rows, chain.head, None, tuple(problems), ledger, unbound)


def compare(conn: sqlite3.Connection, ledger: Ledger) -> list[str]:
    """Every difference between the tables and the state the trail proves, each naming its row."""
    problems = []
    columns = {row[1] for row in conn.execute("PRAGMA table_info(users)")}
    disabled = "disabled" if "disabled" in columns else "0"
    seen = set()
    for name, role, hashed, off in conn.execute(f"SELECT name, role, password, {disabled} FROM users ORDER BY name"):
        seen.add(name)
        account = ledger.users.get(name)
        if account is None:
            problems.append(f"users: {name} ({role}): no row of the trail adds this user")
            continue
        if role != account.role:
            problems.append(f"users: {name}: the table says {role}, the trail granted {account.role}")
        if bool(off) != account.disabled:
            problems.append(f"users: {name}: the table says {'disabled' if off else 'enabled'}, "
                            f"the trail {'disabled' if account.disabled else 'enabled'}")
        if account.password and password_digest(hashed) != account.password:
            problems.append(f"users: {name}: the password hash is not the one the trail recorded")
    problems += [f"users: {name}: added by row {a.seq} of the trail but missing from the table"
                 for name, a in ledger.users.items() if name not in seen]
    problems += _compare_rows(conn, "submissions", "SELECT document, sha256, maker, at, comment FROM submissions",
                              {k: (s.maker, s.comment) for k, s in ledger.submissions.items()},
                              lambda r: ((r[0], r[1]), (r[2], r[4]), f"{r[0]} ({r[1][:12]}) submitted by {r[2]} at {r[3]}"))
    problems += _compare_rows(conn, "decisions", "SELECT document, sha256, part, decision, checker, at, comment FROM decisions",
                              {k: (d.decision, d.checker, d.comment) for k, d in ledger.decisions.items()},
                              lambda r: ((r[0], r[1], r[2]), (r[3], r[4], r[6]),
                                         f"{r[0]} ({r[1][:12]}) {r[2]} {r[3]} by {r[4]} at {r[5]}"))
    return problems


def _compare_rows(conn: sqlite3.Connection, table: str, query: str, expected: dict, split) -> list[str]:
    problems, seen = [], set()
    for values in conn.execute(query + " ORDER BY id"):
        key, content, said = split(values)
        seen.add(key)
        if key not in expected:
            problems.append(f"{table}: {said}: no row of the trail records it")
        elif content != expected[key]:
            problems.append(f"{table}: {said}: the trail records {' / '.join(map(str, expected[key]))}")
    for key in expected:
        if key not in seen:
            problems.append(f"{table}: {' '.join(str(k)[:64] for k in key)}: recorded by the trail but missing from the table")
    return problems
