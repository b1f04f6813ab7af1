"""`factsheets init DIR`: a working project, ready for `factsheets build` inside it."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click

from ..assets import EXAMPLES_DIR

CONFIG = """\
# factsheets project configuration. Every key is optional; `factsheets build` run in this
# folder uses it. Paths are relative to this file.

max_age = 45                          # days before fund data is stale (`factsheets check`)

[brand]
name = "Example Asset Management"
legal_entity = "Example Asset Management Co., Ltd."
primary = "#1f4e79"                   # headings and rules; must read on white (4.5:1)
accent = "#b03a2e"                    # the risk block's bar
logo = "assets/logo.svg"

[build]
funds = "funds"
out = "out"
# variants = ["bilingual", "en"]     # default: each fund's own (its languages, and English with each Chinese)
templates = "templates"               # files here override the built-in ones of the same name
styles = "styles"                     # *.css here is applied after the built-in styles

# A fund may be exempted from a check rule only with a reason, an approver and an expiry date.
# [[waivers]]
# fund = "513770"
# rule = "FD007"
# reason = "archived factsheet of record"
# approver = "J. Chen, Compliance"
# expires = 2026-03-31
"""

LOGO = """\
<svg xmlns="http://www.w3.org/2000/svg" width="160" height="40" viewBox="0 0 160 40">
  <rect width="40" height="40" rx="6" fill="#1f4e79"/>
  <path d="M8 30 L18 16 L25 24 L32 10" stroke="#fff" stroke-width="3.5" fill="none" stroke-linecap="round"/>
  <rect x="48" y="12" width="104" height="6" rx="3" fill="#1f4e79"/>
  <rect x="48" y="24" width="72" height="5" rx="2.5" fill="#8fa3b8"/>
</svg>
"""

TEMPLATES_README = """\
Templates placed here override the built-in ones file by file: copy one from the factsheets
package's templates/ folder (for example sections/header.html.j2) and change it. The mandatory
statements are verified in every finished PDF, so a template cannot drop or hide them.
"""

FUNDS_README = """\
Fund files go here: imported from the house's export (`factsheets import EXPORT --out funds`), or
written by hand (copy one from ../examples/ to start). `factsheets build` builds every one.
"""

STYLES_README = """\
Every *.css file here is applied after the built-in styles/factsheet.css, in name order.
Brand colours and the logo come from factsheets.toml ([brand]).
"""


@click.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
def init(folder: Path) -> None:
    """Create a factsheets project in FOLDER (funds/, examples/, factsheets.toml, templates/, styles/).

    funds/ starts empty: it is for the house's own funds (`factsheets import`); the two reference
    funds are in examples/, to copy from."""
    if folder.exists() and any(folder.iterdir()):
        click.echo(f"{folder}: not empty; choose a new or empty folder", err=True)
        sys.exit(2)
    try:
        for sub in ("funds", "examples", "templates", "styles", "assets"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        for example in sorted(EXAMPLES_DIR.glob("*.yaml")):
            shutil.copyfile(example, folder / "examples" / example.name)
        (folder / "funds" / "README.txt").write_text(FUNDS_README, encoding="utf-8")
        (folder / "factsheets.toml").write_text(CONFIG, encoding="utf-8")
        (folder / "assets" / "logo.svg").write_text(LOGO, encoding="utf-8")
        (folder / "templates" / "README.txt").write_text(TEMPLATES_README, encoding="utf-8")
        (folder / "styles" / "README.txt").write_text(STYLES_README, encoding="utf-8")
    except OSError as error:
        click.echo(f"{folder}: cannot create the project: {error.strerror or error}", err=True)
        sys.exit(2)
    click.echo(f"created {folder}: put fund files in funds/ (`factsheets import EXPORT --out {folder / 'funds'}`, or copy one "
               f"from examples/), then run `factsheets build` inside it")
