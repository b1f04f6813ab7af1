"""The importer of the house's own data export: one validated fund file (fund/v2) per fund, with its histories.

    result = import_export("house-export/", "funds/")            # or mapping=load_mapping("house.toml")
    for problem in result.problems:
        print(problem.format())   # fund-range.xlsx: share_classes!F7 (management_fee_pct): '1.2%' is not a number: ...

The export is a workbook (`fund-range.xlsx`: sheets funds, share_classes, managers, holdings,
allocations, commentary, priips) and the daily histories beside it (`nav/<class_code>.csv`,
`benchmark/<fund_code>.csv`, the proxy files the priips sheet names); `mapping.py` describes it and
reads a house's renaming of it. For each fund the importer

1. reads its rows (`workbook.py`; values converted exactly by `values.py`: numbers as Decimal at the
   precision Excel shows, Excel dates as dates, blank cells as "not given") into the fund file's
   sections (`sections.py`), keeping for every dotted model path the cell it came from
   (`fund.share_classes.1.fees.management` -> `share_classes!F3`);
2. reads and checks every history file (`histories.py`, with `fund.nav.read_nav` / `read_levels`: each
   problem with file:line), and derives the dividends of the last 12 months from the NAV file;
3. lays the fund's prospectus texts over its data, and validates the whole with the model, translating
   each problem's dotted path back to the cell (or the file's line) it came from (`funds.py`);
4. writes `<out>/<fund_code>.yaml` and the history copies under `<out>/history/` (atomically, and
   only when the bytes changed) if, and only if, the fund has no problem at all (this module).

A fund with problems gets no file and no history copies, and a file from an earlier import is left
as it was; the other funds are still written. Problems of the export's structure (a sheet or a
column that is not there) stop the whole import (`ExportError`).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..files import write_atomic
from ..fund.dump import dump_fund
from .fund_import import Export, FundImport, is_code
from .funds import build_funds
from .mapping import Mapping
from .workbook import ExportError, ImportProblem, read_mapped_sheets, read_tables


@dataclass
class ImportResult:
    """What an import found and did: every fund (written or not), every problem, the files written."""

    funds: list[FundImport]
    problems: list[ImportProblem]  # every problem, of the funds and of none, in order
    written: list[str] = field(default_factory=list)  # codes of the funds whose files are written (or already up to date)
    changed: list[Path] = field(default_factory=list)  # files actually rewritten
    kept: list[str] = field(default_factory=list)  # codes of funds not written whose earlier file is left as it was
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def failed(self) -> list[str]:
        return [f.code for f in self.funds if f.errors]

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


def import_export(export: str | Path, out: str | Path | None = None, mapping: Mapping | None = None,
                  today: dt.date | None = None, texts: str | Path | None = None) -> ImportResult:
    """Import an export folder (or its workbook) into `out` (None: check only, write nothing), with the
    prospectus texts of `texts` (a folder of `<fund code>.yaml`, schema prospectus/v1) laid over each
    fund's. Raises ExportError when the export cannot be read at all."""
    mapping = mapping or Mapping()
    export = Path(export)
    if export.is_dir():
        folder, workbook = export, export / mapping.workbook
    else:
        folder, workbook = export.parent, export
    if not workbook.is_file():
        raise ExportError([f"{workbook}: no such workbook" + ("" if export.is_dir() or export.exists() else
                                                              " or export folder")])
    timings: dict[str, float] = {}
    start = time.perf_counter()
    book = read_mapped_sheets(workbook, mapping)
    timings["read workbook"] = time.perf_counter() - start
    tables, warnings = read_tables(book, mapping, workbook.name)
    if texts is not None and not Path(texts).is_dir():
        raise ExportError([f"{texts}: no such folder of prospectus texts"])
    texts = Path(texts) if texts is not None else None
    funds, problems = build_funds(Export(folder, workbook.name, tables, mapping, timings), today, texts)
    problems = warnings + problems + [p for f in funds for p in f.problems]
    if texts is not None:  # a file of texts for no fund of the export (a typo in its name?) is said, not ignored
        codes = {f.code for f in funds}
        problems += [ImportProblem(f"{texts.name}/{p.name}", "no fund of that code in the export: its texts are not used",
                                   None, "warning") for p in sorted(texts.glob("*.yaml")) if p.stem not in codes]
    result = ImportResult(funds, problems, timings=timings)
    if out is not None:
        start = time.perf_counter()
        _write_funds(result, Path(out), workbook.name)
        timings["write"] = time.perf_counter() - start
    return result


# --- writing -----------------------------------------------------------------------------------------


def _write_funds(result: ImportResult, out: Path, workbook: str) -> None:
    """Writes each fund without a problem (its histories first: a fund file never refers to a missing one),
    recording in `result` what is written, rewritten, and left as an earlier import wrote it."""
    out.mkdir(parents=True, exist_ok=True)
    out = out.resolve()
    for fund in result.funds:
        target = _inside(out, f"{fund.code}.yaml") if is_code(fund.code) else None
        if fund.errors or target is None:
            if target is not None and target.exists():
                result.kept.append(fund.code)
            continue
        for relative, source in sorted(fund.copies.items()):
            destination = _inside(out, relative)
            if _write(destination, source.read_bytes()):
                result.changed.append(destination)
        if _write(target, fund_yaml(fund.data, workbook, fund.sources)):
            result.changed.append(target)
        result.written.append(fund.code)


def fund_yaml(data: dict[str, Any], workbook: str, texts: list[str] | tuple[str, ...] = ()) -> bytes:
    """The fund file's bytes: a header saying where it came from (the export's as_of, never the clock;
    the prospectus texts laid over it), then the data in the model's order."""
    body = dump_fund(data)
    also = "".join(f" and {name}" for name in texts)
    header = (f"# Generated by `factsheets import` from {workbook}{also} as of {data['as_of'].isoformat()}.\n"
              "# Do not edit: correct the export and import it again (its histories are copied under history/).\n")
    return (header + body).encode("utf-8")


def _write(target: Path, data: bytes) -> bool:
    """Write when the bytes differ; True when written."""
    try:
        if target.is_file() and not target.is_symlink() and target.stat().st_size == len(data) and target.read_bytes() == data:
            return False
    except OSError:
        pass
    write_atomic(target, data)
    return True


def _inside(out: Path, relative: str) -> Path:
    """`out / relative`, refused (ExportError) when it is a symbolic link or lies outside `out`."""
    target = out / relative
    resolved = target.parent.resolve()
    if target.is_symlink() or (resolved != out and out not in resolved.parents):
        raise ExportError([f"{target}: a symbolic link or outside {out}: refusing to write through it"])
    return target
