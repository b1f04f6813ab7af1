"""Compliance review and approval: four eyes over the documents of a build, and a trail that
proves what was published.

- `store`: one SQLite file (WAL) with the users, submissions, decisions and the audit trail,
  and beside it a content-addressed store of the submitted documents' bytes; opened to create
  (the first admin only), to write, or read-only.
- `audit`: the trail's hash chain (append, verify, export).
- `ledger`: the state the trail proves (users, roles, submissions, decisions), replayed from it,
  and every table row it does not account for.
- `anchor`: the trail's head signed with the house's Ed25519 key, kept outside the database.
- `auth`: argon2 password hashes (a few at a time), log-in, users disabled, given another role or
  a new password; `lockout`: failed log-ins counted before the check, summarised in the trail.
- `text`: user names matched in full, control characters kept off the terminal, CSV cells that
  a spreadsheet would run neutralised.
- `documents`: the documents of an output folder, from its manifest.
- `workflow`: submit, approve, reject, and the status of each document.
- `publish`: copy only approved bytes, with a publication manifest.
- `diff`: page previews (PDFium), the visual diff and the data diff against the last approved version.
- `app`: the review page (Starlette, Jinja2 templates, htmx): routes, middleware, static files;
  served by uvicorn.
- `security`: the page's sessions, log-in rate limit per client address (not on loopback), the
  Host check, security headers and CSRF.
- `state`: what the page's handlers share (the store, the output folder and its manifest, the
  sign-off configuration, the templates, previews and diffs), passed to each.
- `views`: the page's handlers, by concern (log-in, the list, a document, decisions, files).

Nothing here imports the CLI; heavy libraries are imported where they are used.
"""

from __future__ import annotations

from ..errors import FactsheetError

ROLES = ("maker", "checker", "admin")
PARTS = ("document", "data", "commentary")


class ReviewError(FactsheetError):
    """A file, database or usage problem (exit code 2)."""


class Refused(FactsheetError):
    """An action the rules do not allow: a wrong password, a role that may not, one's own submission,
    a decision already taken (exit code 1)."""
