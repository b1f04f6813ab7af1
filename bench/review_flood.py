"""Floods of log-ins against the review page (not a test): prints what they leave in the database
and what they cost the server, from one run on this machine. Every request goes to 127.0.0.1.

    .venv/bin/python bench/review_flood.py [--attempts 200]

- `--attempts` log-ins with 65,000-character names, through the page (Starlette's TestClient);
- as many wrong passwords for one user's name;
- as many names that are nobody's, each from another loopback address (127.0.x.y), to the log-in
  itself (each checks a password against argon2: the slowest part);
- 20 log-ins at once against `factsheets review` in its own process: its memory before and at peak.

For each: the trail rows added, and the database's growth once its WAL is checkpointed.
"""

from __future__ import annotations

import argparse
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from starlette.testclient import TestClient  # noqa: E402

from factsheets.review import Refused  # noqa: E402
from factsheets.review.app import create_app  # noqa: E402
from factsheets.review.auth import add_user, authenticate  # noqa: E402
from factsheets.review.store import Store  # noqa: E402
from tests.review_support import login_form, post_login  # noqa: E402


def settled(db: Path) -> tuple[int, int]:
    """(trail rows, database bytes) once the WAL is folded in."""
    store = Store(db)
    conn = store.connection()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    rows = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    store.close()
    return rows, db.stat().st_size


def measure(db: Path, what: str, flood) -> None:
    rows, size = settled(db)
    start = time.perf_counter()
    flood()
    took = time.perf_counter() - start
    after_rows, after_size = settled(db)
    print(f"{what}: {after_rows - rows} trail rows, database {after_size - size:+,} bytes, {took:.1f} s")


def through_page(out: Path, db: Path, attempts: int, name, password: str) -> None:
    client = TestClient(create_app(out, Store(db)), base_url="http://127.0.0.1", client=("127.0.0.1", 50000))
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    for i in range(attempts):
        client.post("/login", data={"csrf": token, "name": name(i), "password": password}, follow_redirects=False)


def unknown_names(db: Path, attempts: int) -> None:
    store = Store(db)
    for i in range(attempts):
        try:
            authenticate(store, f"nobody{i}", "guess-guess", via="web", client=f"127.0.{i // 250}.{i % 250 + 1}")
        except Refused:
            pass


def memory(status: str) -> int:
    return int(re.search(r"(\d+) kB", status).group(1)) * 1024


def burst(out: Path, db: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "factsheets", "review", str(out), "--db", str(db), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                forms = [login_form(url) for _ in range(20)]
                break
            except OSError:
                time.sleep(0.2)
        status = Path(f"/proc/{server.pid}/status").read_text()
        before = memory(re.search(r"VmRSS:.*", status).group(0))
        barrier = threading.Barrier(20)
        threads = [threading.Thread(target=lambda i=i: (barrier.wait(), post_login(url, forms[i], f"nobody{i}", "guess-guess")))
                   for i in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        peak = memory(re.search(r"VmHWM:.*", Path(f"/proc/{server.pid}/status").read_text()).group(0))
    finally:
        server.terminate()
        server.wait(30)
    print(f"20 log-ins at once: server memory {before / 2**20:.0f} MiB before, {peak / 2**20:.0f} MiB at peak")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        out = base / "out"
        out.mkdir()
        (out / "manifest.json").write_text("[]", encoding="utf-8")
        db = base / "review.db"
        store = Store(db, create=True)
        add_user(store, "ada", "admin", "bench-admin-1", by="bootstrap (bench)")
        add_user(store, "cleo", "checker", "bench-checker-1", by="ada")
        store.close()
        n = args.attempts
        measure(db, f"{n} log-ins with 65,000-character names", lambda: through_page(out, db, n, lambda i: "x" * 65_000, "guess"))
        measure(db, f"{n} wrong passwords for cleo", lambda: through_page(out, db, n, lambda i: "cleo", "guess-guess"))
        measure(db, f"{n} names that are nobody's, from {n} loopback addresses", lambda: unknown_names(db, n))
        fresh = base / "burst.db"
        shutil.copy(db, fresh)
        burst(out, fresh)


if __name__ == "__main__":
    main()
