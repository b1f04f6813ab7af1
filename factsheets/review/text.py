"""Names and texts that cannot lie on a screen.

- A user name is letters, digits and `. _ @ -`, at most 64, matched in full (a trailing newline
  is not part of a name, as `$` would allow).
- What the commands print (document paths, comments, user names, reasons) has its control
  characters replaced: a terminal escape (an OSC title, a colour, a cursor move) in a reject
  comment or a file name never reaches the terminal, and a newline cannot forge a line of output.
  Bidirectional overrides are removed too, so a name cannot display in another order.
- A CSV cell that a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, a tab
  or a carriage return) is prefixed with `'` (OWASP's rule for CSV injection).
"""

from __future__ import annotations

import re
import unicodedata

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
NAME_RULE = "letters, digits and . _ @ - (at most 64, starting with a letter or digit)"
MAX_NAME = 64
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def is_name(value: object) -> bool:
    """A well-formed user name, the whole string (no trailing newline, no control character)."""
    return isinstance(value, str) and len(value) <= MAX_NAME and NAME.fullmatch(value) is not None


def printable(text: object) -> str:
    """`text` as it may be printed on a terminal: each control character (C0 but the tab, DEL, C1)
    shown as `\\xNN` (a line break as `\\n`), bidirectional controls removed; everything else unchanged."""
    out = []
    for char in str(text):
        if char in _BIDI:
            continue
        if unicodedata.category(char) == "Cc" and char != "\t":
            out.append("\\n" if char == "\n" else f"\\x{ord(char):02x}")
        else:
            out.append(char)
    return "".join(out)


def csv_cell(value: object) -> object:
    """A cell of a CSV export: a text a spreadsheet would take for a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
