"""Asking a library: retrieve evidence, stream the chat model's draft, check it against the
evidence (core.answer.generate_grounded), and keep the conversation's history."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
import uuid
from collections.abc import Generator as Stream
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from core.answer import UNANSWERED, Grounded, generate_grounded
from core.answer.meaning import embedder_similarity
from core.errors import QuestionTooLongError, SettingsError
from core.retrieve import Retriever, spell_out
from core.serialize import answer_from_dict, answer_to_dict
from core.types import (
    Answer,
    AnswerDone,
    AnswerEvent,
    Conversation,
    Evidence,
    Retrieved,
    Timings,
    Token,
)

if TYPE_CHECKING:
    from core.parts import Parts

MAX_K = 50  # RetrievalSettings.k's upper bound
# A question is a sentence or a paragraph; 2,000 characters (~500 tokens) leave the context
# window to the evidence. Longer text (a pasted page) overflowed llama.cpp's window.
MAX_QUESTION_CHARS = 2000


class Asker:
    """Questions to one library's papers and their answers' history, over the library's parts:
    its lock lets one search or generation at a time touch the index and the model, and its
    settings are the library's current ones (they are replaced as a whole)."""

    def __init__(self, parts: Parts) -> None:
        from core.query_embed import query_embedder

        # questions (and the answer's sentences) embedded without torch when the model allows
        self.store, self.index = parts.store, parts.index
        self.embedder = query_embedder(parts.settings().embedding, parts.embedder)
        self.catalog, self.chat, self.settings = parts.catalog, parts.chat, parts.settings
        self._lock = parts.lock
        self.read_only = parts.read_only

    def search(
        self, question: str, *, papers: Sequence[str] | None = None, k: int | None = None
    ) -> list[Evidence]:
        """The passages that best answer a question (hybrid retrieval), best first, from the
        papers given or else from "All papers" (the user's own, once there are any)."""
        if k is not None and not 1 <= k <= MAX_K:
            raise SettingsError(f"passages to retrieve must be from 1 to {MAX_K}, not {k}")
        scope = self.catalog.search_scope(papers)
        with self._lock:
            if not self.store.has_papers():
                return []
            retriever = Retriever(self.store, self.index.for_search(), self.embedder,
                                  self.settings().retrieval)
            return retriever.search(question, papers=scope, k=k)

    def spelled_out(self, question: str, papers: Sequence[str] | None) -> str:
        """The question with the abbreviations its papers define for its phrases
        (retrieve.spell_out): a paper that says "SVR" after its first page is asked of "SVR"."""
        scope = self.catalog.search_scope(papers)
        with self._lock:
            return spell_out(self.store, question, scope) if self.store.has_papers() else question

    def keyword_only(self, papers: Sequence[str] | None) -> int:
        """How many papers of a question's scope were searched by their words only (their
        vectors are not computed yet: added without waiting, or being embedded)."""
        with self._lock:
            return len(self.index.unindexed(self.catalog.search_scope(papers)))

    def ask(
        self, question: str, *, papers: Sequence[str] | None = None, k: int | None = None,
        use_llm: bool = True, auto_scope: bool = True, cancel: threading.Event | None = None,
        conversation_id: str | None = None,
    ) -> Iterator[AnswerEvent]:
        """Retrieve evidence, stream the model's draft, then check it against the evidence.

        Without `papers`, a question that names a paper is asked of that paper (`auto_scope`;
        Retrieved and Answer say so), else of "All papers" (Catalog.scope). The answer is
        saved to the conversation `conversation_id` when one is given.
        """
        if len(question) > MAX_QUESTION_CHARS:
            raise QuestionTooLongError(
                f"the question is too long ({len(question):,} characters; the limit is "
                f"{MAX_QUESTION_CHARS:,}): ask about one thing at a time")
        t0 = time.perf_counter()
        scope, named = self.catalog.scope(question, papers, auto_scope=auto_scope)
        asked = self.spelled_out(question, scope)  # "support vector regression (SVR)"
        evidence = tuple(self.search(asked, papers=scope, k=k))
        keyword_only = self.keyword_only(scope)
        t_retrieve = time.perf_counter() - t0
        yield Retrieved(evidence, t_retrieve, named, keyword_only)
        first_token = None
        if not use_llm:
            g = Grounded("", False, (), (), "evidence")
        else:
            stream = self.generate(asked, evidence, cancel=cancel)
            while True:
                try:
                    text = next(stream)
                except StopIteration as done:
                    g = done.value
                    break
                if first_token is None:
                    first_token = time.perf_counter() - t0
                yield Token(text)
        citations = tuple(  # quotes from recognised pages are labelled "OCR text"
            dataclasses.replace(c, ocr=c.page in self.store.ocr_pages(c.doc_id))
            for c in g.citations
        )
        text = g.text
        if g.abstained and named and use_llm:  # one named paper, one source: say which
            text = f"Not reported in {named}."
        answer = Answer(
            question=question, answer=text, abstained=g.abstained, citations=citations,
            evidence=evidence, sentences=g.sentences,
            model=self.chat.generator.name if use_llm and evidence else None,
            timings=Timings(t_retrieve, first_token, time.perf_counter() - t0, g.prompt_tokens,
                            g.completion_tokens, g.judge_s),
            mode=g.mode, draft=g.draft, auto_scope=named, keyword_only=keyword_only,
            judged=g.judged, judge=g.judge or None,
        )
        if conversation_id and not self.read_only:
            self.store.save_turn(conversation_id, json.dumps(answer_to_dict(answer)), question)
        yield AnswerDone(answer)

    def generate(
        self, question: str, evidence: Sequence[Evidence], *, max_tokens: int | None = None,
        cancel: threading.Event | None = None, close: bool = True,
    ) -> Stream[str, None, Grounded]:
        """Stream the model's draft answer from `evidence`, then return it checked
        (answer.generate_grounded), judged by the model ChatModel.judging names, if any. One
        generation at a time per library. `close`: see answer.finding."""
        if not evidence:
            return UNANSWERED  # no model to load
        with self._lock:
            return (yield from generate_grounded(
                question, evidence, self.chat.generator, self.settings().llm,
                self.store.page_text, max_tokens=max_tokens, cancel=cancel,
                similarity=embedder_similarity(self.embedder), judging=self.chat.judging(),
                close=close,
            ))

    # ------------------------------------------------------------ history
    @staticmethod
    def new_conversation_id() -> str:
        return uuid.uuid4().hex[:12]

    def conversations(self) -> list[Conversation]:
        return [Conversation(r["id"], r["title"], r["created_at"], r["turns"])
                for r in self.store.conversations()]

    def conversation(self, conversation_id: str) -> list[Answer]:
        return [answer_from_dict(json.loads(t)) for t in self.store.turns(conversation_id)]

    def delete_conversation(self, conversation_id: str) -> None:
        self.store.delete_conversation(conversation_id)
