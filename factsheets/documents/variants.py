"""Document variants: one language (`en`), or two joined by `+` (`en+zh-HK`) for one document
with every section in both. `bilingual` is the name of `en+zh-CN`, the default."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..fund.model import LANGS

BILINGUAL = ("en", "zh-CN")
DEFAULT = "bilingual"
_NAME = re.compile(r"^(en|zh-CN|zh-HK)(\+(en|zh-CN|zh-HK))?$")


class VariantError(ValueError):
    pass


@dataclass(frozen=True)
class Variant:
    langs: tuple[str, ...]

    @property
    def name(self) -> str:
        """The name used in file names: `en`, `zh-CN`, `bilingual`, `en+zh-HK`."""
        return "bilingual" if self.langs == BILINGUAL else "+".join(self.langs)

    @property
    def primary(self) -> str:
        return self.langs[0]

    def __str__(self) -> str:
        return self.name


def parse_variant(text: str) -> Variant:
    text = text.strip()
    if text == "bilingual":
        return Variant(BILINGUAL)
    if not _NAME.match(text):
        raise VariantError(
            f"unknown variant {text!r}: use one of {', '.join(LANGS)}, two joined by '+' (en+zh-HK), or 'bilingual'"
        )
    langs = tuple(text.split("+"))
    if len(set(langs)) != len(langs):
        raise VariantError(f"variant {text!r} names the same language twice")
    return Variant(langs)


def parse_variants(text: str) -> list[Variant]:
    """A comma-separated list (`en,zh-CN,bilingual`), without repeats, in the order given."""
    found: list[Variant] = []
    for part in text.split(","):
        if part.strip() and (variant := parse_variant(part)) not in found:
            found.append(variant)
    if not found:
        raise VariantError("no variant given")
    return found


# -- documents --------------------------------------------------------------------------------------
# A fund can have three documents: its factsheet, its key facts (the SFC's Product Key Facts Statement
# for a Hong Kong fund, the 基金产品资料概要 for a mainland one) and its PRIIPs KID. A factsheet may
# pair two languages; key facts and KIDs are single-language documents.
DOCUMENTS = ("factsheet", "kfs", "kid")
DOCUMENT_NAMES = {"factsheet": "factsheet", "kfs": "key facts", "kid": "PRIIPs KID"}


def parse_documents(text: str) -> tuple[str, ...]:
    """`--doc factsheet,kfs` -> document types, without repeats, in the project's order."""
    found = [part.strip() for part in text.split(",") if part.strip()]
    if unknown := [d for d in found if d not in DOCUMENTS]:
        raise VariantError(f"unknown document type {', '.join(map(repr, unknown))}: use {', '.join(DOCUMENTS)} (comma-separated)")
    if not found:
        raise VariantError("no document type given")
    return tuple(d for d in DOCUMENTS if d in found)


@dataclass(frozen=True)
class Target:
    """One document to build: a document type in a variant. Its `name` is what follows the fund code
    in the file name: `bilingual` (a factsheet), `kfs.zh-HK`, `kid.en`."""

    document: str
    variant: Variant

    @property
    def name(self) -> str:
        return self.variant.name if self.document == "factsheet" else f"{self.document}.{self.variant.name}"

    def __str__(self) -> str:
        return self.name


def parse_target(name: str) -> Target:
    document, _, rest = name.partition(".")
    if document in DOCUMENTS[1:] and rest:
        return Target(document, parse_variant(rest))
    return Target("factsheet", parse_variant(name))


def own_variants(langs: tuple[str, ...]) -> list[Variant]:
    """A fund's own factsheets: one per language it publishes in, and English paired with each Chinese."""
    found = [Variant((lang,)) for lang in langs]
    if "en" in langs:
        found += [Variant(("en", lang)) for lang in langs if lang != "en"]
    return found
