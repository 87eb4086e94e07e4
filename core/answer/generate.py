"""The one grounded-generation path: the model drafts an answer from numbered passages, then
every sentence is checked against them (grounding.ground). Library.ask and extraction both
come through here."""

from __future__ import annotations

import threading
import time
from collections.abc import Generator as Gen
from collections.abc import Iterator, Sequence
from dataclasses import replace

from core.answer.grounding import UNANSWERED, Grounded, PageText, ground
from core.answer.judge import judged
from core.answer.meaning import Similarity
from core.answer.prompt import build_messages
from core.llm import Generator
from core.settings import LLMSettings
from core.types import Evidence


def prompt_budget(gen: Generator, llm: LLMSettings) -> int:
    """Tokens the prompt may use: what the context leaves after the answer, capped for speed."""
    n_ctx = getattr(gen, "n_ctx", llm.n_ctx)
    return max(128, min(n_ctx - llm.max_tokens - 64, llm.max_prompt_tokens))


def draft(
    gen: Generator,
    llm: LLMSettings,
    question: str,
    evidence: Sequence[Evidence],
    *,
    max_tokens: int | None = None,
    cancel: threading.Event | None = None,
    usage: dict[str, int] | None = None,
) -> Iterator[str]:
    """Stream the model's unchecked answer to `question` from `evidence`; stops at the end of
    the answer (NOT REPORTED, a blank line) and soon after `cancel` is set. `usage` receives
    prompt_tokens and completion_tokens (each streamed piece is one token)."""
    messages, _ = build_messages(
        question, evidence, budget_tokens=prompt_budget(gen, llm), count_tokens=gen.count_tokens
    )
    counts = usage if usage is not None else {}
    counts["prompt_tokens"] = sum(gen.count_tokens(m["content"]) for m in messages)
    counts["completion_tokens"] = 0
    written = ""
    for text in gen.stream_chat(
        messages, max_tokens=max_tokens or llm.max_tokens, temperature=llm.temperature
    ):
        written += text
        counts["completion_tokens"] += 1
        yield text
        if (cancel is not None and cancel.is_set()) or answer_ended(written):
            return


def answer_ended(text: str) -> bool:
    """The draft has said all it will: NOT REPORTED, or a blank line after the answer (what
    follows is a small model starting over: another question, a list of excerpts)."""
    head = text.lstrip()
    return head.upper().startswith("NOT REPORTED") or "\n\n" in head.rstrip(" ")


def generate_grounded(
    question: str,
    evidence: Sequence[Evidence],
    gen: Generator,
    llm: LLMSettings,
    page_text: PageText,
    *,
    max_tokens: int | None = None,
    cancel: threading.Event | None = None,
    similarity: Similarity | None = None,
    judging: Generator | None = None,
    close: bool = True,
) -> Gen[str, None, Grounded]:
    """Yield the draft's tokens as the model writes them; return the checked answer, with the
    draft and the token counts.

    `judging`, the model that judges (ChatModel.judging: the chat model itself, or the judge
    model for a small one), then judges whether the answer shown states what was asked
    (judge.judged): after the last token, so the first is not delayed. `close`: the finding
    also shows the sentences that rank close to its best (finding.finding).

    Without evidence the model is not asked: the answer is NOT_REPORTED. All evidence is
    numbered as in the prompt, so sentences may be checked against (and quoted from) passages
    beyond those the prompt had room for. A cancelled draft is checked as far as it got.
    """
    if not evidence:
        return UNANSWERED
    parts: list[str] = []
    usage: dict[str, int] = {}
    for text in draft(gen, llm, question, evidence, max_tokens=max_tokens, cancel=cancel,
                      usage=usage):
        parts.append(text)
        yield text
    written = "".join(parts).strip()
    g = ground(written, evidence, page_text, question, similarity, close=close)
    if judging is not None and not g.abstained and not (cancel is not None and cancel.is_set()):
        t0 = time.perf_counter()
        # the answer without the sentences that rank close to its best: built (its finding
        # embeds its candidates again) only if the judge rejects the answer with them
        def alone() -> Grounded:
            return ground(written, evidence, page_text, question, similarity, close=False)

        g = judged(question, g, evidence, judging, page_text, similarity,
                   alone if close else None)
        g = replace(g, judge_s=time.perf_counter() - t0, judge=judging.name)
    return replace(g, draft=written, prompt_tokens=usage.get("prompt_tokens"),
                   completion_tokens=usage.get("completion_tokens"))
