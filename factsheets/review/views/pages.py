"""What every handler of the review page uses: the session of a request (checked against its user),
a page from a template, the way to the log-in page, the pages for a refused form and for no such
page, and blocking work off the event loop."""

from __future__ import annotations

from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..ledger import password_digest
from ..security import SESSION_COOKIE, Session
from ..state import ReviewState


def current(review: ReviewState, request: Request) -> tuple[Session | None, bool]:
    """The live session of the request, and whether its cookie named one that ended. A session ends
    as soon as its user is removed, disabled, given another role or another password: the users
    table is read at each request (one row by its key)."""
    session, expired = review.sessions.of(request)
    if session is None:
        return None, expired
    user = review.store.user(session.user)
    if user is None or user.disabled or user.role != session.role or password_digest(user.password) != session.password:
        review.sessions.drop(request.cookies.get(SESSION_COOKIE))
        return None, True
    return session, False


def page(review: ReviewState, request: Request, name: str, context: dict, status: int = 200,
         session: Session | None = None) -> Response:
    """The template `name` with `context`, the session's user, CSRF token and flash messages
    (shown once: taken from the session); never cached."""
    flash = session.messages() if session is not None else []
    context = {"user": session, "csrf": session.csrf if session else "", "flash": flash, **context}
    response = review.templates.TemplateResponse(request, name, context, status_code=status)
    response.headers["cache-control"] = "no-store"
    return response


def to_login(request: Request, expired: bool = False) -> Response:
    """To the log-in page, and back here after it; for htmx, a 401 that tells it to go there."""
    if request.headers.get("hx-request"):
        return Response(status_code=401, headers={"hx-redirect": "/login" + ("?expired=1" if expired else "")})
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    query = f"?next={quote(target, safe='')}" + ("&expired=1" if expired else "")
    return RedirectResponse("/login" + query, status_code=303)


def forbidden(review: ReviewState, request: Request, session: Session | None = None) -> Response:
    """The 403 page for a form without a valid CSRF token, from another origin, or from a user who no longer exists."""
    return page(review, request, "error.html", {"title": "Refused", "message":
                "The form did not carry a valid security token (it may have expired, or come from another site). "
                "Reload the page and try again."}, status=403, session=session)


async def not_found(review: ReviewState, request: Request, exc) -> Response:
    """The 404 (or 405) page for a path no route matches; before log-in, the log-in page (nothing is told)."""
    session, _ = current(review, request)
    if session is None:
        return to_login(request)
    status = getattr(exc, "status_code", 404)
    title, message = ("Not allowed", "This page does not take that method.") if status == 405 else ("Not found", "There is no such page.")
    return page(review, request, "error.html", {"title": title, "message": message}, status=status, session=session)


async def in_thread(function, *args, **kwargs):
    """Run blocking work (SQLite writes, reading a PDF) off the event loop; argon2 waits in state.LoginQueue."""
    return await run_in_threadpool(function, *args, **kwargs)
