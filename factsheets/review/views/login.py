"""Log-in and log-out. A new session token at every log-in (no session fixation); failed log-ins
are audited and limited per client address (security.ClientLimiter) and per user name (auth.py)."""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .. import Refused
from ..auth import Locked, authenticate
from ..security import LOGIN_COOKIE, SESSION_COOKIE, client_address, delete_cookie, is_local, set_cookie
from ..state import ReviewState
from .pages import forbidden, in_thread, page, to_login


def login_page(review: ReviewState, request: Request, message: str = "", status: int = 200, name: str = "") -> Response:
    """The log-in form, with its CSRF token bound to a nonce in its own cookie (kept if the browser has one)."""
    nonce = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
    nxt = request.query_params.get("next", "/")
    expired = request.query_params.get("expired") == "1"
    context = {"login_csrf": review.csrf.login_token(nonce), "message": message, "next": nxt if is_local(nxt) else "/",
               "expired": expired, "name": name}
    response = page(review, request, "login.html", context, status=status)
    set_cookie(response, LOGIN_COOKIE, nonce, secure=review.secure_cookies, max_age=3600)
    return response


async def login_form(review: ReviewState, request: Request) -> Response:
    session, _ = review.sessions.of(request)
    if session:
        return RedirectResponse("/", status_code=303)
    return login_page(review, request)


async def log_in(review: ReviewState, request: Request) -> Response:
    form = await review.csrf.form(request, None)
    if form is None:
        return forbidden(review, request)
    client = client_address(request)
    name, password = form.get("name", "").strip(), form.get("password", "")
    if review.limiter.blocked(client):
        review.store.log(name or "?", "login-failed", detail={"via": "web", "client": client, "reason": "client-limit"})
        return login_page(review, request, "Too many failed log-ins from this address: wait 15 minutes.", 429, name)
    try:
        user = await in_thread(authenticate, review.store, name, password, via="web", client=client)
    except Locked as error:
        return login_page(review, request, f"{error}.", 429, name)
    except Refused:
        review.limiter.failed(client)
        return login_page(review, request, "Wrong user name or password.", 401, name)
    token = review.sessions.new(user.name, user.role)  # a new token at every log-in: no session fixation
    review.store.log(user.name, "login", detail={"via": "web", "client": client})
    nxt = form.get("next", "/")
    response = RedirectResponse(nxt if is_local(nxt) else "/", status_code=303)
    set_cookie(response, SESSION_COOKIE, token, secure=review.secure_cookies)
    delete_cookie(response, LOGIN_COOKIE, secure=review.secure_cookies)
    return response


async def log_out(review: ReviewState, request: Request) -> Response:
    session, _ = review.sessions.of(request)
    if session is None:
        return to_login(request)
    if await review.csrf.form(request, session) is None:
        return forbidden(review, request, session)
    review.sessions.drop(request.cookies.get(SESSION_COOKIE))
    review.store.log(session.user, "logout", detail={"via": "web", "client": client_address(request)})
    response = RedirectResponse("/login", status_code=303)
    delete_cookie(response, SESSION_COOKIE, secure=review.secure_cookies)
    return response
