"""Pick the part of a quote that the PDF viewer can find and highlight on its page.

A citation's quote comes from Lantern's cleaned page text (joined lines, repaired
hyphenation); the PDF's own text layer breaks lines and may differ in spacing. The viewer's
search matches a string within the layer, so we search for the longest run of the quote's
words that occurs verbatim in the page's text layer.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\S+")
MIN_CHARS = 12  # shorter runs match too much to count as the quote


def _norm(text: str) -> str:
    return re.sub(r"[ \t]+", " ", text).casefold()


def search_string(quote: str, page_text: str, *, max_chars: int = 160) -> str | None:
    """Longest run of words of ``quote`` found on one line of ``page_text``; None if too short."""
    words = _WORD.findall(quote)
    if not words:
        return None
    haystack = _norm(page_text)
    best = ""
    # Grow runs greedily from each start: a run that is not found cannot be extended.
    for start in range(len(words)):
        end = start + 1
        found = ""
        while end <= len(words):
            candidate = " ".join(words[start:end])
            if len(candidate) > max_chars or _norm(candidate) not in haystack:
                break
            found = candidate
            end += 1
        if len(found) > len(best):
            best = found
        if len(best) >= max_chars or len(words) - start <= len(best.split()):
            break
    best = best.strip(" ,;:.()[]\"'")
    return best if len(best) >= MIN_CHARS else None


def snippet(text: str, limit: int = 220) -> str:
    """One line of a passage for lists: whitespace folded, cut at a word boundary."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit)
    return flat[: cut if cut > limit // 2 else limit].rstrip(" ,;:") + "…"
