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
# Letters the PDF may hold between a quote's two parts at a page break: a footnote, the page
# number, the next page's running head.
GAP_CHARS = 600

Span = tuple[int, int]  # [start, end) in a page's text


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


def locate(quote: str, page_text: str) -> Span | None:
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


def locate_split(quote: str, page_text: str, next_text: str) -> tuple[Span, Span] | None:
    """The two parts of a quote that runs from the end of one page onto the start of the next:
    its span on ``page_text`` and its span on ``next_text``; None when the quote is wholly on
    the first page or is not found across the two.

    The pages are aligned as one text, letters and digits only, so what the PDF has between
    the parts (a page number, a running head, a footnote) is a gap the alignment steps over.
    """
    q, _ = _letters(quote)
    p, where = _letters(page_text)
    n, where_next = _letters(next_text)
    if len(q) < MIN_CHARS or not p or not n or q in p:
        return None
    joined = p + n
    matcher = SequenceMatcher(None, joined, q, autojunk=False)
    longest = matcher.find_longest_match(0, len(joined), 0, len(q))
    if longest.size < MIN_CHARS:
        return None
    offset = longest.a - longest.b
    reach = len(q) // 4 + GAP_CHARS
    lo, hi = max(offset - reach, 0), min(offset + len(q) + reach, len(joined))
    window = SequenceMatcher(None, joined[lo:hi], q, autojunk=False)
    before: list[tuple[int, int]] = []  # [first, last] letter indexes on each page
    after: list[tuple[int, int]] = []
    matched = 0
    for block in window.get_matching_blocks():
        if block.size < 4:
            continue
        matched += block.size
        first, last = lo + block.a, lo + block.a + block.size - 1
        if first < len(p):
            before.append((first, min(last, len(p) - 1)))
        if last >= len(p):
            after.append((max(first, len(p)) - len(p), last - len(p)))
    if not before or not after or matched < 0.8 * len(q):
        return None
    start, end = before[0][0], before[-1][1]
    start_next, end_next = after[0][0], after[-1][1]
    return (where[start], where[end] + 1), (where_next[start_next], where_next[end_next] + 1)


def snippet(text: str, limit: int = 220) -> str:
    """One line of a passage for lists: whitespace folded, cut at a word boundary."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit)
    return flat[: cut if cut > limit // 2 else limit].rstrip(" ,;:") + "…"
