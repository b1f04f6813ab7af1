"""A house style's identity, as a project's factsheets.toml gives it ([brand])."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

Text = str | tuple[tuple[str, str], ...]  # one text, or (language, text) pairs


@dataclass(frozen=True)
class Brand:
    """The house style a project sets: names (one for every language, or one per language), colours
    and a logo (a path inside the project)."""

    name: Text | None = None
    legal_entity: Text | None = None
    primary: str | None = None  # "#1f4e79": headings and rules, text on white (4.5:1)
    accent: str | None = None  # the risk block's bar: decoration, held to no text contrast
    logo: Path | None = None

    def text(self, field: str, lang: str) -> str | None:
        """The brand's name or legal entity in a language: its own text there, else its first one."""
        value = getattr(self, field)
        if value is None or isinstance(value, str):
            return value
        by_lang = dict(value)
        return by_lang.get(lang) or next(iter(by_lang.values()), None)
