"""Benchmark of NAV reading and performance figures (not a test): prints figures from one run.

    .venv/bin/python bench/performance.py [--funds 500] [--classes 2] [--years 10] [--keep DIR]

Generates FUNDS funds x CLASSES share classes x YEARS years of daily NAVs (weekdays less a few
holidays, dividends now and then) and one benchmark per fund, writes them as the house export
does (CRLF, 4-decimal NAVs), then times (a) reading and checking every file and (b) computing every
figure of every class and its benchmark, with the display rules and the growth chart. Target for
(b): under 5 s on 2 cores. Wall and CPU time are both printed: the machine may be shared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from factsheets.figures.performance import class_performance  # noqa: E402
from factsheets.fund.nav import read_levels, read_nav  # noqa: E402

AS_OF = dt.date(2025, 10, 31)


def dealing_days(years: int, rng: np.random.Generator) -> np.ndarray:
    start = np.datetime64(AS_OF.replace(year=AS_OF.year - years), "D") + 1
    days = np.arange(start, np.datetime64(AS_OF, "D") + 1)
    days = days[np.is_busday(days)]
    holidays = rng.random(len(days)) < 0.03
    holidays[0] = holidays[-1] = False
    return days[~holidays]


def write_fund(folder: Path, code: int, classes: int, years: int, rng: np.random.Generator) -> list[tuple[str, dt.date]]:
    days = dealing_days(years, rng)
    n = len(days)
    text_days = days.astype(str)
    market = np.exp(np.cumsum(rng.normal(0.0003, 0.011, n)))
    market /= market[0]
    out = []
    for k in range(classes):
        fee = 1 - (0.004 * k) / 250
        pre = np.round(market * fee ** np.arange(n) * (1 + rng.normal(0, 0.0005, n)), 4)
        pre[0] = 1.0
        dividend = np.zeros(n)
        paid = rng.random(n) < 0.004
        paid[0] = False
        dividend[paid] = np.round(pre[paid] * 0.02, 4)
        unit = np.round(pre - dividend, 4)
        acc = unit + np.cumsum(dividend)
        rows = [f"{d},{u:.4f},{a:.4f},{f'{x:.4f}' if x else ''}" for d, u, a, x in zip(text_days, unit, acc, dividend)]
        class_code = f"{code}{k:02d}"
        (folder / "nav" / f"{class_code}.csv").write_text(
            "date,unit_nav,acc_nav,dividend_per_unit\r\n" + "\r\n".join(rows) + "\r\n", encoding="utf-8")
        out.append((class_code, days[0].astype(dt.date)))
    level = np.round(1000 * market * np.exp(rng.normal(0, 0.002, n)), 2)
    (folder / "benchmark" / f"{code}.csv").write_text(
        "date,level\r\n" + "\r\n".join(f"{d},{v:.2f}" for d, v in zip(text_days, level)) + "\r\n", encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--funds", type=int, default=500)
    parser.add_argument("--classes", type=int, default=2)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        (folder / "nav").mkdir(parents=True, exist_ok=True)
        (folder / "benchmark").mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng(12)
        start = time.perf_counter()
        funds = {100000 + i: write_fund(folder, 100000 + i, args.classes, args.years, rng) for i in range(args.funds)}
        files = sorted(folder.glob("*/*.csv"))
        size = sum(p.stat().st_size for p in files)
        print(f"NAV and performance benchmark, {os.cpu_count()} cores, numpy {np.__version__}, "
              f"load average {os.getloadavg()[0]:.1f} at the start")
        print(f"generated {args.funds} funds x {args.classes} classes x {args.years} years: {len(files)} files, "
              f"{size / 1e6:.1f} MB in {time.perf_counter() - start:.1f} s")

        # (a) read and check every file
        wall, cpu = time.perf_counter(), time.process_time()
        histories, benchmarks, rows = {}, {}, 0
        for code, classes in funds.items():
            benchmarks[code] = read_levels(folder / "benchmark" / f"{code}.csv", base=folder, as_of=AS_OF)
            for class_code, inception in classes:
                history = read_nav(folder / "nav" / f"{class_code}.csv", base=folder, inception=inception, as_of=AS_OF)
                histories[class_code] = (code, inception, history)
                rows += len(history)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        nav_files = len(histories)
        print(f"\n(a) read and check {len(files)} files ({nav_files} NAV histories, {len(benchmarks)} benchmarks, "
              f"{rows:,} NAV rows): {wall:.2f} s wall, {cpu:.2f} s CPU = {1000 * wall / len(files):.2f} ms a file")
        one = folder / "nav" / f"{next(iter(histories))}.csv"
        times, cpus = [], []
        for _ in range(21):
            t, c = time.perf_counter(), time.process_time()
            for _ in range(10):
                read_nav(one)
            times.append((time.perf_counter() - t) / 10)
            cpus.append((time.process_time() - c) / 10)
        print(f"    one {len(histories[one.stem][2]):,}-row NAV file: {1000 * statistics.median(times):.2f} ms wall, "
              f"{1000 * statistics.median(cpus):.2f} ms CPU (medians of 21 x 10 reads; target: well under 10 ms)")

        # (b) every figure of every class and its benchmark, display rules, chart
        wall, cpu = time.perf_counter(), time.process_time()
        figures = 0
        for class_code, (code, inception, history) in histories.items():
            perf = class_performance(history, jurisdiction="CN" if code % 2 else "HK", inception=inception, as_of=AS_OF,
                                     benchmark=benchmarks[code], code=class_code)
            figures += len(perf.computed) + len(perf.benchmark or ())
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"(b) compute {figures:,} figures of {nav_files} classes and their benchmarks (with display rules and "
              f"growth charts): {wall:.2f} s wall, {cpu:.2f} s CPU = {1000 * wall / nav_files:.2f} ms a class   (target < 5 s)")
        sample = class_performance(histories[one.stem][2], jurisdiction="CN", inception=histories[one.stem][1], as_of=AS_OF,
                                   benchmark=benchmarks[histories[one.stem][0]])
        print(f"    e.g. {one.stem}: " + ", ".join(f"{k} {v.value}" for k, v in sample.fund.items()))


if __name__ == "__main__":
    main()
