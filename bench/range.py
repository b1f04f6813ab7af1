"""Benchmark of a month-end run over the fund range (not a test): prints figures from one run.
    .venv/bin/python bench/range.py [--jobs 2]

1. Imports the house export (tests/data/house-export, with examples/prospectus) into a fresh folder,
   beside the two example funds, and builds every document of every fund: factsheets in each fund's
   own variants, key facts and KIDs (`--doc factsheet,kfs,kid`).
2. Builds again with nothing changed: nothing may be rendered.
3. A new NAV day: one row appended to one share class's NAV file (after the fund's as_of, as an
   administrator's next export would carry it), then builds again: exactly the documents of the fund
   that class belongs to are rendered again, and no other.
Wall time only (the documents are rendered in worker processes); the machine may be shared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from factsheets.build.batch import Batch  # noqa: E402
from factsheets.ingest.importer import import_export  # noqa: E402


def build(funds: Path, out: Path, jobs: int) -> tuple[list, float]:
    sources = sorted(p for p in funds.glob("*.yaml"))
    wall = time.perf_counter()
    entries = Batch(sources, None, out, jobs=jobs, documents=("factsheet", "kfs", "kid")).run()
    return entries, time.perf_counter() - wall


def counts(entries: list) -> str:
    by = {}
    for e in entries:
        by[e.status] = by.get(e.status, 0) + 1
    return ", ".join(f"{n} {s}" for s, n in sorted(by.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="factsheets-range-"))
    funds, out = work / "funds", work / "out"
    start = time.perf_counter()
    result = import_export(ROOT / "tests" / "data" / "house-export", funds, texts=ROOT / "examples" / "prospectus",
                           today=dt.date(2025, 11, 10))
    assert result.ok, [str(p) for p in result.problems]
    print(f"import: {len(result.written)} funds in {time.perf_counter() - start:.2f} s")
    for example in (ROOT / "examples").glob("*.yaml"):
        shutil.copy(example, funds / example.name)

    entries, wall = build(funds, out, args.jobs)
    rendered = [e for e in entries if e.status == "written"]
    print(f"full build, --jobs {args.jobs}: {counts(entries)} in {wall:.1f} s wall "
          f"({len(rendered) / wall:.2f} documents/s)")
    assert not [e for e in entries if e.status == "failed"], [e.error for e in entries if e.status == "failed"]

    entries, wall = build(funds, out, args.jobs)
    print(f"again, nothing changed: {counts(entries)} in {wall:.2f} s wall")
    assert not [e for e in entries if e.status == "written"]

    nav = funds / "history" / "nav" / "990102.csv"  # class C of 990101
    lines = nav.read_bytes().decode("utf-8").splitlines()
    last = lines[-1].split(",")
    day = dt.date.fromisoformat(last[0]) + dt.timedelta(days=3 if dt.date.fromisoformat(last[0]).weekday() == 4 else 1)
    newline = "\r\n" if nav.read_bytes().endswith(b"\r\n") else "\n"
    nav.write_bytes(nav.read_bytes() + f"{day.isoformat()},{last[1]},{last[2]},{last[3] if len(last) > 3 else ''}{newline}".encode())
    entries, wall = build(funds, out, args.jobs)
    written = sorted(e.variant for e in entries if e.status == "written")
    funds_written = sorted({e.fund for e in entries if e.status == "written"})
    print(f"a new NAV day for class 990102: {counts(entries)} in {wall:.1f} s wall; rendered again: "
          f"{', '.join(written)} of fund {', '.join(funds_written)}")
    assert funds_written == ["990101"], funds_written
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
