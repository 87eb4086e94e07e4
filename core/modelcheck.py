"""`lantern models --check`: load each model the way Lantern uses it and try it once.

The bundle's tests run this offline (tests/dist): a package whose data files or hidden imports
PyInstaller missed fails here, by name, instead of on the user's first dropped PDF. It also
checks that a question's vector (core.query_embed, numpy) equals a paper's (sentence-
transformers), since the index is searched with one and built with the other.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.settings import Settings

if TYPE_CHECKING:
    import numpy as np

SAMPLE = "We trained the classifier on a single NVIDIA RTX 3090 GPU with the Adam optimizer."
TOLERANCE = 1e-5  # largest difference allowed between the two embedding paths


@dataclass(frozen=True)
class ModelCheck:
    what: str
    ok: bool
    detail: str  # what was done and how long it took, or what went wrong

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'} {self.what}: {self.detail}"


def _timed(what: str, run: Callable[[], str]) -> ModelCheck:
    start = time.perf_counter()
    try:
        detail = run()
    except Exception as exc:  # the point is to name any failure, whatever raised it
        return ModelCheck(what, False, f"{type(exc).__name__}: {exc}")
    return ModelCheck(what, True, f"{detail} ({time.perf_counter() - start:.1f} s)")


def check_models(settings: Settings) -> list[ModelCheck]:
    """Embed a sentence on both paths and compare them; load the chat model and let it write a
    few tokens (or, with a lab server configured, name it without calling it); load the judge
    model, when there is one, and let it judge the sample sentence."""
    from core.embed import SentenceTransformerEmbedder
    from core.query_embed import query_embedder

    papers = SentenceTransformerEmbedder(settings.embedding)
    vectors: dict[str, np.ndarray] = {}

    def embed_papers() -> str:
        vectors["papers"] = papers.embed([SAMPLE])[0]
        return f"{settings.embedding.model} via sentence-transformers, {len(vectors['papers'])} dims"

    def embed_question() -> str:
        import numpy as np

        question = query_embedder(settings.embedding, papers)
        vectors["question"] = question.embed([SAMPLE])[0]
        diff = float(np.abs(vectors["question"] - vectors["papers"]).max())
        if diff > TOLERANCE:
            raise ValueError(f"differs from the papers' vector by {diff:.2e} (> {TOLERANCE})")
        return f"{type(question).__name__}, equal to the papers' vector within {diff:.1e}"

    checks = [_timed("embedding (papers)", embed_papers)]
    if checks[0].ok:
        checks.append(_timed("embedding (questions)", embed_question))
    checks.append(_timed("chat model", lambda: _chat(settings)))
    from core.chat_models import judge_gguf

    try:
        has_judge = judge_gguf(settings) is not None
    except Exception as exc:  # a configured judge model that is not there
        return [*checks, ModelCheck("judge model", False, str(exc))]
    if has_judge:
        checks.append(_timed("judge model", lambda: _judge(settings)))
    return checks


def _chat(settings: Settings) -> str:
    if settings.remote.enabled:
        return f"lab server {settings.remote.url} (not called: --check stays offline)"
    from core.chat_models import default_gguf
    from core.llm import LlamaGenerator

    path = default_gguf(settings)
    chat = LlamaGenerator(path, settings.llm)
    try:
        text = "".join(chat.stream_chat([{"role": "user", "content": "Say OK."}], max_tokens=4,
                                        temperature=0.0))
    finally:
        chat.close()
    return f"{path.name} wrote {text.strip()!r}"


def _judge(settings: Settings) -> str:
    from core.answer.judge import accepts
    from core.chat_models import judge_generator

    judge = judge_generator(settings)
    assert judge is not None  # check_models asks only when there is one
    try:
        said = accepts(judge, "Which GPU was the classifier trained on?", SAMPLE)
    finally:
        judge.close()
    if not said:
        raise ValueError(f"{judge.name} did not accept a sentence that names the GPU asked for")
    return f"{judge.name} judged a sentence (YES)"
