"""The verified finding: the sentence or few of one paper that answer a question, chosen from
the evidence without the model (focus.ranked_sentences ranks them).

A question often asks for more than one thing: several categories ("framework, optimizer and
hardware"), several values, or two questions in one ("How are PDFs converted into inputs, and
how are the features normalized?"). The finding then holds, after the best sentence, the best
sentences of the same paper that give what it does not, and the sentence right after one of
them when that one goes on about the same thing ("It consists of 1.4M PDFs ..."). A paper may
also state one answer over two sentences ("We filtered the survey data to remove ... . We
performed this cleaning using the R package MATSS."): the next sentence comes along when it
ranks among the next best answers itself. And when the next best sentences score almost as
well as the best one (CLOSE), the ranking cannot tell which of them answers ("95.5M paper
clusters are filtered out based on the aforementioned criteria" and "We further filter paper
clusters to remove papers with (i) no title, ..."): the reader is shown them too, each quoted,
rather than the one that happened to score a little higher.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.answer.focus import (
    Focus,
    question_terms,
    ranked_sentences,
    singular,
    without_examples,
)
from core.answer.meaning import Similarity
from core.text import TOKEN, passage_sentences, stem
from core.types import Evidence

# Where a question's second question starts: "..., and how were the labels obtained?"
_SECOND = re.compile(
    r",?\s+and\s+(?=(?:how|what|which|where|when|who|whether|with which|on what|in what|"
    r"from what|if so)\b)|[;?]\s+(?=[a-z])",
    re.IGNORECASE,
)
# A sentence that goes on about the one before it: "It consists of ...", "These were ..."
_GOES_ON = re.compile(r"^(?:it|this|these|they|its|their|such|each of them|both)\b", re.IGNORECASE)
MAX_SENTENCES = 3
# A sentence that ranks within this share of the best one's score is shown beside it: the
# ranking cannot tell the two apart, so the reader is shown both rather than a bet on one.
CLOSE = 0.8


def clauses(question: str) -> tuple[frozenset[str], ...]:
    """The stems only each of a question's questions holds, when it asks two or more ("On
    what data was X trained, and how were the labels obtained?"); else ()."""
    asked = set(question_terms(question))
    parts = [{_stem(t) for t in TOKEN.findall(p) if stem(t) in asked}
             for p in _SECOND.split(without_examples(question)) if p.strip()]
    if len(parts) < 2:
        return ()
    own = []
    for i, terms in enumerate(parts):
        others = {t for j, p in enumerate(parts) if j != i for t in p}
        own.append(frozenset(t for t in terms if t not in others))
    return tuple(own) if all(own) else ()


def _gives(focus: Focus, split: tuple[frozenset[str], ...], sentence: str) -> frozenset[int]:
    """What of the question a sentence gives: focus.parts, then which of its questions."""
    stems = {_stem(w) for w in TOKEN.findall(sentence)}
    return focus.parts(sentence) | {  # most of a question's own words, "inputs" is not enough
        focus.asked + i for i, own in enumerate(split) if 2 * len(own & stems) >= len(own)}


def _stem(word: str) -> str:
    """A stem that takes plurals as their singular: "tests" answers "test data"."""
    return stem(singular(word.lower()))


def _next_sentence(e: Evidence, sentence: str) -> str | None:
    sentences = passage_sentences(e.text)
    if sentence in sentences and (i := sentences.index(sentence)) + 1 < len(sentences):
        return sentences[i + 1]
    return None


def finding(
    question: str, evidence: Sequence[Evidence], similarity: Similarity | None = None, *,
    close: bool = True,
) -> list[tuple[int, str]]:
    """The sentence or few of one paper that answer the question: the best one; right after
    it the next sentence of its passage when that one is among the next best answers too (a
    paper that states the answer over two sentences); when the question asks several things,
    the best sentences of the same paper that give what the ones before do not, and the
    sentence after one of them that goes on about it; then (`close`) the next best sentences of
    the same paper that score within CLOSE of the best. At most MAX_SENTENCES."""
    ranked = ranked_sentences(question, evidence, strict=True, similarity=similarity)
    if not ranked:
        return []
    _, n, first = ranked[0]
    focus = Focus.of(question, evidence)
    split = clauses(question)
    out = [(n, first)]
    if focus.asked + len(split) <= 1:
        after = _next_sentence(evidence[n - 1], first)
        if after and any(after == s for _, _, s in ranked[1:3]):
            out.append((n, after))
        return _with_close(out, ranked, evidence) if close else out
    wanted = frozenset(range(focus.asked + len(split)))
    have = _gives(focus, split, first)
    for _, m, sentence in ranked[1:]:
        if len(out) >= MAX_SENTENCES or have >= wanted:
            break
        if evidence[m - 1].doc_id == evidence[n - 1].doc_id and (new := _gives(
                focus, split, sentence) - have):
            out.append((m, sentence))
            have |= new
    for m, sentence in list(out):
        after = _next_sentence(evidence[m - 1], sentence)
        if (len(out) < MAX_SENTENCES and after and _GOES_ON.match(after)
                and all(after != s for _, s in out) and focus.expected.held_by(after)):
            out.insert(out.index((m, sentence)) + 1, (m, after))
    return _with_close(out, ranked, evidence) if close else out


def _with_close(
    out: list[tuple[int, str]], ranked: list[tuple[float, int, str]], evidence: Sequence[Evidence]
) -> list[tuple[int, str]]:
    """The finding, and after it the next best sentences of the same paper whose score comes
    within CLOSE of the best one's: candidates the ranking cannot tell apart."""
    top, n, _ = ranked[0]
    if top <= 0:
        return out
    for score, m, sentence in ranked[1:3]:
        if len(out) >= MAX_SENTENCES or score < CLOSE * top:
            break
        if evidence[m - 1].doc_id == evidence[n - 1].doc_id and all(sentence != s for _, s in out):
            out.append((m, sentence))
    return out
