"""`factsheets schema`: the JSON Schema of fund files, generated from the Pydantic models."""

from __future__ import annotations

import json

import click

from ..model import FundFile


def fund_schema() -> dict:
    schema = FundFile.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "fund/v1", **schema}


@click.command()
def schema() -> None:
    """Print the JSON Schema of fund files (fund/v1)."""
    click.echo(json.dumps(fund_schema(), ensure_ascii=False, indent=2))
