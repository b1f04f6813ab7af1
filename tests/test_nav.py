"""Reading NAV and level histories (factsheets/nav.py): the house export reads clean and exactly,
and every kind of bad file is reported with file:line, all problems at once, never a traceback."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factsheets.errors import FactsheetError
from factsheets.fund.nav import LevelSeries, NavHistory, NavProblems, read_levels, read_nav

EXPORT = Path(__file__).parent / "data" / "house-export"
HEADER = "date,unit_nav,acc_nav,dividend_per_unit\n"


def write(tmp_path: Path, text: str | bytes, name: str = "nav/990101.csv") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def problems_of(path: Path, reader=read_nav, **kwargs) -> list[str]:
    with pytest.raises(NavProblems) as caught:
        reader(path, base=path.parent.parent, **kwargs)
    assert isinstance(caught.value, FactsheetError)  # the CLI reports it as a message
    assert str(caught.value) == "\n".join(p.format() for p in caught.value.problems)
    return [p.format() for p in caught.value.problems]


# --- the house export -----------------------------------------------------------------------------


def test_export_files_read_clean_with_exact_values():
    history = read_nav(EXPORT / "nav" / "990101.csv", base=EXPORT, inception=dt.date(2019, 3, 15),
                       initial_nav=Decimal("1.0000"), currency="CNY", as_of=dt.date(2025, 10, 31))
    assert history.source == "nav/990101.csv"
    assert history.warnings == ()
    assert len(history) == 1644
    assert (history.first_date, history.last_date) == (dt.date(2019, 3, 15), dt.date(2025, 10, 31))
    assert (history.lines[0], history.lines[-1]) == (2, 1645)  # file lines: the header is line 1
    assert history.unit_nav_decimal(len(history) - 1) == Decimal("2.2099")
    assert str(history.acc_nav_decimal(len(history) - 1)) == "2.4399"
    assert str(history.unit_nav_decimal(0)) == "1.0000"  # the decimals the file gives
    assert [(d, str(a)) for d, a in history.dividends()] == [(dt.date(2021, 1, 20), "0.1500"), (dt.date(2023, 6, 12), "0.0800")]
    assert history.currency == "CNY"
    mdis = read_nav(EXPORT / "nav" / "LU0000990319.csv")
    assert len(mdis.dividends()) == 88 and {str(a) for _, a in mdis.dividends()} == {"0.0420"}


@pytest.mark.parametrize("path", sorted(EXPORT.glob("*/*.csv")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_export_file_reads_the_same_plain_or_quoted(path, tmp_path):
    """A plain file is read by numpy from its bytes; the same file with quoted values goes through
    the csv module. Both give the same dates, values and line numbers."""
    reader = read_nav if path.parent.name == "nav" else read_levels
    plain = reader(path)
    assert plain.warnings == ()
    lines = path.read_text(encoding="utf-8").splitlines()
    quoted = write(tmp_path, "\n".join([lines[0]] + ['"' + line.replace(",", '","') + '"' for line in lines[1:]]) + "\n")
    other = reader(quoted)
    assert np.array_equal(plain.dates, other.dates)
    assert np.array_equal(plain.lines, other.lines)
    if isinstance(plain, NavHistory):
        for name in ("unit_nav", "acc_nav", "dividend", "unit_nav_places", "acc_nav_places", "dividend_places"):
            assert np.array_equal(getattr(plain, name), getattr(other, name)), name
        raw = [line.split(",") for line in lines[1:]]
        assert [float(r[1]) for r in raw] == plain.unit_nav.tolist()  # floats as Python parses the text
    else:
        assert np.array_equal(plain.levels, other.levels)


# --- bad files: every problem at once ------------------------------------------------------------------


def test_a_hostile_file_gets_every_problem_with_its_line(tmp_path):
    path = write(tmp_path, HEADER
                 + "2024-02-26,1.0000,1.0000,\n"
                 + "2024-02-27,-1.0000,-1.0000,\n"
                 + "2024-02-29,1.0100,1.0100,\n"
                 + "2024-02-28,1.0200,1.0200,\n"
                 + "2024-02-30,1.0300,1.0300,\n"
                 + "2024-03-01,abc,1.0300,\n")
    assert problems_of(path) == [
        "nav/990101.csv:3: unit_nav -1.0000 is not positive",
        "nav/990101.csv:3: acc_nav -1.0000 is not positive",
        "nav/990101.csv:5: date 2024-02-28 is before 2024-02-29 on line 4: dates must ascend",
        "nav/990101.csv:6: date 2024-02-30 is not a date",
        "nav/990101.csv:7: unit_nav 'abc' is not a number",
    ]


@pytest.mark.parametrize("rows, expected", [
    ("2024-01-02,1.0000,1.0000,\n2024-01-02,1.0100,1.0100,\n", ["3: date 2024-01-02 repeats line 2"]),
    ("2024-01-02,1.0000,1.0000,\n2024-01-03,0,0.0000,\n", ["3: unit_nav 0 is not positive", "3: acc_nav 0.0000 is not positive"]),
    ("2024-01-02,1.0000,1.0000,\n2024-01-03,1.0000,1.0100,-0.0100\n", ["3: dividend_per_unit -0.0100 is negative"]),
    ("2024-01-02,1.0000,1.0000,\n2024-01-03,1,2,3\n", ["3: acc_nav 2 is not unit_nav 1 plus the dividends paid so far (3): 4"]),
    ("2024-01-02,1.0000,1.0000,\n2024-01-03,1.0000,,\n", ["3: acc_nav is empty"]),
    ("2024-01-02,1.0000,1.0000,\n03/01/2024,1.0000,1.0000,\n", ["3: date '03/01/2024' is not a date (write it as YYYY-MM-DD)"]),
    ("2024-01-02,1.0000,1.0000,\n,1.0000,1.0000,\n", ["3: date is empty"]),
    ("2024-01-02,1.0000,1.0000,\n2024-01-03,1e-3,1.0000,\n", ["3: unit_nav '1e-3' is not a number"]),
    ("2024-01-02,1.0000,1.0000,\n2024-01-03,\"1,0000\",1.0000,\n", ["3: unit_nav '1,0000' is not a number"]),
    ("2024-01-02,1.0000,1.0000,\n2024-01-03,123456789.5,123456789.5,\n",
     ["3: unit_nav '123456789.5' is out of range (at most 8 digits before the decimal point and 7 after)",
      "3: acc_nav '123456789.5' is out of range (at most 8 digits before the decimal point and 7 after)"]),
    ("2024-01-02,1.0000,1.0000,\n2024-01-03,1.0000,1.0000,,extra\n",
     ["3: 5 values, expected 4 (date, unit_nav, acc_nav, dividend_per_unit)"]),
    ("2024-01-02,1.0000,1.0000,\n2024-01-03,1.0000\n", ["3: 2 values, expected 4 (date, unit_nav, acc_nav, dividend_per_unit)"]),
    ("2024-01-02,1.0000,1.0000,\n2024-01-03;1.0000;1.0000;\n", ["3: 1 value, expected 4 (date, unit_nav, acc_nav, dividend_per_unit)"]),
    ("2024-01-02,1.0000,1.0000,\n2024-01-03,1.0\u202e1,1.0000,\n", ["3: unit_nav '1.0\\u202e1' is not a number"]),
])
def test_each_kind_of_bad_row(tmp_path, rows, expected):
    path = write(tmp_path, HEADER + rows)
    assert problems_of(path) == [f"nav/990101.csv:{e}" for e in expected]


def test_acc_nav_must_add_up_within_half_a_unit_of_its_last_decimal(tmp_path):
    # acc_nav = unit_nav + every dividend so far, this row's included; acc_nav given to 4 decimals
    # may differ from the exact sum by at most 0.00005.
    good = write(tmp_path, HEADER + "2024-01-02,1.00000,1.0000,\n2024-01-03,1.23455,1.2346,\n"
                 "2024-01-04,1.20004,1.2500,0.05\n2024-01-05,1.21004,1.2600,\n")
    history = read_nav(good)
    assert history.dividend.tolist() == [0.0, 0.0, 0.05, 0.0]
    bad = write(tmp_path, HEADER + "2024-01-02,1.00000,1.0000,\n2024-01-03,1.23444,1.2345,\n"
                "2024-01-04,1.2000,1.2000,0.0500\n", "nav/990102.csv")
    assert problems_of(bad) == [
        "nav/990102.csv:3: acc_nav 1.2345 is not unit_nav 1.23444 plus the dividends paid so far (0): 1.23444",
        "nav/990102.csv:4: acc_nav 1.2000 is not unit_nav 1.2000 plus the dividends paid so far (0.05): 1.2500",
    ]


def test_a_missing_dividend_row_is_caught_by_acc_nav(tmp_path):
    """A dividend lost in a gap shows: acc_nav no longer adds up on every row after it."""
    path = write(tmp_path, HEADER + "2024-01-02,1.0000,1.0000,\n2024-01-04,0.9000,1.0000,\n2024-01-05,0.9100,1.0100,\n")
    assert problems_of(path) == [
        "nav/990101.csv:3: acc_nav 1.0000 is not unit_nav 0.9000 plus the dividends paid so far (0): 0.9000",
        "nav/990101.csv:4: acc_nav 1.0100 is not unit_nav 0.9100 plus the dividends paid so far (0): 0.9100",
    ]


def test_rows_after_an_unreadable_dividend_are_not_blamed_for_acc_nav(tmp_path):
    path = write(tmp_path, HEADER + "2024-01-02,1.0000,1.0000,\n2024-01-03,0.9000,1.0000,x\n2024-01-04,0.9100,1.0100,\n")
    assert problems_of(path) == ["nav/990101.csv:3: dividend_per_unit 'x' is not a number"]


def test_first_row_must_be_the_inception_date_and_initial_nav(tmp_path):
    path = write(tmp_path, HEADER + "2024-01-03,1.0100,1.0100,\n2024-01-04,1.0200,1.0200,\n")
    assert problems_of(path, inception=dt.date(2024, 1, 2), initial_nav=Decimal("1")) == [
        "nav/990101.csv:2: the first row is dated 2024-01-03, not the inception date 2024-01-02",
        "nav/990101.csv:2: the first unit_nav 1.0100 is not the initial NAV 1",
    ]
    assert read_nav(path, inception=dt.date(2024, 1, 3), initial_nav="1.01").first_date == dt.date(2024, 1, 3)


def test_a_gap_is_a_warning_and_a_stale_end_an_error(tmp_path):
    # 2024-01-02 (Tue) to 2024-01-17 (Wed): 10 weekdays between them, allowed; to 2024-02-01: 12, a warning.
    path = write(tmp_path, HEADER + "2024-01-02,1.0000,1.0000,\n2024-01-17,1.0100,1.0100,\n2024-02-02,1.0200,1.0200,\n")
    history = read_nav(path, base=tmp_path)
    assert [p.format() for p in history.warnings] == [
        "nav/990101.csv:4: warning: no row for 11 dealing days between 2024-01-17 and 2024-02-02 (more than 10)"]
    assert read_nav(path, max_gap=None).warnings == ()
    # With as_of, the history may not end more than 10 dealing days before it; the warning is listed too.
    assert problems_of(path, as_of=dt.date(2024, 2, 19)) == [
        "nav/990101.csv:4: warning: no row for 11 dealing days between 2024-01-17 and 2024-02-02 (more than 10)",
        "nav/990101.csv:4: the history ends on 2024-02-02, 11 dealing days before as_of 2024-02-19",
    ]
    assert read_nav(path, as_of=dt.date(2024, 2, 16)).last_date == dt.date(2024, 2, 2)
    assert problems_of(path, as_of=dt.date(2023, 12, 29)) == [
        "nav/990101.csv:4: warning: no row for 11 dealing days between 2024-01-17 and 2024-02-02 (more than 10)",
        "nav/990101.csv:2: the history starts on 2024-01-02, after as_of 2023-12-29",
    ][::-1]


@pytest.mark.parametrize("header, expected", [
    ("date,unit_nav,acc_nav\n", ["1: missing column dividend_per_unit (the header must be date,unit_nav,acc_nav,dividend_per_unit)"]),
    ("date,nav,acc_nav,dividend_per_unit\n", [
        "1: missing column unit_nav (the header must be date,unit_nav,acc_nav,dividend_per_unit)",
        "1: unknown column 'nav' (the header must be date,unit_nav,acc_nav,dividend_per_unit)"]),
    ("date,unit_nav,unit_nav,acc_nav,dividend_per_unit\n", ["1: column unit_nav appears 2 times"]),
    ("2024-01-01,1.0000,1.0000,\n", ["1: the first line is not a header: it must be date,unit_nav,acc_nav,dividend_per_unit"]),
])
def test_header_problems(tmp_path, header, expected):
    path = write(tmp_path, header + "2024-01-02,1.0000,1.0000,\n")
    assert problems_of(path) == [f"nav/990101.csv:{e}" for e in expected]


def test_an_unknown_extra_column_is_reported_with_the_rows_problems(tmp_path):
    path = write(tmp_path, "date,unit_nav,acc_nav,dividend_per_unit,note\n2024-01-02,1.0000,1.0000,,launch\n"
                           "2024-01-03,x,1.0000,,\n")
    assert problems_of(path) == [
        "nav/990101.csv:1: unknown column 'note' (the header must be date,unit_nav,acc_nav,dividend_per_unit)",
        "nav/990101.csv:3: unit_nav 'x' is not a number",
    ]


@pytest.mark.parametrize("content, expected", [
    (b"", "nav/990101.csv: the file is empty"),
    (b"\r\n  \n", "nav/990101.csv: the file is empty"),
    (HEADER.encode(), "nav/990101.csv:1: only a header, no rows"),
    (HEADER.encode() + b"2024-01-02,1.0000,1.0000,\n2024-01-03,1.0\xff00,1.0000,\n", "nav/990101.csv:3: not UTF-8 text (byte 0xff)"),
    (HEADER.encode() + b"2024-01-02,1.0000,\x001.0000,\n", "nav/990101.csv:2: acc_nav '\\u00001.0000' is not a number"),
    (HEADER.encode() + b'2024-01-02,1.0000,"1.0000,\n', "nav/990101.csv:2: not a valid CSV file: unexpected end of data"),
])
def test_unreadable_files(tmp_path, content, expected):
    assert problems_of(write(tmp_path, content)) == [expected]


def test_size_bound_directory_and_missing_file(tmp_path):
    path = write(tmp_path, HEADER + "2024-01-02,1.0000,1.0000,\n" * 10)
    assert problems_of(path, max_bytes=100) == [f"nav/990101.csv: file is {path.stat().st_size:,} bytes, above the limit of 100 for a history"]
    (tmp_path / "nav" / "dir.csv").mkdir()
    assert problems_of(tmp_path / "nav" / "dir.csv") == ["nav/dir.csv: not a regular file"]
    assert problems_of(tmp_path / "nav" / "none.csv") == ["nav/none.csv: cannot read file: No such file or directory"]
    if os.path.exists("/dev/zero"):
        with pytest.raises(NavProblems, match="not a regular file"):
            read_nav("/dev/zero")


def test_tolerated_forms_read_the_same(tmp_path):
    """A byte-order mark, LF or CRLF, blank lines, spaces around values, columns in another order
    and a trailing dividend left out all read as the plain file does."""
    plain = read_nav(write(tmp_path, HEADER + "2024-01-02,1.0000,1.0000,\n2024-01-03,0.9800,1.0000,0.0200\n", "a.csv"))
    other = read_nav(write(tmp_path, b"\xef\xbb\xbfdividend_per_unit, date ,acc_nav,unit_nav\r\n\r\n"
                                     b",2024-01-02,1.0000, 1.0000\r\n0.0200,2024-01-03,1.0000,0.9800\r\n", "b.csv"))
    short = read_nav(write(tmp_path, HEADER + "2024-01-02,1.0000,1.0000\n\n2024-01-03,0.9800,1.0000,0.0200\n", "c.csv"))
    for history in (other, short):
        assert np.array_equal(history.dates, plain.dates)
        for name in ("unit_nav", "acc_nav", "dividend"):
            assert np.array_equal(getattr(history, name), getattr(plain, name))
    assert other.lines.tolist() == [3, 4] and short.lines.tolist() == [2, 4]


def test_names_are_relative_to_the_base_folder(tmp_path):
    path = write(tmp_path, HEADER + "2024-01-02,x,1.0000,\n")
    with pytest.raises(NavProblems) as caught:
        read_nav(path, base=tmp_path)
    assert caught.value.problems[0].file == "nav/990101.csv"
    with pytest.raises(NavProblems) as caught:
        read_nav(path)
    assert caught.value.problems[0].file == path.as_posix()


def test_level_files(tmp_path):
    series = read_levels(EXPORT / "benchmark" / "990101.csv", base=EXPORT)
    assert isinstance(series, LevelSeries) and series.source == "benchmark/990101.csv"
    assert (len(series), series.levels[0], series.levels[-1]) == (1644, 1000.0, 2236.34)
    path = write(tmp_path, "date,level\n2024-01-02,1000.00\n2024-01-03,0\n2024-01-04,x\n", "benchmark/990101.csv")
    assert problems_of(path, reader=read_levels) == [
        "benchmark/990101.csv:3: level 0 is not positive",
        "benchmark/990101.csv:4: level 'x' is not a number",
    ]
    path = write(tmp_path, "date,level,extra\n2024-01-02,1000.00,1\n", "benchmark/990102.csv")
    assert problems_of(path, reader=read_levels) == [
        "benchmark/990102.csv:1: unknown column 'extra' (the header must be date,level)"]


numbers = st.tuples(st.integers(0, 10**8 - 1), st.integers(0, 7), st.integers(0, 10**7 - 1)).map(
    lambda t: f"{t[0]}.{str(t[2]).zfill(7)[:t[1]]}" if t[1] else str(t[0])).filter(lambda s: Decimal(s) > 0)


@settings(max_examples=80, deadline=None, derandomize=True)
@given(st.lists(numbers, min_size=1, max_size=40))
def test_any_decimals_read_exactly_plain_or_quoted(tmp_path_factory, values):
    """NAVs of any width and number of decimals (0 to 7), mixed in one file, read back exactly."""
    folder = tmp_path_factory.mktemp("nav")
    days = np.datetime64("2024-01-01") + np.arange(len(values))
    plain = write(folder, HEADER + "".join(f"{d},{v},{v},\n" for d, v in zip(days, values)), "plain.csv")
    quoted = write(folder, HEADER + "".join(f'"{d}","{v}","{v}",""\n' for d, v in zip(days, values)), "quoted.csv")
    a, b = read_nav(plain, max_gap=None), read_nav(quoted, max_gap=None)
    assert [a.unit_nav_decimal(i) for i in range(len(a))] == [Decimal(v) for v in values]
    assert [str(a.acc_nav_decimal(i)) for i in range(len(a))] == values
    assert a.unit_nav.tolist() == [float(v) for v in values]
    for name in ("dates", "unit_nav", "acc_nav", "dividend", "unit_nav_places", "lines"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


@pytest.mark.parametrize("day, real", [
    ("2000-02-29", True), ("2024-02-29", True), ("2100-02-29", False), ("2023-02-29", False), ("2024-04-31", False),
    ("2024-12-31", True), ("2024-13-01", False), ("2024-00-10", False), ("2024-01-00", False), ("0000-01-01", False),
])
def test_calendar_dates(tmp_path, day, real):
    path = write(tmp_path, HEADER + "1999-12-31,1.0000,1.0000,\n" + f"{day},1.0000,1.0000,\n")
    if real:
        assert read_nav(path, max_gap=None).last_date == dt.date.fromisoformat(day)
    else:
        assert problems_of(path, max_gap=None) == [f"nav/990101.csv:3: date {day} is not a date"]


@settings(max_examples=50, deadline=None, derandomize=True)
@given(st.lists(st.dates(dt.date(1900, 1, 1), dt.date(2199, 12, 31)), min_size=1, max_size=50, unique=True))
def test_any_dates_read_exactly(tmp_path_factory, days):
    days = sorted(days)
    path = write(tmp_path_factory.mktemp("nav"), HEADER + "".join(f"{d},1.0000,1.0000,\n" for d in days))
    assert read_nav(path, max_gap=None).dates.tolist() == days
