"""`build --watch`: rebuild when a fund file, template, style or the configuration changes.

Each round is an ordinary incremental batch: documents whose inputs did not change are
skipped by their input hash, so only the affected ones are rendered again. Errors are
printed and the watch goes on."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

from watchfiles import watch as watch_changes

WATCHED_SUFFIXES = (".yaml", ".yml", ".json", ".j2", ".html", ".css", ".toml", ".svg", ".png", ".jpg", ".jpeg", ".po")


def _relevant(change: object, path: str) -> bool:
    name = Path(path).name
    return path.endswith(WATCHED_SUFFIXES) and not name.startswith(".") and "manifest" not in name


def watch(paths: list[Path], run_once: Callable[[], None], stop: threading.Event | None = None,
          on_change: Callable[[list[str]], None] = lambda changed: None) -> None:
    """Run `run_once` now and after every change under `paths`, until `stop` is set or Ctrl-C.
    The watcher starts before the first round, so an edit made during a round starts the next."""
    existing = [str(p) for p in paths if p.exists()]
    first = True
    for changes in watch_changes(*existing, watch_filter=_relevant, stop_event=stop, debounce=300, step=100,
                                 yield_on_timeout=True, rust_timeout=1000):
        if first:
            first = False
            run_once()
        elif changes:
            on_change(sorted({path for _, path in changes}))
            run_once()
