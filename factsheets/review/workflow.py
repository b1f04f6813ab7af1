"""Four eyes: a maker submits a version of a document (its bytes, by SHA-256); a checker who did
not submit it approves or rejects it, part by part when the house signs off the data and the
commentary separately. A rebuilt document with other bytes is another version and needs its own
approval.

Status of a document, on two axes:
- against the last approved version of the same document: `new` (none approved yet),
  `changed` (other bytes than the last approved), `unchanged` (the same bytes), or `failed`
  (the build wrote no document);
- its current bytes in review: `submitted`, `approved` (every part), `rejected` (any part), or
  nothing yet.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field

from . import Refused, ReviewError, audit
from .documents import Document
from .ledger import DECIDERS, SUBMITTERS, Ledger, replay
from .store import Decision, Store, Submission, User

CHANGE_STATES = ("new", "changed", "unchanged", "failed")
REVIEW_STATES = ("submitted", "approved", "rejected")
STATES = ("new", "changed", "unchanged", "failed", "submitted", "approved", "rejected")


def short(sha: str) -> str:
    return sha[:12]


def submit(store: Store, user: User, document: str, data: bytes, *, comment: str = "", via: str = "cli") -> Submission:
    if user.disabled:
        raise Refused(f"{user.name} is disabled")
    if user.role not in SUBMITTERS:
        raise Refused(f"{user.name} is {_a(user.role)}: only a maker or a checker submits documents")
    sha = store.put_blob(data)  # kept before it is on record: the version a checker sees is the one submitted
    with store.transaction() as conn:
        earlier = conn.execute("SELECT maker, at FROM submissions WHERE document = ? AND sha256 = ?", (document, sha)).fetchone()
        if earlier:
            raise Refused(f"{document} ({short(sha)}) was already submitted by {earlier[0]} at {earlier[1]}")
        at = audit.append(conn, user.name, "submit", document=document, sha256=sha, comment=comment, detail={"via": via})["at"]
        conn.execute("INSERT INTO submissions (document, sha256, maker, at, comment) VALUES (?, ?, ?, ?, ?)",
                     (document, sha, user.name, at, comment))
    return Submission(document, sha, user.name, at, comment)


def decide(store: Store, user: User, document: str, sha: str, decision: str, *, parts: tuple[str, ...],
           required: tuple[str, ...], comment: str = "", via: str = "cli") -> list[Decision]:
    """Approve or reject a submitted version for `parts` (empty: every part still open)."""
    assert decision in ("approved", "rejected")
    verb = "approve" if decision == "approved" else "reject"
    if user.disabled:
        raise Refused(f"{user.name} is disabled")
    if user.role not in DECIDERS:
        raise Refused(f"{user.name} is {_a(user.role)}: only a checker may {verb} documents")
    if decision == "rejected" and not comment.strip():
        raise Refused("a rejection needs a comment saying what is wrong")
    unknown = [p for p in parts if p not in required]
    if unknown:
        raise ReviewError(f"{', '.join(unknown)}: not a part this house signs off (it signs off: {', '.join(required)})")
    try:
        with store.transaction() as conn:
            row = conn.execute("SELECT maker, at FROM submissions WHERE document = ? AND sha256 = ?", (document, sha)).fetchone()
            if row is None:
                other = conn.execute("SELECT sha256 FROM submissions WHERE document = ? ORDER BY at DESC LIMIT 1", (document,)).fetchone()
                hint = (f"; the version submitted last is {short(other[0])}: this file was rebuilt since, submit it again"
                        if other else "; a maker submits it first")
                raise Refused(f"{document} ({short(sha)}) was not submitted for review{hint}")
            if row[0] == user.name:
                raise Refused(f"{user.name} submitted {document} ({short(sha)}): another checker must {verb} it")
            taken = {r[0]: r for r in conn.execute(
                "SELECT part, decision, checker, at FROM decisions WHERE document = ? AND sha256 = ?", (document, sha))}
            chosen = parts or tuple(p for p in required if p not in taken)
            already = [taken[p] for p in chosen if p in taken] or ([] if chosen else list(taken.values()))
            if already:
                raise Refused(_already(document, sha, already))
            at = audit.append(conn, user.name, verb, document=document, sha256=sha, comment=comment,
                              detail={"parts": list(chosen), "via": via})["at"]
            made = []
            for part in chosen:
                conn.execute("INSERT INTO decisions (document, sha256, part, decision, checker, at, comment) VALUES (?, ?, ?, ?, ?, ?, ?)",
                             (document, sha, part, decision, user.name, at, comment))
                made.append(Decision(document, sha, part, decision, user.name, at, comment))
    except sqlite3.IntegrityError:  # another checker's decision landed first (the UNIQUE constraint)
        taken = [(d.part, d.decision, d.checker, d.at) for d in store.decisions_of(document, sha) if not parts or d.part in parts]
        raise Refused(_already(document, sha, taken)) from None
    return made


def _already(document: str, sha: str, taken) -> str:
    said = "; ".join(f"{'' if part == 'document' else part + ' '}{decision} by {checker} at {at}" for part, decision, checker, at in taken)
    return f"{document} ({short(sha)}) was already decided: {said}"


def _a(role: str) -> str:
    return f"an {role}" if role[0] in "aeiou" else f"a {role}"


# -- status -----------------------------------------------------------------------------
@dataclass
class State:
    change: str  # new, changed, unchanged, failed
    review: str  # "", submitted, approved, rejected
    submission: Submission | None = None
    decisions: list[Decision] = field(default_factory=list)  # of the current version
    baseline: str = ""  # the last approved version other than the current one (for diffs)
    last_approved: str = ""

    @property
    def states(self) -> tuple[str, ...]:
        return (self.change, self.review) if self.review else (self.change,)

    def approvals(self) -> list[Decision]:
        return [d for d in self.decisions if d.decision == "approved"]


class Index:
    """Every submission and decision as the trail records them (ledger.py; the tables are not read),
    read once, to give the status of many documents quickly. `ledger`: one already replayed."""

    def __init__(self, store: Store, required: tuple[str, ...], ledger: Ledger | None = None):
        self.required = required
        ledger = ledger or replay(store.connection())
        self.submissions = dict(ledger.submissions)
        self.decisions: dict[tuple[str, str], list[Decision]] = defaultdict(list)
        for d in sorted(ledger.decisions.values(), key=lambda d: d.at):
            self.decisions[(d.document, d.sha256)].append(d)
        approved: dict[str, list[tuple[str, str]]] = defaultdict(list)  # document -> [(when fully approved, sha)]
        for (document, sha), decisions in self.decisions.items():
            if self._approved(decisions):
                approved[document].append((max(d.at for d in decisions if d.decision == "approved"), sha))
        self.approved = {doc: [sha for _, sha in sorted(versions)] for doc, versions in approved.items()}

    def _approved(self, decisions: list[Decision]) -> bool:
        parts = {d.part for d in decisions if d.decision == "approved"}
        return all(p in parts for p in self.required) and not any(d.decision == "rejected" for d in decisions)

    def is_approved(self, document: str, sha: str) -> bool:
        return self._approved(self.decisions.get((document, sha), []))

    def state(self, doc: Document, sha: str | None = None) -> State:
        if doc.build == "failed" or not doc.document:
            return State("failed", "")
        sha = sha or doc.sha256
        versions = self.approved.get(doc.document, [])
        last = versions[-1] if versions else ""
        change = "new" if not last else "unchanged" if last == sha else "changed"
        baseline = next((v for v in reversed(versions) if v != sha), "")
        decisions = self.decisions.get((doc.document, sha), [])
        submission = self.submissions.get((doc.document, sha))
        if any(d.decision == "rejected" for d in decisions):
            review = "rejected"
        elif self._approved(decisions):
            review = "approved"
        elif submission:
            review = "submitted"
        else:
            review = ""
        return State(change, review, submission, decisions, baseline, last)

    def why_not(self, doc: Document, sha: str) -> str:
        """Why a version cannot be published (for `publish`), or "" when it can."""
        state = self.state(doc, sha)
        if state.review == "approved":
            return ""
        if state.review == "rejected":
            d = next(d for d in state.decisions if d.decision == "rejected")
            return f"rejected by {d.checker} at {d.at}: {d.comment}"
        if state.review == "submitted":
            done = sorted({d.part for d in state.approvals()})
            waiting = [p for p in self.required if p not in done]
            part = "" if waiting == ["document"] else f" of the {' and the '.join(waiting)}"
            return f"submitted by {state.submission.maker} at {state.submission.at}, awaiting a checker's approval{part}"
        if state.last_approved:
            return (f"changed since it was approved: this file is {short(sha)}, the approved version {short(state.last_approved)}; "
                    "submit it for review")
        return "not submitted for review"


def sha_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
