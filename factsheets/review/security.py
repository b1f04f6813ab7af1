"""The review page's defences: server-side sessions, the log-in rate limit per client address,
the security headers, CSRF tokens and the cookies that carry them.

- A session lives in the server; its cookie holds a random token (HttpOnly, SameSite=Strict,
  Secure when configured) and the server keeps only the token's SHA-256. A session ends on
  log-out, after `idle` seconds without a request, and after `maximum` seconds in any case.
- Every form carries a CSRF token: a session's own, or for the log-in form (no session yet) an
  HMAC of a nonce in a cookie of its own, keyed by a secret made new at every start. A form
  from another origin, or without the right token, is not read.
- Failed log-ins are counted per client address here (per user name in auth.py).
- Every response carries a Content-Security-Policy that allows only this server's own scripts,
  styles and images, and headers that forbid framing, sniffing and cross-origin reads.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .auth import WINDOW

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

SESSION_COOKIE = "fs_session"
LOGIN_COOKIE = "fs_login"
CLIENT_FAILURES = 20  # failed log-ins from one address within auth.WINDOW before it must wait
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                 b"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),  # "no-referrer" makes Chromium send Origin: null on our own forms
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


@dataclass
class Session:
    user: str
    role: str
    csrf: str
    created: float
    seen: float
    flash: list[tuple[str, str]] = field(default_factory=list)  # (kind, message)


class Sessions:
    """Server-side sessions, keyed by the SHA-256 of the cookie's token."""

    def __init__(self, idle: float, maximum: float, clock=time.monotonic):
        self.idle, self.maximum, self.clock = idle, maximum, clock
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def new(self, user: str, role: str) -> str:
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with self._lock:
            self._sessions[self._key(token)] = Session(user, role, secrets.token_urlsafe(32), now, now)
        return token

    def get(self, token: str | None) -> tuple[Session | None, bool]:
        """The live session of a token, touched; and whether the token named one that expired."""
        if not token:
            return None, False
        key, now = self._key(token), self.clock()
        with self._lock:
            session = self._sessions.get(key)
            if session is None:
                return None, False
            if now - session.seen > self.idle or now - session.created > self.maximum:
                del self._sessions[key]
                return None, True
            session.seen = now
            return session, False

    def drop(self, token: str | None) -> None:
        if token:
            with self._lock:
                self._sessions.pop(self._key(token), None)

    def of(self, request: Request) -> tuple[Session | None, bool]:
        """The live session of a request's cookie, and whether the cookie named one that expired."""
        return self.get(request.cookies.get(SESSION_COOKIE))


class ClientLimiter:
    """Failed log-ins per client address, in memory."""

    def __init__(self, limit: int = CLIENT_FAILURES, window: float = WINDOW.total_seconds(), clock=time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def blocked(self, client: str) -> bool:
        with self._lock:
            failures, now = self._failures[client], self.clock()
            while failures and now - failures[0] > self.window:
                failures.popleft()
            return len(failures) >= self.limit

    def failed(self, client: str) -> None:
        with self._lock:
            self._failures[client].append(self.clock())


class Csrf:
    """Checks that a posted form comes from this server's own page: the CSRF tokens and the origin."""

    def __init__(self) -> None:
        self._secret = secrets.token_bytes(32)  # signs the log-in form's token; new at every start

    def login_token(self, nonce: str) -> str:
        """The log-in form's token, bound to the nonce in its LOGIN_COOKIE."""
        return hmac.new(self._secret, nonce.encode(), "sha256").hexdigest()

    async def form(self, request: Request, session: Session | None) -> dict | None:
        """The posted form, if it carries the right CSRF token and comes from this origin; else None.
        Without a session the form is the log-in form, and its token is checked against its cookie."""
        if not same_origin(request):
            return None
        form = await request.form()
        token = str(form.get("csrf", ""))
        if session is None:
            nonce = request.cookies.get(LOGIN_COOKIE, "")
            expected = self.login_token(nonce) if nonce else ""
        else:
            expected = session.csrf
        if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
            return None
        return {k: form.getlist(k) if k == "part" else str(form.get(k, "")) for k in form.keys()}


def same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None:  # not sent by every client; the CSRF token still has to match
        return True
    host = request.headers.get("host", "")
    return origin in (f"http://{host}", f"https://{host}")


def is_local(target: str) -> bool:
    """Only a path on this server is a place to go after log-in (no open redirect)."""
    return target.startswith("/") and not target.startswith("//") and "\\" not in target and "\n" not in target


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def set_cookie(response: Response, name: str, value: str, *, secure: bool, max_age: int | None = None) -> None:
    """A cookie only this server reads (HttpOnly), sent only with its own pages' requests (SameSite=Strict)."""
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict", secure=secure, path="/")


def delete_cookie(response: Response, name: str, *, secure: bool) -> None:
    response.delete_cookie(name, path="/", httponly=True, samesite="strict", secure=secure)


class SecurityHeaders:
    """Adds the security headers to every response that does not set them itself (a pure ASGI wrapper)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def sending(message):
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in SECURITY_HEADERS if h[0] not in names)]
            await send(message)

        return await self.app(scope, receive, sending)

    @property
    def state(self):
        return self.app.state
