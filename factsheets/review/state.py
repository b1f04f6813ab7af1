"""What the review page's handlers share, in one object passed to each: the output folder and its
manifest, the review store, the sign-off configuration, the templates, the previews and diffs, the
sessions, rate limit and CSRF check (security.py), and the line log-ins wait in. Nothing here knows
about routes."""

from __future__ import annotations

import io
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import ReviewError
from .diff import Previews, VisualDiff
from .documents import Document, read_document, read_documents
from .security import ClientLimiter, Csrf, Sessions
from .store import Store

if TYPE_CHECKING:
    from starlette.templating import Jinja2Templates

DESCRIBED_MAX = 4096  # versions whose description is kept in memory; past it the cache starts again


class Catalogue:
    """The manifest, read again only when it changed on disk. A manifest that cannot be read (gone,
    not JSON) lists no document and says why in `problem`: the page shows it, and answers."""

    def __init__(self, out: Path):
        self.out = out
        self._stamp: tuple | None = None
        self._documents: list[Document] = []
        self.problem = ""
        self._lock = threading.Lock()

    def documents(self) -> list[Document]:
        try:
            stat = (self.out / "manifest.json").stat()
            stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        except OSError:
            stamp = None
        with self._lock:
            if stamp is None or stamp != self._stamp:
                try:
                    self._documents, self.problem = read_documents(self.out), ""
                except ReviewError as error:
                    self._documents, self.problem = [], str(error)
                self._stamp = stamp
            return self._documents

    def by_document(self) -> dict[str, Document]:
        return {d.document: d for d in self.documents() if d.document}


class Versions:
    """Document versions by SHA-256: their bytes, and what is read from them."""

    def __init__(self, out: Path, store: Store, catalogue: Catalogue):
        self.out, self.store, self.catalogue = out, store, catalogue
        self._described: dict[str, dict] = {}
        self._lock = threading.Lock()  # handlers run in threads: the cache is read and emptied under it

    def load(self, sha: str) -> bytes | None:
        """The bytes of a version: the kept copy, else the output folder's file if it is that version."""
        data = self.store.blob(sha)
        if data is not None:
            return data
        for doc in self.catalogue.documents():
            if doc.sha256 == sha and doc.document:
                try:
                    data, current = read_document(self.out, doc.document)
                except ReviewError:
                    continue
                if current == sha:
                    return data
        return None

    def describe(self, sha: str, data: bytes) -> dict:
        """Record, fund data and page count of a version (read once per SHA-256). A version that
        cannot be read is described by its `problem`, not an error."""
        with self._lock:
            known = self._described.get(sha)
        if known is not None:
            return known
        from ..pdf.record import ArchiveError, read_fund_json, read_record

        info: dict = {"record": {}, "fund_json": None, "fund": {}, "pages": 0, "problem": ""}
        try:
            info["record"] = read_record(data)
            info["fund_json"] = read_fund_json(data)
            info["fund"] = json.loads(info["fund_json"])
        except (ArchiveError, ValueError) as error:
            info["problem"] = str(error)
        try:
            import pikepdf

            with pikepdf.open(io.BytesIO(data)) as pdf:
                info["pages"] = len(pdf.pages)
        except Exception as error:  # a damaged file: shown, not a crash
            info["problem"] = info["problem"] or f"not a readable PDF: {error}"
        with self._lock:
            if len(self._described) >= DESCRIBED_MAX:
                self._described.clear()
            self._described[sha] = info
        return info


@dataclass(frozen=True)
class ReviewState:
    """Everything a handler of the review page reads or changes."""

    out: Path  # the output folder, resolved
    store: Store
    required: tuple[str, ...]  # the parts a checker signs off ("document", or "data" and "commentary")
    secure_cookies: bool  # mark cookies Secure (the page is served over https)
    templates: Jinja2Templates
    catalogue: Catalogue
    versions: Versions
    previews: Previews
    visual: VisualDiff
    sessions: Sessions
    limiter: ClientLimiter
    csrf: Csrf
    logins: LoginQueue

    @classmethod
    def create(cls, out: Path, store: Store, templates: Jinja2Templates, *, required: tuple[str, ...], secure_cookies: bool,
               idle_seconds: float, max_seconds: float, clock, client_failures: int) -> ReviewState:
        catalogue = Catalogue(out)
        versions = Versions(out, store, catalogue)
        previews = Previews(store.cache, versions.load)
        return cls(out=out, store=store, required=required, secure_cookies=secure_cookies, templates=templates,
                   catalogue=catalogue, versions=versions, previews=previews, visual=VisualDiff(previews),
                   sessions=Sessions(idle_seconds, max_seconds, clock), limiter=ClientLimiter(client_failures, clock=clock),
                   csrf=Csrf(clock), logins=LoginQueue())


class Busy(Exception):
    """Too many log-ins already in line."""


class LoginQueue:
    """Log-ins run their argon2 check on threads of their own, `auth.ARGON2_AT_ONCE` at a time, not on
    the shared pool that serves the pages: a flood of log-ins waits in line (in the executor's queue,
    holding no thread) and the pages keep answering. Past `WAITING` log-ins in line, more are turned
    away at once (`Busy`)."""

    WAITING = 32

    def __init__(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        from .auth import ARGON2_AT_ONCE

        self._executor = ThreadPoolExecutor(max_workers=ARGON2_AT_ONCE, thread_name_prefix="review-login")
        self._count = 0
        self._lock = threading.Lock()

    async def run(self, function, *args, **kwargs):
        """`function(*args, **kwargs)` on a log-in thread, once its turn comes."""
        import asyncio
        import functools

        with self._lock:
            if self._count >= self.WAITING:
                raise Busy
            self._count += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, functools.partial(function, *args, **kwargs))
        finally:
            with self._lock:
                self._count -= 1
