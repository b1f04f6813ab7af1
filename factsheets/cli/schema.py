"""`factsheets schema`: the JSON Schema of fund files, generated from the Pydantic models."""

from __future__ import annotations

import json

import click

from ..fund.model import FundFile

DESCRIPTION = (
    "A fund file of the factsheets tool (fund/v2; fund/v1 files still validate). Money is in whole units of the "
    "currency, percentages are numbers of percent (19.22 means 19.22 %), dates are ISO 8601 (YYYY-MM-DD). Rules "
    "across fields (each text in every language the fund publishes in, no date after as_of, weights largest "
    "first) are checked by `factsheets check`, which also names the line of each problem."
)


def fund_schema() -> dict:
    schema = FundFile.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://factsheets.invalid/schema/fund/v2",
            **schema, "description": DESCRIPTION}


@click.command()
def schema() -> None:
    """Print the JSON Schema of fund files (fund/v2), for editors and CI."""
    click.echo(json.dumps(fund_schema(), ensure_ascii=False, indent=2))
