"""The prompt a small model answers from, and the citation markers it writes back."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from core.types import Evidence

SYSTEM_PROMPT = (
    "You answer questions about scientific papers using only the numbered passages given. "
    "Answer in one to three short sentences. After each claim write the number of the passage "
    "it comes from in brackets, like [1]. Copy names and numbers exactly as written. "
    "If the passages do not state the answer, reply exactly: NOT REPORTED"
)

_CITE = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")


def format_passage(n: int, e: Evidence) -> str:
    pages = f"p. {e.page}" if e.page == e.page_end else f"pp. {e.page}-{e.page_end}"
    return f"[{n}] {e.title[:80]}, {pages}, {e.section}:\n{e.text.strip()}"


def build_messages(
    question: str,
    evidence: Sequence[Evidence],
    *,
    budget_tokens: int,
    count_tokens: Callable[[str], int],
) -> tuple[list[dict[str, str]], int]:
    """Chat messages holding as many passages (best first) as fit the token budget.

    Returns the messages and how many passages went in; passage n in the prompt is
    evidence[n-1], so citations map back without renumbering.
    """
    tail = f"\n\nQuestion: {question}\nAnswer (cite passages like [1]):"
    used = count_tokens(SYSTEM_PROMPT) + count_tokens(tail) + 16  # template overhead
    blocks: list[str] = []
    for n, e in enumerate(evidence, start=1):
        block = format_passage(n, e)
        cost = count_tokens(block) + 2
        if used + cost > budget_tokens and blocks:
            break
        blocks.append(block)
        used += cost
    user = "Passages:\n\n" + "\n\n".join(blocks) + tail
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}], len(blocks)


def cites_of(sentence: str) -> tuple[int, ...]:
    """The passage numbers a sentence cites, in order, each once."""
    found: list[int] = []
    for group in _CITE.findall(sentence):
        for n in re.split(r"[,;]", group):
            if (v := int(n)) not in found:
                found.append(v)
    return tuple(found)


def strip_cites(sentence: str) -> str:
    """The sentence without its citation markers."""
    return re.sub(r"\s+([.,;:!?])", r"\1", _CITE.sub("", sentence)).strip()
