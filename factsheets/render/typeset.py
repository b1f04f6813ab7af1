"""Typesetting a paragraph's end: its last few characters kept on its last line together, so that a paragraph never
ends on a line of one Chinese character and its full stop ("回。") or on an English word alone.

WeasyPrint has no `text-wrap: pretty` (nor `balance`) to choose line breaks that avoid such a last line, and its
`orphans` and `widows` count lines across pages, not characters on a line. What CSS can do is keep a piece of text
from breaking: the templates mark a paragraph's end (`tail`) as a span that the styles set `white-space: nowrap`
(styles/kfs.css, kid.css), so the line before gives up what the last line needs. The text is unchanged, character
for character: a statement reads back word for word.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

CJK_TAIL = 5  # characters a Chinese paragraph's last line holds at least (four and the full stop)
WORDS_TAIL = 2  # words an English paragraph's last line holds at least
LONGEST_TAIL = 24  # characters: longer last words (a web address) may still break, or they would run past the margin
# Ideographs, CJK punctuation and full-width forms: a paragraph that ends in one is set as Chinese.
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
_WORDS = re.compile(r"(\S+(?:\s+\S+){%d})\s*$" % (WORDS_TAIL - 1))


def tail(text: object) -> Markup:
    """The text, escaped, its end wrapped in `<span class="tail">`: a Chinese text's last `CJK_TAIL` characters, an
    English text's last `WORDS_TAIL` words when they are `LONGEST_TAIL` characters or fewer; a text too short for
    it, or already markup (whose end may be a tag), as it is."""
    if hasattr(text, "__html__"):
        return Markup(text)
    text = str(text)
    end = len(text.rstrip())
    if end == 0:
        return escape(text)
    if _CJK.match(text[end - 1]):
        start = max(end - CJK_TAIL, 0)
    else:
        found = _WORDS.search(text)
        if found is None or len(found.group(1)) > LONGEST_TAIL:
            return escape(text)
        start = found.start(1)
    if start == 0:  # one line's worth: nothing to keep apart from
        return escape(text)
    return Markup("{}<span class=\"tail\">{}</span>{}").format(text[:start], text[start:end], text[end:])
