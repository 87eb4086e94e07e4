"""Hybrid retrieval: FTS5 BM25 + HNSW cosine, fused by reciprocal rank, de-duplicated, diverse."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping, Sequence

from core import vocab
from core.paths import from_db
from core.settings import RetrievalSettings
from core.store import Store
from core.text import QUERY_WORD, STOPWORDS, is_reference_list, title_boost
from core.types import Evidence
from core.vectors.index import VectorIndex


def fts_query(question: str) -> str:
    """An FTS5 MATCH expression: the question's content words (and their usual instances)."""
    terms: list[str] = []
    words = QUERY_WORD.findall(question.lower()) + vocab.named_categories(question)
    other = vocab.in_other_sense(question)  # "language model" searches no Python
    for word in list(words):
        if word.strip(".-") not in other:
            words += vocab.expansion(word.strip(".-"))
    for word in words:
        word = word.strip(".-")
        if word and word not in STOPWORDS and word not in terms and (len(word) > 1 or word.isdigit()):
            terms.append(word)
    return " OR ".join(f'"{t}"' for t in terms)


def instance_query(question: str) -> str:
    """FTS5 MATCH for the instances of the categories a question names ("adam" OR "sgd" ...
    for "optimizer"), or "" when it names none. Ranked on their own, these find the sentence
    that names the answer even where the question's other words are everywhere in the paper."""
    words = QUERY_WORD.findall(question.lower()) + vocab.named_categories(question)
    other = vocab.in_other_sense(question)
    extra = [w for word in words if word.strip(".-") not in other
             for w in vocab.expansion(word.strip(".-"))]
    return " OR ".join(f'"{t}"' for t in dict.fromkeys(extra))


def rrf(rankings: Sequence[Sequence[int]], k: int) -> dict[int, float]:
    """Reciprocal rank fusion of several best-first id lists."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, chunk_id in enumerate(ranking):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (k + rank + 1)
    return scores


def shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1))}


def near_duplicate(a: set, b: set, threshold: float = 0.6) -> bool:
    if not a or not b:
        return False
    return len(a & b) / min(len(a), len(b)) >= threshold


def diverse(
    ranked: Sequence[int], rows: Mapping[int, sqlite3.Row], k: int, max_per_page: int
) -> list[int]:
    """The first k of `ranked` that are not near-duplicates of a better one and do not show
    a page more than max_per_page times; a passage that runs onto a page not yet shown that
    often still adds a page (the answer may sit on the page it ends on)."""
    chosen: list[int] = []
    seen_shingles: list[set] = []
    per_page: dict[tuple[str, int], int] = {}
    for cid in ranked:
        row = rows[cid]
        keys = [(row["doc_id"], p) for p in range(row["page_start"], row["page_end"] + 1)]
        if all(per_page.get(key, 0) >= max_per_page for key in keys):
            continue
        sh = shingles(row["text"])
        if any(near_duplicate(sh, other) for other in seen_shingles):
            continue
        chosen.append(cid)
        seen_shingles.append(sh)
        for key in keys:
            per_page[key] = per_page.get(key, 0) + 1
        if len(chosen) == k:
            break
    return chosen


class Retriever:
    """Finds the passages that best answer a question, optionally within some papers."""

    def __init__(
        self, store: Store, index: VectorIndex | None, embedder, settings: RetrievalSettings
    ):
        self.store = store
        self.index = index
        self.embedder = embedder
        self.settings = settings

    def search(
        self, question: str, *, papers: Sequence[str] | None = None, k: int | None = None
    ) -> list[Evidence]:
        s = self.settings
        k = k or s.k
        lexical = [cid for cid, _ in self.store.fts_search(fts_query(question), s.candidates, papers)]
        rankings = [lexical]
        if instances := instance_query(question):
            rankings.append([cid for cid, _ in self.store.fts_search(instances, s.candidates, papers)])
        if self.index is not None:  # None: no paper has vectors yet (words only)
            # scoped: that scope's vectors only, searched exactly; else the whole index
            allowed = None
            if papers is not None and (allowed := self.index.labels_of(papers)) is None:
                allowed = self.store.chunk_ids(papers, embedded=True)  # no SQL when it has a record
            qvec = self.embedder.embed([question])[0]
            rankings.append([cid for cid, _ in self.index.query(qvec, s.candidates, allowed)])
        fused = rrf(rankings, s.rrf_k)
        rows = self.store.chunks_by_id(fused, ready=True)  # papers being added are not answers
        named = {w for w in QUERY_WORD.findall(question.lower()) if w not in STOPWORDS and len(w) > 2}
        for cid, row in rows.items():
            if is_reference_list(row["section"], row["text"]):
                fused[cid] *= s.reference_weight  # an older library's appendix is not one
            if papers is None:  # across the library, prefer the paper the question names
                fused[cid] *= title_boost(named, row["title"])
        # Best possible fused score: first in both lists. Scale scores into 0..1.
        top = len(rankings) / (s.rrf_k + 1)
        ranked = sorted((c for c in fused if c in rows), key=lambda c: -fused[c])
        chosen = diverse(ranked, rows, k, s.max_per_page)
        return [
            Evidence(
                chunk_id=cid,
                doc_id=rows[cid]["doc_id"],
                title=rows[cid]["title"],
                pdf_path=from_db(rows[cid]["path"]),
                page=rows[cid]["page_start"],
                page_end=rows[cid]["page_end"],
                section=rows[cid]["section"],
                text=rows[cid]["text"],
                score=round(fused[cid] / top, 4),
            )
            for cid in chosen
        ] if chosen else []
