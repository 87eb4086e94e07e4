"""Find a quote on its page's text layer, so the PDF viewer can highlight it.

A citation's quote comes from Lantern's cleaned page text (joined lines, repaired
hyphenation, ligatures expanded); the PDF's own text layer breaks lines, may split words
with hyphens and differs in spacing. ``locate`` compares letters and digits only, so those
differences do not matter, and gives the quote's span in the layer's own character indexes
(which is what QPdfDocument.getSelectionAtIndex takes).
"""

from __future__ import annotations

import unicodedata
from difflib import SequenceMatcher

MIN_CHARS = 12  # shorter runs match too much to count as the quote


def _letters(text: str) -> tuple[str, list[int]]:
    """The letters and digits of ``text``, case-folded and NFKC-normalised, with the index in
    ``text`` each one came from."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if ch.isascii():
            if ch.isalnum():
                out.append(ch.lower())
                where.append(i)
            continue
        # "ǫ": TeX's epsilon in many text layers (Lantern's text has ε, see core clean-up)
        for c in unicodedata.normalize("NFKC", "\u03b5" if ch == "\u01eb" else ch).casefold():
            if c.isalnum():
                out.append(c)
                where.append(i)
    return "".join(out), where


def locate(quote: str, page_text: str) -> tuple[int, int] | None:
    """The span ``[start, end)`` of ``page_text`` that holds ``quote``; None if it is not there.

    Exact (letters-only) matches are found at once. Otherwise the quote is aligned on its
    longest common run with the page, and the span runs from the first to the last piece of
    the quote found around it: enough to cover a quote with a few characters read differently
    (a formula, a footnote mark), or one that runs on to the next page.
    """
    q, _ = _letters(quote)
    p, where = _letters(page_text)
    if len(q) < MIN_CHARS or not p:
        return None
    at = p.find(q)
    if at >= 0:
        return where[at], where[at + len(q) - 1] + 1
    matcher = SequenceMatcher(None, p, q, autojunk=False)
    longest = matcher.find_longest_match(0, len(p), 0, len(q))
    if longest.size < MIN_CHARS:
        return None
    offset = longest.a - longest.b  # where the quote would start on the page
    lo, hi = max(offset - len(q) // 4, 0), min(offset + len(q) + len(q) // 4, len(p))
    window = SequenceMatcher(None, p[lo:hi], q, autojunk=False)
    blocks = [b for b in window.get_matching_blocks() if b.size >= 4]
    matched = sum(b.size for b in blocks)
    # A quote that runs on to the next page is found only in part: its start must be here.
    if not blocks or (matched < 0.6 * len(q) and longest.size < 40):
        return None
    first, last = lo + blocks[0].a, lo + blocks[-1].a + blocks[-1].size - 1
    return where[first], where[last] + 1


def snippet(text: str, limit: int = 220) -> str:
    """One line of a passage for lists: whitespace folded, cut at a word boundary."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit)
    return flat[: cut if cut > limit // 2 else limit].rstrip(" ,;:") + "…"
