"""Where a fund file becomes a PDF: load -> validate -> localise -> render -> verify -> write.

`build_file` runs the whole pipeline for one fund file and its variants; `render_pdf` is
the in-memory part for scripts. The CLI calls these; they never call the CLI.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from jinja2 import TemplateError

from ..documents.registry import builder
from ..documents.regulatory import template_for
from ..documents.types import DocumentType, Target, document_type, parse_target
from ..documents.variants import Variant, parse_variant
from ..errors import BuildError, FactsheetError
from ..files import write_atomic
from ..fund.load import data_from_bytes, read_bytes
from ..fund.model import FundFile
from ..fund.validate import validate_data, with_history
from ..pdf.conformance import departures
from ..pdf.document import PdfFile
from ..pdf.layout import LAST_PAGE_MIN_FILL, overflow
from ..pdf.legibility import judge
from ..pdf.text import place
from ..render.inputs import inputs_hash
from ..render.renderer import Document, Renderer
from .output import output_path


@cache
def default_renderer() -> Renderer:
    return Renderer()


def missing_texts(fund: FundFile, variant: Variant) -> list[str]:
    """Dotted paths of the reader-visible texts the fund lacks in the variant's languages (the KID's own
    texts, in English whatever the fund publishes in, aside)."""
    return [f"{path}.{lang}" for path, text in fund.texts() if not text.REQUIRED for lang in variant.langs if not text.get(lang)]


def render_document(fund: FundFile, variant: Variant | str, renderer: Renderer | None = None,
                    document: str = "factsheet") -> Document:
    """Render and verify one document in memory; raise BuildError rather than return an incomplete one."""
    with rendered_pdf(fund, variant, renderer, document) as (rendered, _):
        return rendered


@contextmanager
def rendered_pdf(fund: FundFile, variant: Variant | str, renderer: Renderer | None = None,
                 document: str = "factsheet") -> Iterator[tuple[Document, PdfFile]]:
    """`render_document`, its PDF held open with what the checks read of it, for more rules on the same reading
    (`check --render`)."""
    variant = parse_variant(variant) if isinstance(variant, str) else variant
    if missing := missing_texts(fund, variant):
        raise BuildError(fund.code, [f"{path}: missing, needed for the {variant.name} variant" for path in missing])
    rendered = (renderer or default_renderer()).render(fund, variant, document)
    with PdfFile(rendered.pdf) as pdf:  # read back once, by every check below
        yield _verified(fund, rendered, pdf, document_type(document), renderer), pdf


def _verified(fund: FundFile, rendered: Document, pdf: PdfFile, dtype: DocumentType, renderer: Renderer | None) -> Document:
    """The rendered document, once its page count, layout and every statement are checked in its PDF."""
    variant = rendered.variant
    name = dtype.target_name(variant)
    limit = dtype.page_limit
    if limit is not None and rendered.pages > limit:
        raise BuildError(fund.code, [f"{name}: {rendered.pages} pages, more than the {limit} a {dtype.title} may "
                                     f"have; {overflow(pdf, limit)}; no PDF written"])
    refused, rendered.warnings = _layout(fund, rendered, pdf, dtype, renderer or default_renderer())
    decoys = fund.free_texts(variant.langs)
    problems = judge(pdf, lambda text: place(text, rendered.statements, decoys),
                     {(s.id, lang): text for s in rendered.statements for lang, text in s.texts.items()},
                     {s.id: s.version for s in rendered.statements})
    departures = template_departures(fund, rendered, pdf, dtype, decoys)
    if problems or refused or departures:
        messages = [f"{name}: {p.message}; no PDF written" for p in problems]
        messages += [f"{name}: {f.code} {f.name}: {f.message}; no PDF written" + (" (--strict-layout)" if f.severity == "warning" else "")
                     for f in refused]
        messages += [f"{name}: {d.template}: {d.where}: {d.message}; no PDF written" for d in departures]
        raise BuildError(fund.code, messages, problems, refused, departures)
    return rendered


def template_departures(fund: FundFile, rendered: Document, pdf: PdfFile, dtype: DocumentType, decoys: list[str]) -> list:
    """How a key facts document or KID departs from its regulator's template (`pdf.conformance`: a section, a row
    or a statement out of place, missing or empty), read in the finished PDF; nothing for a factsheet."""
    return departures(pdf, template_for(dtype.name, dtype.library(fund)), tuple(rendered.variant.langs), fund,
                      lambda text: place(text, rendered.statements, decoys))


def _layout(fund: FundFile, rendered: Document, pdf: PdfFile, dtype: DocumentType, renderer: Renderer) -> tuple[list, list[str]]:
    """The layout rules on the document (`rules.layout`): the findings that refuse it (its type's errors, and
    with `--strict-layout` its warnings too), and the warnings it is written with."""
    from ..rules.layout import layout_findings

    name = dtype.target_name(rendered.variant)
    findings = layout_findings(pdf, name, dtype.name, fund, getattr(renderer, "last_page_min_fill", LAST_PAGE_MIN_FILL))
    strict = getattr(renderer, "strict_layout", False)
    refused = [f for f in findings if f.severity == "error" or strict]
    return refused, [f"{f.code} {f.name}: {f.message}" for f in findings if f not in refused]


def render_pdf(fund: FundFile, variant: Variant | str = "bilingual", document: str = "factsheet") -> bytes:
    """The verified PDF of a fund in a variant, as bytes."""
    return render_document(fund, variant, document=document).pdf


@dataclass
class Outcome:
    source: Path
    variant: str  # the target's name: `bilingual`, `kfs.en` (`types.Target.name`)
    status: str  # "rendered" (in memory), then "written"; or "skipped", "failed"
    path: Path | None = None
    bytes: int = 0
    pages: int = 0
    message: str = ""
    fund: str = ""
    statements: list[str] = field(default_factory=list)  # "id@version" of every statement carried
    warnings: list[str] = field(default_factory=list)  # layout warnings of a written document
    inputs: str = ""  # its inputs hash over the fund file's bytes (`inputs.inputs_hash`), when rendered from them
    assets: dict[str, str] = field(default_factory=dict)  # the files it was made from: path -> SHA-256
    own: list[str] = field(default_factory=list)  # the fund's own documents of this type (`plan` without variants)
    layout: str = ""  # the layout chosen for it among those tried, and how it measured (`render.fit.Fit.report`)

    @property
    def document(self) -> str:
        return parse_target(self.variant).document


def not_meant_for(fund: FundFile, variant: Variant) -> bool:
    """A variant in a language the fund does not publish in (`FundFile.publishes`) is skipped, never a
    failure. (A fund/v1 file that gives some zh-HK texts publishes in zh-HK, and fails naming each
    zh-HK text it lacks.)"""
    return any(lang not in fund.publishes for lang in variant.langs)


def plan(fund: FundFile, documents: tuple[str, ...] = ("factsheet",), variants: list[Variant] | None = None,
         source: Path | str = "") -> list[tuple[Target, str | None]]:
    """The documents a fund gets: (target, None) to build, (target, why not) to skip. Without `variants`,
    each fund's own (`variants.own_variants`); key facts and KIDs are single-language documents: key
    facts in each language the fund publishes in (mainland: zh-CN), the KID in English."""
    found: list[tuple[Target, str | None]] = []
    publishes = fund.publishes
    for document in documents:
        dtype = document_type(document)
        allowed = dtype.languages(fund)
        chosen = variants if variants is not None else allowed
        missing_data = not builder(document).has_data(fund)
        for variant in chosen:
            target = Target(document, variant)
            if missing_data:
                why = f"{source}: no {dtype.title} for {fund.code}: the fund file gives no data for one"
            elif not_meant_for(fund, variant):
                other = ", ".join(lang for lang in variant.langs if lang not in publishes)
                why = f"{source}: the fund publishes in {', '.join(publishes)}, not in {other}: no {target.name} document"
            elif not dtype.paired and variant not in allowed:
                why = f"{source}: a {dtype.title} is a single-language document in {', '.join(v.name for v in allowed)}: no {target.name}"
            else:
                why = None
            if missing_data and any(t.document == document and w for t, w in found):
                continue  # said once per document type
            found.append((target, why))
    return found


def render_fund(source: Path, fund: FundFile, variants: list[Variant] | None, renderer: Renderer | None = None,
                documents: tuple[str, ...] = ("factsheet",), raw: bytes | None = None,
                keep: frozenset[str] = frozenset()) -> list[tuple[Outcome, bytes]]:
    """Render and verify every document of a validated fund in memory; failures are outcomes. With the
    fund file's bytes (`raw`), each document's inputs hash is computed over them, its history files and
    the files it fetched; a skipped document's over the fund file and the request alone. The documents
    named in `keep` (target names a batch knows to be unchanged) are left out."""
    from ..rules.check import build_blockers

    renderer = renderer or default_renderer()
    # The history files are inputs too (a new NAV day rebuilds exactly the funds it touches), hashed from
    # the bytes the fund was loaded with: a remote worker has no file to read.
    history = {str(Path(source).parent / name): hashlib.sha256(data).hexdigest() for name, data in fund.files.items()}
    results: list[tuple[Outcome, bytes]] = []
    blockers = [f"{source}: {f.location}: {f.message}" if f.location else f"{source}: {f.message}"
                for f in build_blockers(fund, str(source))]
    # What a build without --lang would make of each type: a batch knows from it that an earlier run with
    # other variants did not cover the fund's own.
    own = {document: [t.name for t, _ in plan(fund, (document,), None, source)] for document in documents}
    for target, why in plan(fund, documents, variants, source):
        if target.name in keep:
            continue
        if why:
            inputs = inputs_hash(raw, target.name, renderer.setup, {}) if raw is not None else ""
            results.append((Outcome(source, target.name, "skipped", message=why, fund=fund.code, inputs=inputs), b""))
            continue
        if blockers:
            message = "\n".join(f"{line} ({target.name}: no PDF written)" for line in blockers)
            results.append((Outcome(source, target.name, "failed", message=message), b""))
            continue
        try:
            document = render_document(fund, target.variant, renderer, target.document)
        except FactsheetError as error:
            results.append((Outcome(source, target.name, "failed", message=_with_source(source, error)), b""))
            continue
        except TemplateError as error:  # a user's template that breaks on this fund fails this document only
            message = f"{source}: {target.name}: template error{template_location(error)}: {error}"
            results.append((Outcome(source, target.name, "failed", message=message), b""))
            continue
        carried = [f"{s.id}@{s.version}" for s in document.statements]
        assets = {**history, **document.assets}
        inputs = inputs_hash(raw, target.name, renderer.setup, assets) if raw is not None else ""
        outcome = Outcome(source, target.name, "rendered", None, len(document.pdf), document.pages, "", fund.code, carried,
                          [f"{source}: {target.name}: {w}" for w in document.warnings], inputs, assets,
                          layout=document.fit.report() if document.fit is not None else "")
        results.append((outcome, document.pdf))
    for outcome, _ in results:
        outcome.own = own.get(outcome.document, [])
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


def target_names(documents: tuple[str, ...], variants, keep: frozenset[str] = frozenset()) -> list[str]:
    """The documents a request asks of a fund that failed as a whole (`*` when the variants are each
    fund's own, unknown until its file is read), less those a batch kept as unchanged."""
    names = [Target(d, v).name for d in documents for v in variants] if variants else ["*"]
    return [name for name in names if name not in keep]


def build_file(source: Path, variants: list[Variant] | None, out_dir: Path, renderer: Renderer | None = None,
               documents: tuple[str, ...] = ("factsheet",), keep: frozenset[str] = frozenset()) -> list[Outcome]:
    """Build every document of one fund file (each of `documents` in each of `variants`, or in the fund's
    own, but those named in `keep`); failures are outcomes, not exceptions."""
    try:
        raw = read_bytes(source)  # read once: the bytes validated are the bytes hashed
        fund = with_history(validate_data(data_from_bytes(raw, source), source), Path(source).parent, source)
    except FactsheetError as error:
        return [Outcome(source, name, "failed", message=str(error)) for name in target_names(documents, variants, keep)]
    return [write_outcome(outcome, pdf, out_dir) for outcome, pdf in render_fund(source, fund, variants, renderer, documents, raw, keep)]


def template_location(error: TemplateError) -> str:
    """ " in templates/sections/header.html.j2, line 7": where a template failed, for its author. Jinja gives
    a syntax error's file and line; an error while rendering is found in the traceback's template frames."""
    filename, lineno = getattr(error, "filename", None), getattr(error, "lineno", None)
    if not filename:
        frame = error.__traceback__
        while frame is not None:
            name = frame.tb_frame.f_code.co_filename
            if name.endswith((".j2", ".html")):
                filename, lineno = name, frame.tb_lineno
            frame = frame.tb_next
    if not filename:
        return ""
    return f" in {filename}" + (f", line {lineno}" if lineno else "")


def _with_source(source: Path, error: FactsheetError) -> str:
    text = str(error)
    return text if text.startswith(str(source)) else f"{source}: {text}"
