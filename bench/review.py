"""Benchmark of the review page (not a test): prints figures from one run on this machine.

    .venv/bin/python bench/review.py [--documents 2000]

- The list route for a batch of N documents (a manifest of N rows; a review database where a
  third are submitted and a sixth approved), through Starlette's TestClient, logged in: the
  first request (manifest read and parsed) and the median of later ones.
- Page previews with PDFium: the first render of a page, and a cached one.
- The visual diff of one page against another version.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from starlette.testclient import TestClient  # noqa: E402

from factsheets import load_fund, render_pdf  # noqa: E402
from factsheets.review import audit  # noqa: E402
from factsheets.review.app import create_app  # noqa: E402
from factsheets.review.auth import add_user  # noqa: E402
from factsheets.review.diff import Previews, VisualDiff  # noqa: E402
from factsheets.review.store import Store  # noqa: E402

VARIANTS = ("en", "zh-CN", "bilingual", "zh-HK", "en+zh-HK")
KINDS = ("factsheet", "factsheet", "kfs", "kid")


def manifest(out: Path, count: int) -> list[dict]:
    rows = []
    for i in range(count):
        code, variant = f"{100000 + i // len(VARIANTS)}", VARIANTS[i % len(VARIANTS)]
        rows.append({
            "source": f"funds/{code}.yaml", "variant": variant, "status": "failed" if i % 97 == 0 else "written",
            "fund": code, "path": str(out / f"{code}.{variant}.pdf"), "document": KINDS[i % len(KINDS)],
            "sha256": hashlib.sha256(f"{code}.{variant}".encode()).hexdigest(), "pages": 1, "bytes": 40000,
            "statements": ["risk-general@1", "past-performance@1", "no-guarantee@1"], "inputs": "", "error": "",
        })
    (out / "manifest.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return rows


def seed(store: Store, rows: list[dict]) -> None:
    """Submissions and approvals in bulk, each a trail row and its table row as the workflow writes
    them (in one transaction: the bench measures reading them; the page reads them from the trail)."""
    add_user(store, "ada", "admin", "bench-admin-1", by="bootstrap (bench)")
    add_user(store, "max", "maker", "bench-maker-1", by="ada")
    add_user(store, "cleo", "checker", "bench-checker-1", by="ada")
    with store.transaction() as conn:
        for i, row in enumerate(rows):
            document, sha = Path(row["path"]).name, row["sha256"]
            if i % 3 == 0:
                at = audit.append(conn, "max", "submit", document=document, sha256=sha, detail={"via": "bench"})["at"]
                conn.execute("INSERT INTO submissions (document, sha256, maker, at) VALUES (?, ?, 'max', ?)", (document, sha, at))
            if i % 6 == 0:
                at = audit.append(conn, "cleo", "approve", document=document, sha256=sha, detail={"parts": ["document"], "via": "bench"})["at"]
                conn.execute("INSERT INTO decisions (document, sha256, part, decision, checker, at) VALUES (?, ?, 'document', 'approved', 'cleo', ?)",
                             (document, sha, at))


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        out = base / "out"
        out.mkdir()
        rows = manifest(out, args.documents)
        store = Store(base / "review.db", create=True)
        seed(store, rows)
        client = TestClient(create_app(out, store, allowed_hosts=("testserver",)))
        form = client.get("/login").text
        token = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
        client.post("/login", data={"csrf": token, "name": "cleo", "password": "bench-checker-1"})
        (out / "manifest.json").touch()  # the first request reads the manifest again
        first = timed(lambda: client.get("/"))
        response = client.get("/")
        shown = len(re.findall(r"<tr data-document=", response.text))
        assert response.status_code == 200 and shown == args.documents, (response.status_code, shown)
        later = statistics.median(timed(lambda: client.get("/")) for _ in range(args.repeat))
        filtered = statistics.median(timed(lambda: client.get("/?status=approved&lang=en")) for _ in range(args.repeat))
        print(f"list of {args.documents} documents: first request {first * 1000:.0f} ms, then {later * 1000:.0f} ms "
              f"(median of {args.repeat}); {len(response.content) / 1024:.0f} KB of HTML")
        print(f"list filtered by status and language: {filtered * 1000:.0f} ms")

        fund = load_fund(ROOT / "examples" / "513770.yaml")
        versions = {v: render_pdf(fund, v) for v in ("en", "bilingual")}
        blobs = {hashlib.sha256(data).hexdigest(): data for data in versions.values()}
        previews = Previews(base / "cache", blobs.get)
        pages = {sha: 0 for sha in blobs}
        render = {sha: timed(lambda sha=sha: pages.__setitem__(sha, previews.pages(sha))) for sha in blobs}
        for variant, sha in zip(versions, blobs):
            print(f"previews of {variant} ({pages[sha]} page{'s' if pages[sha] > 1 else ''}): "
                  f"{render[sha] / pages[sha] * 1000:.0f} ms per page at 90 dpi, first time")
        sha = next(iter(blobs))
        cached = statistics.median(timed(lambda: previews.page(sha, 1)) for _ in range(args.repeat))
        print(f"a cached preview: {cached * 1000:.2f} ms")
        old, new = list(blobs)
        diff = timed(lambda: VisualDiff(previews).page(old, new, 1))
        print(f"visual diff of one page (previews cached): {diff * 1000:.0f} ms")


if __name__ == "__main__":
    main()
