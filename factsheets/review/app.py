"""The review page: a Starlette app over an output folder, its manifest and the review database.

Security, as a compliance tool on a shared machine needs it:
- Nothing but the log-in page and its stylesheet before log-in. Sessions live in the server
  (a random token in an HttpOnly, SameSite=Strict cookie, Secure when configured), end on
  log-out, after `idle_seconds` without a request, and after `max_seconds` in any case.
- Every form carries a CSRF token (the log-in form too, bound to a cookie of its own); a POST
  without the right one, or from another origin, is refused with 403.
- Failed log-ins are audited and rate-limited per user name (lockout.py) and per client address
  (except loopback); log-ins wait their turn for argon2 apart from the page requests.
- The Host header must be one of `allowed_hosts` (never a wildcard): no DNS rebinding.
- Files are served only as documents listed in the manifest and resolving inside the output
  folder, or as previews named by a document's SHA-256; never by a path the client chooses.
- Templates autoescape everything (fund text is data); a Content-Security-Policy allows only
  this server's own scripts, styles and images (htmx is vendored, no CDN).

Sessions, the rate limit, the headers and CSRF are in security.py; what the handlers share in
state.py; the handlers in views/. Here the app is put together: routes, middleware, static files.
"""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from .documents import read_documents
from .security import CLIENT_FAILURES, HostCheck, SecurityHeaders
from .state import ReviewState
from .store import Store
from .views import decisions, document, files, listing, login, pages
from .workflow import short

PACKAGE = Path(__file__).resolve().parent
MAX_BODY = 64 * 1024  # bytes in a request's body: the forms are small


def create_app(out: Path, store: Store, *, required: tuple[str, ...] = ("document",), secure_cookies: bool = False,
               idle_seconds: float = 30 * 60, max_seconds: float = 8 * 3600, allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "[::1]"),
               clock=time.monotonic, client_failures: int = CLIENT_FAILURES):
    """The review page's ASGI app. `required` is the parts a checker signs off; `allowed_hosts` the
    host names the Host header may give (no wildcard); `clock` times sessions, log-in forms and the
    rate limit (tests move it); `client_failures` the failed log-ins from one non-loopback address
    within the window."""
    out = Path(out).resolve()
    read_documents(out)  # a missing or unreadable manifest is an error at start (a bad row is shown in the list)
    review = ReviewState.create(out, store, _templates(), required=required, secure_cookies=secure_cookies,
                                idle_seconds=idle_seconds, max_seconds=max_seconds, clock=clock, client_failures=client_failures)

    def route(path: str, handler, **options) -> Route:
        return Route(path, partial(handler, review), name=handler.__name__, **options)

    routes = [
        route("/", listing.listing),
        route("/login", login.login_form, methods=["GET"]),
        route("/login", login.log_in, methods=["POST"]),
        route("/logout", login.log_out, methods=["POST"]),
        route("/doc/{document:path}/{action:str}", decisions.act, methods=["POST"]),
        route("/doc/{document:path}", document.detail, methods=["GET"]),
        route("/file/{document:path}", files.pdf_file),
        route("/preview/{sha:str}/{page:int}.png", files.preview),
        route("/diff/{old:str}/{new:str}/{page:int}.png", files.diff_image),
        Route("/favicon.ico", files.favicon),
        Mount("/static", StaticFiles(directory=PACKAGE / "static"), name="static"),
    ]
    not_found = partial(pages.not_found, review)
    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found}, max_body_size=MAX_BODY)
    app.state.sessions = review.sessions
    app.state.review = review
    return SecurityHeaders(HostCheck(app, tuple(allowed_hosts)))


def _templates() -> Jinja2Templates:
    """The page's templates: everything autoescaped, an undefined name an error; `q` quotes a path
    for a URL, `short` shortens a SHA-256."""
    env = Environment(loader=FileSystemLoader(PACKAGE / "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["q"] = lambda value: quote(str(value), safe="/")
    env.filters["short"] = short
    return Jinja2Templates(env=env)


def serve(app, host: str, port: int) -> None:
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False, proxy_headers=False)


__all__ = ["create_app", "serve"]
