"""The review page: a Starlette app over an output folder, its manifest and the review database.

Security, as a compliance tool on a shared machine needs it:
- Nothing but the log-in page and its stylesheet before log-in. Sessions live in the server
  (a random token in an HttpOnly, SameSite=Strict cookie, Secure when configured), end on
  log-out, after `idle_seconds` without a request, and after `max_seconds` in any case.
- Every form carries a CSRF token (the log-in form too, bound to a cookie of its own); a POST
  without the right one, or from another origin, is refused with 403.
- Failed log-ins are audited and rate-limited per user name (auth.py) and per client address.
- Files are served only as documents listed in the manifest and resolving inside the output
  folder, or as previews named by a document's SHA-256; never by a path the client chooses.
- Templates autoescape everything (fund text is data); a Content-Security-Policy allows only
  this server's own scripts, styles and images (htmx is vendored, no CDN).
"""

from __future__ import annotations

import secrets
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

from . import Refused, ReviewError
from .auth import Locked, authenticate
from .diff import Previews, VisualDiff, data_diff
from .documents import read_document, read_documents
from .security import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    ClientLimiter,
    Csrf,
    SecurityHeaders,
    Session,
    Sessions,
    client_address,
    delete_cookie,
    is_local,
    set_cookie,
)
from .state import Catalogue, Versions
from .store import Store, is_sha256
from .workflow import DECIDERS, STATES, SUBMITTERS, Index, decide, short, submit

PACKAGE = Path(__file__).resolve().parent


def create_app(out: Path, store: Store, *, required: tuple[str, ...] = ("document",), secure_cookies: bool = False,
               idle_seconds: float = 30 * 60, max_seconds: float = 8 * 3600, allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost"),
               clock=time.monotonic):
    from jinja2 import Environment, FileSystemLoader, StrictUndefined
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware
    from starlette.requests import Request
    from starlette.responses import FileResponse, RedirectResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles
    from starlette.templating import Jinja2Templates

    out = Path(out).resolve()
    read_documents(out)  # a missing or broken manifest is an error at start, not on the first page
    env = Environment(loader=FileSystemLoader(PACKAGE / "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["q"] = lambda value: quote(str(value), safe="/")
    env.filters["short"] = short
    templates = Jinja2Templates(env=env)
    sessions = Sessions(idle_seconds, max_seconds, clock)
    limiter = ClientLimiter(clock=clock)
    catalogue = Catalogue(out)
    csrf = Csrf()

    versions = Versions(out, store, catalogue)
    previews = Previews(store.cache, versions.load)
    visual = VisualDiff(previews)
    describe = versions.describe

    # -- helpers ------------------------------------------------------------------------
    def page(request: Request, name: str, context: dict, status: int = 200, session: Session | None = None):
        flash = []
        if session is not None:
            flash, session.flash = session.flash, []
        context = {"user": session, "csrf": session.csrf if session else "", "flash": flash, **context}
        response = templates.TemplateResponse(request, name, context, status_code=status)
        response.headers["cache-control"] = "no-store"
        return response

    def to_login(request: Request, expired: bool = False):
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"hx-redirect": "/login" + ("?expired=1" if expired else "")})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        query = f"?next={quote(target, safe='')}" + ("&expired=1" if expired else "")
        return RedirectResponse("/login" + query, status_code=303)

    def forbidden(request: Request, session: Session | None = None) -> Response:
        return page(request, "error.html", {"title": "Refused", "message":
                    "The form did not carry a valid security token (it may have expired, or come from another site). "
                    "Reload the page and try again."}, status=403, session=session)

    # -- log-in and log-out ------------------------------------------------------------------
    def login_page(request: Request, message: str = "", status: int = 200, name: str = ""):
        nonce = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
        token = csrf.login_token(nonce)
        nxt = request.query_params.get("next", "/")
        expired = request.query_params.get("expired") == "1"
        response = page(request, "login.html", {"login_csrf": token, "message": message, "next": nxt if is_local(nxt) else "/",
                                                "expired": expired, "name": name}, status=status)
        set_cookie(response, LOGIN_COOKIE, nonce, secure=secure_cookies, max_age=3600)
        return response

    async def login_get(request: Request):
        session, _ = sessions.of(request)
        if session:
            return RedirectResponse("/", status_code=303)
        return login_page(request)

    async def login_post(request: Request):
        form = await csrf.form(request, None)
        if form is None:
            return forbidden(request)
        client = client_address(request)
        name, password = form.get("name", "").strip(), form.get("password", "")
        if limiter.blocked(client):
            store.log(name or "?", "login-failed", detail={"via": "web", "client": client, "reason": "client-limit"})
            return login_page(request, "Too many failed log-ins from this address: wait 15 minutes.", 429, name)
        try:
            user = await _in_thread(authenticate, store, name, password, via="web", client=client)
        except Locked as error:
            return login_page(request, f"{error}.", 429, name)
        except Refused:
            limiter.failed(client)
            return login_page(request, "Wrong user name or password.", 401, name)
        token = sessions.new(user.name, user.role)  # a new token at every log-in: no session fixation
        store.log(user.name, "login", detail={"via": "web", "client": client})
        nxt = form.get("next", "/")
        response = RedirectResponse(nxt if is_local(nxt) else "/", status_code=303)
        set_cookie(response, SESSION_COOKIE, token, secure=secure_cookies)
        delete_cookie(response, LOGIN_COOKIE, secure=secure_cookies)
        return response

    async def logout(request: Request):
        session, _ = sessions.of(request)
        if session is None:
            return to_login(request)
        if await csrf.form(request, session) is None:
            return forbidden(request, session)
        sessions.drop(request.cookies.get(SESSION_COOKIE))
        store.log(session.user, "logout", detail={"via": "web", "client": client_address(request)})
        response = RedirectResponse("/login", status_code=303)
        delete_cookie(response, SESSION_COOKIE, secure=secure_cookies)
        return response

    # -- the list -----------------------------------------------------------------------
    def rows(filters: dict) -> tuple[list[dict], dict]:
        index = Index(store, required)
        found, counts = [], defaultdict(int)
        for doc in catalogue.documents():
            state = index.state(doc)
            for s in state.states:
                counts[s] += 1
            if filters["fund"] and doc.fund != filters["fund"]:
                continue
            if filters["lang"] and doc.variant != filters["lang"]:
                continue
            if filters["kind"] and doc.kind != filters["kind"]:
                continue
            if filters["status"] and filters["status"] not in state.states:
                continue
            found.append({"doc": doc, "state": state})
        return found, counts

    def filters_of(request: Request) -> dict:
        return {k: request.query_params.get(k, "") for k in ("fund", "lang", "kind", "status")}

    def listing(request: Request):
        session, expired = sessions.of(request)
        if session is None:
            return to_login(request, expired)
        filters = filters_of(request)
        found, counts = rows(filters)
        context = {"rows": found, "filters": filters, "counts": counts, "total": len(catalogue.documents())}
        if request.headers.get("hx-request") and request.headers.get("hx-target") == "results":
            return page(request, "_rows.html", context, session=session)
        documents = catalogue.documents()
        context.update(
            funds=sorted({d.fund for d in documents if d.fund}), langs=sorted({d.variant for d in documents if d.variant}),
            kinds=sorted({d.kind for d in documents}), statuses=STATES, out=str(out),
        )
        return page(request, "list.html", context, session=session)

    # -- one document -------------------------------------------------------------------------
    def detail(request: Request, status: int = 200, session: Session | None = None):
        if session is None:
            session, expired = sessions.of(request)
            if session is None:
                return to_login(request, expired)
        document = request.path_params["document"]
        doc = catalogue.by_document().get(document)
        if doc is None:
            return page(request, "error.html", {"title": "Not found", "message": f"{document}: no such document in the manifest"},
                        status=404, session=session)
        try:
            data, sha = read_document(out, document)
        except ReviewError as error:
            return page(request, "error.html", {"title": "Missing", "message": str(error)}, status=404, session=session)
        index = Index(store, required)
        state = index.state(doc, sha)
        info = describe(sha, data)
        baseline = {}
        if state.baseline:
            old = store.blob(state.baseline)
            if old is not None:
                old_info = describe(state.baseline, old)
                changes = []
                if old_info["fund_json"] and info["fund_json"]:
                    changes = data_diff(old_info["fund_json"], info["fund_json"])
                approved_by = [d for d in index.decisions.get((document, state.baseline), []) if d.decision == "approved"]
                baseline = {"sha": state.baseline, "pages": max(old_info["pages"], info["pages"]), "changes": changes,
                            "approvals": approved_by, "record": old_info["record"]}
        decided = {d.part for d in state.decisions}
        may_submit = session.role in SUBMITTERS and state.submission is None and not state.decisions
        may_decide = (session.role in DECIDERS and state.submission is not None and state.review == "submitted"
                      and state.submission.maker != session.user)
        history = sorted(
            [("submitted", s.at, s.maker, s.sha256, "", s.comment) for s in store.submissions_of(document)]
            + [(d.decision, d.at, d.checker, d.sha256, d.part, d.comment) for d in store.decisions_of(document)],
            key=lambda h: h[1], reverse=True)
        context = {
            "doc": doc, "sha": sha, "state": state, "info": info, "baseline": baseline, "history": history,
            "may_submit": may_submit, "may_decide": may_decide, "open_parts": [p for p in required if p not in decided],
            "required": required, "stale_manifest": doc.sha256 and doc.sha256 != sha,
            "names": _names(info["fund"]),
        }
        return page(request, "doc.html", context, status=status, session=session)

    async def act(request: Request):
        session, expired = sessions.of(request)
        if session is None:
            return to_login(request, expired)
        form = await csrf.form(request, session)
        if form is None:
            return forbidden(request, session)
        document, action = request.path_params["document"], request.path_params["action"]
        doc = catalogue.by_document().get(document)
        sha = form.get("sha256", "")
        if doc is None or not is_sha256(sha):
            return page(request, "error.html", {"title": "Not found", "message": f"{document}: no such document version"},
                        status=404, session=session)
        user = store.user(session.user)
        if user is None:
            return forbidden(request, session)
        comment = form.get("comment", "").strip()
        try:
            if action == "submit":
                data, current = read_document(out, document)
                if current != sha:
                    raise Refused(f"{document} was rebuilt since this page was opened ({short(sha)} is now {short(current)}): reload it")
                await _in_thread(submit, store, user, document, data, comment=comment, via="web")
                message = f"Submitted {document} ({short(sha)}) for review."
            else:
                decision = {"approve": "approved", "reject": "rejected"}[action]
                parts = tuple(p for p in form.get("part", []) if p)
                made = await _in_thread(decide, store, user, document, sha, decision, parts=parts, required=required,
                                        comment=comment, via="web")
                which = ", ".join(d.part for d in made if d.part != "document")
                message = f"{decision.capitalize()} {document} ({short(sha)}){f' — {which}' if which else ''}."
        except (Refused, ReviewError) as error:
            session.flash.append(("error", str(error)))
            return await _in_thread(detail, request, status=403 if isinstance(error, Refused) else 400, session=session)
        session.flash.append(("ok", message))
        return RedirectResponse(f"/doc/{quote(document, safe='/')}", status_code=303)

    # -- files ----------------------------------------------------------------------------
    def image(path: Path) -> Response:
        return FileResponse(path, media_type="image/png", headers={"cache-control": "private, max-age=86400, immutable"})

    def preview(request: Request):
        session, expired = sessions.of(request)
        if session is None:
            return to_login(request, expired)
        sha, number = request.path_params["sha"], request.path_params["page"]
        try:
            return image(previews.page(sha, number))
        except ReviewError:
            return Response("no such page", status_code=404, media_type="text/plain")

    def diff_image(request: Request):
        session, expired = sessions.of(request)
        if session is None:
            return to_login(request, expired)
        try:
            path, _ = visual.page(request.path_params["old"], request.path_params["new"], request.path_params["page"])
        except ReviewError:
            return Response("no such page", status_code=404, media_type="text/plain")
        return image(path)

    def pdf_file(request: Request):
        session, expired = sessions.of(request)
        if session is None:
            return to_login(request, expired)
        document = request.path_params["document"]
        if document not in catalogue.by_document():
            return Response("no such document", status_code=404, media_type="text/plain")
        try:
            data, _ = read_document(out, document)
        except ReviewError:
            return Response("no such document", status_code=404, media_type="text/plain")
        name = quote(Path(document).name)
        return Response(data, media_type="application/pdf",
                        headers={"content-disposition": f"attachment; filename*=UTF-8''{name}", "cache-control": "no-store"})

    async def not_found(request: Request, exc):
        session, _ = sessions.of(request)
        if session is None:
            return to_login(request)
        return page(request, "error.html", {"title": "Not found", "message": "There is no such page."}, status=404, session=session)

    routes = [
        Route("/", listing),
        Route("/login", login_get, methods=["GET"]),
        Route("/login", login_post, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/doc/{document:path}/{action:str}", act, methods=["POST"]),
        Route("/doc/{document:path}", detail, methods=["GET"]),
        Route("/file/{document:path}", pdf_file),
        Route("/preview/{sha:str}/{page:int}.png", preview),
        Route("/diff/{old:str}/{new:str}/{page:int}.png", diff_image),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Mount("/static", StaticFiles(directory=PACKAGE / "static"), name="static"),
    ]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))] if "*" not in allowed_hosts else []
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={404: not_found}, max_body_size=64 * 1024)
    app.state.sessions = sessions
    return SecurityHeaders(app)


def _names(fund: dict) -> dict:
    try:
        return dict(fund["fund"]["name"])
    except (KeyError, TypeError):
        return {}


async def _in_thread(function, *args, **kwargs):
    """Run blocking work (argon2, SQLite writes) off the event loop."""
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(function, *args, **kwargs)


def serve(app, host: str, port: int) -> None:
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False, proxy_headers=False)


__all__ = ["create_app", "serve"]
