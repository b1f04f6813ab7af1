"""Batch runs: every fund x variant, in parallel worker processes, incremental and resumable.

Each worker builds one `Renderer` (Jinja environment, parsed CSS, opened fonts) and reuses
it for every document. A document whose inputs hash (`inputs`: its fund file and variant, the
package's code and data, the judge's check version, templates, styles, brand, fonts, and every
file it was made from, such as images the styles refer to) is the one the manifest records, and
whose file is the one the manifest describes, is not rendered again; any other is rendered and
judged again. `out/manifest.json` and `manifest.csv` list every document.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import multiprocessing
import os
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from jinja2 import TemplateError

from .errors import FactsheetError
from .inputs import current, inputs_hash
from .load import data_from_bytes, read_bytes
from .pipeline import Outcome, build_file, render_fund, write_outcome
from .render import Renderer
from .validate import validate_data
from .variants import Variant, parse_variant

MANIFEST = "manifest.json"
RECYCLE_AFTER = 100  # fund files per worker before it is replaced; memory grew 20 MB per 100 documents here


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
    inputs: str = ""  # `inputs.inputs_hash`
    error: str = ""
    assets: dict[str, str] = field(default_factory=dict)  # the files it was made from: path -> SHA-256


# -- the worker side ------------------------------------------------------------
_local = threading.local()  # one Renderer per worker thread: WeasyPrint is not thread-safe


def _worker_renderer(options: dict) -> Renderer:
    """The worker's Renderer, built once for a set of options (templates, styles, brand) and reused."""
    key = repr(sorted(options.items()))
    if getattr(_local, "key", None) != key:
        _local.renderer, _local.key = Renderer(**options), key
    return _local.renderer


def _init_worker(options: dict) -> None:
    try:
        _worker_renderer(options)
    except Exception:  # an initializer that raises breaks the whole pool; the first task reports it instead
        pass


def _build_one(source: str, variants: list[str], out_dir: str, options: dict) -> list[Entry]:
    outcomes = build_file(Path(source), [parse_variant(v) for v in variants], Path(out_dir), _worker_renderer(options))
    return [_entry(o) for o in outcomes]


def _entry(outcome: Outcome) -> Entry:
    entry = Entry(str(outcome.source), outcome.variant, outcome.status, error=outcome.message, inputs=outcome.inputs)
    if outcome.status == "written" and outcome.path:
        data = outcome.path.read_bytes()
        entry.path, entry.fund = str(outcome.path), outcome.fund
        entry.sha256, entry.bytes, entry.pages = hashlib.sha256(data).hexdigest(), len(data), outcome.pages
        entry.statements, entry.assets = outcome.statements, outcome.assets
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
        writer.writerow({**row, "statements": " ".join(row["statements"]), "assets": json.dumps(row["assets"], sort_keys=True)})
    write_atomic(out_dir / "manifest.csv", buffer.getvalue().encode())


def remove_partials(out_dir: Path) -> None:
    """Temporary files of a worker that was killed mid-write (write.py names them .NAME.*.part)."""
    for path in out_dir.glob(".*.part"):
        path.unlink(missing_ok=True)


def _unchanged(previous: Entry, inputs: str) -> bool:
    if previous.status not in ("written", "unchanged") or previous.inputs != inputs:
        return False
    try:  # the file on disk must be the one the manifest describes, not one edited or replaced since
        with open(previous.path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest() == previous.sha256
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
    executor: str = "local"  # or "dask"
    renderer_options: dict = field(default_factory=dict)  # Renderer(**options) in every worker
    scheduler: str | None = None  # a Dask scheduler address; none starts a LocalCluster

    def run(self, on_entry: Callable[[Entry], None] = lambda e: None, on_total: Callable[[int], None] = lambda n: None) -> list[Entry]:
        out_dir = self.out_dir
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise FactsheetError(f"{out_dir}: cannot create the output folder: {error.strerror or error}") from None
        try:  # bad templates or styles fail here, once, not in every worker
            setup = Renderer(**self.renderer_options).setup
        except (OSError, TemplateError) as error:
            raise FactsheetError(f"cannot use the templates and styles: {error}") from None
        previous = {} if self.force else read_manifest(out_dir)
        digests: dict[str, str] = {}  # the files documents were made from, hashed once per run
        done: list[Entry] = []
        todo: list[Task] = []
        for source in self.sources:
            try:
                raw = read_bytes(source)  # bounded, regular files only: never a FIFO or /dev/zero
            except FactsheetError as error:
                done += [Entry(str(source), v.name, "failed", error=str(error)) for v in self.variants]
                continue
            stale = []
            for v in self.variants:
                old = previous.get((str(source), v.name))
                if old is not None and _unchanged(old, inputs_hash(raw, v.name, setup, current(old.assets, digests))):
                    done.append(Entry(**{**asdict(old), "status": "unchanged"}))
                else:
                    stale.append(v.name)
            if stale:
                todo.append((source, stale))
        on_total(len(done) + sum(len(t[1]) for t in todo))
        for entry in done:
            on_entry(entry)
        try:
            self._render(todo, done, on_entry)
        finally:
            # Kept even when interrupted: a second run resumes where this one stopped.
            write_manifest(out_dir, done)
            remove_partials(out_dir)
        return done

    def _render(self, todo: list[Task], done: list[Entry], on_entry: Callable[[Entry], None]) -> None:
        def record(entries: list[Entry]) -> bool:
            """Keep and report entries; True when the run must stop (--fail-fast)."""
            for entry in entries:
                done.append(entry)
                on_entry(entry)
                if self.fail_fast and entry.status == "failed":
                    return True
            return False

        jobs = self.jobs or os.cpu_count() or 1
        options = self.renderer_options
        if self.executor == "dask":
            _run_dask(todo, jobs, self.scheduler, self.out_dir, record, options)
        elif jobs == 1 or len(todo) <= 1:
            for source, variants in todo:
                if record(_build_one(str(source), variants, str(self.out_dir), options)):
                    return
        else:
            _run_local(todo, jobs, self.out_dir, record, options)


Task = tuple[Path, list[str]]  # a fund file and its stale variants


def _pool(jobs: int, options: dict) -> ProcessPoolExecutor:
    # forkserver: workers start clean, not as copies of a parent that may hold large caches;
    # the preload makes each new worker a cheap fork of a process that has WeasyPrint loaded.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["factsheets.render"])
    return ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker, initargs=(options,),
                               max_tasks_per_child=RECYCLE_AFTER)


def _run_pool(tasks: list[Task], jobs: int, out_dir: Path, record, options: dict) -> tuple[list[Task], list[Task], bool]:
    """Run tasks in a pool; returns (tasks in flight when a worker died, tasks not started, stopped)."""
    queue = iter(tasks)
    pending: dict[Future, Task] = {}
    broken: list[Task] = []
    with _pool(jobs, options) as pool:

        def submit_next() -> None:
            for task in queue:
                source, variants = task
                pending[pool.submit(_build_one, str(source), variants, str(out_dir), options)] = task
                return

        for _ in range(jobs * 4):  # a bounded queue: an interrupt or a dead worker leaves little to redo
            submit_next()
        try:
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    task = pending.pop(future)
                    try:
                        entries = future.result()
                    except BrokenProcessPool:
                        broken.append(task)
                        continue
                    if record(entries):
                        return [], [], True
                    if not broken:
                        submit_next()
        finally:
            for future in pending:
                future.cancel()
    return broken, list(queue), False


def _run_local(tasks: list[Task], jobs: int, out_dir: Path, record, options: dict) -> None:
    """A worker that dies (SIGKILL, out of memory) takes its tasks with it: each is tried once more,
    alone in a fresh worker, so that one poisonous fund cannot fail its neighbours."""
    while tasks:
        broken, tasks, stopped = _run_pool(tasks, jobs, out_dir, record, options)
        if stopped:
            return
        for task in broken:
            again, _, stopped = _run_pool([task], 1, out_dir, record, options)
            if stopped:
                return
            if again:
                source, variants = task
                message = f"{source}: the worker rendering it died twice (killed, or out of memory)"
                if record([Entry(str(source), v, "failed", error=message) for v in variants]):
                    return


def _render_remote(name: str, raw: bytes, variants: list[str], options: dict) -> list[tuple[Outcome, bytes]]:
    """A Dask task: validate and render one fund file from its bytes; the driver writes the PDFs,
    so workers need no shared file system."""
    source = Path(name)
    try:
        fund = validate_data(data_from_bytes(raw, source), source)
    except FactsheetError as error:
        return [(Outcome(source, v, "failed", message=str(error)), b"") for v in variants]
    return render_fund(source, fund, [parse_variant(v) for v in variants], _worker_renderer(options), raw)


def _run_dask(tasks: list[Task], jobs: int, scheduler: str | None, out_dir: Path, record, options: dict) -> None:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise FactsheetError("the dask executor needs the optional extra: pip install 'factsheets[dask]'") from None
    cluster = None
    if scheduler:
        client = Client(scheduler, timeout=30)
    else:  # no scheduler given: a cluster on this machine, one single-threaded worker per job
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        futures = {
            client.submit(_render_remote, str(source), read_bytes(source), variants, options, pure=False, retries=1):
            (source, variants)
            for source, variants in tasks
        }
        for future in as_completed(futures):
            source, variants = futures[future]
            try:
                results = future.result()
            except Exception as error:  # a task that failed on the cluster twice (e.g. its worker died)
                message = f"{source}: failed on the cluster: {type(error).__name__}: {error}"
                results = [(Outcome(source, v, "failed", message=message), b"") for v in variants]
            entries = [_entry(write_outcome(o, pdf, out_dir)) for o, pdf in results]
            if record(entries):
                return
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
