"""Candidate sentences scored by meaning as well as words: the embedding model retrieval
already loaded (all-MiniLM-L6-v2) compares each candidate sentence with the question.

Lexical signals find sentences that share the question's words; a sentence that shares them
and says something else ("a learning-rate schedule" for "which dropout and weight decay")
ranks as high as the answer. The cosine of question and sentence tells them apart, at the
cost of embedding a few dozen short sentences per question (bench/answers.py measures it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.embed import Embedder

# question, candidate sentences -> the cosine of each sentence with the question
Similarity = Callable[[str, Sequence[str]], list[float]]

# How many of the lexically best candidates are embedded (the rest keep their lexical score,
# which already ranks them below), and how much a cosine of 1 adds to a lexical score (its
# sum of the question's distinctive words, ~1-4). Chosen on cq_dev.jsonl: 8 candidates gave
# every one of its 65 answers that 24 gave, at a third of the cost (about 40 ms a sentence on
# one core, after the draft: bench/README.md, issue 21).
MAX_CANDIDATES = 8
WEIGHT = 2.0
# A candidate is compared by its first 40 words: a sentence states its point early, and a
# table or a run-on read as one "sentence" (up to 256 word pieces) would cost as much as ten.
# On cq_dev.jsonl 40 words gave the same 65 answers as whole sentences; the first 32 word
# pieces (about 24 words) lost one (RoBERTa's "... a larger byte-level BPE vocabulary").
HEAD_WORDS = 40


def embedder_similarity(embedder: Embedder) -> Similarity:
    """A Similarity from an Embedder (its vectors are L2-normalised: a dot is the cosine). It
    keeps the cosines it computed: one answer ranks the same sentences several times (its
    finding, the answer without the close sentences, the judge's candidates), and each is
    embedded once."""
    known: dict[tuple[str, str], float] = {}

    def similarity(question: str, sentences: Sequence[str]) -> list[float]:
        heads = [" ".join(s.split()[:HEAD_WORDS]) for s in sentences]
        todo = list(dict.fromkeys(h for h in heads if (question, h) not in known))
        if todo:
            asked = embedder.embed([question])[0]  # embedded already for retrieval: kept
            vectors = getattr(embedder, "embed_batch", embedder.embed)(todo)  # the numpy pass's
            known.update({(question, h): float(x) for h, x in zip(todo, vectors @ asked,
                                                                   strict=True)})
        return [known[(question, h)] for h in heads]

    return similarity


def rescore(
    question: str, found: list[tuple[float, int, str]], similarity: Similarity | None
) -> list[tuple[float, int, str]]:
    """(score, passage, sentence) best first, the best MAX_CANDIDATES rescored with WEIGHT x
    their cosine to the question."""
    ranked = sorted(found, key=lambda f: -f[0])
    if similarity is None or len(ranked) < 2:
        return ranked
    head, rest = ranked[:MAX_CANDIDATES], ranked[MAX_CANDIDATES:]
    cosines = similarity(question, [s for _, _, s in head])
    head = [(score + WEIGHT * c, n, s) for (score, n, s), c in zip(head, cosines, strict=True)]
    return sorted(head, key=lambda f: -f[0]) + rest
