"""The `factsheets` command. One module per command; each calls the pipeline, never the reverse.

Exit codes, as in ruff and sqlfluff: 0 clean, 1 findings or failed documents, 2 usage or internal error.
"""

from __future__ import annotations

import sys

import click

from .._version import __version__
from .audit import audit
from .build import build
from .check import check
from .decide import approve, reject, submit
from .doctor import doctor
from .export import export
from .extract import extract
from .import_ import import_command
from .init import init
from .migrate import migrate
from .publish import publish
from .review import review
from .rules import rules_command
from .schema import schema
from .users import users
from .verify import verify


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="factsheets")
def cli() -> None:
    """Bilingual PDF factsheets, with their mandatory statements, from fund files."""


cli.add_command(build)
cli.add_command(check)
cli.add_command(verify)
cli.add_command(rules_command)
cli.add_command(schema)
cli.add_command(doctor)
cli.add_command(init)
cli.add_command(extract)
for _command in (users, submit, approve, reject, publish, audit, review):
    cli.add_command(_command)
cli.add_command(import_command)
cli.add_command(export)
cli.add_command(migrate)


def main() -> None:
    try:
        cli.main(prog_name="factsheets", standalone_mode=True)
    except SystemExit:
        raise
    except Exception as error:  # an internal error still gets a message, and exit code 2
        click.echo(f"factsheets: internal error: {type(error).__name__}: {error}", err=True)
        sys.exit(2)
