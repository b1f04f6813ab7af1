"""The export's daily histories of a fund: each share class's NAVs (`nav/<class_code>.csv`), the fund's
benchmark levels (`benchmark/<fund_code>.csv`, when it has a benchmark) and its PRIIPs proxy (the file the
priips sheet names). Each is read and checked as a fund file's history is (`fund.nav.read_nav` /
`read_levels`: each problem at its file:line); a history without an error is recorded in the fund's
`copies`, under the name the fund file refers to it by, to be copied byte for byte when the fund is written.
The NAV file also gives the class's dividends of the last 12 months."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from ..fund.dates import year_before
from ..fund.nav import NavProblems, read_levels, read_nav
from .fund_import import Export, FundImport, is_code
from .mapping import relative_csv_problem
from .values import shown
from .workbook import Ref, Row


def nav_history(export: Export, fund: FundImport, row: Row, path: str, code: str, *, inception: dt.date | None,
                currency: str | None, initial_nav: Decimal | None, as_of: dt.date | None) -> dict[str, Any]:
    """A share class's NAV history (row: its row of the share_classes sheet; path: its dotted path, e.g.
    `fund.share_classes.0`), checked against the class's inception, initial NAV and currency: the class's
    `dividends` (those with an ex-date in the 12 months to as_of, when any) and `nav` (the copy's name), or
    nothing when the file is missing or has errors."""
    relative = export.mapping.nav_path(code)
    source = export.folder / relative
    with export.timed("read NAV files"):
        if not source.is_file():
            fund.error(row.ref("class_code"), f"no NAV history {relative} in the export: every share class needs its daily "
                                              "NAVs (date,unit_nav,acc_nav,dividend_per_unit)")
            return {}
        try:
            history = read_nav(source, inception=inception, initial_nav=initial_nav, currency=currency, as_of=as_of,
                               base=export.folder)
        except NavProblems as problems:
            for p in problems.problems:
                fund.error(Ref(relative, line=p.line), p.message, p.severity)
            return {}
    for p in history.warnings:
        fund.error(Ref(relative, line=p.line), p.message, p.severity)
    out: dict[str, Any] = {}
    dividends = []
    if as_of is not None:  # each dividend placed at its line of the file
        since = year_before(as_of)
        for j, (day, amount) in zip(np.flatnonzero(history.dividend), history.dividends()):
            if since < day <= as_of:
                fund.cells[f"{path}.dividends.{len(dividends)}"] = Ref(relative, line=int(history.lines[j]))
                dividends.append({"ex_date": day, "amount": amount})
    if dividends:
        out["dividends"] = dividends
    target = f"history/nav/{code}.csv"
    out["nav"] = target
    fund.cells[f"{path}.nav"] = row.ref("class_code")
    fund.copies[target] = source
    return out


def benchmark_history(export: Export, fund: FundImport, as_of: dt.date | None) -> None:
    """The fund's benchmark levels, when the export has a file of them (a fund without a benchmark has
    none): `history.benchmark` in the fund's data."""
    if not is_code(fund.code):
        return
    relative = export.mapping.benchmark_path(fund.code)
    source = export.folder / relative
    if not source.is_file():
        return
    if _levels(export, fund, source, relative, as_of):
        target = f"history/benchmark/{fund.code}.csv"
        fund.data["history"] = {"benchmark": target}
        fund.cells["history"] = fund.cells["history.benchmark"] = Ref(relative)
        fund.copies[target] = source


def proxy_history(export: Export, fund: FundImport, row: Row, proxy: str, as_of: dt.date | None) -> str | None:
    """The PRIIPs proxy's levels, from the file the priips row names (relative to the export folder, inside
    it): the copy's name for `priips.proxy`, or None when the file is not there or has errors."""
    if why := relative_csv_problem(proxy):
        fund.error(row.ref("proxy_file"), f"{shown(proxy)}: the proxy file {why}")
    elif not (export.folder / proxy).is_file():
        fund.error(row.ref("proxy_file"), f"no proxy file {proxy} in the export")
    elif is_code(fund.code) and _levels(export, fund, export.folder / proxy, proxy, as_of):
        target = f"history/proxy/{fund.code}.csv"
        fund.copies[target] = export.folder / proxy
        return target
    return None


def _levels(export: Export, fund: FundImport, source: Path, relative: str, as_of: dt.date | None) -> bool:
    """Reads and checks a file of levels (date,level); True when it has no error."""
    with export.timed("read NAV files"):
        try:
            series = read_levels(source, as_of=as_of, base=export.folder)
        except NavProblems as problems:
            for p in problems.problems:
                fund.error(Ref(relative, line=p.line), p.message, p.severity)
            return False
    for p in series.warnings:
        fund.error(Ref(relative, line=p.line), p.message, p.severity)
    return True
