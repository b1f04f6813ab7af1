"""factsheets: bilingual PDF factsheets, with their mandatory statements, from fund files.

    from factsheets import load_fund, render_pdf
    pdf = render_pdf(load_fund("513770.yaml"), "bilingual")
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from ._version import __version__

# Names are imported on first use, so that `factsheets check` starts without loading WeasyPrint.
_EXPORTS = {
    "BuildError": "errors", "FactsheetError": "errors", "FundFileError": "errors",
    "FundFile": "fund.model", "Renderer": "render.renderer", "Variant": "documents.variants", "parse_variant": "documents.variants",
    "load_fund": "fund.validate", "render_document": "build.pipeline", "render_pdf": "build.pipeline",
}
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from .build.pipeline import render_document, render_pdf
    from .documents.variants import Variant, parse_variant
    from .errors import BuildError, FactsheetError, FundFileError
    from .fund.model import FundFile
    from .fund.validate import load_fund
    from .render.renderer import Renderer


def __getattr__(name: str) -> object:
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'factsheets' has no attribute {name!r}")
