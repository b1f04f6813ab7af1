"""The regulators' templates as data: for the SFC's Product Key Facts Statement (`hk-kfs`), the CSRC's
基金产品资料概要 (`cn-kfs`) and the PRIIPs KID (`eu-kid`), the sections a filed document must have, in order,
with their headings in each language; the rows (labelled fields) each must show, with the labels accepted;
which statements of the approved library stand in each; and the page limit.

The package keeps the approved files (`factsheets/regulatory_templates/`, byte for byte `spec/templates/`),
and `pins.yaml` their SHA-256: a file whose bytes are not the pinned ones is refused whenever it is read, never
used. The documents take their headings, row labels and the place of each statement from here (one source of
truth), and `pdf/conformance.py` finds each of them in the finished PDF (the RT rules, the build).

A template says in words when a row is required only for some funds (`when:`); `ROW_CONDITIONS` says what each
means, and a template with a condition not listed there is refused (a row is never silently not required).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Callable

import yaml

from ..errors import FactsheetError
from ..fund.model import FundFile
from .types import document_type

FOLDER = "regulatory_templates"


class TemplateSpecError(FactsheetError):
    """A regulator's template that is not the approved file, or that cannot be understood."""


# A row's `when`, as the templates word it, and what it means for a fund.
ROW_CONDITIONS: dict[str, Callable[[FundFile], bool]] = {
    "the management company delegates investment management": lambda fund: fund.fund.investment_manager is not None,
    "the fund has more than one class": lambda fund: len(fund.fund.share_classes) > 1,
    "fund category is qdii": lambda fund: fund.fund.category.value == "qdii",
    "the fund is listed": lambda fund: fund.fund.exchange is not None or any(c.listed for c in fund.fund.share_classes),
    "the product is a UCITS": lambda fund: fund.fund.ucits is True,
}


@dataclass(frozen=True)
class Row:
    """A labelled field: its id, the labels accepted per language (the first is the template's own), whether the
    fund's every share class must show it (`per: class`), and the condition under which it is required."""

    id: str
    labels: dict[str, tuple[str, ...]]
    per_class: bool = False
    when: str | None = None
    note: str | None = None

    def required(self, fund: FundFile | None) -> bool:
        """Whether a document must show the row: always without a `when`; with one, when the fund meets it (a
        document checked without its fund need not show a conditional row)."""
        return self.when is None or (fund is not None and ROW_CONDITIONS[self.when](fund))

    def label(self, lang: str, index: int = 0) -> str:
        """One of the accepted labels (the template's first, unless the document's facts choose another)."""
        return self.labels[lang][index]


@dataclass(frozen=True)
class Part:
    """A section, or a subsection of one: its id (`fees`, or `fees.2` for the second subsection of `fees`), its
    heading and the other headings accepted per language, its rows and statements, and its subsections."""

    id: str
    heading: dict[str, str]
    accepted: dict[str, tuple[str, ...]]
    rows: tuple[Row, ...] = ()
    statements: tuple[str, ...] = ()
    subsections: tuple[Part, ...] = ()
    columns: dict[str, tuple[str, ...]] | None = None
    note: str | None = None

    def headings(self, lang: str) -> tuple[str, ...]:
        """The headings the document may give the part in a language: the template's, then the accepted others."""
        own = (self.heading[lang],) if lang in self.heading else ()
        return own + self.accepted.get(lang, ())

    def find(self, row_id: str) -> Row:
        return next(r for r in self.rows if r.id == row_id)

    def parts(self) -> tuple[Part, ...]:
        """The part and its subsections, in order."""
        return (self, *(p for sub in self.subsections for p in sub.parts()))


@dataclass(frozen=True)
class Template:
    name: str  # hk-kfs, cn-kfs, eu-kid
    document: str  # the document type (`types`): kfs, kid
    jurisdiction: str  # of its statement library: HK, CN, EU
    max_pages: int
    header: Part  # the title (as its heading), its labelled rows and statements: before the first section
    sections: tuple[Part, ...]
    header_fields: tuple[str, ...] = ()  # what the header shows that has no label to find ("fund name")

    def part(self, part_id: str) -> Part:
        return next(p for p in self.parts() if p.id == part_id)

    def parts(self) -> tuple[Part, ...]:
        """Every part, the header first, sections and subsections in order."""
        return (self.header, *(p for section in self.sections for p in section.parts()))

    def placement(self) -> dict[str, str]:
        """Statement id -> the id of the part it stands in."""
        return {sid: part.id for part in self.parts() for sid in part.statements}

    def languages(self) -> tuple[str, ...]:
        return tuple(self.header.heading)


def _texts(value: object, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise TemplateSpecError(f"{where}: a text per language is expected")
    return dict(value)


def _lists(value: object, where: str) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, list) for v in value.values()):
        raise TemplateSpecError(f"{where}: a list of texts per language is expected")
    return {lang: tuple(str(v) for v in items) for lang, items in value.items()}


def _row(raw: dict, where: str) -> Row:
    when = raw.get("when")
    if when is not None and when not in ROW_CONDITIONS:
        raise TemplateSpecError(f"{where}: row {raw.get('id')}: unknown condition {when!r}")
    per = raw.get("per")
    if per not in (None, "class"):
        raise TemplateSpecError(f"{where}: row {raw.get('id')}: `per` may only be `class`")
    return Row(str(raw["id"]), _lists(raw.get("labels"), f"{where}: row {raw.get('id')}"), per == "class", when, raw.get("note"))


def _part(raw: dict, part_id: str, where: str) -> Part:
    subsections = tuple(_part(sub, f"{part_id}.{i}", f"{where}.{i}") for i, sub in enumerate(raw.get("subsections") or [], 1))
    rows = tuple(_row(r, where) for r in raw.get("rows") or [] if isinstance(r, dict))
    return Part(part_id, _texts(raw.get("heading"), f"{where}: heading"), _lists(raw.get("accepted_headings"), where),
                rows, tuple(raw.get("statements") or ()), subsections, _lists(raw.get("columns"), where) or None,
                raw.get("note"))


def parse_template(data: bytes, name: str) -> Template:
    """A template from its file's bytes (their hash is checked by `template`, not here)."""
    raw = yaml.safe_load(data.decode("utf-8"))
    try:
        header = raw.get("header") or {}
        labelled = [r for r in header.get("rows") or [] if isinstance(r, dict)]
        plain = tuple(str(r) for r in header.get("rows") or [] if not isinstance(r, dict))
        head = Part("header", _texts(header.get("title"), f"{name}: header.title"), {},
                    tuple(_row(r, f"{name}: header") for r in labelled), tuple(header.get("statements") or ()))
        sections = tuple(_part(s, str(s["id"]), f"{name}: {s['id']}") for s in raw["sections"])
        found = Template(str(raw["template"]), str(raw["document"]), str(raw["jurisdiction"]), int(raw["max_pages"]),
                         head, sections, plain)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise TemplateSpecError(f"{name}: not a template the project can read: {type(error).__name__}: {error}") from None
    document_type(found.document)  # a document type the registry knows
    return found


def _package_bytes(name: str) -> bytes:
    return resources.files("factsheets").joinpath(FOLDER, name).read_bytes()


@cache
def pins() -> dict[str, str]:
    """File name -> the SHA-256 of the approved file."""
    data = yaml.safe_load(_package_bytes("pins.yaml").decode("utf-8")) or {}
    return dict(data.get("files") or {})


def source(name: str) -> bytes:
    """The approved file's bytes (`hk-kfs.yaml`, `README.md`), refused when they are not the pinned ones."""
    data = _package_bytes(name)
    pinned = pins().get(name)
    found = hashlib.sha256(data).hexdigest()
    if pinned != found:
        raise TemplateSpecError(f"regulatory_templates/{name} is not the approved file: its SHA-256 is {found[:12]}…, "
                                f"the pinned {str(pinned)[:12]}…; take the approved template, do not edit it")
    return data


@cache
def template(name: str) -> Template:
    """A regulator's template by name (hk-kfs, cn-kfs, eu-kid), from the pinned file."""
    found = parse_template(source(f"{name}.yaml"), name)
    if found.name != name:
        raise TemplateSpecError(f"regulatory_templates/{name}.yaml says it is the template {found.name!r}")
    return found


def template_for(document: str, jurisdiction: str) -> Template | None:
    """The template a document type follows for a statement library's jurisdiction (`types.DocumentType.forms`):
    a Hong Kong key facts `hk-kfs`, a KID `eu-kid`; None for a factsheet, which no regulator templates."""
    name = document_type(document).forms.get(jurisdiction)
    return template(name) if name else None
