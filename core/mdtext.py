"""Text from papers, Zotero and models as literal Markdown: what a title or a quote holds is
shown, never run. Pandoc (and any CommonMark renderer) passes raw HTML through to the HTML it
makes, follows `[link](javascript:...)` and `<javascript:...>`, and reads `@key` as a
citation; a backslash before any ASCII punctuation makes it plain text (CommonMark 0.31,
"Backslash escapes"; Pandoc's `all_symbols_escapable`).
"""

from __future__ import annotations

import re

# Markdown syntax that inline text could open: HTML and autolinks (<), links and images ([ ]),
# entities (&), emphasis and code (* _ `), Pandoc's citations, math, sub/superscript and
# strikeout (@ $ ~ ^), table cells (|), and the backslash itself.
_SYNTAX = re.compile(r"([\\`*_\[\]<>&|@$~^])")
# Characters that are not text: C0/C1 controls (ESC starts terminal sequences) and the bidi
# overrides that make text read differently from how it is stored.
_NOT_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def md_text(text: str) -> str:
    """`text` on one line as literal Markdown inline content: controls dropped (newlines and
    tabs become spaces), every character that could start Markdown syntax escaped."""
    return _SYNTAX.sub(r"\\\1", " ".join(_NOT_TEXT.sub(" ", text).split()))
