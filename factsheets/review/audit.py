"""The audit trail: every action, appended, each row chained to the one before by a hash.

A row's hash is the SHA-256 of the previous row's hash, a newline and a canonical JSON of the
row's own fields (sorted keys, no spaces, UTF-8). Rows are numbered from 1 with no gap, and the
number of the last row is kept beside the trail, so an edited row breaks its hash (or, when the
hash was recomputed, the next row's link), a deleted row leaves a gap, and rows deleted from the
end leave the trail shorter than recorded. `verify` names the first row that does not hold.

The chain proves the trail was not edited after the fact only as far as its head is known
elsewhere: each publication manifest records the head (row number and hash) at publication,
signed with the house's key (anchor.py), and `verify(..., anchor=...)` checks the trail still
holds that row. What the rows say the users, submissions and decisions are is ledger.py's.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import sqlite3
from dataclasses import dataclass

GENESIS = "0" * 64
FIELDS = ("seq", "at", "actor", "action", "document", "sha256", "comment", "detail")
COLUMNS = (*FIELDS, "prev", "hash")

ACTIONS = ("user-added", "user-disabled", "user-enabled", "user-role", "password-reset",
           "login", "logout", "login-failed", "submit", "approve", "reject", "publish")


def now() -> str:
    """UTC, to the microsecond, ISO 8601 with a Z."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(row: dict) -> str:
    return json.dumps({k: row[k] for k in FIELDS}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def row_hash(row: dict, prev: str) -> str:
    return hashlib.sha256((prev + "\n" + canonical(row)).encode("utf-8")).hexdigest()


def append(conn: sqlite3.Connection, actor: str, action: str, *, document: str = "", sha256: str = "",
           comment: str = "", detail: dict | None = None) -> dict:
    """Append one row; call inside a write transaction (BEGIN IMMEDIATE), which serialises appends."""
    assert conn.in_transaction, "audit rows are appended inside the action's transaction"
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    last = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    row = {"seq": seq, "at": now(), "actor": actor, "action": action, "document": document, "sha256": sha256,
           "comment": comment, "detail": json.dumps(detail or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)}
    row["prev"], row["hash"] = prev, row_hash(row, prev)
    conn.execute(f"INSERT INTO audit ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                 [row[c] for c in COLUMNS])
    conn.execute("INSERT INTO meta(key, value) VALUES ('audit_head', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                 (f"{seq} {row['hash']}",))
    return row


@dataclass(frozen=True)
class Break:
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"row {self.seq}: {self.reason}"


@dataclass(frozen=True)
class Verification:
    rows: int
    head: str  # the last row's hash
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def rows(conn: sqlite3.Connection):
    cursor = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM audit ORDER BY seq")
    for values in cursor:
        yield dict(zip(COLUMNS, values))


def verify(conn: sqlite3.Connection, anchor: tuple[int, str] | None = None, each=None) -> Verification:
    """Walk the chain from row 1; the first row that does not hold, if any. `anchor`: a (row, hash)
    recorded elsewhere (a publication manifest, an anchor) that the trail must still contain;
    `each`: called with every row that holds, in order (the ledger's replay)."""
    expected, prev, anchored = 1, GENESIS, False
    for row in rows(conn):
        seq = row["seq"]
        if seq != expected:
            missing = f"row {expected}" if seq == expected + 1 else f"rows {expected} to {seq - 1}"
            return Verification(expected - 1, prev, Break(expected, f"missing: {missing} deleted (the trail goes from row {expected - 1} to row {seq})"))
        if row["prev"] != prev:
            return Verification(expected - 1, prev, Break(seq, f"does not follow row {seq - 1}: its link is {row['prev'][:12]}…, "
                                                             f"row {seq - 1}'s hash is {prev[:12]}… (row {seq - 1} or this row was edited)"))
        if row_hash(row, prev) != row["hash"]:
            return Verification(expected - 1, prev, Break(seq, "edited: its contents no longer match its hash"))
        if anchor and seq == anchor[0]:
            if row["hash"] != anchor[1]:
                return Verification(expected - 1, prev, Break(seq, f"differs from the row recorded at publication (hash {anchor[1][:12]}…): "
                                                                 "the trail was rewritten"))
            anchored = True
        if each is not None:
            each(row)
        prev, expected = row["hash"], expected + 1
    count = expected - 1
    head = conn.execute("SELECT value FROM meta WHERE key = 'audit_head'").fetchone()
    if head:
        recorded = int(head[0].split()[0])
        if recorded > count:
            missing = f"row {recorded}" if recorded == count + 1 else f"rows {count + 1} to {recorded}"
            return Verification(count, prev, Break(count + 1, f"missing: {missing} deleted from the end (the trail recorded {recorded} rows)"))
    if anchor and not anchored:
        return Verification(count, prev, Break(anchor[0], "missing: the row recorded at publication is no longer in the trail"))
    return Verification(count, prev, None)


def export(conn: sqlite3.Connection, fmt: str) -> str:
    """Every row, as JSON (the values as stored) or CSV (a cell a spreadsheet would take for a
    formula prefixed with `'`: text.csv_cell)."""
    from .text import csv_cell

    found = list(rows(conn))
    if fmt == "json":
        for row in found:
            row["detail"] = json.loads(row["detail"] or "{}")
        return json.dumps(found, ensure_ascii=False, indent=1) + "\n"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: csv_cell(v) for k, v in row.items()} for row in found)
    return buffer.getvalue()
