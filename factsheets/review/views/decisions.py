"""Submit, approve and reject from the page. The rules are workflow.py's; here the action is
checked (an unknown one is a 404, a document's own path posted to is a 405), the form too (CSRF, a
version's SHA-256), the outcome flashed, and a refusal shows the document again with it."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .. import Refused, ReviewError
from ..documents import read_document
from ..state import ReviewState
from ..store import is_sha256
from ..workflow import decide, short, submit
from .document import detail
from .pages import current, forbidden, in_thread, page, to_login

DECISIONS = {"approve": "approved", "reject": "rejected"}  # the action in the path: the decision it records
ACTIONS = ("submit", *DECISIONS)


async def act(review: ReviewState, request: Request) -> Response:
    """POST /doc/{document}/{action}: submit the version the page showed, or approve or reject it."""
    session, expired = current(review, request)
    if session is None:
        return to_login(request, expired)
    document, action = request.path_params["document"], request.path_params["action"]
    if action not in ACTIONS:  # /doc/<folder>/<name>.pdf posted to: the document's own page takes no POST
        known = f"{document}/{action}" in review.catalogue.by_document()
        return page(review, request, "error.html", {"title": "Not allowed" if known else "Not found",
                    "message": "A document's page takes no form." if known else f"{action}: no such action"},
                    status=405 if known else 404, session=session)
    form = await review.csrf.form(request, session)
    if form is None:
        return forbidden(review, request, session)
    doc = review.catalogue.by_document().get(document)
    sha = form.get("sha256", "")
    if doc is None or not is_sha256(sha):
        return page(review, request, "error.html", {"title": "Not found", "message": f"{document}: no such document version"},
                    status=404, session=session)
    user = review.store.user(session.user)
    if user is None:
        return forbidden(review, request, session)
    comment = form.get("comment", "").strip()
    try:
        if action == "submit":
            data, now = read_document(review.out, document)
            if now != sha:
                raise Refused(f"{document} was rebuilt since this page was opened ({short(sha)} is now {short(now)}): reload it")
            await in_thread(submit, review.store, user, document, data, comment=comment, via="web")
            message = f"Submitted {document} ({short(sha)}) for review."
        else:
            decision = DECISIONS[action]
            parts = tuple(p for p in form.get("part", []) if p)
            made = await in_thread(decide, review.store, user, document, sha, decision, parts=parts, required=review.required,
                                   comment=comment, via="web")
            which = ", ".join(d.part for d in made if d.part != "document")
            message = f"{decision.capitalize()} {document} ({short(sha)}){f' — {which}' if which else ''}."
    except (Refused, ReviewError) as error:
        session.say("error", str(error))
        return await in_thread(detail, review, request, status=403 if isinstance(error, Refused) else 400, session=session)
    session.say("ok", message)
    return RedirectResponse(f"/doc/{quote(document, safe='/')}", status_code=303)
