"""`factsheets migrate`: fund/v1 files -> fund/v2 (`schema` and `languages`), prospectus/v1 files -> prospectus/v2
(naming the fields their documents lack), comments kept."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ._common import TODAY_OPTION, existing


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--in-place", is_flag=True, help="Rewrite each file itself instead of writing <name>.v2.yaml beside it.")
@TODAY_OPTION
def migrate(files: tuple[Path, ...], in_place: bool, today) -> None:
    """Rewrite fund/v1 files as fund/v2: `schema: fund/v2` and `languages:` (en, zh-CN, and zh-HK when
    the file gives zh-HK texts), everything else as it was. A prospectus/v1 file (a fund's texts from
    its offering documents) becomes prospectus/v2, and the fields of v2 that its fund's key facts and
    KID need and it lacks are named. Writes <name>.v2.yaml next to each file unless --in-place; a file
    already in v2 is left alone.

    Exit code 0: every file migrated (or already v2); 1: a file would not validate as fund/v2
    (nothing written for it); 2: a file cannot be read."""
    from ..errors import FundFileError
    from ..files import write_atomic
    from ..fund.migrate import Unreadable, migrate_file, target_of

    existing(files, "file")
    status = 0
    for path in files:
        if (prospectus := _prospectus(path)) is not None:
            status = max(status, _migrate_prospectus(path, *prospectus, in_place))
            continue
        try:
            migration = migrate_file(path, today.date() if today else None)
        except Unreadable as error:
            click.echo(str(error), err=True)
            status = 2
            continue
        except FundFileError as error:  # would not validate as fund/v2: every problem
            click.echo(str(error), err=True)
            status = max(status, 1)
            continue
        if migration is None:
            click.echo(f"{path}: fund/v2 already, nothing to do")
            continue
        target = target_of(path, in_place)
        try:
            write_atomic(target, migration.text.encode("utf-8"))
        except OSError as error:
            click.echo(f"factsheets: {target}: cannot write: {error.strerror or error}", err=True)
            status = 2
            continue
        note = "" if migration.kept_layout else " (re-written from its data: its comments are not kept)"
        click.echo(f"{path} -> {target}: fund/v2, languages {', '.join(migration.languages)}{note}")
    sys.exit(status)



def _prospectus(path: Path) -> tuple[bytes, dict] | None:
    """The bytes and data of a prospectus file (its `schema:` says so); None for anything else."""
    from ..errors import FundFileError
    from ..fund.load import data_from_bytes, read_bytes

    try:
        raw = read_bytes(path)
        data = data_from_bytes(raw, path)
    except FundFileError:
        return None  # reported as a fund file that cannot be read
    return (raw, data) if str(data.get("schema", "")).startswith("prospectus/") else None


def _migrate_prospectus(path: Path, raw: bytes, data: dict, in_place: bool) -> int:
    from ..errors import FundFileError
    from ..files import write_atomic
    from ..fund.migrate import target_of
    from ..ingest.prospectus import migrate_prospectus

    try:
        migration = migrate_prospectus(path, raw, data)
    except FundFileError as error:
        click.echo(str(error), err=True)
        return 1
    if migration is None:
        click.echo(f"{path}: prospectus/v2 already, nothing to do")
        return 0
    target = target_of(path, in_place)
    try:
        write_atomic(target, migration.text.encode("utf-8"))
    except OSError as error:
        click.echo(f"factsheets: {target}: cannot write: {error.strerror or error}", err=True)
        return 2
    click.echo(f"{path} -> {target}: prospectus/v2")
    for document, fields in migration.lacks.items():
        click.echo(f"{target}: for {document} it lacks {', '.join(fields)}")
    return 0
