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
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from jinja2 import TemplateError

from . import __version__, fonts
from .assets import STYLES_DIR, TEMPLATES_DIR
from .errors import FactsheetError
from .load import data_from_bytes, read_bytes
from .pipeline import Outcome, build_file, plan, render_fund, write_outcome
from .render import Renderer
from .validate import validate_data, with_history
from .variants import Target, Variant, parse_target

MANIFEST = "manifest.json"
RECYCLE_AFTER = 100  # fund files per worker before it is replaced; memory grew 20 MB per 100 documents here


def _tree_hash(digest: "hashlib._Hash", folder: Path) -> None:
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")


def assets_hash(options: dict | None = None) -> str:
    """What every document depends on besides its fund file: the package, its assets, the fonts,
    and the user's templates, styles, brand and options."""
    options = options or {}
    digest = hashlib.sha256(__version__.encode() + repr(sorted(options.items())).encode())
    digest.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode())  # it sets the dates inside every PDF
    package = Path(__file__).resolve().parent
    for folder in (*options.get("template_dirs", ()), *([options["catalogue"]] if options.get("catalogue") else []),
                   TEMPLATES_DIR, STYLES_DIR, package / "disclosures", package / "locale"):
        _tree_hash(digest, Path(folder))
    brand = options.get("brand")
    for path in (*options.get("style_files", ()), *([brand.logo] if brand and brand.logo else [])):
        digest.update(Path(path).read_bytes())
    try:
        digest.update(fonts.fingerprint().encode())
    except FactsheetError:
        digest.update(b"no-fonts")
    return digest.hexdigest()


def input_hash(raw: bytes, variant: str, assets: str, files: dict[str, bytes] | None = None) -> str:
    """What one document depends on: the fund file, the history files it refers to (a new NAV day
    rebuilds exactly the funds it touches), the target and everything shared (`assets_hash`)."""
    digest = hashlib.sha256(assets.encode() + variant.encode() + b"\0" + raw)
    for name, data in sorted((files or {}).items()):
        digest.update(b"\0" + name.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


@dataclass
class Entry:
    """One line of the manifest."""

    source: str
    variant: str  # the target: `bilingual`, `kfs.zh-HK` (`variants.Target.name`), as in the file name
    status: str  # written, unchanged, skipped, failed
    fund: str = ""
    path: str = ""
    sha256: str = ""
    pages: int = 0
    bytes: int = 0
    statements: list[str] = field(default_factory=list)  # "id@version"
    inputs: str = ""
    error: str = ""
    document: str = "factsheet"  # factsheet, kfs or kid
    warnings: list[str] = field(default_factory=list)  # layout warnings (a last page with a line or two)

    def __post_init__(self) -> None:
        name = self.variant.partition(".")[0]
        self.document = name if name in ("kfs", "kid") and "." in self.variant else "factsheet"


# -- the worker side ------------------------------------------------------------
_local = threading.local()  # one Renderer per worker thread: WeasyPrint is not thread-safe


def _worker_renderer(options: dict) -> Renderer:
    """The worker's Renderer, built once for a set of options (templates, styles, brand) and reused. The
    driver adds `_assets`, the hash of what the options point to: a style, template or catalogue edited
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


def _build_one(source: str, targets: list[str], out_dir: str, hashes: dict[str, str], options: dict) -> list[Entry]:
    documents = tuple(dict.fromkeys(parse_target(t).document for t in targets))
    outcomes = build_file(Path(source), None, Path(out_dir), _worker_renderer(options), documents, set(targets))
    return [_entry(o, hashes.get(o.variant, "")) for o in outcomes]


def _entry(outcome: Outcome, inputs: str) -> Entry:
    entry = Entry(str(outcome.source), outcome.variant, outcome.status, error=outcome.message, inputs=inputs)
    if outcome.status == "written" and outcome.path:
        data = outcome.path.read_bytes()
        entry.path, entry.fund = str(outcome.path), outcome.fund
        entry.sha256, entry.bytes, entry.pages = hashlib.sha256(data).hexdigest(), len(data), outcome.pages
        entry.statements = outcome.statements
        entry.warnings = outcome.warnings
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
    (other funds, other document types) whose file is still there as the manifest describes it."""
    from .write import write_atomic

    current = {(e.source, e.variant) for e in entries}
    kept = [e for key, e in read_manifest(out_dir).items()
            if key not in current and e.status in ("written", "unchanged") and _unchanged(e, e.inputs)]
    rows = [asdict(e) for e in sorted([*entries, *kept], key=lambda e: (e.source, e.variant))]
    write_atomic(out_dir / MANIFEST, (json.dumps(rows, indent=1, ensure_ascii=False) + "\n").encode())
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(Entry.__dataclass_fields__))
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "statements": " ".join(row["statements"])})
    write_atomic(out_dir / "manifest.csv", buffer.getvalue().encode())


def remove_partials(out_dir: Path) -> None:
    """Temporary files of a worker that was killed mid-write (write.py names them .NAME.*.part)."""
    for path in out_dir.glob(".*.part"):
        path.unlink(missing_ok=True)


def _unchanged(previous: Entry | None, inputs: str) -> bool:
    if previous is None or previous.status not in ("written", "unchanged") or previous.inputs != inputs:
        return False
    try:  # the file on disk must be the one the manifest describes, not one edited or replaced since
        with open(previous.path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest() == previous.sha256
    except OSError:
        return False


@dataclass
class Batch:
    sources: list[Path]
    variants: list[Variant] | None  # None: each fund's own (the languages it publishes in, and their pairs)
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
            Renderer(**self.renderer_options)
        except (OSError, TemplateError) as error:
            raise FactsheetError(f"cannot use the templates and styles: {error}") from None
        previous = {} if self.force else read_manifest(out_dir)
        assets = assets_hash(self.renderer_options)
        done: list[Entry] = []
        todo: list[Task] = []
        for source in self.sources:
            # The driver reads and validates each fund (a few ms): which documents it gets depends on
            # it, and every history file it refers to is part of their inputs.
            try:
                raw = read_bytes(source)  # bounded, regular files only: never a FIFO or /dev/zero
                fund = with_history(validate_data(data_from_bytes(raw, source), source), source.parent, source)
            except FactsheetError as error:
                names = [Target(d, v).name for d in self.documents for v in self.variants] if self.variants else ["*"]
                done += [Entry(str(source), name, "failed", error=str(error)) for name in names]
                continue
            hashes, stale = {}, []
            for target, why in plan(fund, self.documents, self.variants, source):
                if why:
                    done.append(Entry(str(source), target.name, "skipped", fund.code, error=why))
                    continue
                hashes[target.name] = input_hash(raw, target.name, assets, fund.files)
                old = previous.get((str(source), target.name))
                if _unchanged(old, hashes[target.name]):
                    done.append(Entry(**{**asdict(old), "status": "unchanged"}))
                else:
                    stale.append(target.name)
            if stale:
                todo.append((source, stale, hashes))
        on_total(len(done) + sum(len(t[1]) for t in todo))
        for entry in done:
            on_entry(entry)
        try:
            self._render(todo, done, on_entry, {**self.renderer_options, "_assets": assets})
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
            for source, variants, hashes in todo:
                if record(_build_one(str(source), variants, str(self.out_dir), hashes, options)):
                    return
        else:
            _run_local(todo, jobs, self.out_dir, record, options)


Task = tuple[Path, list[str], dict[str, str]]  # a fund file, its stale targets, their input hashes


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
                source, variants, hashes = task
                pending[pool.submit(_build_one, str(source), variants, str(out_dir), hashes, options)] = task
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
                source, variants, hashes = task
                message = f"{source}: the worker rendering it died twice (killed, or out of memory)"
                if record([Entry(str(source), v, "failed", error=message, inputs=hashes[v]) for v in variants]):
                    return


def _render_remote(name: str, raw: bytes, files: dict[str, bytes], targets: list[str], options: dict) -> list[tuple[Outcome, bytes]]:
    """A Dask task: validate and render one fund file from its bytes and its history files'; the
    driver writes the PDFs, so workers need no shared file system."""
    source = Path(name)
    try:
        fund = with_history(validate_data(data_from_bytes(raw, source), source), source.parent, source, files)
    except FactsheetError as error:
        return [(Outcome(source, t, "failed", message=str(error)), b"") for t in targets]
    documents = tuple(dict.fromkeys(parse_target(t).document for t in targets))
    return render_fund(source, fund, None, _worker_renderer(options), documents, set(targets))


def _history_of(source: Path) -> dict[str, bytes]:
    """The history files a fund file refers to, read on the driver and shipped with it."""
    return with_history(validate_data(data_from_bytes(read_bytes(source), source), source), source.parent, source).files


def _run_dask(tasks: list[Task], jobs: int, scheduler: str | None, out_dir: Path, record, options: dict) -> None:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise FactsheetError("the dask executor needs the optional extra: pip install 'factsheets[dask]'") from None
    cluster = None
    if scheduler:
        client = Client(scheduler, timeout=30)
    else:  # no scheduler given: a cluster on this machine, one single-threaded worker per job
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=":0")  # any free port: never a clash with another cluster
        client = Client(cluster)
    try:
        futures = {
            client.submit(_render_remote, str(source), read_bytes(source), _history_of(source), variants, options,
                          pure=False, retries=1):
            (source, variants, hashes)
            for source, variants, hashes in tasks
        }
        for future in as_completed(futures):
            source, variants, hashes = futures[future]
            try:
                results = future.result()
            except Exception as error:  # a task that failed on the cluster twice (e.g. its worker died)
                message = f"{source}: failed on the cluster: {type(error).__name__}: {error}"
                results = [(Outcome(source, v, "failed", message=message), b"") for v in variants]
            entries = [_entry(write_outcome(o, pdf, out_dir), hashes[o.variant]) for o, pdf in results]
            if record(entries):
                return
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
