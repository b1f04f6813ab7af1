"""Where the project's own assets are: templates/, styles/ and examples/ at the top of the source
tree, shipped inside the package (factsheets/templates, ...) when built as a wheel."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def asset_dir(name: str) -> Path:
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the factsheets {name}/ folder is missing from the installation")


TEMPLATES_DIR = asset_dir("templates")
STYLES_DIR = asset_dir("styles")
EXAMPLES_DIR = asset_dir("examples")
