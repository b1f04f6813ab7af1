"""Reading a history file (a CSV file of dates and numbers) into checked columns, every problem at once.

A well-formed file (header on line 1, no quotes or spaces, every row well formed) is parsed by numpy
straight from its bytes (`_read_plain`, about 1 ms for 2,500 rows); any other file goes through the
csv module row by row (`_read_csv`), which says what is wrong with each row. Values are checked
exactly, as integers at their number of decimals (`Column`). Reading is linear in the rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import stat
from pathlib import Path

import numpy as np

from .history_columns import Column, HistoryColumns, NavProblem, NavProblems

INT_DIGITS, FRACTION_DIGITS = 8, 7  # at most 15 digits: exact as float64, exact as int64 when scaled

NAV_COLUMNS = ("date", "unit_nav", "acc_nav", "dividend_per_unit")
LEVEL_COLUMNS = ("date", "level")
_OPTIONAL = {"dividend_per_unit"}

_DATE = r"\d{4}-\d{2}-\d{2}"
_NUMBER = rf"-?\d{{1,{INT_DIGITS}}}(?:\.\d{{1,{FRACTION_DIGITS}}})?"
_DATE_RE = re.compile(_DATE)
_NUMBER_RE = re.compile(_NUMBER)
_ANY_NUMBER_RE = re.compile(r"-?\d+(?:\.\d+)?")

_BOM = b"\xef\xbb\xbf"
_PLAIN = b"0123456789-.,\r\n"  # every byte a plain file's rows hold
_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
_POW10 = 10 ** np.arange(INT_DIGITS + FRACTION_DIGITS + 1, dtype=np.int64)


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


def read_bytes(path: str | Path, name: str, max_bytes: int, data: bytes | None = None) -> bytes:
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


def read_columns(raw: bytes, name: str, expected: tuple[str, ...]) -> HistoryColumns:
    """A history file's bytes (`read_bytes`) as columns, with every problem found reading them:
    by numpy when the file is plain, else by the csv module."""
    table = HistoryColumns(name, expected)
    if not _read_plain(table, raw):
        _read_csv(table, raw.decode("utf-8-sig"))
    return table


def _header(table: HistoryColumns, names: list[str], line: int) -> dict[str, int] | None:
    """Where each expected column is, or None (with the problems) when the rows cannot be read."""
    wanted = ",".join(table.expected)
    if names and _DATE_RE.fullmatch(names[0]):
        table.error(line, f"the first line is not a header: it must be {wanted}")
        return None
    ok = True
    for n in table.expected:
        if names.count(n) > 1:
            table.error(line, f"column {n} appears {names.count(n)} times")
            ok = False
        elif n not in names:
            table.error(line, f"missing column {n} (the header must be {wanted})")
            ok = False
    for n in names:
        if n not in table.expected:
            table.error(line, f"unknown column {_show(n)} (the header must be {wanted})")
    return {n: names.index(n) for n in table.expected} if ok else None


# --- the fast path: numpy over the bytes ----------------------------------------------------------


def _read_plain(table: HistoryColumns, raw: bytes) -> bool:
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
    problems_before = len(table.problems)
    index = _header(table, names, 1)
    if index is None or len(table.problems) > problems_before:
        table.problems[problems_before:] = []
        return False  # the slow path reports the header with everything else
    dates = _fast_dates(buf, *bounds[index["date"]])
    if dates is None:
        return False
    columns = {}
    for n in table.expected[1:]:
        column = _fast_numbers(buf, *bounds[index[n]], optional=n in _OPTIONAL)
        if column is None:
            return False
        columns[n] = column
    table.lines, table.dates, table.columns = lines, dates, columns
    table.date_ok = np.ones(len(lines), dtype=bool)
    table.usable = True
    return True


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


def _fast_numbers(buf: np.ndarray, lo: np.ndarray, hi: np.ndarray, optional: bool) -> Column | None:
    """Decimal fields (-?digits[.digits], within the bounds) as a Column, or None when any is not one."""
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
        return Column(own, places, np.ones(n, dtype=bool), present)
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
    return Column(np.where(negative, -own, own), places, np.ones(n, dtype=bool), present)


# --- the slow path: the csv module, a message for each bad value ------------------------------------


def _read_csv(table: HistoryColumns, text: str) -> None:
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
        table.error(reader.line_num, f"not a valid CSV file: {err}")
    if header is None:
        if not table.problems:
            table.error(None, "the file is empty")
        return
    names, header_line = header
    index = _header(table, names, header_line)
    if index is None:
        return
    if not rows:
        if not table.problems:
            table.error(header_line, "only a header, no rows")
        return
    width = len(names)
    required = max(i for n, i in index.items() if n not in _OPTIONAL) + 1
    texts: dict[str, list[str]] = {n: [] for n in table.expected}
    bad = np.zeros(len(rows), dtype=bool)
    for r, row in enumerate(rows):
        if required <= len(row) <= width:  # trailing optional values may be left out
            for n, i in index.items():
                texts[n].append(row[i].strip() if i < len(row) else "")
            continue
        table.error(lines[r], f"{len(row)} value{'s' if len(row) != 1 else ''}, expected {width} ({', '.join(names)})")
        bad[r] = True
        for n in table.expected:
            texts[n].append("")
    table.lines = np.asarray(lines, dtype=np.int64)
    table.dates, table.date_ok = _csv_dates(table, texts["date"], bad)
    table.columns = {n: _csv_numbers(table, n, texts[n], bad, n in _OPTIONAL) for n in table.expected[1:]}
    table.usable = True


def _csv_dates(table: HistoryColumns, texts: list[str], bad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    out = np.full(len(texts), np.datetime64("NaT"), dtype="datetime64[D]")
    valid = ~bad
    for i, text in enumerate(texts):
        if bad[i]:
            continue
        line = int(table.lines[i])
        if not text:
            table.error(line, "date is empty")
        elif not _DATE_RE.fullmatch(text):
            table.error(line, f"date {_show(text)} is not a date (write it as YYYY-MM-DD)")
        else:
            try:
                out[i] = np.datetime64(dt.date.fromisoformat(text), "D")
                continue
            except ValueError:
                table.error(line, f"date {text} is not a date")
        valid[i] = False
    return out, valid


def _csv_numbers(table: HistoryColumns, name: str, texts: list[str], bad: np.ndarray, optional: bool) -> Column:
    n = len(texts)
    own = np.zeros(n, dtype=np.int64)
    places = np.zeros(n, dtype=np.int8)
    valid = ~bad
    present = np.zeros(n, dtype=bool)
    for i, text in enumerate(texts):
        if bad[i] or (optional and not text):
            continue
        line = int(table.lines[i])
        if _NUMBER_RE.fullmatch(text):
            whole, _, fraction = text.partition(".")
            own[i], places[i], present[i] = int(whole + fraction), len(fraction), True
            continue
        if not text:
            table.error(line, f"{name} is empty")
        elif _ANY_NUMBER_RE.fullmatch(text):
            table.error(line, f"{name} {_show(text)} is out of range (at most {INT_DIGITS} digits before the "
                             f"decimal point and {FRACTION_DIGITS} after)")
        else:
            table.error(line, f"{name} {_show(text)} is not a number")
        valid[i] = False
    return Column(own, places, valid, present)
