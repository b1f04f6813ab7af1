"""Where a fund file becomes a PDF: load -> validate -> localise -> render -> verify -> write.

`build_file` runs the whole pipeline for one fund file and its variants; `render_pdf` is
the in-memory part for scripts. The CLI calls these; they never call the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .errors import BuildError, FactsheetError
from .model import FundFile
from .render import Document, Renderer
from .validate import load_fund
from .variants import Variant, parse_variant
from .verify import missing_statements, pdf_pages_text
from .write import output_path, write_atomic


@cache
def default_renderer() -> Renderer:
    return Renderer()


def missing_texts(fund: FundFile, variant: Variant) -> list[str]:
    """Dotted paths of the reader-visible texts the fund lacks in the variant's languages."""
    return [f"{path}.{lang}" for path, text in fund.texts() for lang in variant.langs if not text.get(lang)]


def render_document(fund: FundFile, variant: Variant | str, renderer: Renderer | None = None) -> Document:
    """Render and verify one document in memory; raise BuildError rather than return an incomplete one."""
    variant = parse_variant(variant) if isinstance(variant, str) else variant
    if missing := missing_texts(fund, variant):
        raise BuildError(fund.code, [f"{path}: missing, needed for the {variant.name} variant" for path in missing])
    document = (renderer or default_renderer()).render(fund, variant)
    text = "\n".join(pdf_pages_text(document.pdf))
    if missing_statements_ := missing_statements(text, document.statements):
        raise BuildError(fund.code, [f"{variant.name}: {m}; no PDF written" for m in missing_statements_])
    return document


def render_pdf(fund: FundFile, variant: Variant | str = "bilingual") -> bytes:
    """The verified PDF of a fund in a variant, as bytes."""
    return render_document(fund, variant).pdf


@dataclass
class Outcome:
    source: Path
    variant: str
    status: str  # "written", "skipped" or "failed"
    path: Path | None = None
    bytes: int = 0
    pages: int = 0
    message: str = ""
    fund: str = ""
    statements: list[str] = field(default_factory=list)  # "id@version" of every statement carried


def build_file(source: Path, variants: list[Variant], out_dir: Path, renderer: Renderer | None = None) -> list[Outcome]:
    """Build every variant of one fund file; failures are outcomes, not exceptions."""
    try:
        fund = load_fund(source)
    except FactsheetError as error:
        return [Outcome(source, v.name, "failed", message=str(error)) for v in variants]
    outcomes = []
    for variant in variants:
        if "zh-HK" in variant.langs and not fund.has_lang("zh-HK"):
            outcomes.append(Outcome(source, variant.name, "skipped", message=f"{source}: no zh-HK texts for {variant.name}"))
            continue
        try:
            target = output_path(out_dir, fund.code, variant.name)
            document = render_document(fund, variant, renderer)
            write_atomic(target, document.pdf)
        except FactsheetError as error:
            outcomes.append(Outcome(source, variant.name, "failed", message=_with_source(source, error)))
            continue
        except OSError as error:
            outcomes.append(Outcome(source, variant.name, "failed", message=f"{source}: cannot write {variant.name}: {error}"))
            continue
        carried = [f"{s.id}@{s.version}" for s in document.statements]
        outcomes.append(Outcome(source, variant.name, "written", target, len(document.pdf), document.pages, "", fund.code, carried))
    return outcomes


def _with_source(source: Path, error: FactsheetError) -> str:
    text = str(error)
    return text if text.startswith(str(source)) else f"{source}: {text}"
