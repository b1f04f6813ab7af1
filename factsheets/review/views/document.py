"""One document: its current version's status, record, previews and statements, what the user may
do with it, its history, and the data and visual diff against its last approved version."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from .. import ReviewError
from ..diff import data_diff
from ..documents import read_document
from ..security import Session
from ..state import ReviewState
from ..workflow import DECIDERS, SUBMITTERS, Index, State
from .pages import current, page, to_login


def detail(review: ReviewState, request: Request, status: int = 200, session: Session | None = None) -> Response:
    """The document's page; `status` and `session` are given when a refused decision shows it again."""
    if session is None:
        session, expired = current(review, request)
        if session is None:
            return to_login(request, expired)
    document = request.path_params["document"]
    doc = review.catalogue.by_document().get(document)
    if doc is None:
        return page(review, request, "error.html", {"title": "Not found", "message": f"{document}: no such document in the manifest"},
                    status=404, session=session)
    try:
        data, sha = read_document(review.out, document)
    except ReviewError as error:
        return page(review, request, "error.html", {"title": "Missing", "message": str(error)}, status=404, session=session)
    index = Index(review.store, review.required)
    state = index.state(doc, sha)
    info = review.versions.describe(sha, data)
    decided = {d.part for d in state.decisions}
    may_submit = session.role in SUBMITTERS and state.submission is None and not state.decisions
    may_decide = (session.role in DECIDERS and state.submission is not None and state.review == "submitted"
                  and state.submission.maker != session.user)
    context = {
        "doc": doc, "sha": sha, "state": state, "info": info, "baseline": baseline(review, index, document, state, info),
        "history": history(index, document), "may_submit": may_submit, "may_decide": may_decide,
        "open_parts": [p for p in review.required if p not in decided], "required": review.required,
        "stale_manifest": doc.sha256 and doc.sha256 != sha, "names": names(info["fund"]),
    }
    return page(review, request, "doc.html", context, status=status, session=session)


def baseline(review: ReviewState, index: Index, document: str, state: State, info: dict) -> dict:
    """The last approved version, against which this one is compared: its SHA-256, the pages to
    compare, the changed fund data, its approvals and record; {} if there is none, or its bytes are gone."""
    if not state.baseline:
        return {}
    old = review.store.blob(state.baseline)
    if old is None:
        return {}
    old_info = review.versions.describe(state.baseline, old)
    changes = []
    if old_info["fund_json"] and info["fund_json"]:
        changes = data_diff(old_info["fund_json"], info["fund_json"])
    approved_by = [d for d in index.decisions.get((document, state.baseline), []) if d.decision == "approved"]
    return {"sha": state.baseline, "pages": max(old_info["pages"], info["pages"]), "changes": changes,
            "approvals": approved_by, "record": old_info["record"]}


def history(index: Index, document: str) -> list[tuple]:
    """Every submission and decision of the document, any version, as the trail records them, newest
    first: (what, when, who, SHA-256, part, comment)."""
    return sorted(
        [("submitted", s.at, s.maker, s.sha256, "", s.comment) for (doc, _), s in index.submissions.items() if doc == document]
        + [(d.decision, d.at, d.checker, d.sha256, d.part, d.comment)
           for (doc, _), decisions in index.decisions.items() if doc == document for d in decisions],
        key=lambda h: h[1], reverse=True)


def names(fund: dict) -> dict:
    """The fund's name by language, from its fund data; {} if the data has none."""
    try:
        return dict(fund["fund"]["name"])
    except (KeyError, TypeError):
        return {}
