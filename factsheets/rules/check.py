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
from ..pdfcheck import Expected, inspect_pdf, langs_of
from ..validate import problems_of
from . import rules
from .base import Finding, FundContext, PdfContext
from .disclosures import pins as default_pins
from .pdf import RenderFailed

if TYPE_CHECKING:  # pragma: no cover
    from ..render import Renderer

DEFAULT_MAX_AGE = 45


def validate_with_kinds(data: dict) -> tuple[FundFile | None, list[tuple[Problem, str]]]:
    """`validate.validate_data`, keeping the Pydantic error type of each problem for the rules."""
    as_of = data.get("as_of")
    try:
        return FundFile.model_validate(data, context={"as_of": as_of} if isinstance(as_of, dt.date) else {}), []
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
        fund, problems = validate_with_kinds(data)
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
        from ..render import fill_statements
        from ..variants import Variant

        lib = default_library(fund.jurisdiction)
        have = [lang for lang in langs if all(lang in s.texts for s in lib.applicable(fund, fund.holdings is not None))]
        filled = fill_statements(fund, Variant(tuple(have)), fund.holdings is not None) if have else []
        return [Expected(s.id, s.version, lang, s.texts[lang]) for s in filled for lang in have]
    lib = default_library(jurisdiction)
    return [Expected(s.id, s.version, lang, s.texts[lang], exact=not s.placeholders(lang))
            for s in lib.statements if s.when is None for lang in langs if lang in s.texts]


def check_pdf_bytes(data: bytes, file: str, *, fund: FundFile | None = None, langs: tuple[str, ...] | None = None) -> list[Finding]:
    """Every PDF rule on one PDF. Raises `pdfcheck.PdfError` when the file is not a readable PDF."""
    inspection = inspect_pdf(data)
    langs = langs or langs_of(inspection)
    shows_index = bool(fund is not None and fund.performance is None and fund.index and fund.index.annual_returns)
    ctx = PdfContext(file, inspection, langs, expected_statements(langs, fund), fund, shows_index)
    findings = [f for rule in rules("pdf") for f in rule.check(ctx)]
    if fund is None:
        for f in findings:
            f.fund = None
    return _unique(findings)


def render_findings(fund: FundFile, file: str, variants: list, renderer: Renderer | None = None) -> list[Finding]:
    """Render each variant in memory (writing nothing) and run the PDF rules on the result."""
    from ..pipeline import default_renderer

    renderer = renderer or default_renderer()
    findings: list[Finding] = []
    for variant in variants:
        if "zh-HK" in variant.langs and not fund.has_lang("zh-HK"):
            continue
        try:
            document = renderer.render(fund, variant)
        except (FactsheetError, TemplateError) as error:
            rule = RenderFailed()
            messages = error.messages if isinstance(error, BuildError) else [f"{type(error).__name__}: {error}"]
            findings += [Finding(rule.code, rule.name, rule.severity, f"{variant.name}: {m}", file, fund.code)
                         for m in messages]
            continue
        for finding in check_pdf_bytes(document.pdf, file, fund=fund, langs=variant.langs):
            finding.message = f"{variant.name}: {finding.message}"
            finding.fund = fund.code
            findings.append(finding)
    return findings
