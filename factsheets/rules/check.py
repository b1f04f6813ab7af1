"""Run the rules: on a fund file (`check`) and on a PDF (`verify`). A fund rendered in memory through the
current templates and styles (`check --render`) is `build.render_check`'s."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from ..documents.disclosures import Library
from ..documents.disclosures import library as default_library
from ..documents.types import NAMES, TYPES, document_type
from ..errors import BuildError, FactsheetError, FundFileError, Problem
from ..fund.load import data_from_bytes, read_bytes
from ..fund.model import FundFile
from ..fund.validate import problems_of, validate_model
from ..pdf.document import PdfFile, opened
from ..pdf.inspection import Expected, PdfError, inspect_pdf, langs_of, locate
from ..pdf.layout import LAST_PAGE_MIN_FILL
from ..pdf.text import pdf_pages_text
from . import REGISTRY, rules
from .base import Finding, FundContext, PdfContext
from .disclosures import pins as default_pins
from .layout import layout_findings

if TYPE_CHECKING:  # pragma: no cover
    pass


def validate_with_kinds(data: dict, today: dt.date | None = None) -> tuple[FundFile | None, list[tuple[Problem, str]]]:
    """`validate.validate_data` (the same validation, the same context: as_of and `today`), keeping
    the Pydantic error type of each problem for the rules."""
    try:
        return validate_model(data, today), []
    except ValidationError as error:
        return None, [(problem, problem.kind) for problem in problems_of(error)]


def fund_context(path: Path, *, today: dt.date, max_age: int | None = None, data: dict | None = None,
                 library: Library | None = None, pins: dict | None = None) -> FundContext:
    problems: list[tuple[Problem, str]] = []
    fund = None
    positions: dict[str, tuple[int, int]] = {}
    if data is None:
        try:
            data = data_from_bytes(read_bytes(path), path, positions)
        except FundFileError as error:
            problems = [(p, "load") for p in error.problems]
    if data is not None:
        fund, problems = validate_with_kinds(data, today)
    jurisdiction = fund.jurisdiction if fund is not None else (data or {}).get("jurisdiction")
    lib, pinned = library, pins
    if lib is None and isinstance(jurisdiction, str):
        try:
            lib = default_library(jurisdiction)
        except (FileNotFoundError, OSError):
            lib = None
    if pinned is None and lib is not None:
        try:
            pinned = default_pins(lib.jurisdiction)
        except (FileNotFoundError, OSError):
            pinned = {}
    history: list[tuple[str, str]] = []
    if fund is not None and fund.history_paths():
        from ..fund.load import read_history

        files, found = read_history(fund.history_paths(), Path(path).parent)
        fund.attach_history(files)
        history = [(p.path, p.message) for p in found]
    return FundContext(str(path), data, fund, problems, lib, pinned, today, max_age, positions=positions,
                       history_problems=history)


def check_context(ctx: FundContext) -> list[Finding]:
    """Every fund rule on one file; each finding on a field carries the field's line and column."""
    findings = [f for rule in rules("fund") for f in rule.check(ctx)]
    for finding in findings:
        if finding.line is None and (where := ctx.position(finding.location)):
            finding.line, finding.column = where
    return sorted(_unique(findings), key=lambda f: f.sort_key)


def check_fund_file(path: Path, *, today: dt.date, max_age: int | None = None) -> tuple[FundContext, list[Finding]]:
    ctx = fund_context(path, today=today, max_age=max_age)
    return ctx, check_context(ctx)


def check_ept_file(path: Path) -> list[Finding]:
    """Every EPT rule on an EPT file (FinDatEx's European PRIIPs Template: .xlsx, .csv, .json, .yaml), each
    finding naming the row, its ISIN and the field. Raises `ept_read.EptFileError` when the file cannot be
    read as one."""
    from ..ingest.ept_read import read_ept
    from .base import EptContext

    ctx = EptContext(str(path), read_ept(path))
    return sorted(_unique([f for rule in rules("ept") for f in rule.check(ctx)]), key=lambda f: (f.line or 0, f.sort_key))


def _unique(findings: list[Finding]) -> list[Finding]:
    seen, result = set(), []
    for f in findings:
        key = (f.code, f.file, f.location, f.lang, f.message)
        if key not in seen:
            seen.add(key)
            result.append(f)
    return result


# -- PDFs -------------------------------------------------------------------------------------

def expected_statements(langs: tuple[str, ...], fund: FundFile | None = None, jurisdiction: str = "CN",
                        document: str = "factsheet") -> list[Expected]:
    """What a document in `langs` must carry: with a fund, each applicable statement filled exactly;
    without, each statement of the jurisdiction's library that every such document carries (no
    `when`), its placeholders open."""
    if fund is not None:
        from ..documents.localise import fill_statements
        from ..documents.registry import builder, document_facts
        from ..documents.variants import Variant

        jurisdiction = document_type(document).library(fund)
        lib = default_library(jurisdiction)
        facts = document_facts(fund, document)
        try:  # what the document computes (a KID's SRI)
            values = builder(document).statement_values(fund)
        except FactsheetError:  # a KID whose figures cannot be computed: its statements with placeholders open
            return [Expected(s.id, s.version, lang, s.texts[lang], exact=not s.placeholders(lang))
                    for s in lib.applicable(fund, facts) for lang in langs if lang in s.texts]
        have = [lang for lang in langs if all(lang in s.texts for s in lib.applicable(fund, facts))]
        filled = fill_statements(fund, Variant(tuple(have)), facts, values, jurisdiction) if have else []
        return [Expected(s.id, s.version, lang, s.texts[lang]) for s in filled for lang in have]
    lib = default_library(jurisdiction)
    return [Expected(s.id, s.version, lang, s.texts[lang], exact=not s.placeholders(lang))
            for s in lib.statements if s.when is None and document in s.documents for lang in langs if lang in s.texts]


def guess_library(text: str, jurisdictions: tuple[str, ...] = ("CN", "HK", "EU")) -> tuple[str, str]:
    """For a PDF checked without its fund: the (jurisdiction, document type) whose unconditional,
    placeholder-free statements its text (normalised) holds the most of; a mainland factsheet when
    none stands out (the first jurisdiction's factsheet, when `jurisdictions` are given)."""
    from ..pdf.text import normalise

    best, score = (jurisdictions[0], NAMES[0]), 0
    for jurisdiction in jurisdictions:
        lib = default_library(jurisdiction)
        for document in NAMES:
            found = sum(1 for st in lib.statements if st.when is None and document in st.documents
                        for lang, wording in st.texts.items() if not st.placeholders(lang) and normalise(wording) in text)
            if found > score:
                best, score = (jurisdiction, document), found
    return best


def recorded_document(data: bytes | PdfFile) -> str | None:
    """The document type a PDF made by factsheets says it is: the one type that every statement its XMP
    record lists (id@version) belongs to in the libraries (a key facts statement carries hk-kfs-header,
    which no factsheet does); None without a record, or when the statements do not tell."""
    from ..pdf.record import ArchiveError, read_record

    try:
        carried = read_record(data).get("statements") or []
    except (ArchiveError, ValueError, KeyError, TypeError):
        return None
    types = set(NAMES)
    known = {s.id: set(s.documents) for jurisdiction in ("CN", "HK", "EU") for s in default_library(jurisdiction).statements}
    for item in carried:
        sid = str(item).partition("@")[0]
        if sid in known:
            types &= known[sid]
    return types.pop() if len(types) == 1 and carried else None


def document_of(data: bytes | PdfFile, text: str, fund: FundFile | None) -> tuple[str, str]:
    """(jurisdiction of its statements, document type) of a PDF checked without `--doc`: the type from its
    XMP record, else from its text (`guess_library`, within the fund's jurisdiction when it is known)."""
    document = recorded_document(data)
    if fund is None:
        jurisdiction, guessed = guess_library(text)
        return (library_of(document, jurisdiction) if document else jurisdiction, document or guessed)
    if document is None:
        document = guess_library(text, (fund.jurisdiction, "EU"))[1]
    return (document_type(document).library(fund), document)


def library_of(document: str, jurisdiction: str) -> str:
    """The statement library of a document type of a fund of `jurisdiction` (a KID's: the EU's)."""
    return "EU" if TYPES[document].eu_library else jurisdiction


def check_pdf_bytes(data: bytes | PdfFile, file: str, *, fund: FundFile | None = None, langs: tuple[str, ...] | None = None,
                    document: str | None = None, last_page_min_fill: float = LAST_PAGE_MIN_FILL) -> list[Finding]:
    """Every PDF rule on one PDF. Raises `pdfcheck.PdfError` when the file is not a readable PDF.

    The document type is `document`, else told from the statements the text holds (a PRIIPs KID, whose
    statements are the EU library's, or a factsheet).

    The languages are `langs`, else those the PDF declares or its text is in; when none can be told,
    the fund's (with a fund), else none, which is itself a finding (PDF007): never a clean pass. The
    document type (factsheet, kfs, kid), whose statements are required, is `document`, else what the
    PDF's XMP record or its text says it is (`document_of`). The layout rules (LY) run too, with the project's
    bar for a last page (`last_page_min_fill`)."""
    with opened(data) as pdf:
        return _check_pdf(pdf, file, fund, langs, document, last_page_min_fill)


def _check_pdf(data: PdfFile, file: str, fund: FundFile | None, langs: tuple[str, ...] | None,
               document: str | None, last_page_min_fill: float = LAST_PAGE_MIN_FILL) -> list[Finding]:
    """`check_pdf_bytes` on a PDF opened once for all its rules (`pdf.document.PdfFile`)."""
    from pypdfium2 import PdfiumError

    from ..pdf.legibility import judge

    inspection = inspect_pdf(data)
    langs = langs or langs_of(inspection)
    guessed = not langs and fund is not None
    if guessed:
        langs = fund.publishes
    if document is None:
        jurisdiction, document = document_of(data, inspection.text, fund)
    else:
        jurisdiction = library_of(document, fund.jurisdiction if fund is not None else guess_library(inspection.text)[0])
    expected = expected_statements(langs, fund, jurisdiction, document)
    decoys = fund.free_texts(langs) if fund is not None else []
    try:  # the build's own judge, on PDFium's reading, placing the statements as PDF001 does
        judged = judge(data, lambda text: locate(text, expected, decoys), {(e.id, e.lang): e.text if e.exact else None for e in expected})
    except PdfiumError as error:  # a file pdfminer could read and PDFium cannot
        raise PdfError(f"cannot read PDF: {type(error).__name__}: {error}") from None
    ctx = PdfContext(file, inspection, langs, expected, fund, found=locate(inspection.text, expected, decoys),
                     judged=judged, langs_guessed=guessed, pages_text=pdf_pages_text(data), document=document, pdf=data.data,
                     opened=data, library=jurisdiction)
    findings = [f for rule in rules("pdf") for f in rule.check(ctx)]
    findings += layout_findings(data, file, document, fund, last_page_min_fill)
    if fund is None:
        for f in findings:
            f.fund = None
    return _unique(findings)


def build_error_findings(error: BuildError, file: str, fund: FundFile, variant) -> list[Finding]:
    """A document `render_document` refused, as findings: a statement missing is PDF001, one not seen
    (size, contrast, off the page, covered, overlapped) PDF002, one a font maps to no glyph PDF008, a layout
    rule's its own (LY), a departure from its regulator's template its own (RT), anything else PDF006."""
    from .regulatory import finding_of

    found = [replace(f, message=f"{variant.name}: {f.message}", file=file, fund=fund.code) for f in error.layout]
    found += [finding_of(problem, file, fund.code, variant) for problem in error.nonconformities]
    found += [
        Finding(rule.code, rule.name, rule.severity, f"{variant.name}: {problem.message}", file, fund.code,
                problem.lang, f"statement {problem.id}")
        for problem in error.statements
        for rule in [REGISTRY[{"missing": "PDF001", "undrawable": "PDF008"}.get(problem.kind, "PDF002")]]
    ]
    if found:
        return found
    rule = REGISTRY["PDF006"]
    return [Finding(rule.code, rule.name, rule.severity, message, file, fund.code, None, None) for message in error.messages]


# The fund-file rules whose findings stop the build too: a document with banned wording, a mainland
# figure without its benchmark, or a typed figure the history contradicts is never written.
BUILD_BLOCKERS = ("DS003", "PF001", "PF002", "PF005")


def build_blockers(fund: FundFile, source: str) -> list[Finding]:
    """The error findings of `BUILD_BLOCKERS` on a validated fund (its history already read)."""
    lib = default_library(fund.jurisdiction)
    ctx = FundContext(source, None, fund, [], lib, None, fund.as_of, None)
    return [f for code in BUILD_BLOCKERS for f in REGISTRY[code].check(ctx) if f.severity == "error"]


