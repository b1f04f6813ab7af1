"""The document types: what each is, in one place. Nothing outside this module and `registry` compares a
document type's name.

A fund can have a factsheet (`factsheet`), key facts (`kfs`: the SFC's Product Key Facts Statement for a Hong
Kong fund, the CSRC's 基金产品资料概要 for a mainland one) and a PRIIPs Key Information Document (`kid`). Each
type declares its templates by jurisdiction, its own stylesheet, its page limit, which statement library it
carries (the fund's jurisdiction's, or the EU's), the languages it is made in, and how its file is named. How a
type is built (its figures, the facts its statements depend on, its template context) is `registry`'s.

A `Target` is one document to build: a type in a language variant. Its `name` follows the fund code in the file
name: `bilingual` (a factsheet), `kfs.zh-HK`, `kid.en`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..fund.model import FundFile
from .variants import Variant, VariantError, own_variants, parse_variant


@dataclass(frozen=True)
class DocumentType:
    name: str  # what --doc takes, and what the XMP record and the statement libraries' `documents` say
    title: str  # in messages: "a key facts is a single-language document"
    templates: dict[str, str]  # the fund's jurisdiction -> template file (a house overrides one file by file); none: no such document
    languages: Callable[[FundFile], list[Variant]]  # the variants the fund's document is made in
    stylesheet: str | None = None  # laid over factsheet.css (and under a house's styles) for this type only
    page_limit: int | None = None  # A4 sides
    eu_library: bool = False  # carries the EU PRIIPs library's statements, whatever the fund's jurisdiction
    paired: bool = True  # may pair two languages in one document (a factsheet); else single-language
    statement_class: str = "first"  # the class whose currency its statements name: the first, or the PRIIPs class
    shows_holdings: bool = False  # its template shows the top holdings
    # The regulator's template it follows (`regulatory`), by the jurisdiction of the statement library it carries.
    forms: dict[str, str] = field(default_factory=dict)
    # The build refuses a document of this type that the layout rules (LY, `rules.layout`) find an error in;
    # on the other types they are reported as warnings.
    layout_rules: bool = False

    def library(self, fund: FundFile) -> str:
        """The jurisdiction of the statement library the document carries."""
        return "EU" if self.eu_library else fund.jurisdiction

    def template(self, jurisdiction: str) -> str:
        return self.templates[jurisdiction]

    def target_name(self, variant: Variant) -> str:
        return variant.name if self.paired else f"{self.name}.{variant.name}"


def _key_facts_languages(fund: FundFile) -> list[Variant]:
    """Key facts are made in each language the fund publishes in; a mainland fund's in zh-CN only."""
    langs = ("zh-CN",) if fund.jurisdiction == "CN" else fund.publishes
    return [Variant((lang,)) for lang in langs if lang in fund.publishes]


FACTSHEET = DocumentType(
    "factsheet", "factsheet", {"CN": "factsheet.html.j2", "HK": "factsheet.html.j2"},
    lambda fund: own_variants(fund.publishes), shows_holdings=True, layout_rules=True)
KEY_FACTS = DocumentType(
    "kfs", "key facts", {"CN": "kfs-cn.html.j2", "HK": "kfs-hk.html.j2"}, _key_facts_languages,
    stylesheet="kfs.css", page_limit=4, paired=False,  # the SFC's and the CSRC's key facts: four A4 pages
    forms={"HK": "hk-kfs", "CN": "cn-kfs"}, layout_rules=True)
KID = DocumentType(
    "kid", "PRIIPs KID", {"CN": "kid.html.j2", "HK": "kid.html.j2", "EU": "kid.html.j2"}, lambda fund: [Variant(("en",))],
    stylesheet="kid.css", page_limit=3, eu_library=True, paired=False,  # the PRIIPs RTS, Art. 6: three sides
    statement_class="priips", forms={"EU": "eu-kid"}, layout_rules=True)

TYPES: dict[str, DocumentType] = {t.name: t for t in (FACTSHEET, KEY_FACTS, KID)}
NAMES = tuple(TYPES)


def document_type(name: str) -> DocumentType:
    try:
        return TYPES[name]
    except KeyError:
        raise VariantError(f"unknown document type {name!r}: use {', '.join(NAMES)}") from None


def parse_documents(text: str) -> tuple[str, ...]:
    """`--doc factsheet,kfs` -> document types, without repeats, in the project's order."""
    found = [part.strip() for part in text.split(",") if part.strip()]
    if unknown := [d for d in found if d not in TYPES]:
        raise VariantError(f"unknown document type {', '.join(map(repr, unknown))}: use {', '.join(NAMES)} (comma-separated)")
    if not found:
        raise VariantError("no document type given")
    return tuple(d for d in NAMES if d in found)


@dataclass(frozen=True)
class Target:
    """One document to build: a document type in a variant."""

    document: str
    variant: Variant

    @property
    def type(self) -> DocumentType:
        return TYPES[self.document]

    @property
    def name(self) -> str:
        return self.type.target_name(self.variant)

    def __str__(self) -> str:
        return self.name


def parse_target(name: str) -> Target:
    """A target from its name: `kfs.zh-HK`, `kid.en`, or a factsheet's variant (`bilingual`)."""
    document, _, rest = name.partition(".")
    if document in TYPES and not TYPES[document].paired and rest:
        return Target(document, parse_variant(rest))
    paired = next(t for t in TYPES.values() if t.paired)
    return Target(paired.name, parse_variant(name))


def single_language_prefixes() -> tuple[str, ...]:
    """The names that start a single-language document's target name (`kfs.`, `kid.`): for file names."""
    return tuple(t.name for t in TYPES.values() if not t.paired)
