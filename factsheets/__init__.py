"""factsheets: bilingual PDF factsheets, with their mandatory statements, from fund files.

    from factsheets import load_fund, render_pdf
    pdf = render_pdf(load_fund("513770.yaml"), "bilingual")
"""

from .errors import BuildError, FactsheetError, FundFileError
from .model import FundFile
from .pipeline import render_document, render_pdf
from .render import Renderer
from .validate import load_fund
from .variants import Variant, parse_variant

__version__ = "0.1.0"
__all__ = [
    "BuildError", "FactsheetError", "FundFile", "FundFileError", "Renderer", "Variant",
    "load_fund", "parse_variant", "render_document", "render_pdf",
]
