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
gives back the figure of the file exactly. Reading is linear in the rows: a well-formed file is
parsed by numpy straight from its bytes (about 1 ms for 2,500 rows); any other file goes through
the csv module row by row, which says what is wrong with each row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import stat
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal, Sequence

import numpy as np

from ..errors import FactsheetError

MAX_BYTES = 16 * 1024 * 1024  # about 400,000 daily rows: far more than any fund's history
MAX_GAP = 10  # dealing days (weekdays, Monday to Friday) between two rows, both excluded
INT_DIGITS, FRACTION_DIGITS = 8, 7  # at most 15 digits: exact as float64, exact as int64 when scaled

NAV_COLUMNS = ("date", "unit_nav", "acc_nav", "dividend_per_unit")
LEVEL_COLUMNS = ("date", "level")
_OPTIONAL = {"dividend_per_unit"}

_DATE = r"\d{4}-\d{2}-\d{2}"
_NUMBER = rf"-?\d{{1,{INT_DIGITS}}}(?:\.\d{{1,{FRACTION_DIGITS}}})?"
_DATE_RE = re.compile(_DATE)
_NUMBER_RE = re.compile(_NUMBER)
_ANY_NUMBER_RE = re.compile(r"-?\d+(?:\.\d+)?")

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


def _as_day(value: np.datetime64) -> dt.date:
    return value.astype("datetime64[D]").item()


def _decimal(value: float, places: int) -> Decimal:
    # Every value read has at most 15 significant digits, so the shortest repr of its float is its text.
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-int(places)))


@dataclass(frozen=True, eq=False)
class NavHistory:
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

    def __len__(self) -> int:
        return len(self.dates)

    @property
    def first_date(self) -> dt.date:
        return _as_day(self.dates[0])

    @property
    def last_date(self) -> dt.date:
        return _as_day(self.dates[-1])

    def date(self, i: int) -> dt.date:
        return _as_day(self.dates[i])

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

    def index_on_or_before(self, day: dt.date) -> int | None:
        """The row of the last dealing day on or before `day`, or None when the history starts after it."""
        i = int(np.searchsorted(self.dates, np.datetime64(day, "D"), side="right")) - 1
        return i if i >= 0 else None

    @classmethod
    def from_values(cls, dates: Sequence[dt.date | str], unit_nav: Sequence[float | str | Decimal],
                    dividend: Sequence[float | str | Decimal | None] | None = None, *, source: str = "<memory>",
                    currency: str | None = None) -> NavHistory:
        """A history built in code (tests, scripts); `acc_nav` is derived. Not checked: use read_nav for files."""
        unit = np.asarray([float(v) for v in unit_nav], dtype=np.float64)
        div = np.zeros(len(unit)) if dividend is None else np.asarray([float(v or 0) for v in dividend], dtype=np.float64)
        return cls(source, np.asarray(dates, dtype="datetime64[D]"), unit, unit + np.cumsum(div), div, currency=currency)


@dataclass(frozen=True, eq=False)
class LevelSeries:
    """A benchmark's or a proxy's levels, ascending by date."""

    source: str
    dates: np.ndarray  # datetime64[D]
    levels: np.ndarray  # float64
    lines: np.ndarray | None = None
    warnings: tuple[NavProblem, ...] = ()

    def __len__(self) -> int:
        return len(self.dates)

    @property
    def first_date(self) -> dt.date:
        return _as_day(self.dates[0])

    @property
    def last_date(self) -> dt.date:
        return _as_day(self.dates[-1])

    def date(self, i: int) -> dt.date:
        return _as_day(self.dates[i])

    def index_on_or_before(self, day: dt.date) -> int | None:
        i = int(np.searchsorted(self.dates, np.datetime64(day, "D"), side="right")) - 1
        return i if i >= 0 else None

    @classmethod
    def from_values(cls, dates: Sequence[dt.date | str], levels: Sequence[float | str | Decimal], *,
                    source: str = "<memory>") -> LevelSeries:
        return cls(source, np.asarray(dates, dtype="datetime64[D]"), np.asarray([float(v) for v in levels], dtype=np.float64))


# --- reading ------------------------------------------------------------------------------------------


def display_name(path: str | Path, base: str | Path | None = None) -> str:
    """How a file is named in messages: relative to `base` when it lies under it, with forward slashes."""
    path = Path(path)
    if base is not None:
        try:
            return path.resolve().relative_to(Path(base).resolve()).as_posix()
        except (ValueError, OSError):
            pass
    return path.as_posix()


def _show(text: str, limit: int = 40) -> str:
    """A value quoted for a message: control, invisible and bidi characters escaped, long text cut."""
    cut = text if len(text) <= limit else text[:limit] + "…"
    return "'" + "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in cut) + "'"


def _read_bytes(path: str | Path, name: str, max_bytes: int, data: bytes | None = None) -> bytes:
    """The file's bytes (or `data`, the same file's bytes read earlier: the load stage reads every
    history a fund file refers to once), checked: a regular file, within the size limit, UTF-8, not empty."""
    def fail(message: str, line: int | None = None) -> NavProblems:
        return NavProblems([NavProblem(name, line, message)])

    if data is not None:
        raw = data
    else:
        path = Path(path)
        try:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode):  # a FIFO or /dev/zero would block or never end
                raise fail("not a regular file")
            if info.st_size > max_bytes:
                raise fail(f"file is {info.st_size:,} bytes, above the limit of {max_bytes:,} for a history")
            with path.open("rb") as fh:
                raw = fh.read(max_bytes + 1)  # the file may have grown since stat
        except OSError as err:
            raise fail(f"cannot read file: {err.strerror or err}") from None
    if len(raw) > max_bytes:
        raise fail(f"file is larger than the limit of {max_bytes:,} bytes for a history")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise fail(f"not UTF-8 text (byte 0x{raw[err.start]:02x})", raw.count(b"\n", 0, err.start) + 1) from None
    if not raw.removeprefix(_BOM).strip():
        raise fail("the file is empty")
    return raw


_BOM = b"\xef\xbb\xbf"


class _Column:
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


class _Rows:
    """A history file's rows as columns (dates, numbers), with the file line of each row and every
    problem found so far. Well-formed files are read by `_fast`; anything else by `_slow`, which
    says what is wrong with each row."""

    def __init__(self, raw: bytes, name: str, expected: tuple[str, ...]):
        self.name = name
        self.expected = expected
        self.problems: list[NavProblem] = []
        self.usable = False
        self.lines = np.zeros(0, dtype=np.int64)
        self.dates = np.zeros(0, dtype="datetime64[D]")
        self.date_ok = np.zeros(0, dtype=bool)
        self.columns: dict[str, _Column] = {}
        if not self._fast(raw):
            self._slow(raw.decode("utf-8-sig"))

    def error(self, line: int | None, message: str, severity: Severity = "error") -> None:
        self.problems.append(NavProblem(self.name, line, message, severity))

    def _header(self, names: list[str], line: int) -> dict[str, int] | None:
        """Where each expected column is, or None (with the problems) when the rows cannot be read."""
        wanted = ",".join(self.expected)
        if names and _DATE_RE.fullmatch(names[0]):
            self.error(line, f"the first line is not a header: it must be {wanted}")
            return None
        ok = True
        for n in self.expected:
            if names.count(n) > 1:
                self.error(line, f"column {n} appears {names.count(n)} times")
                ok = False
            elif n not in names:
                self.error(line, f"missing column {n} (the header must be {wanted})")
                ok = False
        for n in names:
            if n not in self.expected:
                self.error(line, f"unknown column {_show(n)} (the header must be {wanted})")
        return {n: names.index(n) for n in self.expected} if ok else None

    # -- the fast path: numpy over the bytes -------------------------------------------------------

    def _fast(self, raw: bytes) -> bool:
        """Read a plain file (header on line 1, no quotes or spaces, every row well formed) with numpy;
        False, having recorded nothing, for anything else."""
        bom = len(_BOM) if raw.startswith(_BOM) else 0
        first = raw.find(b"\n", bom)
        if first < 0 or b'"' in raw or not raw[bom:].isascii():
            return False
        header = raw[bom:first].decode("ascii").rstrip("\r")
        names = header.split(",")
        if not header or any(n != n.strip() for n in names) or "\r" in header:
            return False
        if raw[first + 1:].translate(None, _PLAIN):
            return False  # a byte that no plain row has: a space, a letter, a tab
        buf = np.frombuffer(raw, dtype=np.uint8)
        body = buf[first + 1:]
        k = len(names)
        newlines = np.flatnonzero(body == 10) + first + 1
        if len(body) and body[-1] != 10:
            newlines = np.append(newlines, len(buf))
        if not len(newlines):
            return False
        starts = np.concatenate(([first + 1], newlines[:-1] + 1))
        ends = newlines.copy()
        crlf = (ends > starts) & (buf[np.maximum(ends - 1, 0)] == 13)
        ends[crlf] -= 1
        if int(np.count_nonzero(body == 13)) != int(np.count_nonzero(crlf)):
            return False  # a carriage return inside a line
        lines = np.arange(len(starts), dtype=np.int64) + 2
        keep = ends > starts  # blank lines are allowed anywhere
        starts, ends, lines = starts[keep], ends[keep], lines[keep]
        if not len(starts):
            return False
        commas = np.flatnonzero(body == 44) + first + 1
        c0 = np.searchsorted(commas, starts)
        if not np.array_equal(np.searchsorted(commas, ends) - c0, np.full(len(starts), k - 1)):
            return False
        bounds = []
        for j in range(k):
            lo = starts if j == 0 else commas[c0 + j - 1] + 1
            hi = ends if j == k - 1 else commas[c0 + j]
            bounds.append((lo, hi))
        problems_before = len(self.problems)
        index = self._header(names, 1)
        if index is None or len(self.problems) > problems_before:
            self.problems[problems_before:] = []
            return False  # the slow path reports the header with everything else
        dates = _fast_dates(buf, *bounds[index["date"]])
        if dates is None:
            return False
        columns = {}
        for n in self.expected[1:]:
            column = _fast_numbers(buf, *bounds[index[n]], optional=n in _OPTIONAL)
            if column is None:
                return False
            columns[n] = column
        self.lines, self.dates, self.columns = lines, dates, columns
        self.date_ok = np.ones(len(lines), dtype=bool)
        self.usable = True
        return True

    # -- the slow path: the csv module, a message for each bad value ------------------------------

    def _slow(self, text: str) -> None:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        rows: list[list[str]] = []
        lines: list[int] = []
        header = None
        try:
            for row in reader:
                if not row or not any(f.strip() for f in row):
                    continue  # blank lines are allowed anywhere
                if header is None:
                    header = ([f.strip() for f in row], reader.line_num)
                else:
                    rows.append(row)
                    lines.append(reader.line_num)
        except csv.Error as err:
            self.error(reader.line_num, f"not a valid CSV file: {err}")
        if header is None:
            if not self.problems:
                self.error(None, "the file is empty")
            return
        names, header_line = header
        index = self._header(names, header_line)
        if index is None:
            return
        if not rows:
            if not self.problems:
                self.error(header_line, "only a header, no rows")
            return
        width = len(names)
        required = max(i for n, i in index.items() if n not in _OPTIONAL) + 1
        texts: dict[str, list[str]] = {n: [] for n in self.expected}
        bad = np.zeros(len(rows), dtype=bool)
        for r, row in enumerate(rows):
            if required <= len(row) <= width:  # trailing optional values may be left out
                for n, i in index.items():
                    texts[n].append(row[i].strip() if i < len(row) else "")
                continue
            self.error(lines[r], f"{len(row)} value{'s' if len(row) != 1 else ''}, expected {width} ({', '.join(names)})")
            bad[r] = True
            for n in self.expected:
                texts[n].append("")
        self.lines = np.asarray(lines, dtype=np.int64)
        self.dates, self.date_ok = self._slow_dates(texts["date"], bad)
        self.columns = {n: self._slow_numbers(n, texts[n], bad, n in _OPTIONAL) for n in self.expected[1:]}
        self.usable = True

    def _slow_dates(self, texts: list[str], bad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        out = np.full(len(texts), np.datetime64("NaT"), dtype="datetime64[D]")
        valid = ~bad
        for i, text in enumerate(texts):
            if bad[i]:
                continue
            line = int(self.lines[i])
            if not text:
                self.error(line, "date is empty")
            elif not _DATE_RE.fullmatch(text):
                self.error(line, f"date {_show(text)} is not a date (write it as YYYY-MM-DD)")
            else:
                try:
                    out[i] = np.datetime64(dt.date.fromisoformat(text), "D")
                    continue
                except ValueError:
                    self.error(line, f"date {text} is not a date")
            valid[i] = False
        return out, valid

    def _slow_numbers(self, name: str, texts: list[str], bad: np.ndarray, optional: bool) -> _Column:
        n = len(texts)
        own = np.zeros(n, dtype=np.int64)
        places = np.zeros(n, dtype=np.int8)
        valid = ~bad
        present = np.zeros(n, dtype=bool)
        for i, text in enumerate(texts):
            if bad[i] or (optional and not text):
                continue
            line = int(self.lines[i])
            if _NUMBER_RE.fullmatch(text):
                whole, _, fraction = text.partition(".")
                own[i], places[i], present[i] = int(whole + fraction), len(fraction), True
                continue
            if not text:
                self.error(line, f"{name} is empty")
            elif _ANY_NUMBER_RE.fullmatch(text):
                self.error(line, f"{name} {_show(text)} is out of range (at most {INT_DIGITS} digits before the "
                                 f"decimal point and {FRACTION_DIGITS} after)")
            else:
                self.error(line, f"{name} {_show(text)} is not a number")
            valid[i] = False
        return _Column(own, places, valid, present)

    # -- checks on the columns, whichever path read them ----------------------------------------

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
                self.error(here, f"date {_as_day(d[k + 1])} repeats line {before}")
            else:
                self.error(here, f"date {_as_day(d[k + 1])} is before {_as_day(d[k])} on line {before}: dates must ascend")
        if max_gap is not None:
            ascending = step > zero
            gaps = np.zeros(len(step), dtype=np.int64)
            gaps[ascending] = np.busday_count(d[:-1][ascending] + 1, d[1:][ascending])
            for k in np.flatnonzero(gaps > max_gap):
                self.error(int(self.lines[rows[k + 1]]), f"no row for {gaps[k]} dealing days between {_as_day(d[k])} "
                                                         f"and {_as_day(d[k + 1])} (more than {max_gap})", "warning")

    def check_end(self, as_of: dt.date | None, max_gap: int | None) -> None:
        """The last row on or before as_of may not be more than max_gap dealing days before it."""
        if as_of is None or max_gap is None or not self.date_ok.any():
            return
        day = np.datetime64(as_of, "D")
        rows = np.flatnonzero(self.date_ok & (self.dates <= day))
        if not len(rows):
            first = np.flatnonzero(self.date_ok)[0]
            self.error(int(self.lines[first]), f"the history starts on {_as_day(self.dates[first])}, after as_of {as_of}")
            return
        last = rows[-1]
        behind = int(np.busday_count(self.dates[last] + 1, day + 1))
        if behind > max_gap:
            self.error(int(self.lines[last]), f"the history ends on {_as_day(self.dates[last])}, {behind} dealing days "
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


_PLAIN = b"0123456789-.,\r\n"
_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


_POW10 = 10 ** np.arange(INT_DIGITS + FRACTION_DIGITS + 1, dtype=np.int64)


def _fast_dates(buf: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray | None:
    """YYYY-MM-DD fields as datetime64[D], or None when any is not a real date."""
    if not np.all(hi - lo == 10):
        return None
    m = buf[lo[:, None] + np.arange(10)]
    if not (np.all(m[:, 4] == 45) and np.all(m[:, 7] == 45)):
        return None
    digits = m[:, [0, 1, 2, 3, 5, 6, 8, 9]] - np.uint8(48)  # a non-digit wraps round to more than 9
    if np.any(digits > 9):
        return None
    d = digits.astype(np.int64).T  # integer matmul has no fast path in numpy: sum the columns
    year, month, day = d[0] * 1000 + d[1] * 100 + d[2] * 10 + d[3], d[4] * 10 + d[5], d[6] * 10 + d[7]
    if np.any((year < 1) | (month < 1) | (month > 12) | (day < 1)):
        return None
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    if np.any(day > _DAYS_IN_MONTH[month - 1] + ((month == 2) & leap)):
        return None
    return ((year - 1970) * 12 + (month - 1)).astype("datetime64[M]").astype("datetime64[D]") + (day - 1)


def _fast_numbers(buf: np.ndarray, lo: np.ndarray, hi: np.ndarray, optional: bool) -> _Column | None:
    """Decimal fields (-?digits[.digits], within the bounds) as a _Column, or None when any is not one."""
    n = len(lo)
    length = hi - lo
    present = length > 0
    if not present.all():
        if not optional:
            return None
        rows = np.flatnonzero(present)  # a dividend column is mostly blank: read only the values
        own, places = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int8)
        if len(rows):
            given = _fast_numbers(buf, lo[rows], hi[rows], False)
            if given is None:
                return None
            own[rows], places[rows] = given.own, given.places
        return _Column(own, places, np.ones(n, dtype=bool), present)
    width = int(length.max(initial=0))
    if width > INT_DIGITS + FRACTION_DIGITS + 2:
        return None
    # The fields, aligned on their last character; left padding reads as '0'.
    col = np.arange(width)
    first = width - length
    m = np.where(col >= first[:, None], buf[hi[:, None] - width + col], np.uint8(48))
    negative = buf[lo] == 45
    if negative.any():
        m[negative, first[negative]] = 48
    whole_max = INT_DIGITS
    # Usually every value has the same number of decimals: then each column has a fixed weight.
    dot = m == 46
    places_first = width - 1 - int(dot[0].argmax()) if dot[0].any() else 0
    dot_col = width - 1 - places_first
    uniform = (places_first == 0 and not dot.any()) or (
        places_first > 0 and bool(dot[:, dot_col].all()) and int(np.count_nonzero(dot)) == n)
    if uniform:
        digit_cols = np.flatnonzero(col != dot_col) if places_first else col
        digits = m[:, digit_cols] - np.uint8(48)  # a non-digit wraps round to more than 9
        if np.any(digits > 9):
            return None
        whole = length - negative - (places_first + 1 if places_first else 0)
        if np.any((whole < 1) | (whole > whole_max)) or places_first > FRACTION_DIGITS:
            return None
        own = np.zeros(n, dtype=np.int64)
        for column, weight in zip(digits.T, _POW10[len(digit_cols) - 1::-1]):
            own += column * weight  # uint8 times int64: int64
        places = np.full(n, places_first, dtype=np.int8)
    else:
        digit = (m - np.uint8(48)) <= 9
        if not np.all(digit | dot) or np.any(np.count_nonzero(dot, axis=1) > 1):
            return None
        has_dot = dot.any(axis=1)
        dot_at = np.where(has_dot, dot.argmax(axis=1), width)
        whole = dot_at - first - negative
        places = np.where(has_dot, width - 1 - dot_at, 0)
        if np.any((whole < 1) | (whole > whole_max) | (has_dot & ((places < 1) | (places > FRACTION_DIGITS)))):
            return None
        exponent = (width - 1 - col) - ((col < dot_at[:, None]) & has_dot[:, None])  # a digit left of the point skips it
        value = np.where(digit, m - np.uint8(48), np.uint8(0)).astype(np.int64)
        own = (value * _POW10[np.maximum(exponent, 0)]).sum(axis=1)
        places = places.astype(np.int8)
    return _Column(np.where(negative, -own, own), places, np.ones(n, dtype=bool), present)


def read_nav(path: str | Path, *, inception: dt.date | None = None, initial_nav: Decimal | str | None = None,
             currency: str | None = None, as_of: dt.date | None = None, base: str | Path | None = None,
             max_gap: int | None = MAX_GAP, max_bytes: int = MAX_BYTES, data: bytes | None = None) -> NavHistory:
    """Read and check a `date,unit_nav,acc_nav,dividend_per_unit` file, or raise NavProblems listing
    every problem. `inception` and `initial_nav`, when given, must be the first row's date and unit NAV;
    with `as_of`, the history may not end more than `max_gap` dealing days before it. Warnings (gaps)
    are on the result's `warnings`. `base` is the folder that file names in messages are relative to;
    `data`, when given, is the file's bytes already read (`path` then only names it)."""
    name = display_name(path, base)
    rows = _Rows(_read_bytes(path, name, max_bytes, data), name, NAV_COLUMNS)
    if not rows.usable:
        raise NavProblems(rows.problems)
    unit, acc, div = (rows.columns[n] for n in NAV_COLUMNS[1:])
    rows.check_positive("unit_nav")
    rows.check_positive("acc_nav")
    rows.check_positive("dividend_per_unit", allow_zero=True)
    first = int(rows.lines[0])
    if inception is not None and rows.date_ok[0] and _as_day(rows.dates[0]) != inception:
        rows.error(first, f"the first row is dated {_as_day(rows.dates[0])}, not the inception date {inception}")
    if initial_nav is not None and unit.valid[0] and Decimal(unit.text(0)) != Decimal(str(initial_nav)):
        rows.error(first, f"the first unit_nav {unit.text(0)} is not the initial NAV {initial_nav}")
    _check_acc(rows, unit, acc, div)
    rows.check_order_and_gaps(max_gap)
    rows.check_end(as_of, max_gap)
    warnings = rows.done()
    dividend = np.where(div.present, div.floats, 0.0)
    return NavHistory(name, rows.dates, unit.floats, acc.floats, dividend, rows.lines.astype(np.int32),
                      unit.places, acc.places, div.places, currency, warnings)


def _check_acc(rows: _Rows, unit: _Column, acc: _Column, div: _Column) -> None:
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
        rows.error(int(rows.lines[i]), f"acc_nav {acc.text(i)} is not unit_nav {unit.text(i)} plus the dividends paid "
                                       f"so far ({total:f}): {expected:f}")


def read_levels(path: str | Path, *, as_of: dt.date | None = None, base: str | Path | None = None,
                max_gap: int | None = MAX_GAP, max_bytes: int = MAX_BYTES, data: bytes | None = None) -> LevelSeries:
    """Read and check a `date,level` file (a benchmark or a proxy), or raise NavProblems listing every problem."""
    name = display_name(path, base)
    rows = _Rows(_read_bytes(path, name, max_bytes, data), name, LEVEL_COLUMNS)
    if not rows.usable:
        raise NavProblems(rows.problems)
    rows.check_positive("level")
    rows.check_order_and_gaps(max_gap)
    rows.check_end(as_of, max_gap)
    warnings = rows.done()
    return LevelSeries(name, rows.dates, rows.columns["level"].floats, rows.lines.astype(np.int32), warnings)
