"""The list of documents: each with its status, filtered by fund, language, kind and status; the
whole page, or for htmx only the table of results."""

from __future__ import annotations

from collections import defaultdict

from starlette.requests import Request
from starlette.responses import Response

from ..state import ReviewState
from ..workflow import STATES, Index
from .pages import current, page, to_login

FILTERS = ("fund", "lang", "kind", "status")


def rows(review: ReviewState, filters: dict) -> tuple[list[dict], dict]:
    """The documents that pass the filters, with their status; and how many documents (all of
    them, unfiltered) are in each status."""
    index = Index(review.store, review.required)
    found, counts = [], defaultdict(int)
    for doc in review.catalogue.documents():
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


def listing(review: ReviewState, request: Request) -> Response:
    session, expired = current(review, request)
    if session is None:
        return to_login(request, expired)
    filters = {k: request.query_params.get(k, "") for k in FILTERS}
    found, counts = rows(review, filters)
    context = {"rows": found, "filters": filters, "counts": counts, "total": len(review.catalogue.documents()),
               "problem": review.catalogue.problem}
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "results":
        return page(review, request, "_rows.html", context, session=session)
    documents = review.catalogue.documents()
    context.update(
        funds=sorted({d.fund for d in documents if d.fund}), langs=sorted({d.variant for d in documents if d.variant}),
        kinds=sorted({d.kind for d in documents}), statuses=STATES, out=str(review.out),
    )
    return page(review, request, "list.html", context, session=session)
