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
    for word in words + vocab.asked_expansion(question):
        word = word.strip(".-")
        if word and word not in STOPWORDS and word not in terms and (len(word) > 1 or word.isdigit()):
            terms.append(word)
    return " OR ".join(f'"{t}"' for t in terms)


def instance_query(question: str) -> str:
    """FTS5 MATCH for the instances of the categories a question names ("adam" OR "sgd" ...
    for "optimizer"), or "" when it names none. Ranked on their own, these find the sentence
    that names the answer even where the question's other words are everywhere in the paper."""
    return " OR ".join(f'"{t}"' for t in vocab.asked_expansion(question))


# A phrase a paper abbreviates where it first uses it: "support vector regression (SVR)".
_DEFINED = r"\s*\(\s*([A-Z][A-Za-z0-9-]*[A-Z][A-Za-z0-9-]*?)s?\s*\)"


def _phrases(question: str) -> list[str]:
    """The runs of two to five content words in a question, longest first: what a paper may
    abbreviate ("support vector regression")."""
    runs: list[list[str]] = [[]]
    for word in re.findall(r"[A-Za-z][\w-]*|\S", question):
        if word[0].isalpha() and word.lower() not in STOPWORDS and len(word) > 1:
            runs[-1].append(word.lower())
        elif runs[-1]:
            runs.append([])
    found = {" ".join(run[i:i + n]) for run in runs for n in range(2, 6)
             for i in range(len(run) - n + 1)}
    return sorted(found, key=lambda p: -len(p.split()))


def spell_out(store: Store, question: str, papers: Sequence[str] | None) -> str:
    """The question with the abbreviations its papers define for its phrases: "the support
    vector regression forecasts" asks of "SVR models" too ("... regression (SVR) forecasts")
    in a paper that writes "support vector regression (SVR)" once and "SVR" after. A paper's
    own name is left as it is: its abbreviation is in every passage and finds none."""
    phrases = _phrases(question)
    if not phrases:
        return question
    match = " OR ".join(f'"{p}"' for p in phrases)
    rows = store.chunks_by_id([cid for cid, _ in store.fts_search(match, 20, papers)])
    spelled = question
    names = {re.split(r"\s*[:\u2013\u2014]\s*|\s+-\s+", (row["title"] or "").lower())[0].strip()
             for row in rows.values()}
    for phrase in phrases:
        if phrase in names:
            continue  # the paper's own name ("Contrastive Clustering (CC)") is everywhere in it
        said = re.escape(phrase).replace(r"\ ", r"[\s-]+")  # across a line's end too
        pattern = re.compile(said + _DEFINED, re.IGNORECASE)
        initials = "".join(w[0] for w in re.split(r"[\s-]+", phrase))
        for row in rows.values():
            m = pattern.search(row["text"])
            short = m.group(1) if m else ""
            if "".join(c for c in short if c.isupper()).lower() == initials and (
                    short.lower() not in spelled.lower()):
                if at := re.search(said, spelled, re.IGNORECASE):
                    spelled = f"{spelled[:at.end()]} ({short}){spelled[at.end():]}"
                break
    return spelled


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
