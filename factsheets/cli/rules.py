"""`factsheets rules`: the rules of check and verify, or the explanation of one."""

from __future__ import annotations

import sys

import click

from ..rules import get_rule
from ..rules import rules as all_rules


@click.command("rules")
@click.argument("code", required=False)
def rules_command(code: str | None) -> None:
    """List the rules, or explain one (by code, FD003, or name, min-investor-below-rating)."""
    if code is None:
        for rule in all_rules():
            click.echo(f"{rule.code:<7} {rule.name:<36} {rule.severity:<8} {rule.message}")
        return
    rule = get_rule(code)
    if rule is None:
        click.echo(f"factsheets: unknown rule {code!r}; `factsheets rules` lists them", err=True)
        sys.exit(2)
    click.echo(f"{rule.code} {rule.name} ({rule.severity})\n\n{rule.message}\n\n{rule.explanation}")
