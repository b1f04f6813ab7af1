"""`check --render`: a fund rendered in memory as `build` would (writing nothing), through the current
templates and styles, and the PDF rules and the cross-document rules run on what it prints."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from jinja2 import TemplateError

from ..documents.types import FACTSHEET, KID, Target, document_type
from ..documents.variants import Variant, parse_variant
from ..errors import BuildError, FactsheetError
from ..fund.model import FundFile
from ..render.renderer import Renderer
from ..rules.base import Finding
from ..rules.check import build_error_findings, check_pdf_bytes
from ..rules.consistency import compare_documents, printed_figures
from ..rules.pdf import RenderFailed
from .pipeline import default_renderer, plan, rendered_pdf

DEFAULT_DOCUMENTS = (FACTSHEET.name, KID.name)  # without --doc: the factsheets, and a KID where there is PRIIPs data


def chosen_variants(fund: FundFile, documents: tuple[str, ...], chosen: list[Variant] | None) -> dict[str, list[Variant] | None]:
    """The variants `check --render` makes of each document type: the chosen (`--lang`); without them, a factsheet
    in its bilingual variants (en+zh-CN, and en+zh-HK where the fund gives zh-HK texts) and key facts and KIDs in
    the fund's own."""
    wanted = chosen or [parse_variant("bilingual")] + ([parse_variant("en+zh-HK")] if fund.has_lang("zh-HK") else [])
    return {document: wanted if document_type(document).paired or chosen else None for document in documents}


def render_findings(fund: FundFile, file: str, variants: list | dict | None, renderer: Renderer | None = None,
                    documents: tuple[str, ...] = ("factsheet", KID.name)) -> list[Finding]:
    """Render each document of the fund in memory (writing nothing) as `build` does (`pipeline.plan`: the
    documents and variants it would build; `variants` for every document type, or per type in a dict, each
    fund's own where None), through `pipeline.rendered_pdf` (`render_document`'s) and its verification of every statement,
    and run the PDF rules on the result; then the cross-document rules (`rules.consistency`) on what the
    documents print. A fund's PRIIPs KID is rendered whatever its length (KD001 says when it is too long)."""
    findings: list[Finding] = []
    if fund.history_paths() and not fund.files:  # `check` validates without reading the history files
        from ..fund.validate import with_history

        try:
            fund = with_history(fund, Path(file).parent, file)
        except FactsheetError:
            return findings  # history files that cannot be read are a finding of their own (PF001), reported once
    if any(name not in fund.files for _, name in fund.history_paths()):
        return findings  # a history file that cannot be read is a finding of its own (PF001)
    if KID.name in documents and fund.priips is not None:
        findings += _kid_findings(fund, file, renderer)
    made = []
    chosen = variants if isinstance(variants, dict) else {document: variants for document in documents}
    targets = [item for document in documents if document != KID.name for item in plan(fund, (document,), chosen.get(document), file)]
    for target, why in targets:
        if why:  # skipped by `build` too
            continue
        variant, name = target.variant, target.name
        with ExitStack() as stack:
            try:  # the PDF read once: by the build's own checks, the PDF rules and the printed figures
                _, pdf = stack.enter_context(rendered_pdf(fund, variant, renderer, target.document))
            except BuildError as error:
                findings += build_error_findings(error, file, fund, Target(target.document, variant))
                continue
            except (FactsheetError, TemplateError) as error:
                rule = RenderFailed()
                findings.append(Finding(rule.code, rule.name, rule.severity, f"{name}: {type(error).__name__}: {error}",
                                        file, fund.code))
                continue
            for finding in check_pdf_bytes(pdf, file, fund=fund, langs=variant.langs, document=target.document,
                                           last_page_min_fill=(renderer or default_renderer()).last_page_min_fill):
                finding.message = f"{name}: {finding.message}"
                finding.fund = fund.code
                findings.append(finding)
            made.append(printed_figures(pdf, name, target.document, variant.langs))
    findings += compare_documents(made, fund, file)
    return findings



def _kid_findings(fund: FundFile, file: str, renderer: Renderer | None) -> list[Finding]:
    """The KID rendered in memory, whatever its length, and the PDF rules on it (KD001: more than three
    pages). A KID whose figures cannot be computed, or that its fund file contradicts, is not rendered:
    the fund rules report why (KD002, KD003)."""
    from ..documents.kid import disagreements, figures

    try:
        if disagreements(fund, figures(fund)):
            return []
    except FactsheetError:
        return []
    target = Target(KID.name, Variant(("en",)))
    try:
        document = (renderer or default_renderer()).render(fund, target.variant, KID.name)
    except BuildError as error:
        return build_error_findings(error, file, fund, target)
    except (FactsheetError, TemplateError) as error:
        rule = RenderFailed()
        return [Finding(rule.code, rule.name, rule.severity, f"{target.name}: {type(error).__name__}: {error}", file, fund.code)]
    findings = check_pdf_bytes(document.pdf, file, fund=fund, langs=target.variant.langs, document=KID.name,
                               last_page_min_fill=(renderer or default_renderer()).last_page_min_fill)
    for finding in findings:
        finding.message = f"{target.name}: {finding.message}"
        finding.fund = fund.code
    return findings
