"""The prompt a small model answers from: the sentences of the evidence that may answer the
question, each with a neighbour, not whole passages. On a CPU the prompt's length is the wait
for the first token (whole passages cost ~900 tokens, these excerpts ~250)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from core.answer.focus import Focus
from core.text import cites_of, passage_sentences, stems, strip_cites
from core.types import Evidence

__all__ = ["SYSTEM_PROMPT", "build_messages", "cites_of", "excerpts", "format_passage", "strip_cites"]

SYSTEM_PROMPT = (
    "Answer the question from the numbered excerpts only, in one or two short sentences. "
    "After each claim write the excerpt's number in brackets, like [1]. Copy names and numbers "
    "exactly. If the excerpts do not answer it, reply exactly: NOT REPORTED"
)
PER_PASSAGE = 2  # answer sentences taken from one passage (each with a neighbour)


def format_passage(n: int, e: Evidence) -> str:
    """A whole passage as a numbered block (for showing evidence in full)."""
    pages = f"p. {e.page}" if e.page == e.page_end else f"pp. {e.page}-{e.page_end}"
    return f"[{n}] {e.title[:80]}, {pages}, {e.section}:\n{e.text.strip()}"


def excerpts(question: str, evidence: Sequence[Evidence]) -> list[tuple[int, list[str]]]:
    """What the model reads, as [(passage number, sentences)]: from each passage the sentences
    that may answer the question (Focus.answered_by), each with the next sentence (the one
    before, at the end), in the passage's order. When no sentence of any passage qualifies,
    those holding a distinctive question word; when none does either, each passage's opening."""
    split = [passage_sentences(e.text) for e in evidence]
    focus = Focus.of(question, evidence)
    for test in (focus.answered_by, lambda s: bool(stems(s) & focus.distinctive)):
        picked = []
        for n, sentences in enumerate(split, start=1):
            hits = [i for i, s in enumerate(sentences) if test(s)][:PER_PASSAGE]
            keep: set[int] = set()
            for i in hits:
                keep |= {i, i + 1 if i + 1 < len(sentences) else i - 1}
            if hits:
                picked.append((n, [sentences[i] for i in sorted(keep) if i >= 0]))
        if picked:
            return picked
    return [(n, sentences[:2]) for n, sentences in enumerate(split, start=1) if sentences]


def build_messages(
    question: str,
    evidence: Sequence[Evidence],
    *,
    budget_tokens: int,
    count_tokens: Callable[[str], int],
) -> tuple[list[dict[str, str]], int]:
    """Chat messages holding the excerpts of as many passages (best first) as fit the budget.

    Returns the messages and how many passages went in; excerpt n is from evidence[n-1], so
    citations map back without renumbering.
    """
    tail = f"\n\nQuestion: {question}\nAnswer:"
    used = count_tokens(SYSTEM_PROMPT) + count_tokens(tail) + 16  # template overhead
    blocks: list[str] = []
    for n, sentences in excerpts(question, evidence):
        block = f"[{n}] " + " ".join(sentences)
        cost = count_tokens(block) + 1
        if used + cost > budget_tokens:
            if blocks:
                break
            block, cost = _cut(block, budget_tokens - used, count_tokens)  # the best, cut to fit
        blocks.append(block)
        used += cost
    user = "Excerpts:\n" + "\n".join(blocks) + tail
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}], len(blocks)


def _cut(block: str, budget: int, count_tokens: Callable[[str], int]) -> tuple[str, int]:
    """The longest word prefix of `block` that fits `budget` tokens (at least its first
    words), and its cost."""
    words = block.split()
    lo, hi = min(8, len(words)), len(words)
    while lo < hi:  # binary search: counting tokens is cheap, but not free
        mid = (lo + hi + 1) // 2
        if count_tokens(" ".join(words[:mid])) + 1 <= budget:
            lo = mid
        else:
            hi = mid - 1
    cut = " ".join(words[:lo])
    return cut, count_tokens(cut) + 1
