"""Batch runs: every fund x document x variant, in parallel worker processes, incremental and resumable.

Each worker builds one `Renderer` (Jinja environment, parsed CSS, opened fonts) and reuses
it for every document. A document whose inputs hash (`inputs`: its fund file and variant, the
package's code and data, the judge's check version, templates, styles, brand, fonts, and every
file it was made from, such as images the styles refer to) is the one the manifest records, and
whose file is the one the manifest describes, is not rendered again; any other is rendered and
judged again. A fund's history files (NAV, benchmark, proxy) are among the files its documents are
made from: a new NAV day rebuilds exactly the funds it touches. The driver never parses a fund
file: which documents a fund gets (`pipeline.plan`) is decided by the worker that renders it, and
a fund whose every document of the request is unchanged is not sent at all; a fund that is sent
is told which of its documents are unchanged, and renders only the others. `out/manifest.json`
and `manifest.csv` list every document in the output folder, with its type.
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

from ..documents.types import FACTSHEET, Target, parse_target
from ..documents.variants import Variant
from ..errors import FactsheetError
from ..fund.load import data_from_bytes, read_bytes
from ..fund.validate import validate_data, with_history
from ..render.inputs import current, inputs_hash
from ..render.renderer import Renderer
from .pipeline import Outcome, build_file, render_fund, target_names, write_outcome

MANIFEST = "manifest.json"
RECYCLE_AFTER = 100  # fund files per worker before it is replaced; memory grew 20 MB per 100 documents here


@dataclass
class Entry:
    """One line of the manifest."""

    source: str
    variant: str  # the target: `bilingual`, `kfs.zh-HK` (`types.Target.name`), as in the file name
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
    document: str = "factsheet"  # factsheet, kfs or kid
    warnings: list[str] = field(default_factory=list)  # layout warnings (a last page with a line or two)
    own: list[str] = field(default_factory=list)  # the fund's own documents of this type, when it was built
    layout: str = ""  # the layout the build chose for it, and how it measured (`render.fit`)

    def __post_init__(self) -> None:
        self.document = parse_target(self.variant).document if self.variant not in ("", "*") else FACTSHEET.name


# -- the worker side ------------------------------------------------------------
_local = threading.local()  # one Renderer per worker thread: WeasyPrint is not thread-safe


def _worker_renderer(options: dict) -> Renderer:
    """The worker's Renderer, built once for a set of options (templates, styles, brand) and reused. The
    driver adds `_setup`, the hash of what the options point to: a style, template or catalogue edited
    between two runs of a long-lived process (`build --watch`) gives a new renderer."""
    key = repr(sorted(options.items()))
    if getattr(_local, "key", None) != key:
        _local.renderer, _local.key = Renderer(**{k: v for k, v in options.items() if not k.startswith("_")}), key
    return _local.renderer


def _init_worker(options: dict) -> None:
    try:
        _worker_renderer(options)
    except Exception:  # an initializer that raises breaks the whole pool; the first task reports it instead
        pass


def _build_one(source: str, request: Request, out_dir: str, options: dict) -> list[Entry]:
    documents, variants, keep = request
    outcomes = build_file(Path(source), list(variants) if variants is not None else None, Path(out_dir),
                          _worker_renderer(options), documents, keep)
    return [_entry(o) for o in outcomes]


def _entry(outcome: Outcome) -> Entry:
    entry = Entry(str(outcome.source), outcome.variant, outcome.status, outcome.fund, error=outcome.message, inputs=outcome.inputs,
                  own=list(outcome.own))
    if outcome.status == "written" and outcome.path:
        data = outcome.path.read_bytes()
        entry.path, entry.fund = str(outcome.path), outcome.fund
        entry.sha256, entry.bytes, entry.pages = hashlib.sha256(data).hexdigest(), len(data), outcome.pages
        entry.statements, entry.assets, entry.warnings = outcome.statements, outcome.assets, outcome.warnings
        entry.layout = outcome.layout
    return entry


# -- the driver side ------------------------------------------------------------
def read_manifest(out_dir: Path) -> dict[tuple[str, str], Entry]:
    try:
        rows = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        return {(r["source"], r["variant"]): Entry(**r) for r in rows}
    except (OSError, ValueError, TypeError, KeyError):
        return {}


def write_manifest(out_dir: Path, entries: list[Entry]) -> None:
    """The manifest of every document in the output folder: this run's, and those of earlier runs
    (other funds, other document types) whose file is still the one the manifest describes."""
    from ..files import write_atomic

    current_keys = {(e.source, e.variant) for e in entries}
    kept = [e for key, e in read_manifest(out_dir).items()
            if key not in current_keys and e.status in ("written", "unchanged") and _on_disk(e)]
    rows = [asdict(e) for e in sorted([*entries, *kept], key=lambda e: (e.source, e.variant))]
    write_atomic(out_dir / MANIFEST, (json.dumps(rows, indent=1, ensure_ascii=False) + "\n").encode())
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(Entry.__dataclass_fields__))
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "statements": " ".join(row["statements"]), "assets": json.dumps(row["assets"], sort_keys=True),
                         "warnings": " | ".join(row["warnings"]), "own": " ".join(row["own"])})
    write_atomic(out_dir / "manifest.csv", buffer.getvalue().encode())


def remove_partials(out_dir: Path) -> None:
    """Temporary files of a worker that was killed mid-write (write.py names them .NAME.*.part)."""
    for path in out_dir.glob(".*.part"):
        path.unlink(missing_ok=True)


def _on_disk(entry: Entry) -> bool:
    """Whether the file on disk is the one the manifest describes, not one edited or replaced since."""
    try:
        with open(entry.path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest() == entry.sha256
    except OSError:
        return False


def _unchanged(previous: Entry, inputs: str) -> bool:
    if previous.inputs != inputs:
        return False
    if previous.status == "skipped":  # skipped for the same fund file and request: skipped again
        return True
    return previous.status in ("written", "unchanged") and _on_disk(previous)


def _covers(entries: list[Entry], documents: tuple[str, ...], variants: list[Variant] | None) -> bool:
    """Whether earlier entries of a fund answer this request: a document (and variant) asked for now
    that no entry has was not asked for then."""
    have = {(e.document, e.variant) for e in entries}
    if variants is None:  # each fund's own: every one its last build knew of (an earlier `--lang en` run made only some)
        if not all(e.own for e in entries) or any((e.document, name) not in have for e in entries for name in e.own):
            return False
    for document in documents:
        if not any(d == document for d, _ in have):
            return False
        for variant in variants or []:
            if (document, Target(document, variant).name) not in have:
                return False
    return True


# Document types, variants (None: each fund's own), and the documents (target names) the driver keeps as unchanged.
Request = tuple[tuple[str, ...], tuple[Variant, ...] | None, frozenset[str]]


@dataclass
class Batch:
    sources: list[Path]
    variants: list[Variant] | None  # None: each fund's own (the languages it publishes in, English with each Chinese)
    out_dir: Path
    jobs: int = 0
    force: bool = False
    fail_fast: bool = False
    executor: str = "local"  # or "dask"
    renderer_options: dict = field(default_factory=dict)  # Renderer(**options) in every worker
    scheduler: str | None = None  # a Dask scheduler address; none starts a LocalCluster
    documents: tuple[str, ...] = ("factsheet",)

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
        by_source: dict[str, list[Entry]] = {}
        for entry in previous.values():
            by_source.setdefault(entry.source, []).append(entry)
        variants = tuple(self.variants) if self.variants is not None else None
        wanted = set(self.documents)
        digests: dict[str, str] = {}  # the files documents were made from, hashed once per run
        done: list[Entry] = []
        todo: list[Task] = []
        for source in self.sources:
            try:
                raw = read_bytes(source)  # bounded, regular files only: never a FIFO or /dev/zero
            except FactsheetError as error:
                done += [Entry(str(source), name, "failed", error=str(error)) for name in target_names(self.documents, self.variants)]
                continue
            earlier = [e for e in by_source.get(str(source), []) if e.document in wanted
                       and (self.variants is None or parse_target(e.variant).variant in self.variants)]
            fresh = [e for e in earlier if _unchanged(e, inputs_hash(raw, e.variant, setup, current(e.assets, digests)))]
            done += [Entry(**{**asdict(e), "status": "unchanged" if e.status != "skipped" else "skipped"}) for e in fresh]
            if not (earlier and len(fresh) == len(earlier) and _covers(earlier, self.documents, self.variants)):
                todo.append((source, (self.documents, variants, frozenset(e.variant for e in fresh))))
        per_fund = len(self.documents) * (len(self.variants) if self.variants is not None else 3)  # an estimate: plans are the workers'
        on_total(len(done) + sum(max(per_fund - len(keep), 0) for _, (_, _, keep) in todo))
        for entry in done:
            on_entry(entry)
        try:
            self._render(todo, done, on_entry, {**self.renderer_options, "_setup": setup})
        finally:
            # Kept even when interrupted: a second run resumes where this one stopped.
            write_manifest(out_dir, done)
            remove_partials(out_dir)
        return done

    def _render(self, todo: list[Task], done: list[Entry], on_entry: Callable[[Entry], None], options: dict) -> None:
        def record(entries: list[Entry]) -> bool:
            """Keep and report entries; True when the run must stop (--fail-fast)."""
            for entry in entries:
                done.append(entry)
                on_entry(entry)
                if self.fail_fast and entry.status == "failed":
                    return True
            return False

        jobs = self.jobs or os.cpu_count() or 1
        if self.executor == "dask":
            _run_dask(todo, jobs, self.scheduler, self.out_dir, record, options)
        elif jobs == 1 or len(todo) <= 1:
            for source, request in todo:
                if record(_build_one(str(source), request, str(self.out_dir), options)):
                    return
        else:
            _run_local(todo, jobs, self.out_dir, record, options)


Task = tuple[Path, Request]  # a fund file with a document not known to be unchanged, and the request


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
                source, request = task
                pending[pool.submit(_build_one, str(source), request, str(out_dir), options)] = task
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
                source, (documents, variants, keep) = task
                message = f"{source}: the worker rendering it died twice (killed, or out of memory)"
                if record([Entry(str(source), name, "failed", error=message) for name in target_names(documents, variants, keep)]):
                    return


def _render_remote(name: str, raw: bytes, files: dict[str, bytes], request: Request, options: dict) -> list[tuple[Outcome, bytes]]:
    """A Dask task: validate and render one fund file from its bytes and its history files' (read on the
    driver); the driver writes the PDFs, so workers need no shared file system."""
    source = Path(name)
    documents, variants, keep = request
    try:
        fund = with_history(validate_data(data_from_bytes(raw, source), source), source.parent, source, files)
    except FactsheetError as error:
        return [(Outcome(source, name, "failed", message=str(error)), b"") for name in target_names(documents, variants, keep)]
    return render_fund(source, fund, list(variants) if variants is not None else None, _worker_renderer(options), documents, raw, keep)


def _history_of(source: Path) -> dict[str, bytes]:
    """The history files a fund file refers to, read on the driver and shipped with it (none when the
    fund file does not validate: the worker then reports why)."""
    try:
        return with_history(validate_data(data_from_bytes(read_bytes(source), source), source), source.parent, source).files
    except FactsheetError:
        return {}


def _run_dask(tasks: list[Task], jobs: int, scheduler: str | None, out_dir: Path, record, options: dict) -> None:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise FactsheetError("the dask executor needs the optional extra: pip install 'factsheets[dask]'") from None
    cluster = None
    if scheduler:
        client = Client(scheduler, timeout=30)
    else:  # no scheduler given: a cluster on this machine, one single-threaded worker per job
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=":0")  # any free port
        client = Client(cluster)
    try:
        futures = {
            client.submit(_render_remote, str(source), read_bytes(source), _history_of(source), request, options,
                          pure=False, retries=1):
            (source, request)
            for source, request in tasks
        }
        for future in as_completed(futures):
            source, (documents, variants, keep) = futures[future]
            try:
                results = future.result()
            except Exception as error:  # a task that failed on the cluster twice (e.g. its worker died)
                message = f"{source}: failed on the cluster: {type(error).__name__}: {error}"
                results = [(Outcome(source, name, "failed", message=message), b"") for name in target_names(documents, variants, keep)]
            entries = [_entry(write_outcome(o, pdf, out_dir)) for o, pdf in results]
            if record(entries):
                return
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
