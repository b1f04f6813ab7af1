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


def own_variants(langs: tuple[str, ...]) -> list[Variant]:
    """A fund's own factsheets: one per language it publishes in, and English paired with each Chinese."""
    found = [Variant((lang,)) for lang in langs]
    if "en" in langs:
        found += [Variant(("en", lang)) for lang in langs if lang != "en"]
    return found
