"""PRIIPs KID figures: hand-worked cases, the SRI table, and a second implementation that must agree.

The reference implementation below is written from spec/priips.md and the RTS with plain Python
(datetime, bisect, loops over windows) and pandas; it imports nothing from factsheets.priips.
"""

from __future__ import annotations

import bisect
import csv
import math
import statistics
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from factsheets.errors import FactsheetError
from factsheets.figures.priips import (
    PriipsError,
    PriipsInputs,
    compute,
    market_risk,
    mrm_class,
    price_history,
    scenarios,
    sri,
    sri_words,
)

DATA = Path(__file__).resolve().parent / "data" / "priips"
CLASS = "LU0000990301"


# --- the shared fixture ---------------------------------------------------------------------------

def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def growth(rows: list[dict[str, str]]) -> tuple[list[date], list[float]]:
    """G(t) per PERFORMANCE.md: G(inception) = 1, G(t) = G(t-1) (unit_nav(t) + dividend(t)) / unit_nav(t-1)."""
    dates, g = [date.fromisoformat(rows[0]["date"])], [1.0]
    for before, row in zip(rows, rows[1:]):
        dividend = float(row["dividend_per_unit"] or 0)
        g.append(g[-1] * (float(row["unit_nav"]) + dividend) / float(before["unit_nav"]))
        dates.append(date.fromisoformat(row["date"]))
    return dates, g


def fixture_series() -> tuple[list[date], list[float], list[date], list[float]]:
    nav_dates, g = growth(read_csv(DATA / f"nav-{CLASS}.csv"))
    proxy = read_csv(DATA / f"proxy-{CLASS}.csv")
    return nav_dates, g, [date.fromisoformat(r["date"]) for r in proxy], [float(r["level"]) for r in proxy]


SHARED = Path(__file__).resolve().parents[2] / "shared" / "house-export"


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared is not here (a clean clone)")
@pytest.mark.parametrize(("copy", "original"), [(f"nav-{CLASS}.csv", f"nav/{CLASS}.csv"),
                                                (f"proxy-{CLASS}.csv", f"proxy/{CLASS}.csv")])
def test_fixtures_are_copies_of_the_house_export(copy, original):
    assert (DATA / copy).read_bytes() == (SHARED / original).read_bytes()


FIXTURE_INPUTS = PriipsInputs(CLASS, rhp_years=3, credit_risk_class=2, entry_cost_pct=Decimal(3),
                              exit_cost_pct=Decimal(0), ongoing_costs_pct=Decimal("1.15"),
                              transaction_costs_pct=Decimal("0.21"), performance_fee_pct=Decimal(0))


# --- the reference implementation ---------------------------------------------------------------

def ref_years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return date(day.year - years, 2, 28)


def ref_last_on_or_before(dates: list[date], day: date) -> int:
    return bisect.bisect_right(dates, day) - 1


def ref_history(dates, prices, proxy_dates, proxy_levels) -> tuple[list[date], list[float]]:
    levels = dict(zip(proxy_dates, proxy_levels))
    anchor = max(d for d in proxy_dates if d <= dates[0])
    earlier = [(d, prices[0] * levels[d] / levels[anchor]) for d in proxy_dates if d < dates[0]]
    return [d for d, _ in earlier] + list(dates), [p for _, p in earlier] + list(prices)


@dataclass
class RefRisk:
    m0: int
    m1: float
    m2: float
    m3: float
    m4: float
    sigma: float
    skew: float
    kurt: float
    var: float
    vev: float
    mrm: int
    returns: list[float]


def ref_market_risk(dates: list[date], prices: list[float], rhp: int) -> RefRisk:
    cutoff = ref_years_before(dates[-1], 5)
    r = [math.log(prices[i] / prices[i - 1]) for i in range(1, len(dates)) if dates[i] > cutoff]
    m0 = len(r)
    m1 = math.fsum(r) / m0
    m2, m3, m4 = (math.fsum((x - m1) ** k for x in r) / m0 for k in (2, 3, 4))
    sigma = math.sqrt(m2)
    skew, kurt = m3 / sigma**3, m4 / sigma**4 - 3
    n = 256 * rhp
    var = sigma * math.sqrt(n) * (-1.96 + 0.474 * skew / math.sqrt(n) - 0.0687 * kurt / n
                                  + 0.146 * skew**2 / n) - 0.5 * sigma**2 * n
    vev = (math.sqrt(3.842 - 2 * var) - 1.96) / math.sqrt(rhp)
    mrm = 1
    for bound in (0.005, 0.05, 0.12, 0.20, 0.30, 0.80):
        if vev >= bound:
            mrm += 1
    return RefRisk(m0, m1, m2, m3, m4, sigma, skew, kurt, var, vev, mrm, r)


Z = {1: -2.3263478740408408, 5: -1.6448536269514729}  # standard normal quantiles at 1 % and 5 %


def ref_scenarios(dates, prices, rhp, entry_pct, exit_pct, risk: RefRisk, investment=10_000):
    """{(scenario, years): (amount, average return each year)}; also the moderate price ratios."""
    keep = (1 - entry_pct / 100) * (1 - exit_pct / 100)
    cutoff = ref_years_before(dates[-1], 10)  # spec/priips.md: windows whose END falls in the last 10 years
    out, moderate_ratio = {}, {}
    for years in ([1] if rhp == 1 else [1, rhp]):
        full = []
        for end in range(len(dates)):
            start = ref_last_on_or_before(dates, ref_years_before(dates[end], years))
            if dates[end] > cutoff and start >= 0:  # a window exists when the history holds its start
                full.append(prices[end] / prices[start])
        first = ref_last_on_or_before(dates, ref_years_before(dates[-1], years))
        last = ref_last_on_or_before(dates, ref_years_before(dates[-1], 1))
        short = [prices[-1] / prices[a] for a in range(first, last + 1)]
        ratios = {"unfavourable": min(full + short), "moderate": statistics.median(full), "favourable": max(full)}
        moderate_ratio[years] = ratios["moderate"]
        w, q, z = (21, 0.99, Z[1]) if years == 1 else (63, 0.95, Z[5])
        sigma_s = pd.Series(risk.returns).rolling(w).std(ddof=0).dropna().quantile(q)
        n = 256 * years
        mu1, mu2 = risk.skew, risk.kurt
        stress = math.exp(sigma_s * math.sqrt(n) * (z + (z**2 - 1) / 6 * mu1 / math.sqrt(n)
                                                    + (z**3 - 3 * z) / 24 * mu2 / n
                                                    - (2 * z**3 - 5 * z) / 36 * mu1**2 / n) - 0.5 * sigma_s**2 * n)
        ratios["stress"] = min(stress, ratios["unfavourable"])
        for name, ratio in ratios.items():
            amount = investment * keep * ratio
            out[name, years] = (amount, (amount / investment) ** (1 / years) - 1)
    return out, moderate_ratio


def ref_windows(dates, prices, years: int) -> dict[str, tuple[date, date]]:
    """The past window each of the unfavourable, moderate and favourable outcomes at `years` came from: the worst
    of the full windows and the shorter ones ending on the last date (a full one on a tie), the middle full window
    (of an even number, the lower of the two middle ones), the best full window (the first of equals)."""
    cutoff = ref_years_before(dates[-1], 10)
    full = []
    for end in range(len(dates)):
        start = ref_last_on_or_before(dates, ref_years_before(dates[end], years))
        if dates[end] > cutoff and start >= 0:
            full.append((prices[end] / prices[start], start, end))
    first = ref_last_on_or_before(dates, ref_years_before(dates[-1], years))
    last = ref_last_on_or_before(dates, ref_years_before(dates[-1], 1))
    short = [(prices[-1] / prices[a], a, len(dates) - 1) for a in range(first, last + 1)]
    ordered = sorted(full, key=lambda item: item[0])
    picked = {"unfavourable": min(full + short, key=lambda item: item[0]),
              "moderate": ordered[(len(ordered) - 1) // 2],
              "favourable": max(full, key=lambda item: item[0])}
    return {name: (dates[start], dates[end]) for name, (_, start, end) in picked.items()}


def ref_costs(inputs: PriipsInputs, moderate_ratio: dict[int, float], investment=10_000):
    """Year by year: the value grows by g, loses r of itself at each year end, then the exit cost."""
    entry, exit_ = float(inputs.entry_cost_pct) / 100, float(inputs.exit_cost_pct) / 100
    r = float(inputs.ongoing_costs_pct + inputs.transaction_costs_pct + inputs.performance_fee_pct) / 100
    over_time = {}
    for years, ratio in moderate_ratio.items():
        g = 0.0 if years == 1 else (ratio ** (1 / years)) / (1 - r) - 1
        gross, net = float(investment), investment * (1 - entry)
        for _ in range(years):
            gross *= 1 + g
            net *= 1 + g
            net -= net * r
        net -= net * exit_
        after = (net / investment) ** (1 / years) - 1
        over_time[years] = (gross - net, g - after)
    first_year = investment * (1 - entry)
    composition = {
        "entry": investment * entry,
        "exit": first_year * (1 - r) * exit_,
        "ongoing": first_year * float(inputs.ongoing_costs_pct) / 100,
        "transaction": first_year * float(inputs.transaction_costs_pct) / 100,
        "performance": first_year * float(inputs.performance_fee_pct) / 100,
    }
    return over_time, composition


def unit(x: float) -> Decimal:
    return Decimal(repr(float(x))).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def one_place(fraction: float) -> Decimal:
    return Decimal(repr(float(100 * fraction))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def assert_agrees(inputs: PriipsInputs, dates: list[date], prices: list[float]) -> None:
    """Every figure of compute() against the reference: parts to 1e-9, amounts to the currency unit."""
    figures = compute(inputs, dates, prices)
    shown = figures.display()
    ref = ref_market_risk(dates, prices, inputs.rhp_years)
    risk = figures.market_risk
    assert risk.m0 == ref.m0
    for ours, theirs in [(risk.m1, ref.m1), (risk.m2, ref.m2), (risk.m3, ref.m3), (risk.m4, ref.m4),
                         (risk.sigma, ref.sigma), (risk.skew, ref.skew), (risk.excess_kurtosis, ref.kurt),
                         (risk.var, ref.var), (risk.vev, ref.vev)]:
        assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-15)
    assert (risk.mrm, figures.sri) == (ref.mrm, [[1, 1, 3, 5, 5, 6], [2, 2, 3, 5, 5, 6], [3, 3, 3, 5, 5, 6],
                                                   [4, 4, 4, 5, 5, 6], [5, 5, 5, 5, 5, 6], [6] * 6,
                                                   [7] * 6][ref.mrm - 1][inputs.credit_risk_class - 1])
    expected, moderate_ratio = ref_scenarios(dates, prices, inputs.rhp_years, float(inputs.entry_cost_pct),
                                             float(inputs.exit_cost_pct), ref)
    got = {(s.scenario, s.years): (s.amount, s.average_return_pct) for rows in shown.scenarios.values() for s in rows}
    assert got == {key: (unit(amount), one_place(ret)) for key, (amount, ret) in expected.items()}
    over_time, composition = ref_costs(inputs, moderate_ratio)
    assert {c.years: (c.total_costs, c.annual_cost_impact_pct) for c in shown.costs_over_time} == {
        years: (unit(total), one_place(impact)) for years, (total, impact) in over_time.items()}
    assert {c.item: c.amount for c in shown.composition} == {
        item: (None if item == "exit" and inputs.exit_cost_pct == 0 else unit(amount))
        for item, amount in composition.items()}


# --- generated series ---------------------------------------------------------------------------

def dealing_days(first: date, last: date, rng: np.random.Generator, holidays: float = 0.02) -> list[date]:
    days = [first + timedelta(n) for n in range((last - first).days + 1)]
    return [d for d in days if d.weekday() < 5 and (d in (first, last) or rng.random() > holidays)]


def random_series(seed: int, years: int = 11, vol: float = 0.01) -> tuple[list[date], list[float]]:
    rng = np.random.default_rng(seed)
    dates = dealing_days(date(2025 - years, 10, 1), date(2025, 10, 31), rng)
    r = rng.standard_t(4, len(dates) - 1) * vol * np.repeat(rng.lognormal(0, 0.5, len(dates) // 50 + 1), 50)[:len(dates) - 1]
    r[rng.random(len(r)) < 0.003] -= 8 * vol
    return dates, list(100 * np.exp(np.concatenate([[0.0], np.cumsum(r + 0.0002)])))


def alternating(dates: list[date], s: float, start: float = 100.0) -> list[float]:
    """Log returns +s, -s, +s, ...: mean 0, skew 0, excess kurtosis -2 over any even number of them."""
    return [start * math.exp(s * (i % 2)) for i in range(len(dates))]


def weekdays(first: date, last: date) -> list[date]:
    return [first + timedelta(n) for n in range((last - first).days + 1) if (first + timedelta(n)).weekday() < 5]


# --- market risk by hand --------------------------------------------------------------------------

def test_alternating_returns_give_the_closed_form_var_and_vev():
    dates = weekdays(date(2022, 10, 31), date(2025, 10, 31))  # 3 years: every return is in the sample
    if len(dates) % 2 == 0:  # an even number of returns, so their mean is exactly 0
        dates = dates[1:]
    s, rhp = 0.004, 3
    risk = market_risk(dates, alternating(dates, s), rhp)
    assert risk.m0 == len(dates) - 1
    assert risk.m1 == pytest.approx(0, abs=1e-15)
    assert risk.sigma == pytest.approx(s, rel=1e-12)
    assert risk.skew == pytest.approx(0, abs=1e-9)
    assert risk.excess_kurtosis == pytest.approx(-2, rel=1e-12)
    n = 256 * rhp  # Annex II point 12 with μ1 = 0 and μ2 = -2
    var = s * math.sqrt(n) * (-1.96 + 0.0687 * 2 / n) - 0.5 * s * s * n
    vev = (math.sqrt(3.842 - 2 * var) - 1.96) / math.sqrt(rhp)
    assert risk.trading_periods == 768
    assert risk.var == pytest.approx(var, rel=1e-12)
    assert risk.vev == pytest.approx(vev, rel=1e-12)
    assert risk.vev == pytest.approx(0.064, abs=1e-4)  # about σ √256 = 6.4 %: the annual volatility
    assert risk.mrm == 3


def test_negative_skew_and_fat_tails_make_the_var_worse_than_the_normal_one():
    dates = weekdays(date(2021, 1, 4), date(2025, 10, 31))
    r = [0.004 * (1 if i % 2 else -1) for i in range(len(dates) - 1)]
    for i in range(100, len(r), 150):  # a few large falls
        r[i] = -0.04
    prices = list(100 * np.exp(np.concatenate([[0.0], np.cumsum(r)])))
    risk = market_risk(dates, prices, 5)
    assert risk.skew < -2 and risk.excess_kurtosis > 10
    n = 256 * 5
    normal = -1.96 * risk.sigma * math.sqrt(n) - 0.5 * risk.sigma**2 * n  # the same σ, μ1 = μ2 = 0
    assert risk.var < normal
    assert risk.vev > (math.sqrt(3.842 - 2 * normal) - 1.96) / math.sqrt(5)


@pytest.mark.parametrize(("bound", "below"), [(0.005, 1), (0.05, 2), (0.12, 3), (0.20, 4), (0.30, 5), (0.80, 6)])
def test_mrm_class_boundaries_belong_to_the_higher_class(bound, below):
    assert mrm_class(math.nextafter(bound, 0)) == below
    assert mrm_class(bound - 1e-9) == below
    assert mrm_class(bound) == below + 1
    assert mrm_class(math.nextafter(bound, 1)) == below + 1


def test_mrm_class_ends():
    assert mrm_class(0.0) == 1
    assert mrm_class(5.0) == 7
    with pytest.raises(PriipsError):
        mrm_class(float("nan"))


def test_less_than_two_years_of_prices_is_refused_with_the_days_and_dates():
    dates = weekdays(date(2024, 5, 1), date(2025, 10, 31))
    with pytest.raises(PriipsError) as caught:
        market_risk(dates, alternating(dates, 0.01), 3)
    message = str(caught.value)
    assert "needs at least 2 years of prices" in message
    assert f"it has {len(dates)} days (from 2024-05-01 to 2025-10-31)" in message
    assert "2023-10-31" in message
    assert isinstance(caught.value, FactsheetError)  # the CLI prints it, no traceback


def test_exactly_two_years_is_enough_and_uses_every_return():
    dates = weekdays(date(2023, 10, 31), date(2025, 10, 31))
    risk = market_risk(dates, alternating(dates, 0.01), 3)
    assert risk.m0 == len(dates) - 1
    assert risk.start == date(2023, 10, 31)


def test_the_last_five_years_are_the_returns_ending_after_the_day_five_years_before():
    dates = weekdays(date(2018, 1, 1), date(2025, 10, 31))  # 2020-10-31 is a Saturday
    risk = market_risk(dates, alternating(dates, 0.01), 3)
    assert risk.start == date(2020, 10, 30)  # the Friday's price starts Monday's return
    assert risk.m0 == sum(1 for d in dates if d > date(2020, 10, 31))
    dates = weekdays(date(2018, 1, 1), date(2025, 11, 3))  # 2020-11-03 is a Tuesday: its return is out
    risk = market_risk(dates, alternating(dates, 0.01), 3)
    assert risk.start == date(2020, 11, 3)
    assert risk.m0 == sum(1 for d in dates if d > date(2020, 11, 3))


def test_a_holding_period_outside_1_to_9_years_is_refused():
    dates = weekdays(date(2020, 1, 1), date(2025, 10, 31))
    for rhp in (0, 10, 2.5, True):
        with pytest.raises(PriipsError, match="recommended holding period"):
            market_risk(dates, alternating(dates, 0.01), rhp)


def test_bad_prices_are_listed_together():
    dates = weekdays(date(2020, 1, 1), date(2025, 10, 31))
    prices = alternating(dates, 0.01)
    prices[10], prices[20] = 0.0, float("nan")
    dates[30] = dates[29]
    with pytest.raises(PriipsError) as caught:
        market_risk(dates, prices, 3)
    assert len(caught.value.problems) == 3
    assert f"the price on {dates[10]} is 0.0" in str(caught.value)
    assert "must be strictly increasing" in str(caught.value)


# --- SRI --------------------------------------------------------------------------------------------

SRI_MD = """
| 1 | 1 | 1 | 3 | 5 | 5 | 6 |
| 2 | 2 | 2 | 3 | 5 | 5 | 6 |
| 3 | 3 | 3 | 3 | 5 | 5 | 6 |
| 4 | 4 | 4 | 4 | 5 | 5 | 6 |
| 5 | 5 | 5 | 5 | 5 | 5 | 6 |
| 6 | 6 | 6 | 6 | 6 | 6 | 6 |
| 7 | 7 | 7 | 7 | 7 | 7 | 7 |
"""  # spec/priips.md, MRM rows by CRM columns 1-6


@pytest.mark.parametrize("mrm", range(1, 8))
@pytest.mark.parametrize("crm", range(1, 7))
def test_sri_table(mrm, crm):
    rows = {int(cells[0]): [int(c) for c in cells[1:]]
            for cells in ([c.strip() for c in line.strip("|").split("|")] for line in SRI_MD.strip().splitlines())}
    assert sri(mrm, crm) == rows[mrm][crm - 1]


def test_sri_words_and_refusals():
    assert [sri_words(k) for k in range(1, 8)] == ["the lowest", "a low", "a medium-low", "a medium",
                                                   "a medium-high", "the second-highest", "the highest"]
    for mrm, crm in [(0, 1), (8, 1), (1, 0), (1, 7), (True, 1)]:
        with pytest.raises(PriipsError):
            sri(mrm, crm)


# --- price history ----------------------------------------------------------------------------------

def test_price_history_is_chain_linked_on_the_class_first_day():
    nav_dates, g, proxy_dates, levels = fixture_series()
    dates, prices = price_history(nav_dates, g, proxy_dates, levels)
    ref_dates, ref_prices = ref_history(nav_dates, g, proxy_dates, levels)
    assert [d.item() for d in dates] == ref_dates
    assert list(prices) == pytest.approx(ref_prices, rel=1e-13)
    first = ref_dates.index(nav_dates[0])
    assert ref_dates[0] == date(2013, 1, 2) and prices[first] == 1.0
    proxy = dict(zip(proxy_dates, levels))
    # before the class's first day the returns are the proxy's
    assert prices[first - 1] / prices[first] == pytest.approx(proxy[dates[first - 1].item()] / proxy[nav_dates[0]])
    assert prices[10] / prices[9] == pytest.approx(proxy[dates[10].item()] / proxy[dates[9].item()])


def test_price_history_anchors_on_the_proxy_last_level_before_the_first_day():
    class_dates = [date(2020, 1, 6), date(2020, 1, 7)]
    dates, prices = price_history(class_dates, [1.0, 1.01], [date(2020, 1, 2), date(2020, 1, 3)], [50.0, 55.0])
    assert [d.item() for d in dates] == [date(2020, 1, 2), date(2020, 1, 3), *class_dates]
    assert list(prices) == pytest.approx([50 / 55, 1.0, 1.0, 1.01])
    with pytest.raises(PriipsError, match="starts on 2020-01-07, after the class's first price on 2020-01-06"):
        price_history(class_dates, [1.0, 1.01], [date(2020, 1, 7), date(2020, 1, 8)], [50.0, 55.0])


# --- scenarios and costs by construction ---------------------------------------------------------------

def steady(dates: list[date], yearly: float) -> list[float]:
    return [math.exp(math.log(1 + yearly) * (d - dates[0]).days / 365.25) for d in dates]


def test_unfavourable_counts_the_shorter_windows_ending_on_the_last_date():
    # 10 % a year for 9 years, then flat for 2: every 3-year window grows by 10 % or more, but the
    # 2-year window ending on the last date (Annex IV point 7(b)) does not grow at all.
    dates = weekdays(date(2014, 10, 31), date(2025, 10, 31))
    turn = date(2023, 10, 31)
    prices = [p if d <= turn else steady(dates, 0.10)[dates.index(max(x for x in dates if x <= turn))]
              for d, p in zip(dates, steady(dates, 0.10))]
    found = scenarios(dates, prices, 3, entry_cost_pct=Decimal(2))
    worst = found.get("unfavourable", 3)
    assert worst.price_ratio == pytest.approx(1.0)
    assert worst.amount == pytest.approx(9800)
    assert worst.window[1] == date(2025, 10, 31) and worst.window[0] <= date(2023, 10, 31)
    assert found.get("favourable", 3).price_ratio == pytest.approx(1.1**3, rel=2e-3)


def test_stress_is_never_above_the_unfavourable():
    # falling 20 % a year with almost no volatility: the Cornish-Fisher stress barely moves, the
    # worst window loses 20 %; the stress shows the unfavourable outcome (Annex IV point 2).
    dates = weekdays(date(2014, 10, 31), date(2025, 10, 31))
    prices = [p * math.exp(1e-5 * (i % 2)) for i, p in enumerate(steady(dates, -0.20))]
    found = scenarios(dates, prices, 3)
    assert found.stress_capped == (True, True)
    for years in (1, 3):
        assert found.get("stress", years).amount == found.get("unfavourable", years).amount
    assert found.get("unfavourable", 1).amount == pytest.approx(8000, rel=2e-3)


def test_scenarios_need_ten_years():
    dates = weekdays(date(2016, 1, 4), date(2025, 10, 31))
    with pytest.raises(PriipsError) as caught:
        scenarios(dates, alternating(dates, 0.01), 3)
    assert f"need 10 years of prices (spec/priips.md, Annex IV points 5-6); the history has {len(dates)} days " \
           "(from 2016-01-04 to 2025-10-31), so it needs prices back to 2015-10-31" in str(caught.value)


def test_windows_are_those_ending_in_the_last_ten_years_whose_start_the_history_holds():
    dates = weekdays(date(2015, 6, 1), date(2025, 10, 31))
    found = scenarios(dates, alternating(dates, 0.01), 3)
    ends_in_ten_years = [d for d in dates if d > date(2015, 10, 31)]
    one_year_in = [d for d in ends_in_ten_years if d >= date(2016, 6, 1)]  # a window needs its start in the history
    three_years_in = [d for d in ends_in_ten_years if d >= date(2018, 6, 1)]
    assert found.windows == (len(one_year_in), len(three_years_in))


def test_costs_add_up_and_the_moderate_scenario_is_after_costs():
    dates, prices = random_series(7)
    inputs = PriipsInputs("X", 4, 1, Decimal("5"), Decimal("1"), Decimal("1.8"), Decimal("0.3"), Decimal("0.2"))
    figures = compute(inputs, dates, prices)
    c, s = figures.costs, figures.scenarios
    one = c.at(1)
    assert one.total_costs == pytest.approx(sum(item.amount for item in c.composition))
    assert one.annual_cost_impact == pytest.approx(one.total_costs / 10_000)
    assert c.item("exit").applies and c.item("exit").amount == pytest.approx(9500 * (1 - 0.023) * 0.01)
    rhp = c.at(4)
    after = 10_000 * (1 + rhp.return_after) ** 4
    assert after == pytest.approx(s.get("moderate", 4).amount)
    assert rhp.total_costs == pytest.approx(10_000 * (1 + rhp.return_before) ** 4 - after)
    assert rhp.annual_cost_impact == pytest.approx(rhp.return_before - rhp.return_after)
    assert s.get("moderate", 4).amount == pytest.approx(10_000 * 0.95 * 0.99 * s.get("moderate", 4).price_ratio)


def test_inputs_list_every_problem():
    with pytest.raises(PriipsError) as caught:
        PriipsInputs("LU1", 10, 7, 3.0, Decimal(-1), Decimal("1.15"), "0.21", Decimal(100))
    problems = caught.value.problems
    assert len(problems) == 5
    assert "priips (LU1).recommended_holding_period_years: 10" in problems[0]
    assert "priips (LU1).credit_risk_class: 7" in problems[1]
    assert "entry_cost_pct: 3.0" in problems[2] and "exit_cost_pct" in problems[3]
    assert "performance_fee_pct" in problems[4]
    ok = PriipsInputs("LU1", 3, 2, 3, "0", "1.15", "0.21")
    assert ok.entry_cost_pct == Decimal(3) and ok.performance_fee_pct == Decimal(0)


# --- the two implementations agree -------------------------------------------------------------------

def test_fixture_agrees_with_the_reference():
    nav_dates, g, proxy_dates, levels = fixture_series()
    dates, prices = ref_history(nav_dates, g, proxy_dates, levels)
    assert_agrees(FIXTURE_INPUTS, dates, prices)


def test_fixture_figures():
    """LU0000990301 with its proxy, as the KID will show them (these are the figures reported)."""
    nav_dates, g, proxy_dates, levels = fixture_series()
    shown = compute(FIXTURE_INPUTS, *price_history(nav_dates, g, proxy_dates, levels)).display()
    assert (shown.mrm, shown.sri, shown.sri_words, shown.vev_pct) == (3, 3, "a medium-low", Decimal("5.92"))
    table = {name: [(s.amount, s.average_return_pct) for s in rows] for name, rows in shown.scenarios.items()}
    assert table == {
        "stress": [(Decimal(8117), Decimal("-18.8")), (Decimal(7982), Decimal("-7.2"))],
        "unfavourable": [(Decimal(8636), Decimal("-13.6")), (Decimal(8693), Decimal("-4.6"))],
        "moderate": [(Decimal(10236), Decimal("2.4")), (Decimal(11631), Decimal("5.2"))],
        "favourable": [(Decimal(11905), Decimal("19.1")), (Decimal(14509), Decimal("13.2"))],
    }
    assert [(c.years, c.total_costs, c.annual_cost_impact_pct) for c in shown.costs_over_time] == [
        (1, Decimal(432), Decimal("4.3")), (3, Decimal(863), Decimal("2.5"))]
    assert [(c.item, c.pct, c.amount) for c in shown.composition] == [
        ("entry", Decimal("3.00"), Decimal(300)), ("exit", Decimal("0.00"), None),
        ("ongoing", Decimal("1.15"), Decimal(112)), ("transaction", Decimal("0.21"), Decimal(20)),
        ("performance", Decimal("0.00"), Decimal(0))]


@pytest.mark.parametrize(("seed", "rhp", "costs"), [
    (1, 1, ("0", "0", "0.5", "0.1", "0")),
    (2, 2, ("5", "0", "1.8", "0.4", "0.2")),
    (3, 3, ("3", "1", "1.15", "0.21", "0")),
    (4, 4, ("1", "0.5", "0.9", "0.05", "0")),
    (5, 5, ("4.5", "0", "2.2", "0.6", "0.3")),
    (6, 3, ("0", "2", "0.2", "0", "0")),
])
def test_generated_series_agree_with_the_reference(seed, rhp, costs):
    dates, prices = random_series(seed, vol=0.003 * seed)
    inputs = PriipsInputs(f"G{seed}", rhp, 1 + seed % 6, *(Decimal(c) for c in costs))
    assert_agrees(inputs, dates, prices)


def test_generated_series_with_rhp_beyond_five_years_agree():
    dates, prices = random_series(11, years=13)
    inputs = PriipsInputs("G11", 7, 3, Decimal(2), Decimal(0), Decimal("1.5"), Decimal("0.2"), Decimal(0))
    assert compute(inputs, dates, prices).scenarios.observation_start == dates[0]
    assert_agrees(inputs, dates, prices)
