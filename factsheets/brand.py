"""A house style's identity, as a project's factsheets.toml gives it ([brand])."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Brand:
    """The house style a project sets: names, colours and a logo (a path inside the project)."""

    name: str | None = None
    legal_entity: str | None = None
    primary: str | None = None  # "#1f4e79"
    accent: str | None = None
    logo: Path | None = None
