"""The one grounded-generation path: the model drafts an answer from numbered passages, then
every sentence is checked against them (grounding.ground). Library.ask and extraction both
come through here."""

from __future__ import annotations

import threading
from collections.abc import Generator as Gen
from collections.abc import Iterator, Sequence

from core.answer.grounding import UNANSWERED, Grounded, PageText, ground
from core.answer.prompt import build_messages
from core.llm import Generator
from core.settings import LLMSettings
from core.types import Evidence


def prompt_budget(gen: Generator, llm: LLMSettings) -> int:
    """Tokens the prompt may use: what the context leaves after the answer, capped for speed."""
    n_ctx = getattr(gen, "n_ctx", llm.n_ctx)
    return max(256, min(n_ctx - llm.max_tokens - 64, llm.max_prompt_tokens))


def draft(
    gen: Generator,
    llm: LLMSettings,
    question: str,
    evidence: Sequence[Evidence],
    *,
    max_tokens: int | None = None,
    cancel: threading.Event | None = None,
) -> Iterator[str]:
    """Stream the model's unchecked answer to `question` from `evidence`; stops soon after
    `cancel` is set."""
    messages, _ = build_messages(
        question, evidence, budget_tokens=prompt_budget(gen, llm), count_tokens=gen.count_tokens
    )
    for text in gen.stream_chat(
        messages, max_tokens=max_tokens or llm.max_tokens, temperature=llm.temperature
    ):
        yield text
        if cancel is not None and cancel.is_set():
            return


def generate_grounded(
    question: str,
    evidence: Sequence[Evidence],
    gen: Generator,
    llm: LLMSettings,
    page_text: PageText,
    *,
    max_tokens: int | None = None,
    cancel: threading.Event | None = None,
) -> Gen[str, None, Grounded]:
    """Yield the draft's tokens as the model writes them; return the checked answer.

    Without evidence the model is not asked: the answer is NOT_REPORTED. All evidence is
    numbered as in the prompt, so sentences may be checked against (and quoted from) passages
    beyond those the prompt had room for. A cancelled draft is checked as far as it got.
    """
    if not evidence:
        return UNANSWERED
    parts: list[str] = []
    for text in draft(gen, llm, question, evidence, max_tokens=max_tokens, cancel=cancel):
        parts.append(text)
        yield text
    return ground("".join(parts).strip(), evidence, page_text, question)
