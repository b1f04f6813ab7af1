"""Batch runs: every fund x variant, in parallel worker processes, incremental and resumable.

Each worker builds one `Renderer` (Jinja environment, parsed CSS, opened fonts) and reuses
it for every document. A document whose inputs are unchanged since the last run (same
fund file, templates, styles, disclosure library, fonts, package version and variant)
is not rendered again. `out/manifest.json` and `manifest.csv` list every document.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import multiprocessing
import os
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from . import __version__, fonts
from .assets import STYLES_DIR, TEMPLATES_DIR
from .errors import FactsheetError
from .pipeline import Outcome, build_file
from .render import Renderer
from .variants import Variant, parse_variant

MANIFEST = "manifest.json"
RECYCLE_AFTER = 40  # fund files per worker before it is replaced: WeasyPrint keeps some 4 MB per distinct font set


def _tree_hash(digest: "hashlib._Hash", folder: Path) -> None:
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")


def assets_hash(template_dirs: Iterable[Path] = (), style_files: Iterable[Path] = ()) -> str:
    """What every document depends on besides its fund file."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent
    for folder in (*template_dirs, TEMPLATES_DIR, STYLES_DIR, package / "disclosures", package / "locale"):
        _tree_hash(digest, folder)
    for path in style_files:
        digest.update(path.read_bytes())
    try:
        digest.update(fonts.fingerprint().encode())
    except FactsheetError:
        digest.update(b"no-fonts")
    return digest.hexdigest()


def input_hash(source: Path, variant: str, assets: str) -> str:
    return hashlib.sha256(assets.encode() + variant.encode() + b"\0" + source.read_bytes()).hexdigest()


@dataclass
class Entry:
    """One line of the manifest."""

    source: str
    variant: str
    status: str  # written, unchanged, skipped, failed
    fund: str = ""
    path: str = ""
    sha256: str = ""
    pages: int = 0
    bytes: int = 0
    statements: list[str] = field(default_factory=list)  # "id@version"
    inputs: str = ""
    error: str = ""


# -- the worker side ------------------------------------------------------------
_renderer: Renderer | None = None


def _init_worker() -> None:
    global _renderer
    _renderer = Renderer()


def _build_one(source: str, variants: list[str], out_dir: str, hashes: dict[str, str]) -> list[Entry]:
    global _renderer
    if _renderer is None:
        _init_worker()
    outcomes = build_file(Path(source), [parse_variant(v) for v in variants], Path(out_dir), _renderer)
    return [_entry(o, hashes[o.variant]) for o in outcomes]


def _entry(outcome: Outcome, inputs: str) -> Entry:
    entry = Entry(str(outcome.source), outcome.variant, outcome.status, error=outcome.message, inputs=inputs)
    if outcome.status == "written" and outcome.path:
        data = outcome.path.read_bytes()
        entry.path, entry.fund = str(outcome.path), outcome.fund
        entry.sha256, entry.bytes, entry.pages = hashlib.sha256(data).hexdigest(), len(data), outcome.pages
        entry.statements = outcome.statements
    return entry


# -- the driver side ------------------------------------------------------------
def read_manifest(out_dir: Path) -> dict[tuple[str, str], Entry]:
    try:
        rows = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        return {(r["source"], r["variant"]): Entry(**r) for r in rows}
    except (OSError, ValueError, TypeError, KeyError):
        return {}


def write_manifest(out_dir: Path, entries: list[Entry]) -> None:
    from .write import write_atomic

    rows = [asdict(e) for e in sorted(entries, key=lambda e: (e.source, e.variant))]
    write_atomic(out_dir / MANIFEST, (json.dumps(rows, indent=1, ensure_ascii=False) + "\n").encode())
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(Entry.__dataclass_fields__))
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "statements": " ".join(row["statements"])})
    write_atomic(out_dir / "manifest.csv", buffer.getvalue().encode())


def _unchanged(previous: Entry | None, inputs: str) -> bool:
    if previous is None or previous.status not in ("written", "unchanged") or previous.inputs != inputs:
        return False
    try:
        return os.path.getsize(previous.path) == previous.bytes
    except OSError:
        return False


@dataclass
class Batch:
    sources: list[Path]
    variants: list[Variant]
    out_dir: Path
    jobs: int = 0
    force: bool = False
    fail_fast: bool = False

    def run(self, on_entry: Callable[[Entry], None] = lambda e: None, on_total: Callable[[int], None] = lambda n: None) -> list[Entry]:
        out_dir = self.out_dir
        out_dir.mkdir(parents=True, exist_ok=True)
        previous = {} if self.force else read_manifest(out_dir)
        assets = assets_hash()
        done: list[Entry] = []
        todo: list[tuple[Path, list[str], dict[str, str]]] = []
        for source in self.sources:
            try:
                hashes = {v.name: input_hash(source, v.name, assets) for v in self.variants}
            except OSError as error:
                done += [Entry(str(source), v.name, "failed", error=f"{source}: cannot read: {error.strerror}") for v in self.variants]
                continue
            stale = []
            for v in self.variants:
                old = previous.get((str(source), v.name))
                if _unchanged(old, hashes[v.name]):
                    done.append(Entry(**{**asdict(old), "status": "unchanged"}))
                else:
                    stale.append(v.name)
            if stale:
                todo.append((source, stale, hashes))
        on_total(len(done) + sum(len(t[1]) for t in todo))
        for entry in done:
            on_entry(entry)
        try:
            self._render(todo, done, on_entry)
        finally:
            # Kept even when interrupted: a second run resumes where this one stopped.
            write_manifest(out_dir, done)
        return done

    def _render(self, todo, done: list[Entry], on_entry) -> None:
        jobs = self.jobs or os.cpu_count() or 1
        if jobs == 1 or len(todo) <= 1:
            for source, variants, hashes in todo:
                for entry in _build_one(str(source), variants, str(self.out_dir), hashes):
                    done.append(entry)
                    on_entry(entry)
                    if self.fail_fast and entry.status == "failed":
                        return
            return
        # forkserver: workers start clean, not as copies of a parent that may hold large caches.
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker, max_tasks_per_child=RECYCLE_AFTER) as pool:
            pending: set[Future] = set()
            queue = iter(todo)

            def submit_next() -> None:
                for source, variants, hashes in queue:
                    pending.add(pool.submit(_build_one, str(source), variants, str(self.out_dir), hashes))
                    return

            for _ in range(jobs * 4):  # a bounded queue: cancelling on Ctrl-C leaves little to undo
                submit_next()
            try:
                while pending:
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in finished:
                        pending.discard(future)
                        for entry in future.result():
                            done.append(entry)
                            on_entry(entry)
                            if self.fail_fast and entry.status == "failed":
                                raise _Stop
                        submit_next()
            except _Stop:
                pass
            finally:
                for future in pending:
                    future.cancel()


class _Stop(Exception):
    pass
