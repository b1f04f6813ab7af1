"""Benchmark of `factsheets import` (not a test): prints figures from one run.

    .venv/bin/python bench/import_xlsx.py [--readers-mb 50] [--funds 500] [--years 10] [--keep DIR]

(a) Readers: generates a workbook in the house export's format of about `--readers-mb` MB (many
    funds, no NAV files; kept in bench/out/ for the next run, as writing it takes minutes), then
    reads every sheet with python-calamine (the runtime reader) and with openpyxl (read-only, values
    only) and checks that both give the same values, cell for cell.
(b) Import: generates a whole export of `--funds` funds (the workbook, 2 classes a fund with
    `--years` years of daily NAVs, a benchmark each; every fifth fund a Hong Kong one) and times
    `import_export` into a fresh folder, then again into the same folder (nothing changed).

Wall and CPU time are both printed: the machine may be shared. `--readers-mb 0` or `--funds 0`
skips a part.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
CACHE = HERE / "out"  # git-ignored
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
from performance import AS_OF, write_fund  # noqa: E402  (bench/performance.py: the NAV files)

from factsheets.ingest.importer import import_export  # noqa: E402
from factsheets.ingest.mapping import SHEETS  # noqa: E402
from factsheets.ingest.workbook import read_workbook  # noqa: E402

SECTORS = [("Consumer staples", "主要消费", "主要消費"), ("Financials", "金融", "金融"), ("Industrials", "工业", "工業"),
           ("Information technology", "信息技术", "資訊科技"), ("Materials", "原材料", "原材料"), ("Other", "其他", "其他")]


def fund_rows(i: int, code: str, classes: list[tuple[str, dt.date]], rng: np.random.Generator) -> dict[str, list[list]]:
    """The workbook's rows for one fund, column order as in the house's README."""
    hk = i % 5 == 4
    inception = min(d for _, d in classes)
    as_of = dt.datetime.combine(AS_OF, dt.time())
    start = dt.datetime.combine(inception, dt.time())
    langs = "en,zh-HK" if hk else "en,zh-CN"
    zh = (lambda cn, hk_: ("", hk_)) if hk else (lambda cn, hk_: (cn, ""))
    rows: dict[str, list[list]] = {name: [] for name in SHEETS}
    rows["funds"].append([
        code, "HK" if hk else "CN", ["equity", "hybrid", "bond"][i % 3], "USD" if hk else "CNY", start, as_of,
        "" if hk else "R3", "" if hk else "C3", langs, f"Demo Fund {i}", *zh(f"示例基金{i}号", f"示例基金{i}號"),
        f"Benchmark {i}", *zh(f"业绩比较基准{i}", f"業績比較基準{i}"), int(rng.integers(10**8, 10**10)),
        "Fund manager", *zh("基金管理人", "基金管理人"), "LU" if hk else "CN"])
    for k, (class_code, class_start) in enumerate(classes):
        rows["share_classes"].append([
            code, "ABCDEFGH"[k], class_code, "USD" if hk else "CNY", dt.datetime.combine(class_start, dt.time()),
            1.2, 0.2, 0.4 if k else "", 1.5, 1.5, 1.15 if hk else "", 10, "quarterly"])  # the NAV files pay dividends
    rows["managers"].append([code, f"Manager {i}", *zh(f"经理{i}", f"經理{i}"), start])
    weights = sorted(np.round(rng.uniform(1, 9, 10), 2).tolist(), reverse=True)
    for rank, weight in enumerate(weights, 1):
        rows["holdings"].append([code, rank, f"Holding {i}-{rank}", *zh(f"持仓{i}-{rank}", f"持倉{i}-{rank}"), weight])
    for name, cn, hk_ in SECTORS:
        rows["allocations"].append([code, "sector", name, *zh(cn, hk_), round(100 / len(SECTORS) - 0.5, 2)])
    rows["commentary"].append([code, "en", f"Commentary of fund {i}: the fund kept its positions this month."])
    rows["commentary"].append([code, "zh-HK" if hk else "zh-CN", f"基金{i}本月维持仓位。"])
    return rows


def write_workbook(path: Path, funds: list[tuple[str, list[tuple[str, dt.date]]]], seed: int = 7) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    def date_cell(sheet, value: dt.datetime) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell

    rng = np.random.default_rng(seed)
    book = Workbook(write_only=True)
    sheets = {name: book.create_sheet(name) for name in SHEETS}
    for name, sheet in sheets.items():
        sheet.append(list(SHEETS[name].columns))
    for i, (code, classes) in enumerate(funds):
        for name, rows in fund_rows(i, code, classes, rng).items():
            for row in rows:  # dates formatted as the house's are; other values as they are (faster)
                sheets[name].append([date_cell(sheets[name], v) if isinstance(v, dt.datetime) else v for v in row])
    book.save(path)


def read_openpyxl(path: Path) -> dict[str, list[list]]:
    """The other reader, its dates as the runtime one gives them (blank cells are None here, "" there)."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        out = {}
        for sheet in book.worksheets:
            rows = []
            for row in sheet.iter_rows(values_only=True):
                rows.append([v.date() if isinstance(v, dt.datetime) and v.time() == dt.time() else v for v in row])
            out[sheet.title] = rows
        return out
    finally:
        book.close()


def same(a: dict[str, list[list]], b: dict[str, list[list]]) -> list[str]:
    diffs = []
    for name in sorted(set(a) | set(b)):
        ra, rb = a.get(name, []), b.get(name, [])
        for r in range(max(len(ra), len(rb))):
            x = [None if v == "" else v for v in (ra[r] if r < len(ra) else [])]
            y = [None if v == "" else v for v in (rb[r] if r < len(rb) else [])]
            while x and x[-1] is None:
                x.pop()
            while y and y[-1] is None:
                y.pop()
            norm = lambda v: Decimal(format(v, ".15g")) if isinstance(v, float) else Decimal(v) if isinstance(v, int) and not isinstance(v, bool) else v
            if [norm(v) for v in x] != [norm(v) for v in y]:
                diffs.append(f"{name} row {r + 1}: {x} != {y}")
    return diffs


def readers(mb: float) -> None:
    per_fund = 690  # bytes of workbook a fund takes, about
    count = int(mb * 1e6 / per_fund)
    path = CACHE / f"import-{count}-funds.xlsx"  # writing it takes minutes: kept for the next run
    start = time.perf_counter()
    if not path.is_file():
        CACHE.mkdir(parents=True, exist_ok=True)
        funds = [(f"{200000 + i}", [(f"{200000 + i}00", dt.date(2019, 3, 15)), (f"{200000 + i}01", dt.date(2019, 3, 15))])
                 for i in range(count)]
        write_workbook(path.with_suffix(".part"), funds)
        path.with_suffix(".part").rename(path)
        made = f"written in {time.perf_counter() - start:.0f} s"
    else:
        made = f"kept from an earlier run in {path.relative_to(HERE.parent)}"
    size = path.stat().st_size
    book = read_workbook(path)
    cells = sum(len(r) for rows in book.values() for r in rows)
    print(f"(a) workbook of {count:,} funds, {cells:,} cells, {size / 1e6:.1f} MB, {made}")
    results = {}
    for name, reader in (("python-calamine", read_workbook), ("openpyxl (read-only)", read_openpyxl)):
        wall, cpu = time.perf_counter(), time.process_time()
        results[name] = reader(path)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"    {name:22} {wall:6.2f} s wall, {cpu:6.2f} s CPU")
    diffs = same(*results.values())
    print(f"    values agree cell for cell: {'yes' if not diffs else 'NO: ' + '; '.join(diffs[:5])}")


def whole_import(n: int, years: int, folder: Path) -> None:
    export = folder / "export"
    for sub in ("nav", "benchmark"):
        (export / sub).mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(12)
    start = time.perf_counter()
    funds = []
    for i in range(n):
        code = 100000 + i
        funds.append((str(code), write_fund(export, code, 2, years, rng)))
    write_workbook(export / "fund-range.xlsx", funds)
    files = sorted(export.rglob("*.*"))
    print(f"\n(b) export of {n} funds x 2 classes x {years} years: {len(files)} files, "
          f"{sum(p.stat().st_size for p in files) / 1e6:.1f} MB, generated in {time.perf_counter() - start:.1f} s")
    out = folder / "funds"
    for run in ("into an empty folder", "again, nothing changed"):
        wall, cpu = time.perf_counter(), time.process_time()
        result = import_export(export, out, today=AS_OF)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        problems = [p.format() for p in result.problems if p.severity == "error"]
        print(f"    import {run}: {wall:.2f} s wall, {cpu:.2f} s CPU = {1000 * wall / n:.1f} ms a fund; "
              f"{len(result.written)} funds written ({len(result.changed)} files changed), {len(problems)} errors"
              f"{': ' + problems[0] if problems else ''}")
    timings = result.timings
    print("    where the time goes (last run): " + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--readers-mb", type=float, default=50)
    parser.add_argument("--funds", type=int, default=500)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    args = parser.parse_args()
    print(f"import benchmark, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        if args.readers_mb:
            readers(args.readers_mb)
        if args.funds:
            whole_import(args.funds, args.years, folder)


if __name__ == "__main__":
    main()
