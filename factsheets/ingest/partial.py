"""What the importers of the industry's formats share (an EPT file, a FundsXML file): each fund is written
with what the source gives, and what a document needs beyond it is named, fund by fund, as the fields to add,
so that `check` names the rest (the house's own export, which the house controls, is written only whole:
`importer.py`).

A fund's `additions` (a folder of `<code>.yaml`, schema prospectus/v1, as `import --texts` takes for the house
export; here also with a `priips:` section) are laid over what the source gives before it is judged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import FundFileError
from ..fund.dump import dump_fund
from ..fund.validate import validate_data
from .fund_import import is_code
from .workbook import ImportProblem


@dataclass
class PartialFund:
    """One fund as an importer built it from an industry file: its data, where it came from (for messages,
    `file: row 3 (SE0011337195)`), the fields the source cannot give (dotted path -> why), and its problems."""

    code: str
    where: str
    data: dict[str, Any]
    source: str  # the file it came from, for the written file's header
    lacking: dict[str, str] = field(default_factory=dict)  # dotted path -> why the source cannot give it
    to_add: list[str] = field(default_factory=list)  # after judging: each field still needed, with why
    problems: list[ImportProblem] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # files laid over it (the additions)
    copies: dict[str, bytes] = field(default_factory=dict)  # history files to write beside it (relative path -> bytes)

    @property
    def complete(self) -> bool:
        return not self.to_add and not any(p.severity == "error" for p in self.problems)


@dataclass
class PartialResult:
    """What an import of an industry file found and wrote."""

    kind: str  # ept, fundsxml
    funds: list[PartialFund]
    problems: list[ImportProblem] = field(default_factory=list)  # of the file itself, or of no one fund
    written: list[str] = field(default_factory=list)
    changed: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems) and all(f.complete for f in self.funds)


def judge(fund: PartialFund, additions: Path | None, today: dt.date | None) -> None:
    """Lays the fund's additions over its data, then names every field still needed (`to_add`): the model's
    problems, each with why the source cannot give it where the importer knows."""
    if additions is not None and is_code(fund.code):
        _add(fund, additions)
    named = set()
    try:
        validate_data(fund.data, f"{fund.code}.yaml", today)
    except FundFileError as error:
        for problem in error.problems:
            why = fund.lacking.get(problem.path)
            note = f" ({why})" if why else ""
            named.add(problem.path)
            fund.to_add.append(f"{problem.path}: {problem.message}{note}" if problem.path else f"{problem.message}{note}")
    for path, why in fund.lacking.items():  # what the documents need beyond the model (a KID's scenario windows)
        if path not in named and not _given(fund.data, path):
            fund.to_add.append(f"{path}: not given ({why})")


def _given(data: dict[str, Any], path: str) -> bool:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return node not in (None, [], {})


def _add(fund: PartialFund, additions: Path) -> None:
    from ..fund.load import data_from_bytes, read_bytes
    from .prospectus import merge_texts

    path = additions / f"{fund.code}.yaml"
    if not path.is_file() or path.is_symlink():
        return
    name = f"{additions.name}/{path.name}"
    try:
        fund.data = merge_texts(fund.data, data_from_bytes(read_bytes(path), name), name)
    except FundFileError as error:
        fund.problems += [ImportProblem(name, f"{p.path}: {p.message}" if p.path else p.message, fund.code)
                          for p in error.problems]
        return
    fund.sources.append(name)


def write(result: PartialResult, out: Path) -> None:
    """Writes every fund with a usable code, whole or not (a fund file lacking fields is what `check` then names),
    its history files first; only changed bytes are written."""
    from .importer import _inside, _write

    out.mkdir(parents=True, exist_ok=True)
    out = out.resolve()
    for fund in result.funds:
        if not is_code(fund.code):
            fund.problems.append(ImportProblem(fund.where, f"{fund.code!r} cannot name a fund file: not written", fund.code))
            continue
        for relative, data in sorted(fund.copies.items()):
            if _write(target := _inside(out, relative), data):
                result.changed.append(target)
        target = _inside(out, f"{fund.code}.yaml")
        if _write(target, file_bytes(fund)):
            result.changed.append(target)
        result.written.append(fund.code)


def file_bytes(fund: PartialFund) -> bytes:
    also = "".join(f" and {name}" for name in fund.sources)
    as_of = fund.data.get("as_of")
    header = [f"# Generated by `factsheets import` from {fund.source}{also}"
              + (f" as of {as_of.isoformat()}." if isinstance(as_of, dt.date) else ".")]
    if fund.to_add:
        header.append("# Fields to add before its documents build (`factsheets check` names them too):")
        header += ["#   " + " ".join(line.split()) for line in fund.to_add]
    return ("\n".join(header) + "\n" + dump_fund(fund.data)).encode("utf-8")
