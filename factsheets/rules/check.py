"""Run the rules: on a fund file (`check`), on a PDF (`verify`), and on a fund rendered in memory
through the current templates and styles (`check --render`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import TemplateError
from pydantic import ValidationError

from ..disclosures import Library
from ..disclosures import library as default_library
from ..errors import BuildError, FactsheetError, FundFileError, Problem
from ..load import read_data
from ..model import FundFile
from ..pdfcheck import Expected, PdfError, inspect_pdf, langs_of, locate
from ..validate import problems_of, validate_model
from . import REGISTRY, rules
from .base import Finding, FundContext, PdfContext
from .disclosures import pins as default_pins
from .pdf import RenderFailed

if TYPE_CHECKING:  # pragma: no cover
    from ..render import Renderer

DEFAULT_MAX_AGE = 45


def validate_with_kinds(data: dict, today: dt.date | None = None) -> tuple[FundFile | None, list[tuple[Problem, str]]]:
    """`validate.validate_data` (the same validation, the same context: as_of and `today`), keeping
    the Pydantic error type of each problem for the rules."""
    try:
        return validate_model(data, today), []
    except ValidationError as error:
        kinds: list[str] = []
        for item in error.errors(include_url=False):
            count = len((item.get("ctx") or {}).get("problems", [])) if item["type"] == "fund_rule" else 1
            kinds += [item["type"]] * count
        return None, list(zip(problems_of(error), kinds))


def fund_context(path: Path, *, today: dt.date, max_age: int = DEFAULT_MAX_AGE, data: dict | None = None,
                 library: Library | None = None, pins: dict | None = None) -> FundContext:
    problems: list[tuple[Problem, str]] = []
    fund = None
    if data is None:
        try:
            data = read_data(path)
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
    return FundContext(str(path), data, fund, problems, lib, pinned, today, max_age)


def check_context(ctx: FundContext) -> list[Finding]:
    findings = [f for rule in rules("fund") for f in rule.check(ctx)]
    return sorted(_unique(findings), key=lambda f: f.sort_key)


def check_fund_file(path: Path, *, today: dt.date, max_age: int = DEFAULT_MAX_AGE) -> tuple[FundContext, list[Finding]]:
    ctx = fund_context(path, today=today, max_age=max_age)
    return ctx, check_context(ctx)


def _unique(findings: list[Finding]) -> list[Finding]:
    seen, result = set(), []
    for f in findings:
        key = (f.code, f.file, f.location, f.lang, f.message)
        if key not in seen:
            seen.add(key)
            result.append(f)
    return result


# -- PDFs -------------------------------------------------------------------------------------

def expected_statements(langs: tuple[str, ...], fund: FundFile | None = None, jurisdiction: str = "CN") -> list[Expected]:
    """What a document in `langs` must carry: with a fund, each applicable statement filled exactly;
    without, each statement that applies to every fund, its placeholders open."""
    if fund is not None:
        from ..localise import fill_statements
        from ..variants import Variant

        lib = default_library(fund.jurisdiction)
        have = [lang for lang in langs if all(lang in s.texts for s in lib.applicable(fund, fund.holdings is not None))]
        filled = fill_statements(fund, Variant(tuple(have)), fund.holdings is not None) if have else []
        return [Expected(s.id, s.version, lang, s.texts[lang]) for s in filled for lang in have]
    lib = default_library(jurisdiction)
    return [Expected(s.id, s.version, lang, s.texts[lang], exact=not s.placeholders(lang))
            for s in lib.statements if s.when is None for lang in langs if lang in s.texts]


def fund_langs(fund: FundFile) -> tuple[str, ...]:
    """The languages a fund has every text in: en and zh-CN, and zh-HK when it has all of its zh-HK texts."""
    return ("en", "zh-CN", "zh-HK") if fund.has_lang("zh-HK") else ("en", "zh-CN")


def check_pdf_bytes(data: bytes, file: str, *, fund: FundFile | None = None, langs: tuple[str, ...] | None = None) -> list[Finding]:
    """Every PDF rule on one PDF. Raises `pdfcheck.PdfError` when the file is not a readable PDF.

    The languages are `langs`, else those the PDF declares or its text is in; when none can be told,
    the fund's (with a fund), else none, which is itself a finding (PDF007): never a clean pass."""
    from pypdfium2 import PdfiumError

    from ..legibility import judge

    inspection = inspect_pdf(data)
    langs = langs or langs_of(inspection)
    guessed = not langs and fund is not None
    if guessed:
        langs = fund_langs(fund)
    shows_index = bool(fund is not None and fund.performance is None and fund.index and fund.index.annual_returns)
    expected = expected_statements(langs, fund)
    decoys = fund.free_texts(langs) if fund is not None else []
    try:  # the build's own judge, on PDFium's reading, placing the statements as PDF001 does
        judged = judge(data, lambda text: locate(text, expected, decoys), {(e.id, e.lang): e.text if e.exact else None for e in expected})
    except PdfiumError as error:  # a file pdfminer could read and PDFium cannot
        raise PdfError(f"cannot read PDF: {type(error).__name__}: {error}") from None
    ctx = PdfContext(file, inspection, langs, expected, fund, shows_index, found=locate(inspection.text, expected, decoys),
                     judged=judged, langs_guessed=guessed)
    findings = [f for rule in rules("pdf") for f in rule.check(ctx)]
    if fund is None:
        for f in findings:
            f.fund = None
    return _unique(findings)


def build_error_findings(error: BuildError, file: str, fund: FundFile, variant) -> list[Finding]:
    """A document `render_document` refused, as findings: a statement missing is PDF001, one not seen
    (size, contrast, off the page, covered, overlapped) PDF002, one a font maps to no glyph PDF008,
    anything else PDF006."""
    if error.statements:
        return [
            Finding(rule.code, rule.name, rule.severity, f"{variant.name}: {problem.message}", file, fund.code,
                    problem.lang, f"statement {problem.id}")
            for problem in error.statements
            for rule in [REGISTRY[{"missing": "PDF001", "undrawable": "PDF008"}.get(problem.kind, "PDF002")]]
        ]
    rule = REGISTRY["PDF006"]
    return [Finding(rule.code, rule.name, rule.severity, message, file, fund.code, None, None) for message in error.messages]


def render_findings(fund: FundFile, file: str, variants: list, renderer: Renderer | None = None) -> list[Finding]:
    """Render each variant in memory (writing nothing) as `build` does, through `pipeline.render_document`
    and its verification of every statement, and run the PDF rules on the result."""
    from ..pipeline import not_meant_for, render_document

    findings: list[Finding] = []
    for variant in variants:
        if not_meant_for(fund, variant):  # skipped by `build` too
            continue
        try:
            document = render_document(fund, variant, renderer)
        except BuildError as error:
            findings += build_error_findings(error, file, fund, variant)
            continue
        except (FactsheetError, TemplateError) as error:
            rule = RenderFailed()
            findings.append(Finding(rule.code, rule.name, rule.severity, f"{variant.name}: {type(error).__name__}: {error}",
                                    file, fund.code))
            continue
        for finding in check_pdf_bytes(document.pdf, file, fund=fund, langs=variant.langs):
            finding.message = f"{variant.name}: {finding.message}"
            finding.fund = fund.code
            findings.append(finding)
    return findings
