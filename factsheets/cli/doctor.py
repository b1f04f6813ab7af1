"""`factsheets doctor`: what the renderer runs on, and what is missing with the command that installs it."""

from __future__ import annotations

import ctypes.util
import sys

import click
from rich.console import Console
from rich.table import Table

from .. import fonts
from .._version import __version__
from ..errors import FactsheetError


def _harfbuzz_subset() -> tuple[bool, str]:
    """WeasyPrint subsets with HarfBuzz only when libharfbuzz-subset loads; else fontTools, 50x slower."""
    name = ctypes.util.find_library("harfbuzz-subset")
    return (name is not None, name or "not found: apt-get install libharfbuzz-subset0")


@click.command()
def doctor() -> None:
    """Print versions, fonts and HarfBuzz subsetting status; exit 1 if something is missing."""
    import weasyprint
    from weasyprint.text.ffi import pango

    console = Console()
    table = Table(title="factsheets doctor", show_header=False)
    problems = 0
    table.add_row("factsheets", __version__)
    table.add_row("Python", sys.version.split()[0])
    table.add_row("WeasyPrint", weasyprint.__version__)
    table.add_row("Pango", f"{pango.pango_version() // 10000}.{pango.pango_version() // 100 % 100}.{pango.pango_version() % 100}")
    import uharfbuzz

    table.add_row("HarfBuzz (uharfbuzz, pre-subsetting)", uharfbuzz.__version__)
    ok, detail = _harfbuzz_subset()
    problems += not ok
    table.add_row("HarfBuzz subsetting in WeasyPrint", f"yes ({detail})" if ok else f"NO: {detail}")
    for lang, script in (("en", "SC"), ("zh-CN", "SC"), ("zh-HK", "HK")):
        for weight in fonts.FILES:
            try:
                path = fonts.font_path(weight)
                table.add_row(f"font {lang} {weight}", f"{fonts.family_name(script)}: {path} (face {fonts.FACE_INDEX[script]})")
            except FactsheetError as error:
                problems += 1
                table.add_row(f"font {lang} {weight}", f"MISSING: {error}")
    console.print(table)
    sys.exit(1 if problems else 0)
