"""Failed log-ins: counted, checked and summarised so that guesses in parallel cannot pass the
lock-out and a flood cannot grow the trail.

- Time is cut into windows of `WINDOW` (15 minutes, on the clock). A name with `MAX_FAILURES`
  wrong passwords in its current and previous window is locked: its attempts are refused without
  checking the password, until the failures fall out of those two windows.
- Before a password is checked, the attempt is counted as a failure in the same write transaction
  (BEGIN IMMEDIATE) that reads the name's count (`reserve`): of 20 guesses at once, exactly
  `MAX_FAILURES` are checked and the rest are refused as locked. A right password takes its
  count back (`settle`).
- The counts live in `login_failures` (name, client address, window), outside the chain, and are
  deleted after two windows. The trail gets at most three rows per user name and window, whatever
  the number of attempts or addresses: the first failure, the first refusal while locked, and once
  the window has ended a summary with the counts and the first ten addresses (when there were more
  attempts than those rows show). Names that are nobody's count as one name, their summary listing
  the first ten tried: a new name at each attempt, or a new loopback address (127.0.0.0/8 has
  sixteen million), adds no trail row either.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import audit

MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=15)
KEPT = 10  # addresses, and names that are nobody's, listed in a summary row
STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"
ANYONE = ""  # the bucket of names that are nobody's
REFUSED = "*"  # the client of a refusal's count: refusals are counted per name, not per address


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime(STAMP)


def _window(moment: dt.datetime) -> dt.datetime:
    seconds = WINDOW.total_seconds()
    return dt.datetime.fromtimestamp(moment.timestamp() // seconds * seconds, dt.timezone.utc)


@dataclass(frozen=True)
class Attempt:
    """A log-in counted as a failure until `settle` says how it went."""

    name: str
    client: str
    via: str
    bucket: str  # the name, or ANYONE for a name that is nobody's
    window: str
    locked_until: dt.datetime | None = None  # set when the name was locked: the password is not checked


def reserve(conn, name: str, client: str, via: str, known: bool, now: dt.datetime | None = None) -> Attempt:
    """Count an attempt for `name` (inside a write transaction). When the name already has
    MAX_FAILURES failures in this window and the previous one, the attempt is counted as refused
    and comes back with `locked_until`; the name's first refusal of the window is a trail row."""
    assert conn.in_transaction, "the count and the check are one transaction"
    now = now or dt.datetime.now(dt.timezone.utc)
    current = _window(now)
    window, previous = _stamp(current), _stamp(current - WINDOW)
    sweep(conn, current)
    bucket = name if known else ANYONE
    recent, latest = conn.execute(
        "SELECT coalesce(sum(failures), 0), coalesce(sum(CASE WHEN period = ? THEN failures END), 0) "
        "FROM login_failures WHERE name = ? AND period >= ?", (window, name, previous)).fetchone()
    locked = recent >= MAX_FAILURES
    key = (name, REFUSED if locked else client, window)
    conn.execute("INSERT INTO login_failures (name, client, period, bucket, last, via) VALUES (?, ?, ?, ?, ?, ?) "
                 "ON CONFLICT (name, client, period) DO UPDATE SET last = excluded.last", (*key, bucket, _stamp(now), via))
    if not locked:
        conn.execute("UPDATE login_failures SET failures = failures + 1 WHERE name = ? AND client = ? AND period = ?", key)
        return Attempt(name, client, via, bucket, window)
    conn.execute("UPDATE login_failures SET refused = refused + 1 WHERE name = ? AND client = ? AND period = ?", key)
    if not _written(conn, bucket, window, "lock_logged"):
        audit.append(conn, name, "login-failed", detail=_detail(via, client, "locked"))
        conn.execute("UPDATE login_failures SET lock_logged = 1 WHERE name = ? AND client = ? AND period = ?", key)
    until = current + (2 * WINDOW if latest >= MAX_FAILURES else WINDOW)
    return Attempt(name, client, via, bucket, window, until)


def settle(conn, attempt: Attempt, reason: str | None) -> None:
    """After the password check (inside a write transaction): `reason` None for a log-in that
    succeeded (its count is taken back), else why it failed ("password", "unknown-name",
    "disabled", ...); the name's first failure of the window is a trail row."""
    key = (attempt.name, attempt.client, attempt.window)
    if reason is None:
        conn.execute("UPDATE login_failures SET failures = failures - 1 WHERE name = ? AND client = ? AND period = ?", key)
        conn.execute("DELETE FROM login_failures WHERE name = ? AND client = ? AND period = ? "
                     "AND failures <= 0 AND refused = 0 AND logged = 0 AND lock_logged = 0", key)
        return
    if not _written(conn, attempt.bucket, attempt.window, "logged"):
        audit.append(conn, attempt.name, "login-failed", detail=_detail(attempt.via, attempt.client, reason))
        conn.execute("UPDATE login_failures SET logged = 1 WHERE name = ? AND client = ? AND period = ?", key)


def _written(conn, bucket: str, window: str, column: str) -> bool:
    return conn.execute(f"SELECT 1 FROM login_failures WHERE bucket = ? AND period = ? AND {column} = 1 LIMIT 1",
                        (bucket, window)).fetchone() is not None


def sweep(conn, current: dt.datetime) -> None:
    """Summarise each name's windows that ended before `current` (one trail row per name, or for
    names that are nobody's, per window, when it saw more attempts than its trail rows show), and
    forget the counts older than the previous window."""
    window = _stamp(current)
    ended = conn.execute("SELECT bucket, period, name, client, failures, refused, logged, lock_logged, last, via "
                         "FROM login_failures WHERE period < ? AND closed = 0 ORDER BY period, last", (window,)).fetchall()
    groups: dict[tuple[str, str], dict] = {}
    for bucket, start, name, client, failures, refused, logged, lock_logged, last, via in ended:
        group = groups.setdefault((bucket, start), {"failures": 0, "refused": 0, "written": 0, "clients": [], "names": [],
                                                    "last": last, "via": via, "actor": name})
        group["failures"] += failures
        group["refused"] += refused
        group["written"] += logged + lock_logged
        group["last"] = max(group["last"], last)
        if client != REFUSED and client not in group["clients"] and len(group["clients"]) < KEPT:
            group["clients"].append(client)
        if not bucket and name not in group["names"] and len(group["names"]) < KEPT:
            group["names"].append(name)
    for (bucket, start), group in groups.items():
        if group["failures"] + group["refused"] > group["written"]:
            detail = {"via": group["via"], "reason": "summary", "window": start, "last": group["last"],
                      "failures": group["failures"], "refused": group["refused"], "clients": group["clients"]}
            if not bucket:
                detail["names"] = group["names"]
            audit.append(conn, bucket or group["actor"], "login-failed", detail=detail)
    if ended:
        conn.execute("UPDATE login_failures SET closed = 1 WHERE period < ?", (window,))
    conn.execute("DELETE FROM login_failures WHERE period < ?", (_stamp(current - WINDOW),))


def _detail(via: str, client: str, reason: str) -> dict:
    return {"via": via, **({"client": client} if client else {}), "reason": reason}
