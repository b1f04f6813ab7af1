"""Where a fund file becomes a PDF: load -> validate -> localise -> render -> verify -> write.

`build_file` runs the whole pipeline for one fund file and its variants; `render_pdf` is
the in-memory part for scripts. The CLI calls these; they never call the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from jinja2 import TemplateError

from .errors import BuildError, FactsheetError
from .inputs import inputs_hash
from .legibility import judge
from .load import data_from_bytes, read_bytes
from .model import FundFile
from .render import Document, Renderer
from .validate import validate_data
from .variants import Variant, parse_variant
from .verify import place
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
    decoys = fund.free_texts(variant.langs)
    problems = judge(document.pdf, lambda text: place(text, document.statements, decoys),
                     {(s.id, lang): text for s in document.statements for lang, text in s.texts.items()},
                     {s.id: s.version for s in document.statements})
    if problems:
        raise BuildError(fund.code, [f"{variant.name}: {p.message}; no PDF written" for p in problems], problems)
    return document


def render_pdf(fund: FundFile, variant: Variant | str = "bilingual") -> bytes:
    """The verified PDF of a fund in a variant, as bytes."""
    return render_document(fund, variant).pdf


@dataclass
class Outcome:
    source: Path
    variant: str
    status: str  # "rendered" (in memory), then "written"; or "skipped", "failed"
    path: Path | None = None
    bytes: int = 0
    pages: int = 0
    message: str = ""
    fund: str = ""
    statements: list[str] = field(default_factory=list)  # "id@version" of every statement carried
    inputs: str = ""  # its inputs hash over the fund file's bytes (`inputs.inputs_hash`), when rendered from them
    assets: dict[str, str] = field(default_factory=dict)  # the files it was made from: path -> SHA-256


def not_meant_for(fund: FundFile, variant: Variant) -> bool:
    """A fund that gives no zh-HK text at all is not meant for zh-HK: such a variant is skipped.
    One that gives some zh-HK texts but not all is rendered, and fails naming each missing text."""
    return "zh-HK" in variant.langs and not fund.gives_lang("zh-HK")


def render_fund(source: Path, fund: FundFile, variants: list[Variant], renderer: Renderer | None = None,
                raw: bytes | None = None) -> list[tuple[Outcome, bytes]]:
    """Render and verify every variant of a validated fund in memory; failures are outcomes. With
    the fund file's bytes (`raw`), each document's inputs hash is computed over them."""
    renderer = renderer or default_renderer()
    results: list[tuple[Outcome, bytes]] = []
    for variant in variants:
        if not_meant_for(fund, variant):
            results.append((Outcome(source, variant.name, "skipped", message=f"{source}: no zh-HK texts for {variant.name}"), b""))
            continue
        try:
            document = render_document(fund, variant, renderer)
        except FactsheetError as error:
            results.append((Outcome(source, variant.name, "failed", message=_with_source(source, error)), b""))
            continue
        except TemplateError as error:  # a user's template that breaks on this fund fails this document only
            message = f"{source}: {variant.name}: template error: {error}"
            results.append((Outcome(source, variant.name, "failed", message=message), b""))
            continue
        carried = [f"{s.id}@{s.version}" for s in document.statements]
        inputs = inputs_hash(raw, variant.name, renderer.setup, document.assets) if raw is not None else ""
        outcome = Outcome(source, variant.name, "rendered", None, len(document.pdf), document.pages, "", fund.code, carried,
                          inputs, document.assets)
        results.append((outcome, document.pdf))
    return results


def write_outcome(outcome: Outcome, pdf: bytes, out_dir: Path) -> Outcome:
    """Write a rendered document into the output folder; a failure to write is an outcome too."""
    if outcome.status != "rendered":
        return outcome
    try:
        outcome.path = write_atomic(output_path(out_dir, outcome.fund, outcome.variant), pdf)
        outcome.status = "written"
    except (FactsheetError, OSError) as error:
        outcome.status, outcome.message = "failed", f"{outcome.source}: cannot write {outcome.variant}: {error}"
    return outcome


def build_file(source: Path, variants: list[Variant], out_dir: Path, renderer: Renderer | None = None) -> list[Outcome]:
    """Build every variant of one fund file; failures are outcomes, not exceptions."""
    try:
        raw = read_bytes(source)  # read once: the bytes validated are the bytes hashed
        fund = validate_data(data_from_bytes(raw, source), source)
    except FactsheetError as error:
        return [Outcome(source, v.name, "failed", message=str(error)) for v in variants]
    return [write_outcome(outcome, pdf, out_dir) for outcome, pdf in render_fund(source, fund, variants, renderer, raw)]


def _with_source(source: Path, error: FactsheetError) -> str:
    text = str(error)
    return text if text.startswith(str(source)) else f"{source}: {text}"
