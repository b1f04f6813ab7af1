"""`factsheets review OUT`: the review page for an output folder, on this machine."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import fail
from ._review import DB_OPTION, sign_off, store_of


@click.command()
@click.argument("out", type=click.Path(path_type=Path, file_okay=False))
@DB_OPTION
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on; anything but loopback lets other machines reach the page.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535))
@click.option("--secure-cookies/--no-secure-cookies", default=False, show_default=True,
              help="Mark the session cookie Secure (only sent over https): on when a TLS proxy serves the page.")
@click.option("--session-minutes", default=30, show_default=True, type=click.IntRange(1, 24 * 60),
              help="A session ends after this many minutes without a request.")
def review(out: Path, db: Path | None, host: str, port: int, secure_cookies: bool, session_minutes: int) -> None:
    """Serve the review page over OUT and its manifest: every document with its status, filters,
    page previews, the visual and data diff against the last approved version, the statements,
    and submit, approve and reject for the roles that may. Ctrl-C stops."""
    from ..review import ReviewError
    from ..review.app import create_app, serve

    if not out.is_dir():
        fail(f"{out}: no such folder")
    store = store_of(db)
    if not store.users():
        fail(f"{store.path}: no users yet: add an admin, makers and checkers with `factsheets users add`")
    hosts = ("*",) if host in ("0.0.0.0", "::") else (host, "127.0.0.1", "localhost")
    try:
        app = create_app(out, store, required=sign_off(), secure_cookies=secure_cookies,
                         idle_seconds=session_minutes * 60, allowed_hosts=hosts)
    except ReviewError as error:
        fail(str(error))
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"factsheets: listening on {host}: other machines can reach the log-in page", err=True)
    click.echo(f"review page for {out.resolve()} on http://{host}:{port}/ (Ctrl-C stops)", err=True)
    serve(app, host, port)
