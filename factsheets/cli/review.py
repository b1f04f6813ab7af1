"""`factsheets review OUT`: the review page for an output folder, on this machine."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import click

from ._review import DB_OPTION, fail, say, settings, store_of

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """The host names the page answers (the Host check never turns off): loopback's own names, the
    bind address when it is loopback, and the names given for any other bind. ValueError when a
    non-loopback bind names none: the page would answer to any name, and to DNS rebinding."""
    if not is_loopback(host) and not allowed:
        raise ValueError(f"--host {host} lets other machines reach the page: name the host names they use with "
                         "--allowed-host NAME (repeatable, or [review] allowed_hosts in factsheets.toml); the Host "
                         "check never turns off")
    own = [f"[{host.strip('[]')}]" if ":" in host else host.lower()] if is_loopback(host) else []
    names = [*LOOPBACK_NAMES, *own, *(h.lower() for h in allowed)]
    return tuple(dict.fromkeys(names))


@click.command()
@click.argument("out", type=click.Path(path_type=Path, file_okay=False))
@DB_OPTION
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on; anything but loopback lets other machines reach the page, and needs --allowed-host.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535))
@click.option("--allowed-host", "allowed", multiple=True, metavar="NAME",
              help="A host name (or address) browsers use to reach the page, answered besides loopback; repeatable. "
                   "Required for a non-loopback --host.")
@click.option("--secure-cookies/--no-secure-cookies", default=False, show_default=True,
              help="Mark the session cookie Secure (only sent over https): on when a TLS proxy serves the page.")
@click.option("--session-minutes", default=30, show_default=True, type=click.IntRange(1, 24 * 60),
              help="A session ends after this many minutes without a request.")
def review(out: Path, db: Path | None, host: str, port: int, allowed: tuple[str, ...], secure_cookies: bool,
           session_minutes: int) -> None:
    """Serve the review page over OUT and its manifest: every document with its status, filters,
    page previews, the visual and data diff against the last approved version, the statements,
    and submit, approve and reject for the roles that may. Ctrl-C stops."""
    from ..config.schema import host_name
    from ..review import ReviewError
    from ..review.app import create_app, serve

    if not out.is_dir():
        fail(f"{out}: no such folder")
    house = settings()
    try:
        given = tuple(host_name(name) for name in allowed)
    except ValueError as error:
        fail(f"--allowed-host: {error}")
    try:
        hosts = allowed_hosts(host, given + house.allowed_hosts)
    except ValueError as error:
        fail(str(error))
    store = store_of(db)
    if not store.users():
        fail(f"{store.path}: no users yet: add an admin, makers and checkers with `factsheets users add`")
    try:
        app = create_app(out, store, required=house.sign_off, secure_cookies=secure_cookies,
                         idle_seconds=session_minutes * 60, allowed_hosts=hosts)
    except ReviewError as error:
        fail(str(error))
    if not is_loopback(host):
        say(f"factsheets: listening on {host}: other machines can reach the log-in page (answering as {', '.join(hosts)})",
            err=True)
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    say(f"review page for {out.resolve()} on http://{shown}:{port}/ (Ctrl-C stops)", err=True)
    serve(app, host.strip("[]"), port)
