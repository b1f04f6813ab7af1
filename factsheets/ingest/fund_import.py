"""What the steps of an import share: the export as read (`Export`), and one fund as it is built from it
(`FundImport`: its data, where each value came from, the history files to copy, its problems)."""

from __future__ import annotations

import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from ..fund.model import CODE_PATTERN, LANGS
from .mapping import Mapping
from .values import as_text
from .workbook import ImportProblem, Ref, Row, Severity, Table

LANG_SUFFIX = {"en": "en", "zh-CN": "zh_cn", "zh-HK": "zh_hk"}
_CODE = re.compile(CODE_PATTERN)


def is_code(text: str) -> bool:
    """Whether a fund or class code may name a file (`<code>.yaml`, `history/nav/<code>.csv`): a bad code is
    the model's to report, and no path is ever made of it."""
    return _CODE.fullmatch(text) is not None


@dataclass
class Export:
    """An export as read: its folder (the histories are found in it), the workbook's file name (for
    messages), its sheets as tables (by our sheet names), its mapping, and the seconds spent per step."""

    folder: Path
    file: str
    tables: dict[str, Table]
    mapping: Mapping
    timings: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def timed(self, step: str) -> Iterator[None]:
        """Adds the time the block takes to `step`'s."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[step] = self.timings.get(step, 0.0) + time.perf_counter() - start


@dataclass
class FundImport:
    """One fund as built from the export: its data (as the fund file will hold it), where each value came
    from, the history files to copy, and its problems."""

    code: str
    row: Row
    data: dict[str, Any] = field(default_factory=dict)
    cells: dict[str, Ref] = field(default_factory=dict)  # dotted model path -> where it came from
    copies: dict[str, Path] = field(default_factory=dict)  # path relative to the fund file -> the export's file
    problems: list[ImportProblem] = field(default_factory=list)
    languages: tuple[str, ...] = LANGS
    absent: dict[str, str] = field(default_factory=dict)  # dotted path of a text -> the column the export lacks for it
    sources: list[str] = field(default_factory=list)  # files besides the workbook its data came from (prospectus texts)

    @property
    def errors(self) -> list[ImportProblem]:
        return [p for p in self.problems if p.severity == "error"]

    def error(self, where: Ref | str, message: str, severity: Severity = "error") -> None:
        self.problems.append(ImportProblem(str(where), message, self.code, severity))

    def value(self, path: str, row: Row, column: str, convert: Callable[[Any], tuple[Any, str | None]]) -> Any:
        """The converted value of a cell (None when blank or wrong; a wrong one is reported), recorded as `path`'s."""
        ref = row.ref(column)
        self.cells[path] = ref
        value, problem = convert(row.get(column))
        if problem:
            self.error(ref, problem)
            return None
        return value

    def text(self, path: str, row: Row, stem: str) -> dict[str, str] | None:
        """A text per language from the columns `<stem>_en`, `<stem>_zh_cn`, `<stem>_zh_hk`: the languages the fund
        publishes in, and only those."""
        columns = [(lang, f"{stem}_{LANG_SUFFIX[lang]}") for lang in LANGS if row.has(f"{stem}_{LANG_SUFFIX[lang]}")]
        published = [(lang, column) for lang, column in columns if lang in self.languages] or columns
        self.cells[path] = row.ref(published[0][1] if published else f"{stem}_en")
        for lang in self.languages:  # a language it publishes in that the export has no column for
            if not row.has(f"{stem}_{LANG_SUFFIX[lang]}"):
                self.absent[f"{path}.{lang}"] = f"{stem}_{LANG_SUFFIX[lang]}"
        out = {}
        for lang, column in columns:
            self.cells[f"{path}.{lang}"] = row.ref(column)
            if lang in self.languages and (text := self.value(f"{path}.{lang}", row, column, as_text)):
                out[lang] = text
        return out or None


def put(target: dict[str, Any], key: str, value: Any) -> None:
    """Sets `key` when there is a value: a blank cell, an empty section or list leaves the key out."""
    if value is not None and value != {} and value != []:
        target[key] = value
