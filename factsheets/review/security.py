"""The review page's defences: server-side sessions, the log-in rate limit per client address,
the Host check, the security headers, CSRF tokens and the cookies that carry them.

- A session lives in the server; its cookie holds a random token (HttpOnly, SameSite=Strict,
  Secure when configured) and the server keeps only the token's SHA-256. A session ends on
  log-out, after `idle` seconds without a request, after `maximum` seconds in any case, and when
  its user is disabled, changes role or has the password reset (the page checks at each request).
  Expired sessions are swept at each log-in, so memory does not keep what nobody comes back for.
- Every form carries a CSRF token: a session's own, or for the log-in form (no session yet) an
  HMAC of a nonce in a cookie of its own and the time it was issued, keyed by a secret made new at
  every start, valid for `LOGIN_FORM_SECONDS`. A form from another origin, or without the right
  token, is not read.
- Failed log-ins are counted per client address here (per user name in lockout.py), except from
  loopback, where every user has the same address (127.0.0.1) or any of sixteen million: there the
  per-name lock-out is the limit. An attempt is counted before its password is checked, so a burst
  cannot pass the limit; addresses with nothing counted are forgotten.
- The Host header must name this server (`HostCheck`): a page reached through another name (DNS
  rebinding) is refused. IPv6 literals in brackets (`[::1]:8765`) are understood.
- Every response carries a Content-Security-Policy that allows only this server's own scripts,
  styles and images, and headers that forbid framing, sniffing and cross-origin reads.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .auth import WINDOW

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

SESSION_COOKIE = "fs_session"
LOGIN_COOKIE = "fs_login"
CLIENT_FAILURES = 20  # failed log-ins from one (non-loopback) address within auth.WINDOW before it must wait
LOGIN_FORM_SECONDS = 3600  # a log-in form's token is good for an hour (its cookie's max-age)
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
    password: str = ""  # the SHA-256 of the user's password hash at log-in: a reset ends the session
    flash: list[tuple[str, str]] = field(default_factory=list)  # (kind, message)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def say(self, kind: str, message: str) -> None:
        """A message for the next page (handlers run in threads: the list is changed under a lock)."""
        with self._lock:
            self.flash.append((kind, message))

    def messages(self) -> list[tuple[str, str]]:
        """The messages, taken: each is shown once."""
        with self._lock:
            taken, self.flash = self.flash, []
            return taken


class Sessions:
    """Server-side sessions, keyed by the SHA-256 of the cookie's token."""

    def __init__(self, idle: float, maximum: float, clock=time.monotonic):
        self.idle, self.maximum, self.clock = idle, maximum, clock
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def _expired(self, session: Session, now: float) -> bool:
        return now - session.seen > self.idle or now - session.created > self.maximum

    def new(self, user: str, role: str, password: str = "") -> str:
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with self._lock:
            for key in [k for k, s in self._sessions.items() if self._expired(s, now)]:
                del self._sessions[key]
            self._sessions[self._key(token)] = Session(user, role, secrets.token_urlsafe(32), now, now, password)
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
            if self._expired(session, now):
                del self._sessions[key]
                return None, True
            session.seen = now
            return session, False

    def drop(self, token: str | None) -> None:
        if token:
            with self._lock:
                self._sessions.pop(self._key(token), None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

    def of(self, request: Request) -> tuple[Session | None, bool]:
        """The live session of a request's cookie, and whether the cookie named one that expired."""
        return self.get(request.cookies.get(SESSION_COOKIE))


def is_loopback(client: str) -> bool:
    """127.0.0.0/8, ::1, or 127.x.y.z written as an IPv4-mapped IPv6 address."""
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


class ClientLimiter:
    """Failed log-ins per client address, in memory; loopback addresses are not limited here (the
    per-name lock-out is). An attempt is counted when it starts (`reserve`) and a log-in that
    succeeds takes its count back (`cancel`)."""

    SWEEP_AT = 1024  # addresses kept before the expired ones are swept

    def __init__(self, limit: int = CLIENT_FAILURES, window: float = WINDOW.total_seconds(), clock=time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _current(self, client: str, now: float) -> deque[float]:
        failures = self._failures.get(client) or deque()
        while failures and now - failures[0] > self.window:
            failures.popleft()
        return failures

    def reserve(self, client: str) -> bool:
        """Count an attempt from `client`; False (nothing counted) when the address must wait."""
        if is_loopback(client):
            return True
        with self._lock:
            now = self.clock()
            if len(self._failures) >= self.SWEEP_AT:
                for address in list(self._failures):
                    if not self._current(address, now):
                        del self._failures[address]
            failures = self._current(client, now)
            if len(failures) >= self.limit:
                self._failures[client] = failures
                return False
            failures.append(now)
            self._failures[client] = failures
            return True

    def cancel(self, client: str) -> None:
        """A log-in that succeeded, or was refused for another reason than a guess: its count taken back."""
        if is_loopback(client):
            return
        with self._lock:
            failures = self._failures.get(client)
            if failures:
                failures.pop()
                if not failures:
                    del self._failures[client]

    def __len__(self) -> int:
        with self._lock:
            return len(self._failures)


class Csrf:
    """Checks that a posted form comes from this server's own page: the CSRF tokens and the origin."""

    def __init__(self, clock=time.monotonic) -> None:
        self._secret = secrets.token_bytes(32)  # signs the log-in form's token; new at every start
        self.clock = clock

    def login_token(self, nonce: str, issued: float | None = None) -> str:
        """The log-in form's token: when it was issued, and an HMAC of that and the nonce in its LOGIN_COOKIE."""
        stamp = f"{int(self.clock() if issued is None else issued):x}"
        return f"{stamp}.{hmac.new(self._secret, f'{stamp}.{nonce}'.encode(), 'sha256').hexdigest()}"

    def login_token_holds(self, token: str, nonce: str) -> bool:
        stamp, _, _ = token.partition(".")
        try:
            issued = int(stamp, 16)
        except ValueError:
            return False
        if not 0 <= self.clock() - issued <= LOGIN_FORM_SECONDS:
            return False
        return hmac.compare_digest(token.encode(), self.login_token(nonce, issued).encode())

    async def form(self, request: Request, session: Session | None) -> dict | None:
        """The posted form, if it carries the right CSRF token and comes from this origin; else None.
        Without a session the form is the log-in form, and its token is checked against its cookie."""
        if not same_origin(request):
            return None
        form = await request.form()
        token = str(form.get("csrf", ""))
        if session is None:
            nonce = request.cookies.get(LOGIN_COOKIE, "")
            if not nonce or not self.login_token_holds(token, nonce):
                return None
        elif not hmac.compare_digest(token.encode(), session.csrf.encode()):
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


def host_of(header: str) -> str:
    """The host name of a Host header, lower case, without its port (`[::1]:8765` -> `[::1]`); "" if malformed."""
    header = header.strip().lower()
    if header.startswith("["):
        host, bracket, port = header.partition("]")
        host, port = host + bracket, port[1:] if port.startswith(":") else port or ""
    else:
        host, _, port = header.partition(":")
    return host if host and (not port or port.isdigit()) else ""


class HostCheck:
    """Answers only requests whose Host header names this server (400 otherwise): no wildcard, so
    a page reached through another name (DNS rebinding) is never served. A pure ASGI wrapper;
    Starlette's TrustedHostMiddleware cuts `[::1]:8765` at its first colon and refuses it."""

    def __init__(self, app, allowed: tuple[str, ...]):
        if not allowed or any(h == "*" or "*" in h for h in allowed):
            raise ValueError("the Host check takes the host names the page answers to, never a wildcard")
        self.app, self.allowed = app, frozenset(h.lower() for h in allowed)

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            headers = dict(scope.get("headers") or [])
            if host_of(headers.get(b"host", b"").decode("latin-1")) not in self.allowed:
                await send({"type": "http.response.start", "status": 400,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8"), *SECURITY_HEADERS]})
                await send({"type": "http.response.body", "body": b"Invalid host header"})
                return None
        return await self.app(scope, receive, send)

    @property
    def state(self):
        return self.app.state


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
