"""A history file read as columns, and its problems: the dates and numeric columns with the file line
of each row (`HistoryColumns`), every problem found so far, and the checks on them that do not depend
on how the file was read (order, gaps, the last row, positive values). `history_csv.py` reads a
file into them; `nav.py` makes them a NAV history or a level series."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Sequence

import numpy as np

from ..errors import FactsheetError

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class NavProblem:
    """One problem of a history file: `file:line: message` (line None for the whole file)."""

    file: str
    line: int | None
    message: str
    severity: Severity = "error"

    def format(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {'warning: ' if self.severity == 'warning' else ''}{self.message}"

    def __str__(self) -> str:
        return self.format()


class NavProblems(FactsheetError):
    """A history file that cannot be used: `problems` lists every error and warning, by line."""

    def __init__(self, problems: Sequence[NavProblem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0))
        super().__init__("\n".join(p.format() for p in self.problems))

    @property
    def errors(self) -> list[NavProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[NavProblem]:
        return [p for p in self.problems if p.severity == "warning"]


def as_day(value: np.datetime64) -> dt.date:
    return value.astype("datetime64[D]").item()


class Column:
    """A numeric column: each value as an integer at its own number of decimals (`own`, `places`)."""

    def __init__(self, own: np.ndarray, places: np.ndarray, valid: np.ndarray, present: np.ndarray):
        self.own, self.places, self.valid, self.present = own, places, valid, present
        self.scale = int(places.max(initial=0))
        self.units = own * 10 ** (self.scale - places.astype(np.int64))  # exact, at the column's scale
        self.floats = own.astype(np.float64) / 10.0 ** places.astype(np.float64)  # correctly rounded

    def at_scale(self, scale: int) -> np.ndarray:
        return self.units * 10 ** (scale - self.scale)

    def text(self, i: int) -> str:
        return f"{Decimal(int(self.own[i])).scaleb(-int(self.places[i])):f}"


class HistoryColumns:
    """A history file's rows as columns: `dates` (with `date_ok`, where the date could be read) and
    each numeric column by name (`columns`), `lines` the file line of each row, and every problem
    found so far. `usable` is False when the rows could not be read at all (no header, say)."""

    def __init__(self, name: str, expected: tuple[str, ...]):
        self.name = name
        self.expected = expected
        self.problems: list[NavProblem] = []
        self.usable = False
        self.lines = np.zeros(0, dtype=np.int64)
        self.dates = np.zeros(0, dtype="datetime64[D]")
        self.date_ok = np.zeros(0, dtype=bool)
        self.columns: dict[str, Column] = {}

    def error(self, line: int | None, message: str, severity: Severity = "error") -> None:
        self.problems.append(NavProblem(self.name, line, message, severity))

    # -- checks on the columns, whichever way the file was read ------------------------------------

    def check_order_and_gaps(self, max_gap: int | None) -> None:
        rows = np.flatnonzero(self.date_ok)
        if len(rows) < 2:
            return
        d = self.dates[rows]
        step = d[1:] - d[:-1]
        zero = np.timedelta64(0, "D")
        for k in np.flatnonzero(step <= zero):
            here, before = int(self.lines[rows[k + 1]]), int(self.lines[rows[k]])
            if step[k] == zero:
                self.error(here, f"date {as_day(d[k + 1])} repeats line {before}")
            else:
                self.error(here, f"date {as_day(d[k + 1])} is before {as_day(d[k])} on line {before}: dates must ascend")
        if max_gap is not None:
            ascending = step > zero
            gaps = np.zeros(len(step), dtype=np.int64)
            gaps[ascending] = np.busday_count(d[:-1][ascending] + 1, d[1:][ascending])
            for k in np.flatnonzero(gaps > max_gap):
                self.error(int(self.lines[rows[k + 1]]), f"no row for {gaps[k]} dealing days between {as_day(d[k])} "
                                                         f"and {as_day(d[k + 1])} (more than {max_gap})", "warning")

    def check_end(self, as_of: dt.date | None, max_gap: int | None) -> None:
        """The last row on or before as_of may not be more than max_gap dealing days before it."""
        if as_of is None or max_gap is None or not self.date_ok.any():
            return
        day = np.datetime64(as_of, "D")
        rows = np.flatnonzero(self.date_ok & (self.dates <= day))
        if not len(rows):
            first = np.flatnonzero(self.date_ok)[0]
            self.error(int(self.lines[first]), f"the history starts on {as_day(self.dates[first])}, after as_of {as_of}")
            return
        last = rows[-1]
        behind = int(np.busday_count(self.dates[last] + 1, day + 1))
        if behind > max_gap:
            self.error(int(self.lines[last]), f"the history ends on {as_day(self.dates[last])}, {behind} dealing days "
                                              f"before as_of {as_of}")

    def check_positive(self, name: str, allow_zero: bool = False) -> None:
        column = self.columns[name]
        wrong = column.valid & column.present & ((column.own < 0) if allow_zero else (column.own <= 0))
        for i in np.flatnonzero(wrong):
            self.error(int(self.lines[i]), f"{name} {column.text(i)} is {'negative' if allow_zero else 'not positive'}")
        column.valid &= ~wrong  # said once: later checks leave it out

    def done(self) -> tuple[NavProblem, ...]:
        """Raise NavProblems when there is an error; else the warnings."""
        if any(p.severity == "error" for p in self.problems):
            raise NavProblems(self.problems)
        return tuple(sorted(self.problems, key=lambda p: p.line or 0))
