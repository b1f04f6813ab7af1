"""The PRIIPs benchmark (not a test): every KID figure for generated funds, timed in one run.

    .venv/bin/python bench/priips.py [--funds 500] [--years 10]

Each fund has its own daily price history (dealing days Monday to Friday, `--years` years up to
31 October 2025; log returns with a fund-specific volatility, volatility clusters, a few jumps and
fat tails), its own RHP (1-5 years), credit risk class and costs. Generating the prices is not
timed; `compute` (MRM, SRI, the four scenarios at 1 year and the RHP, costs) is, with no I/O.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from factsheets.figures.priips import PriipsInputs, compute  # noqa: E402

END = np.datetime64("2025-10-31")


def dealing_days(years: int) -> np.ndarray:
    start = np.busday_offset(np.datetime64(f"{2025 - years}-10-31"), 0, roll="backward")
    days = np.arange(start, END + 1, dtype="datetime64[D]")
    return days[np.is_busday(days)]


def fund(i: int, days: np.ndarray, rng: np.random.Generator) -> tuple[PriipsInputs, np.ndarray]:
    n = len(days) - 1
    vol = rng.uniform(0.002, 0.02)
    regime = np.repeat(rng.lognormal(0, 0.4, n // 60 + 1), 60)[:n]  # volatility clusters
    returns = rng.standard_t(5, n) * vol * regime / np.sqrt(5 / 3) + rng.normal(0.0002, 0.0001)
    jumps = rng.random(n) < 0.002
    returns[jumps] -= rng.exponential(5 * vol, jumps.sum())
    prices = 100 * np.exp(np.concatenate([[0.0], np.cumsum(returns)]))
    inputs = PriipsInputs(
        class_code=f"LU{i:010d}", rhp_years=int(rng.integers(1, 6)), credit_risk_class=int(rng.integers(1, 4)),
        entry_cost_pct=Decimal(int(rng.integers(0, 6))), exit_cost_pct=Decimal(int(rng.integers(0, 2))),
        ongoing_costs_pct=Decimal(f"{rng.uniform(0.1, 2.5):.2f}"),
        transaction_costs_pct=Decimal(f"{rng.uniform(0.0, 0.6):.2f}"),
        performance_fee_pct=Decimal(f"{rng.choice([0.0, 0.0, 0.3]):.2f}"))
    return inputs, prices


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--funds", type=int, default=500)
    parser.add_argument("--years", type=int, default=10)
    args = parser.parse_args()
    rng = np.random.default_rng(2025)
    days = dealing_days(args.years)
    funds = [fund(i, days, rng) for i in range(args.funds)]
    print(f"PRIIPs figures, {os.cpu_count()} cores, numpy {np.__version__}: {args.funds} funds x "
          f"{len(days)} daily prices ({days[0]} to {days[-1]})")
    start = time.perf_counter()
    figures = [compute(inputs, days, prices) for inputs, prices in funds]
    elapsed = time.perf_counter() - start
    sris = np.bincount([f.sri for f in figures], minlength=8)[1:]
    capped = sum(any(f.scenarios.stress_capped) for f in figures)
    print(f"  every KID figure (MRM, SRI, 4 scenarios x {{1 y, RHP}}, costs): {elapsed:.2f} s, "
          f"{1000 * elapsed / args.funds:.2f} ms per fund (target: 500 funds under 10 s)")
    print(f"  SRI 1-7: {' '.join(str(int(c)) for c in sris)}; stress set to the unfavourable in {capped} funds")


if __name__ == "__main__":
    main()
