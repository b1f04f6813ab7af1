"""The review database: one SQLite file in WAL mode (users, submissions, decisions, the audit
trail), and beside it, in `<name>.store/`, the bytes of every submitted document under its
SHA-256 (so the last approved version can be shown and compared after a rebuild overwrote it),
with the page previews cached by the same hash.

One decision per document version and sign-off part is a UNIQUE constraint: two checkers who
approve the same document at once leave one decision, and the other is told who was first.
Every action and its audit row are written in one transaction (BEGIN IMMEDIATE).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import ReviewError, audit

DEFAULT_DB = Path(".factsheets") / "review.db"
SHA256_HEX = frozenset("0123456789abcdef")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', '1');
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('maker', 'checker', 'admin')),
    password TEXT NOT NULL,             -- an argon2id hash, never the password
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    document TEXT NOT NULL,             -- the path relative to the output folder
    sha256 TEXT NOT NULL,
    maker TEXT NOT NULL REFERENCES users(name),
    at TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    UNIQUE (document, sha256)
);
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY,
    document TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    part TEXT NOT NULL CHECK (part IN ('document', 'data', 'commentary')),
    decision TEXT NOT NULL CHECK (decision IN ('approved', 'rejected')),
    checker TEXT NOT NULL REFERENCES users(name),
    at TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    UNIQUE (document, sha256, part)     -- one decision per version and part, whoever comes second
);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    document TEXT NOT NULL DEFAULT '',
    sha256 TEXT NOT NULL DEFAULT '',
    comment TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}',
    prev TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_failures ON audit (action, actor, at);
CREATE INDEX IF NOT EXISTS decisions_document ON decisions (document, at);
-- Append-only for the application; verification still catches an edit made around these.
CREATE TRIGGER IF NOT EXISTS audit_append_only_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_append_only_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
"""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    password: str  # the hash


@dataclass(frozen=True)
class Submission:
    document: str
    sha256: str
    maker: str
    at: str
    comment: str


@dataclass(frozen=True)
class Decision:
    document: str
    sha256: str
    part: str
    decision: str
    checker: str
    at: str
    comment: str


def is_sha256(value: str) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= SHA256_HEX


def default_db_path(start: Path | None = None) -> Path:
    """`.factsheets/review.db` in the project (the folder holding factsheets.toml), else in the current folder."""
    from ..config.load import CONFIG_NAME

    start = (start or Path.cwd()).resolve()
    for folder in [start, *start.parents]:
        if (folder / CONFIG_NAME).is_file():
            return folder / DEFAULT_DB
    return start / DEFAULT_DB


class Store:
    """The database and the document store. Safe to share between threads: each thread has its
    own connection."""

    def __init__(self, path: Path, *, create: bool = True):
        self.path = Path(path)
        if not self.path.exists() and not create:
            raise ReviewError(f"{self.path}: no such review database")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ReviewError(f"{self.path.parent}: cannot create the folder: {error.strerror or error}") from None
        if not self.path.exists():  # password hashes live here: readable by its owner only (SQLite gives -wal and -shm the same mode)
            try:
                os.close(os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            except FileExistsError:
                pass
            except OSError as error:
                raise ReviewError(f"{self.path}: cannot create the review database: {error.strerror or error}") from None
        self.blobs = self.path.with_suffix(".store")
        self._local = threading.local()
        conn = self.connection()
        try:
            try:
                ready = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() is not None
            except sqlite3.OperationalError:  # no meta table: a new database
                ready = False
            if not ready:  # create once; opening an existing database writes nothing
                conn.executescript(SCHEMA)
        except sqlite3.DatabaseError as error:
            raise ReviewError(f"{self.path}: not a review database ({error})") from None

    # -- connections and transactions -------------------------------------------------
    def connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(self.path, isolation_level=None, timeout=30, check_same_thread=True)
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA foreign_keys = ON")
                conn.execute("PRAGMA synchronous = FULL")  # an approval on record survives a power cut
            except sqlite3.DatabaseError as error:
                raise ReviewError(f"{self.path}: cannot open the review database ({error})") from None
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    @contextmanager
    def transaction(self):
        """A write transaction: taken at once (BEGIN IMMEDIATE), so concurrent writers queue."""
        conn = self.connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def log(self, actor: str, action: str, **fields) -> dict:
        """An audit row on its own (a failed log-in, a log-out)."""
        with self.transaction() as conn:
            return audit.append(conn, actor, action, **fields)

    def verify(self, anchor: tuple[int, str] | None = None) -> audit.Verification:
        return audit.verify(self.connection(), anchor)

    # -- users ------------------------------------------------------------------------
    def user(self, name: str) -> User | None:
        row = self.connection().execute("SELECT name, role, password FROM users WHERE name = ?", (name,)).fetchone()
        return User(*row) if row else None

    def users(self) -> list[tuple[str, str, str]]:
        return self.connection().execute("SELECT name, role, created FROM users ORDER BY name").fetchall()

    def has_admin(self) -> bool:
        return self.connection().execute("SELECT 1 FROM users WHERE role = 'admin' LIMIT 1").fetchone() is not None

    def count_failures(self, name: str, since: str) -> tuple[int, str | None]:
        """Failed log-ins (wrong password) for `name` since a time; and the first of them."""
        row = self.connection().execute(
            "SELECT count(*), min(at) FROM audit WHERE action = 'login-failed' AND actor = ? AND at >= ? "
            "AND json_extract(detail, '$.reason') = 'password'", (name, since)).fetchone()
        return row[0], row[1]

    # -- submissions and decisions ------------------------------------------------------
    def submission(self, document: str, sha256: str) -> Submission | None:
        row = self.connection().execute(
            "SELECT document, sha256, maker, at, comment FROM submissions WHERE document = ? AND sha256 = ?",
            (document, sha256)).fetchone()
        return Submission(*row) if row else None

    def submissions_of(self, document: str) -> list[Submission]:
        rows = self.connection().execute(
            "SELECT document, sha256, maker, at, comment FROM submissions WHERE document = ? ORDER BY at", (document,))
        return [Submission(*r) for r in rows]

    def decisions_of(self, document: str, sha256: str | None = None) -> list[Decision]:
        query = "SELECT document, sha256, part, decision, checker, at, comment FROM decisions WHERE document = ?"
        args: tuple = (document,)
        if sha256:
            query, args = query + " AND sha256 = ?", (document, sha256)
        return [Decision(*r) for r in self.connection().execute(query + " ORDER BY at, id", args)]

    def all_submissions(self) -> list[Submission]:
        return [Submission(*r) for r in self.connection().execute(
            "SELECT document, sha256, maker, at, comment FROM submissions ORDER BY at")]

    def all_decisions(self) -> list[Decision]:
        return [Decision(*r) for r in self.connection().execute(
            "SELECT document, sha256, part, decision, checker, at, comment FROM decisions ORDER BY at, id")]

    # -- document bytes -----------------------------------------------------------------
    def blob_path(self, sha256: str) -> Path:
        if not is_sha256(sha256):
            raise ReviewError(f"{sha256!r} is not a SHA-256")
        return self.blobs / "documents" / sha256[:2] / f"{sha256}.pdf"

    def put_blob(self, data: bytes) -> str:
        from ..files import write_atomic

        sha = hashlib.sha256(data).hexdigest()
        path = self.blob_path(sha)
        if not path.is_file() or path.stat().st_size != len(data):
            try:
                write_atomic(path, data)
            except OSError as error:
                raise ReviewError(f"{path}: cannot keep a copy of the document: {error.strerror or error}") from None
        return sha

    def blob(self, sha256: str) -> bytes | None:
        """The stored bytes of a document version, checked against their hash."""
        try:
            data = self.blob_path(sha256).read_bytes()
        except (OSError, ReviewError):
            return None
        return data if hashlib.sha256(data).hexdigest() == sha256 else None

    @property
    def cache(self) -> Path:
        return self.blobs / "cache"


def open_store(path: Path, *, create: bool = True) -> Store:
    try:
        return Store(path, create=create)
    except sqlite3.Error as error:
        raise ReviewError(f"{path}: {error}") from None
