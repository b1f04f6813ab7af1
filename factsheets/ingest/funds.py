"""Every fund of an export, built and judged: the funds sheet's rows by fund code (a code on two rows
imports neither), the rows of the other sheets given to their fund (a row of no fund is a problem of
none), each fund built (`sections.py`), its share classes checked against the other funds', its
prospectus texts laid over, and the model's judgement placed at the cells each value came from."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from ..errors import FundFileError
from ..fund.validate import validate_data
from .fund_import import Export, FundImport
from .prospectus import add_texts
from .sections import build_fund
from .values import as_text
from .workbook import ImportProblem, Ref, Row


def build_funds(export: Export, today: dt.date | None, texts: Path | None) -> tuple[list[FundImport], list[ImportProblem]]:
    """The export's funds in the order of the funds sheet, each with its data and its problems; and the
    problems of no fund (a row without a fund code, or of a fund the funds sheet does not have)."""
    problems: list[ImportProblem] = []
    rows_of: dict[str, list[Row]] = defaultdict(list)
    for row in export.tables["funds"].rows:
        code, problem = as_text(row.get("fund_code"))
        if problem or not code:
            problems.append(ImportProblem(str(row.ref("fund_code")), problem or "is empty: every fund needs its code"))
        else:
            rows_of[code].append(row)
    children = _rows_by_fund(export, set(rows_of), problems)
    built = []
    for code, rows in rows_of.items():
        fund = FundImport(code, rows[0])
        if len(rows) > 1:
            first = rows[0].number
            for row in rows[1:]:
                fund.error(row.ref("fund_code"), f"{code} is also the fund code of row {first}: a code names one fund, "
                                                 "so neither row is imported")
            fund.error(rows[0].ref("fund_code"), f"{code} is also the fund code of row"
                                                 f"{'s' if len(rows) > 2 else ''} {', '.join(str(r.number) for r in rows[1:])}")
        with export.timed("build and check histories"):
            build_fund(export, fund, children.get(code, {}))
        built.append(fund)
    _one_fund_per_class(built)
    for fund in built:
        if texts is not None:
            add_texts(fund, texts)
        with export.timed("validate"):
            _validate(fund, today)
    return built, problems


def _rows_by_fund(export: Export, codes: set[str], problems: list[ImportProblem]) -> dict[str, dict[str, list[Row]]]:
    """Each fund's rows of every sheet but the funds sheet, by sheet; a row of no known fund goes to `problems`."""
    out: dict[str, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
    for sheet, table in export.tables.items():
        if sheet == "funds":
            continue
        for row in table.rows:
            code, problem = as_text(row.get("fund_code"))
            if problem or not code:
                problems.append(ImportProblem(str(row.ref("fund_code")), problem or "is empty: which fund is this row of?"))
            elif code not in codes:
                problems.append(ImportProblem(str(row.ref("fund_code")), f"no fund {code} on the "
                                              f"{export.tables['funds'].name} sheet"))
            else:
                out[code][sheet].append(row)
    return out


def _one_fund_per_class(funds: list[FundImport]) -> None:
    """A share class belongs to one fund (its history file is named by its code): a class code of two funds
    is a problem of both."""
    owner: dict[str, tuple[FundImport, Ref]] = {}
    for fund in funds:
        for i, share_class in enumerate(fund.data.get("fund", {}).get("share_classes", [])):
            code, ref = share_class.get("code"), fund.cells.get(f"fund.share_classes.{i}.code")
            if code is None or ref is None:
                continue
            if code in owner and owner[code][0] is not fund:
                other, other_ref = owner[code]
                fund.error(ref, f"{code} is also a share class of fund {other.code} ({other_ref.short}): a class "
                                "belongs to one fund")
                other.error(other_ref, f"{code} is also a share class of fund {fund.code} ({ref.short}): a class "
                                       "belongs to one fund")
            owner.setdefault(code, (fund, ref))


def _validate(fund: FundImport, today: dt.date | None) -> None:
    """The model's problems of the built data, each placed at the cell its path came from. A cell
    already reported by the import is not reported again."""
    reported = {p.where for p in fund.problems if p.severity == "error"}
    try:
        model = validate_data(fund.data, f"{fund.code}.yaml", today)
    except FundFileError as error:
        for problem in error.problems:
            ref, rest = locate(problem.path, fund.cells)
            if str(ref) in reported and not rest:
                continue
            reported.add(str(ref))
            message = f"{rest}: {problem.message}" if rest else problem.message
            if problem.path in fund.absent:
                message += f" (the {ref.sheet} sheet has no column {fund.absent[problem.path]})"
            fund.error(ref, message)
        return
    for where, relative in model.history_paths():  # the fund file's references, against what is copied
        if relative not in fund.copies:
            fund.error(fund.cells.get(where, fund.cells[""]), f"refers to {relative}, which the import does not write")


def locate(path: str, cells: dict[str, Ref]) -> tuple[Ref, str]:
    """The place a dotted model path came from: the longest recorded prefix, and the rest of the path."""
    parts = path.split(".") if path else []
    for k in range(len(parts), -1, -1):
        ref = cells.get(".".join(parts[:k]))
        if ref is not None:
            return ref, ".".join(parts[k:])
    return cells[""], path
