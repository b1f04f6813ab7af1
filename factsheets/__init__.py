"""factsheets: bilingual PDF factsheets, with their mandatory statements, from fund files.

    from factsheets import load_fund, render_pdf
    pdf = render_pdf(load_fund("513770.yaml"), "bilingual")
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# Names are imported on first use, so that `factsheets check` starts without loading WeasyPrint.
_EXPORTS = {
    "BuildError": "errors", "FactsheetError": "errors", "FundFileError": "errors",
    "FundFile": "model", "Renderer": "render", "Variant": "variants", "parse_variant": "variants",
    "load_fund": "validate", "render_document": "pipeline", "render_pdf": "pipeline",
}
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from .errors import BuildError, FactsheetError, FundFileError
    from .model import FundFile
    from .pipeline import render_document, render_pdf
    from .render import Renderer
    from .validate import load_fund
    from .variants import Variant, parse_variant


def __getattr__(name: str) -> object:
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'factsheets' has no attribute {name!r}")
