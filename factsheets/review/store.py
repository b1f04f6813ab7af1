"""The review database: one SQLite file in WAL mode (users, submissions, decisions, the audit
trail, the log-in failures of the current window), and beside it, in `<name>.store/`, the bytes of
every submitted document under its SHA-256 (so the last approved version can be shown and compared
after a rebuild overwrote it), with the page previews cached by the same hash.

One decision per document version and sign-off part is a UNIQUE constraint: two checkers who
approve the same document at once leave one decision, and the other is told who was first.
Every action and its audit row are written in one transaction (BEGIN IMMEDIATE).

The users, submissions and decisions tables are what the trail says (`ledger.py`): its `verify`
replays the trail and names every row of them that no trail row accounts for.

A database is opened in one of three ways: `create` (only `users add` of the first admin: a path
that does not exist yet becomes a new database), to write (it must exist and be a review
database; one of schema 1 is brought to schema 2 by its first write), or `read_only` (`mode=ro`;
on read-only media, where SQLite cannot make the WAL's shared-memory file, `immutable=1`), so an
archived copy can be checked. A missing, empty or foreign file is an error naming the path.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from . import ReviewError, audit

DEFAULT_DB = Path(".factsheets") / "review.db"
SHA256_HEX = frozenset("0123456789abcdef")
SCHEMA_VERSION = 2

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', '2');
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('maker', 'checker', 'admin')),
    password TEXT NOT NULL,             -- an argon2id hash, never the password
    created TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
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

# Schema 2: users can be disabled; failed log-ins are counted per window (lockout.py), not one trail row each.
LOGIN_FAILURES = (
    """CREATE TABLE IF NOT EXISTS login_failures (
    name TEXT NOT NULL,                 -- the name tried (a well-formed user name: bounded)
    client TEXT NOT NULL,               -- the client's address, '' from the command line, '*' for refusals
    period TEXT NOT NULL,               -- the start of its window (lockout.WINDOW, on the clock)
    bucket TEXT NOT NULL,               -- the name, or '' for a name that is nobody's
    last TEXT NOT NULL,
    via TEXT NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,  -- wrong passwords, and attempts whose password is being checked
    refused INTEGER NOT NULL DEFAULT 0,   -- attempts refused unchecked while the name was locked
    logged INTEGER NOT NULL DEFAULT 0,    -- 1 on the row whose failure is the window's trail row
    lock_logged INTEGER NOT NULL DEFAULT 0,
    closed INTEGER NOT NULL DEFAULT 0,    -- 1 once the window is summarised in the trail
    PRIMARY KEY (name, client, period)
)""",
    "CREATE INDEX IF NOT EXISTS login_failures_period ON login_failures (period, bucket)",
)
SCHEMA_2 = "".join(f"{statement};\n" for statement in LOGIN_FAILURES)
MIGRATE_1_TO_2 = (
    "ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))",
    *LOGIN_FAILURES,
    "UPDATE meta SET value = '2' WHERE key = 'schema'",
)


@dataclass(frozen=True)
class User:
    name: str
    role: str
    password: str  # the hash
    disabled: bool = False


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


def connect(path: Path) -> sqlite3.Connection:
    """A connection that writes: WAL, foreign keys, and every commit synced."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=True)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")  # an approval on record survives a power cut
    return conn


def connect_read_only(path: Path, uri: str) -> sqlite3.Connection:
    """`mode=ro`; on read-only media, where SQLite cannot make the WAL's -shm file, `immutable=1`,
    unless a -wal file holds changes not yet in the database (immutable would not read them)."""
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=30, check_same_thread=True)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError as error:
        conn.close()
        if "unable to open" not in str(error):
            raise
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise ReviewError(f"{path}: cannot be read where it is: {wal.name} holds changes not yet in the "
                          "database and the folder cannot be written; copy both files to a writable folder")
    return sqlite3.connect(uri + "&immutable=1", uri=True, isolation_level=None, check_same_thread=True)


class DocumentBytes:
    """The bytes of every submitted document, under its SHA-256, in `<database>.store/documents/`,
    and the page previews' cache beside them."""

    blobs: Path

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


class Store(DocumentBytes):
    """The database and the document store. Safe to share between threads: each thread has its
    own connection. `create`: a path that does not exist becomes a new database (else it is an
    error); `read_only`: nothing is written, not even the schema's upgrade."""

    def __init__(self, path: Path, *, create: bool = False, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
        self.blobs = self.path.with_suffix(".store")
        self._local = threading.local()
        self._uri = f"file:{quote(str(self.path.absolute()))}?mode=ro" if read_only else ""
        self._disabled_column: bool | None = None  # schema 2 has users.disabled; a schema 1 copy read-only has not
        new = not self.path.exists()
        if new and (read_only or not create):
            raise ReviewError(f"{self.path}: no such review database (`factsheets users add NAME --role admin` "
                              "makes one, with its first admin)")
        if new:
            self._create_file()
        elif self.path.is_dir():
            raise ReviewError(f"{self.path}: a folder, not a review database")
        elif self.path.stat().st_size == 0:
            raise ReviewError(f"{self.path}: an empty file (0 bytes), not a review database")
        try:
            self._open(new)
        except sqlite3.DatabaseError as error:
            self.close()
            raise ReviewError(f"{self.path}: not a review database ({error})") from None

    def _create_file(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ReviewError(f"{self.path.parent}: cannot create the folder: {error.strerror or error}") from None
        try:  # password hashes live here: readable by its owner only (SQLite gives -wal and -shm the same mode)
            os.close(os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            pass
        except OSError as error:
            raise ReviewError(f"{self.path}: cannot create the review database: {error.strerror or error}") from None

    def _open(self, new: bool) -> None:
        conn = self.connection()
        if new:
            conn.executescript(SCHEMA + SCHEMA_2)
            return
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        except sqlite3.OperationalError:  # no meta table: some other SQLite database
            row = None
        if row is None:
            raise ReviewError(f"{self.path}: not a review database (it has none of the review's tables)")
        version = int(row[0]) if str(row[0]).isdigit() else 0
        if version > SCHEMA_VERSION or version < 1:
            raise ReviewError(f"{self.path}: a review database of schema {row[0]}, which this version does not know "
                              f"(it knows 1 to {SCHEMA_VERSION})")
        if version < SCHEMA_VERSION and not self.read_only:
            self._migrate()

    def _migrate(self) -> None:
        """Schema 1 to 2, once, in one transaction: the users' `disabled` column and the failure counts."""
        with self.transaction() as conn:
            if conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0] == "1":
                for statement in MIGRATE_1_TO_2:
                    conn.execute(statement)

    # -- connections and transactions -------------------------------------------------
    def connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = connect_read_only(self.path, self._uri) if self.read_only else connect(self.path)
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
        if self.read_only:
            raise ReviewError(f"{self.path}: opened read-only")
        conn = self.connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def log(self, actor: str, action: str, **fields) -> dict:
        """An audit row on its own (a log-out)."""
        with self.transaction() as conn:
            return audit.append(conn, actor, action, **fields)

    # -- users ------------------------------------------------------------------------
    def _has_disabled(self) -> bool:
        if self._disabled_column is None:
            columns = {row[1] for row in self.connection().execute("PRAGMA table_info(users)")}
            self._disabled_column = "disabled" in columns
        return self._disabled_column

    def user(self, name: str) -> User | None:
        disabled = "disabled" if self._has_disabled() else "0"
        row = self.connection().execute(f"SELECT name, role, password, {disabled} FROM users WHERE name = ?", (name,)).fetchone()
        return User(row[0], row[1], row[2], bool(row[3])) if row else None

    def users(self) -> list[tuple[str, str, str, bool]]:
        """(name, role, created, disabled) of every user, by name."""
        disabled = "disabled" if self._has_disabled() else "0"
        return [(n, r, c, bool(d)) for n, r, c, d in self.connection().execute(
            f"SELECT name, role, created, {disabled} FROM users ORDER BY name")]

    def has_admin(self) -> bool:
        return self.connection().execute("SELECT 1 FROM users WHERE role = 'admin' LIMIT 1").fetchone() is not None

    # -- submissions and decisions ------------------------------------------------------
    def submission(self, document: str, sha256: str) -> Submission | None:
        row = self.connection().execute(
            "SELECT document, sha256, maker, at, comment FROM submissions WHERE document = ? AND sha256 = ?",
            (document, sha256)).fetchone()
        return Submission(*row) if row else None

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


def open_store(path: Path, *, create: bool = False, read_only: bool = False) -> Store:
    try:
        return Store(path, create=create, read_only=read_only)
    except sqlite3.Error as error:
        raise ReviewError(f"{path}: {error}") from None
