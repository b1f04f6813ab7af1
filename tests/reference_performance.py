"""A second, independent implementation of the house's performance conventions, for the tests.

Written from tests/data/house-export/PERFORMANCE.md with pandas, sharing no code with
factsheets/performance.py or factsheets/nav.py: pandas reads the CSV, the growth of one unit is the
document's formula applied day by day (a cumulative product of daily factors), dates are pandas
Timestamps and "N years before" is pandas' DateOffset. factsheets must agree with it to 0.005
percentage points on every figure.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd


def read_nav(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype={"date": str, "unit_nav": float, "acc_nav": float, "dividend_per_unit": float})
    frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d")
    frame["dividend_per_unit"] = frame["dividend_per_unit"].fillna(0.0)
    return frame.set_index("date")


def read_levels(path: Path) -> pd.Series:
    frame = pd.read_csv(path, dtype={"date": str, "level": float})
    frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d")
    return frame.set_index("date")["level"]


def growth(nav: pd.DataFrame) -> pd.Series:
    """G(inception) = 1; G(t) = G(t-1) * (unit_nav(t) + dividend(t)) / unit_nav(t-1)."""
    factor = (nav["unit_nav"] + nav["dividend_per_unit"]) / nav["unit_nav"].shift(1)
    factor.iloc[0] = 1.0
    return factor.cumprod()


def _last_on_or_before(values: pd.Series, day: pd.Timestamp) -> tuple[pd.Timestamp, float] | None:
    before = values.loc[:day]
    if before.empty:
        return None
    return before.index[-1], float(before.iloc[-1])


def figures(values: pd.Series, inception: dt.date, as_of: dt.date) -> dict[str, tuple[float, dt.date, dt.date]]:
    """Every figure the document defines, as key -> (return as a fraction, start day, end day), for a
    growth series G or a benchmark's levels (a return is then the ratio of levels)."""
    inception_ts = pd.Timestamp(inception)
    end = _last_on_or_before(values, pd.Timestamp(as_of))
    assert end is not None
    end_day, end_value = end
    out: dict[str, tuple[float, dt.date, dt.date]] = {}

    def period(key: str, nominal_start: pd.Timestamp, nominal_end: pd.Timestamp | None = None) -> None:
        if inception_ts > nominal_start:  # the fund did not exist on the start day
            return
        start = _last_on_or_before(values, nominal_start)
        finish = (end_day, end_value) if nominal_end is None else _last_on_or_before(values, nominal_end)
        if start is None or finish is None:
            return
        out[key] = (finish[1] / start[1] - 1.0, start[0].date(), finish[0].date())

    period("ytd", pd.Timestamp(as_of.year - 1, 12, 31))
    for years in (1, 3, 5):
        period(f"{years}y", end_day - pd.DateOffset(years=years))
    period("since_inception", inception_ts)
    days = (end_day - inception_ts).days
    if "since_inception" in out and days >= 365:
        total = out["since_inception"][0]
        out["since_inception_annualised"] = ((1.0 + total) ** (365.0 / days) - 1.0, inception, end_day.date())
    for year in range(inception.year, as_of.year):
        start = inception_ts if year == inception.year else pd.Timestamp(year - 1, 12, 31)
        period(str(year), start, pd.Timestamp(year, 12, 31))
    return out


def nav_figures(path: Path, inception: dt.date, as_of: dt.date) -> dict[str, tuple[float, dt.date, dt.date]]:
    return figures(growth(read_nav(path)), inception, as_of)


def level_figures(path: Path, inception: dt.date, as_of: dt.date) -> dict[str, tuple[float, dt.date, dt.date]]:
    return figures(read_levels(path), inception, as_of)
