"""Log-in and log-out. A new session token at every log-in (no session fixation). A name that is
not a well-formed user name is refused before anything is counted or written; failed log-ins are
limited per client address (security.ClientLimiter, except from loopback) and per user name
(lockout.py); the argon2 check waits its turn in the log-in line (state.LoginQueue), never on the
threads that serve the pages."""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .. import Refused
from ..auth import Locked, authenticate
from ..ledger import password_digest
from ..security import LOGIN_COOKIE, SESSION_COOKIE, client_address, delete_cookie, is_local, set_cookie
from ..state import Busy, ReviewState
from ..text import is_name
from .pages import current, forbidden, page, to_login

WRONG = "Wrong user name or password."


def login_page(review: ReviewState, request: Request, message: str = "", status: int = 200, name: str = "") -> Response:
    """The log-in form, with its CSRF token bound to a nonce in its own cookie (kept if the browser has one)."""
    nonce = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
    nxt = request.query_params.get("next", "/")
    expired = request.query_params.get("expired") == "1"
    context = {"login_csrf": review.csrf.login_token(nonce), "message": message, "next": nxt if is_local(nxt) else "/",
               "expired": expired, "name": name if is_name(name) else ""}
    response = page(review, request, "login.html", context, status=status)
    set_cookie(response, LOGIN_COOKIE, nonce, secure=review.secure_cookies, max_age=3600)
    return response


async def login_form(review: ReviewState, request: Request) -> Response:
    session, _ = current(review, request)
    if session:
        return RedirectResponse("/", status_code=303)
    return login_page(review, request)


async def log_in(review: ReviewState, request: Request) -> Response:
    form = await review.csrf.form(request, None)
    if form is None:
        return forbidden(review, request)
    client = client_address(request)
    name, password = form.get("name", "").strip(" "), form.get("password", "")  # spaces a keyboard adds; nothing else
    if not is_name(name) or len(password) > 1024:  # nothing counted, nothing written, no argon2
        return login_page(review, request, WRONG, 401)
    if not review.limiter.reserve(client):
        return login_page(review, request, "Too many failed log-ins from this address: wait 15 minutes.", 429, name)
    try:
        user = await review.logins.run(authenticate, review.store, name, password, via="web", client=client)
    except Busy:
        review.limiter.cancel(client)
        response = login_page(review, request, "Too many log-ins at once: try again in a few seconds.", 503, name)
        response.headers["retry-after"] = "5"
        return response
    except Locked as error:
        return login_page(review, request, f"{error}.", 429, name)
    except Refused as error:  # a wrong password, or after the right one: a disabled user, a user the trail does not know
        said = str(error)
        return login_page(review, request, f"{said[:1].upper()}{said[1:]}.", 401, name)
    review.limiter.cancel(client)
    token = review.sessions.new(user.name, user.role, password_digest(user.password))  # a new token at every log-in
    nxt = form.get("next", "/")
    response = RedirectResponse(nxt if is_local(nxt) else "/", status_code=303)
    set_cookie(response, SESSION_COOKIE, token, secure=review.secure_cookies)
    delete_cookie(response, LOGIN_COOKIE, secure=review.secure_cookies)
    return response


async def log_out(review: ReviewState, request: Request) -> Response:
    session, _ = current(review, request)
    if session is None:
        return to_login(request)
    if await review.csrf.form(request, session) is None:
        return forbidden(review, request, session)
    review.sessions.drop(request.cookies.get(SESSION_COOKIE))
    review.store.log(session.user, "logout", detail={"via": "web", "client": client_address(request)})
    response = RedirectResponse("/login", status_code=303)
    delete_cookie(response, SESSION_COOKIE, secure=review.secure_cookies)
    return response
