"""Errors that users see: each names the file and the dotted path of every problem."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    path: str  # dotted path in the fund file ("fund.risk.min_investor"), or "" for the whole file
    message: str
    line: int | None = None
    kind: str = ""  # what kind of problem (Pydantic's error type, or a rule's), for the check rules that claim it
    column: int | None = None  # from 1, where the reader can tell it

    def format(self, source: str | Path) -> str:
        where = f"{source}:{self.line}" if self.line else f"{source}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class FactsheetError(Exception):
    """Base of every error the CLI reports as a message instead of a traceback."""


class FundFileError(FactsheetError):
    """A fund file that cannot be read or does not validate; lists every problem."""

    def __init__(self, source: str | Path, problems: list[Problem]):
        self.source = str(source)
        self.problems = problems
        super().__init__("\n".join(p.format(self.source) for p in problems))


@dataclass(frozen=True)
class StatementProblem:
    """Why a mandatory statement keeps a document from being written."""

    id: str
    lang: str
    # "missing" (not in the text); "size", "page", "ink", "contrast" or "overlap" (not seen: see
    # `legibility.judge`); or "undrawable" (a font maps it to no glyph)
    kind: str
    message: str
    page: int | None = None  # 1-based, where it stands


class BuildError(FactsheetError):
    """A document that must not be written (a statement missing, a font missing, ...)."""

    def __init__(self, source: str | Path, messages: list[str], statements: list[StatementProblem] | None = None,
                 layout: list | None = None, nonconformities: list | None = None):
        self.source = str(source)
        self.messages = messages
        self.statements = statements or []  # the same problems, structured, when they are about statements
        self.layout = layout or []  # the layout rules' findings (`rules.layout`) that refused it
        # The same problems, structured, when the document departs from its regulator's template
        # (`pdf.conformance.Nonconformity`).
        self.nonconformities = nonconformities or []
        super().__init__("\n".join(f"{self.source}: {m}" for m in messages))
