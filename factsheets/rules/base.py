"""What every rule shares: the finding it reports, the registry it lives in, and the
contexts it checks (a fund file, or a finished PDF)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Iterable, Literal

from ..errors import Problem

if TYPE_CHECKING:  # pragma: no cover
    from ..documents.disclosures import Library
    from ..errors import StatementProblem
    from ..fund.model import FundFile
    from ..ingest.ept_read import EptFile, EptRow
    from ..pdf.document import PdfFile
    from ..pdf.inspection import Expected, Inspection
    from ..pdf.pages import Layout

Severity = Literal["error", "warning"]
SCOPES = ("fund", "pdf", "render", "ept", "layout")


@dataclass
class Finding:
    code: str
    name: str
    severity: str
    message: str
    file: str
    fund: str | None = None
    lang: str | None = None
    location: str | None = None  # dotted path in a fund file, or "page N" in a PDF
    line: int | None = None
    waived: bool = False
    waiver: str | None = None  # the waiver's reason, approver and expiry, when waived
    column: int | None = None  # with `line`: where the field stands in the fund file (from 1)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def sort_key(self) -> tuple:
        return (self.file, self.code, self.location or "", self.lang or "", self.message)


class Rule:
    """One rule: a stable code, a kebab-case name, a severity, a one-line message and an explanation."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity] = "error"
    message: ClassVar[str]
    explanation: ClassVar[str]
    scope: ClassVar[str] = "fund"

    def check(self, ctx: Any) -> Iterable[Finding]:  # pragma: no cover - overridden
        return ()

    def finding(self, ctx: Any, message: str | None = None, *, location: str | None = None,
                lang: str | None = None, line: int | None = None, file: str | None = None,
                severity: str | None = None, column: int | None = None) -> Finding:
        return Finding(self.code, self.name, severity or self.severity, message or self.message, file or ctx.file,
                       getattr(ctx, "fund_code", None), lang, location, line, column=column)


REGISTRY: dict[str, Rule] = {}


def register(cls: type[Rule]) -> type[Rule]:
    assert cls.code not in REGISTRY, f"duplicate rule code {cls.code}"
    assert cls.scope in SCOPES
    REGISTRY[cls.code] = cls()
    return cls


def get_rule(key: str) -> Rule | None:
    """A rule by code (FD003, case-insensitive) or by name (min-investor-below-rating)."""
    key = key.strip()
    if key.upper() in REGISTRY:
        return REGISTRY[key.upper()]
    return next((r for r in REGISTRY.values() if r.name == key.lower()), None)


@dataclass
class FundContext:
    """One fund file as the fund and disclosure rules see it."""

    file: str
    data: dict | None  # the raw mapping, None when the file could not be parsed
    fund: FundFile | None  # None when it does not validate
    problems: list[tuple[Problem, str]]  # every load/validation problem with its Pydantic error type
    library: Library | None
    pins: dict | None
    today: dt.date
    max_age: int | None  # days; None: the jurisdiction's own limit
    history_problems: list[tuple[str, str]] = field(default_factory=list)  # (dotted path, message): files that cannot be read
    # Where each field stands in the file (`load.positions`): dotted path -> (line, column).
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)

    def position(self, location: str | None) -> tuple[int, int] | None:
        """The line and column of a finding's dotted location: the field itself, else the nearest field
        above it that the file has (a missing `fund.name.zh-CN` stands at `fund.name`); None for a location
        outside the file (a statement of the disclosure library)."""
        path = location or ""
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path.rpartition(".")[0]
        return None

    @property
    def fund_code(self) -> str | None:
        if self.fund is not None:
            return self.fund.code
        code = ((self.data or {}).get("fund") or {}).get("code") if isinstance((self.data or {}).get("fund"), dict) else None
        return str(code) if code is not None else None

    def langs(self) -> tuple[str, ...]:
        """The languages the fund publishes in (`FundFile.publishes`); fund/v1's en and zh-CN when it does not validate."""
        return self.fund.publishes if self.fund is not None else ("en", "zh-CN")

    @property
    def fund_too_young(self) -> bool:
        from ..figures.display_rules import too_young

        inception = self.fund.fund.inception_date if self.fund is not None else None
        return inception is not None and too_young(inception, self.fund.as_of)


@dataclass
class PdfContext:
    """One finished PDF as the PDF rules see it."""

    file: str
    inspection: Inspection
    langs: tuple[str, ...]
    expected: list[Expected]  # statements the document must carry, per language
    fund: FundFile | None = None
    extra: dict = field(default_factory=dict)
    # Where each expected (statement id, language) stands on its own in the text pdfplumber reads
    # (`inspection.text`), by `pdfcheck.locate`.
    found: dict[tuple[str, str], list[tuple[int, int]]] = field(default_factory=dict)
    # Why each statement cannot be seen or drawn, by `legibility.judge`: the build's own judge.
    judged: list[StatementProblem] = field(default_factory=list)
    langs_guessed: bool = False  # no language declared or detected: the fund's languages are assumed
    pages_text: list[str] = field(default_factory=list)  # each page's text as PDFium reads it, lines kept
    document: str = "factsheet"  # factsheet, kfs or kid: what the PDF is (given, or told from its statements)
    pdf: bytes = b""  # the file itself
    opened: PdfFile | None = None  # the file, opened once for every rule (`pdf.document`)
    library: str = ""  # the jurisdiction of the statement library it carries (CN, HK, EU): with `document`, its template

    @property
    def fund_code(self) -> str | None:
        return self.fund.code if self.fund is not None else None


@dataclass
class EptContext:
    """One EPT file (FinDatEx European PRIIPs Template) as the EPT rules see it: every row, each knowing
    where it and its fields stand in the file."""

    file: str
    ept: EptFile

    @property
    def fund_code(self) -> str | None:
        return None

    def finding(self, rule: Rule, row: EptRow, field: str, message: str, severity: str | None = None) -> Finding:
        """A finding on one field of one row: located by the row (its number and ISIN) and the field, at the
        row's line (sheet row, CSV line, YAML line) and the field's column where the file has them."""
        line, column = row.where(field)
        return Finding(rule.code, rule.name, severity or rule.severity, message, self.file, row.code or None, None,
                       f"{row.label}: {field}", line, column=column)


@dataclass
class LayoutContext:
    """One finished PDF's pages as the layout rules see them (`pdf.pages.read_pages`)."""

    file: str
    layout: Layout
    document: str = "factsheet"  # its document type, which says whether the build refuses it on its layout
    last_page_min_fill: float = 0.25  # the project's bar for the last page (`[layout]` in factsheets.toml)
    fund: FundFile | None = None

    @property
    def fund_code(self) -> str | None:
        return self.fund.code if self.fund is not None else None
