"""NAV and level histories: the administrator's CSV files, read and checked, every problem at once.

    history = read_nav("nav/990101.csv", base=export, inception=date(2019, 3, 15), initial_nav=Decimal("1"))
    levels = read_levels("benchmark/990101.csv", base=export)

`nav/<class>.csv` holds `date,unit_nav,acc_nav,dividend_per_unit` (one row per dealing day from
the inception date; `unit_nav` after that day's dividend, `acc_nav` = unit NAV + every dividend so
far, `dividend_per_unit` the dividend whose ex-date is that day, blank for none);
`benchmark/<fund>.csv` and `proxy/<fund>.csv` hold `date,level`.

A file with errors raises `NavProblems`, which lists every error (and warning) of the file, each as
`nav/990101.csv:1234: date 2024-02-30 is not a date`, so that an importer can list them with its
other problems. A gap of more than `max_gap` dealing days between two rows is a *warning*, not an
error: dealing is sometimes suspended, and the figures computed across a gap are still NAV to NAV;
a dividend missing in a gap is an error anyway, since `acc_nav` no longer adds up after it. A
history that ends more than `max_gap` dealing days before `as_of` is an error: every period
would end on a stale NAV.

Values are checked exactly (as integers at their number of decimals), then kept as float64 numpy
arrays for the computation, with the number of decimals of each value so that `unit_nav_decimal(i)`
gives back the figure of the file exactly. The file is read into columns by `history_csv.py` (numpy
for a well-formed file, the csv module for any other) and its problems are `history_columns.py`'s;
this module holds the series and what is particular to each kind of file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Sequence

import numpy as np

from .history_columns import Column, HistoryColumns, NavProblem, NavProblems, Severity, as_day  # noqa: F401 - Severity importable from nav
from .history_csv import (  # noqa: F401 - the file format's names stay importable from nav
    FRACTION_DIGITS,
    INT_DIGITS,
    LEVEL_COLUMNS,
    NAV_COLUMNS,
    display_name,
    read_bytes,
    read_columns,
)

MAX_BYTES = 16 * 1024 * 1024  # about 400,000 daily rows: far more than any fund's history
MAX_GAP = 10  # dealing days (weekdays, Monday to Friday) between two rows, both excluded


def _decimal(value: float, places: int) -> Decimal:
    # Every value read has at most 15 significant digits, so the shortest repr of its float is its text.
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-int(places)))


class _Dated:
    """What a NAV history and a level series share: their days (`dates`, datetime64[D], ascending)."""

    dates: np.ndarray

    def __len__(self) -> int:
        return len(self.dates)

    @property
    def first_date(self) -> dt.date:
        return as_day(self.dates[0])

    @property
    def last_date(self) -> dt.date:
        return as_day(self.dates[-1])

    def date(self, i: int) -> dt.date:
        return as_day(self.dates[i])

    def index_on_or_before(self, day: dt.date) -> int | None:
        """The row of the last dealing day on or before `day`, or None when the history starts after it."""
        i = int(np.searchsorted(self.dates, np.datetime64(day, "D"), side="right")) - 1
        return i if i >= 0 else None


@dataclass(frozen=True, eq=False)
class NavHistory(_Dated):
    """A share class's daily NAVs, ascending by date, as float64 arrays (dividend 0.0 where none)."""

    source: str
    dates: np.ndarray  # datetime64[D]
    unit_nav: np.ndarray  # float64, after the day's dividend
    acc_nav: np.ndarray  # float64
    dividend: np.ndarray  # float64, the dividend per unit whose ex-date is that day
    lines: np.ndarray | None = None  # int32: the line of each row in the file
    unit_nav_places: np.ndarray | None = None  # int8: decimals given for each unit NAV
    acc_nav_places: np.ndarray | None = None
    dividend_places: np.ndarray | None = None
    currency: str | None = None
    warnings: tuple[NavProblem, ...] = ()

    def unit_nav_decimal(self, i: int) -> Decimal:
        """The unit NAV of row i exactly as the file gives it (Decimal('2.2099'))."""
        places = self.unit_nav_places[i] if self.unit_nav_places is not None else None
        return _decimal(self.unit_nav[i], places) if places is not None else Decimal(repr(float(self.unit_nav[i])))

    def acc_nav_decimal(self, i: int) -> Decimal:
        places = self.acc_nav_places[i] if self.acc_nav_places is not None else None
        return _decimal(self.acc_nav[i], places) if places is not None else Decimal(repr(float(self.acc_nav[i])))

    def dividends(self) -> list[tuple[dt.date, Decimal]]:
        """Every dividend: (ex-date, amount per unit as the file gives it)."""
        out = []
        for i in np.flatnonzero(self.dividend):
            places = self.dividend_places[i] if self.dividend_places is not None else None
            amount = _decimal(self.dividend[i], places) if places is not None else Decimal(repr(float(self.dividend[i])))
            out.append((self.date(i), amount))
        return out

    @classmethod
    def from_values(cls, dates: Sequence[dt.date | str], unit_nav: Sequence[float | str | Decimal],
                    dividend: Sequence[float | str | Decimal | None] | None = None, *, source: str = "<memory>",
                    currency: str | None = None) -> NavHistory:
        """A history built in code (tests, scripts); `acc_nav` is derived. Not checked: use read_nav for files."""
        unit = np.asarray([float(v) for v in unit_nav], dtype=np.float64)
        div = np.zeros(len(unit)) if dividend is None else np.asarray([float(v or 0) for v in dividend], dtype=np.float64)
        return cls(source, np.asarray(dates, dtype="datetime64[D]"), unit, unit + np.cumsum(div), div, currency=currency)


@dataclass(frozen=True, eq=False)
class LevelSeries(_Dated):
    """A benchmark's or a proxy's levels, ascending by date."""

    source: str
    dates: np.ndarray  # datetime64[D]
    levels: np.ndarray  # float64
    lines: np.ndarray | None = None
    warnings: tuple[NavProblem, ...] = ()


    @classmethod
    def from_values(cls, dates: Sequence[dt.date | str], levels: Sequence[float | str | Decimal], *,
                    source: str = "<memory>") -> LevelSeries:
        return cls(source, np.asarray(dates, dtype="datetime64[D]"), np.asarray([float(v) for v in levels], dtype=np.float64))


def read_nav(path: str | Path, *, inception: dt.date | None = None, initial_nav: Decimal | str | None = None,
             currency: str | None = None, as_of: dt.date | None = None, base: str | Path | None = None,
             max_gap: int | None = MAX_GAP, max_bytes: int = MAX_BYTES, data: bytes | None = None) -> NavHistory:
    """Read and check a `date,unit_nav,acc_nav,dividend_per_unit` file, or raise NavProblems listing
    every problem. `inception` and `initial_nav`, when given, must be the first row's date and unit NAV;
    with `as_of`, the history may not end more than `max_gap` dealing days before it. Warnings (gaps)
    are on the result's `warnings`. `base` is the folder that file names in messages are relative to;
    `data`, when given, is the file's bytes already read (`path` then only names it)."""
    name = display_name(path, base)
    table = read_columns(read_bytes(path, name, max_bytes, data), name, NAV_COLUMNS)
    if not table.usable:
        raise NavProblems(table.problems)
    unit, acc, div = (table.columns[n] for n in NAV_COLUMNS[1:])
    table.check_positive("unit_nav")
    table.check_positive("acc_nav")
    table.check_positive("dividend_per_unit", allow_zero=True)
    first = int(table.lines[0])
    if inception is not None and table.date_ok[0] and as_day(table.dates[0]) != inception:
        table.error(first, f"the first row is dated {as_day(table.dates[0])}, not the inception date {inception}")
    if initial_nav is not None and unit.valid[0] and Decimal(unit.text(0)) != Decimal(str(initial_nav)):
        table.error(first, f"the first unit_nav {unit.text(0)} is not the initial NAV {initial_nav}")
    _check_acc(table, unit, acc, div)
    table.check_order_and_gaps(max_gap)
    table.check_end(as_of, max_gap)
    warnings = table.done()
    dividend = np.where(div.present, div.floats, 0.0)
    return NavHistory(name, table.dates, unit.floats, acc.floats, dividend, table.lines.astype(np.int32),
                      unit.places, acc.places, div.places, currency, warnings)


def _check_acc(table: HistoryColumns, unit: Column, acc: Column, div: Column) -> None:
    """acc_nav = unit_nav + every dividend so far (this row's included), within half a unit of the
    last decimal of acc_nav given: exact, on integers. Rows after a dividend that cannot be read
    are not checked: the sum so far is unknown."""
    n = len(unit.valid)
    scale = max(unit.scale, acc.scale, div.scale)
    paid = np.where(div.valid, div.at_scale(scale), 0)
    known = np.logical_and.accumulate(div.valid)
    rows_checked = np.flatnonzero(unit.valid & acc.valid & known)
    if not len(rows_checked):
        return
    if int(np.abs(paid).max(initial=0)) * n < 2**62 and int(np.abs(acc.at_scale(scale)).max(initial=0)) < 2**61:
        so_far = np.cumsum(paid)
        off = acc.at_scale(scale) - unit.at_scale(scale) - so_far
        twice_tolerance = 10 ** (scale - acc.places.astype(np.int64))
        wrong = rows_checked[np.abs(2 * off[rows_checked]) > twice_tolerance[rows_checked]]
        paid_at = {int(i): int(so_far[i]) for i in wrong}
    else:  # absurdly large values: exact Python integers
        so_far_list, total = [], 0
        for units in paid.tolist():
            total += units
            so_far_list.append(total)
        acc_units, unit_units = acc.at_scale(scale).tolist(), unit.at_scale(scale).tolist()
        paid_at = {i: so_far_list[i] for i in rows_checked.tolist()
                   if abs(2 * (acc_units[i] - unit_units[i] - so_far_list[i])) > 10 ** (scale - int(acc.places[i]))}
    for i, units in paid_at.items():
        total = Decimal(units).scaleb(-scale).normalize()
        expected = (Decimal(unit.text(i)) + total).normalize()
        if -expected.as_tuple().exponent < acc.places[i]:
            expected = expected.quantize(Decimal(1).scaleb(-int(acc.places[i])))
        table.error(int(table.lines[i]), f"acc_nav {acc.text(i)} is not unit_nav {unit.text(i)} plus the dividends paid "
                                       f"so far ({total:f}): {expected:f}")


def read_levels(path: str | Path, *, as_of: dt.date | None = None, base: str | Path | None = None,
                max_gap: int | None = MAX_GAP, max_bytes: int = MAX_BYTES, data: bytes | None = None) -> LevelSeries:
    """Read and check a `date,level` file (a benchmark or a proxy), or raise NavProblems listing every problem."""
    name = display_name(path, base)
    table = read_columns(read_bytes(path, name, max_bytes, data), name, LEVEL_COLUMNS)
    if not table.usable:
        raise NavProblems(table.problems)
    table.check_positive("level")
    table.check_order_and_gaps(max_gap)
    table.check_end(as_of, max_gap)
    warnings = table.done()
    return LevelSeries(name, table.dates, table.columns["level"].floats, table.lines.astype(np.int32), warnings)
