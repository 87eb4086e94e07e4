"""The vector index in memory: the HNSW graph of the last snapshot (core.vectors.graph) and the
delta of vectors added since (core.vectors.delta), searched together, and how a journal record
changes them. core.vectors.index.VectorIndex adds the files: journal, snapshots, compaction.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from core.vectors import journal as vlog
from core.vectors.delta import Delta, Hits, dot, merge, top
from core.vectors.graph import Graph

EXACT_MAX = 20_000  # a scope up to this many vectors is searched exactly (a few ms)


class VectorSet:
    """Cosine vectors by integer label: a graph plus an exact delta, and the papers they hold."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.graph = Graph(dim)
        self.delta = Delta(dim)  # vectors added since the snapshot
        self.papers: dict[str, list] = {}  # doc_id -> [lowest label, highest label, path]

    def __len__(self) -> int:
        return len(self.graph.live) + len(self.delta)

    def ids(self) -> set[int]:
        """Every live label (O(n): for checks, not for questions)."""
        return self.graph.live | set(self.delta.vecs)

    def has(self, label: int) -> bool:
        return label in self.delta or label in self.graph.live

    @property
    def slots(self) -> int:
        return self.graph.slots

    def vectors(self, ids: Iterable[int]) -> np.ndarray:
        """The stored (unit-length) vectors of these live labels, in order."""
        labels = np.fromiter(ids, dtype=np.int64)
        delta = self.delta.vecs
        in_delta = np.fromiter(map(delta.__contains__, labels.tolist()), bool, len(labels))
        if not in_delta.any():
            return self.graph.vectors(labels)
        out = np.empty((len(labels), self.dim), dtype=np.float32)
        out[in_delta] = np.stack([delta[i] for i in labels[in_delta].tolist()])
        if not in_delta.all():
            out[~in_delta] = self.graph.vectors(labels[~in_delta])
        return out

    def query(self, vector: np.ndarray, k: int, allowed: Iterable[int] | None = None) -> Hits:
        """(label, cosine similarity) best first; `allowed`: only these labels (a scope)."""
        if k <= 0 or len(self) == 0:
            return []
        q = np.asarray(vector, dtype=np.float32).reshape(-1)
        q = q / (np.linalg.norm(q) or 1.0)
        if allowed is not None:
            live, delta = self.graph.live, self.delta.vecs
            scope = [i for i in allowed if i in delta or i in live]
            if len(scope) <= EXACT_MAX:
                return top(np.asarray(scope, dtype=np.int64), dot(self.vectors(scope), q), k)
            return self._scoped_graph(q, k, set(scope))
        return merge(self.graph.search(q, k), self.delta.search(q, k), k)

    def _scoped_graph(self, q: np.ndarray, k: int, scope: set[int]) -> Hits:
        """A scope too large to search exactly is a large share of the library: over-fetch
        from the graph in proportion and keep the hits inside the scope (no Python filter
        callback inside hnswlib, which costs ~400x), widening until k are found."""
        want = k * max(2, int(2 * len(self) / len(scope)))
        while True:
            hits = merge(self.graph.search(q, want), self.delta.search(q, want), want)
            inside = [h for h in hits if h[0] in scope]
            if len(inside) >= k or want >= len(self):
                return inside[:k]
            want *= 4

    def labels_of(self, doc_ids: Iterable[str]) -> list[int] | None:
        """Candidate labels of these papers' vectors, read from the record of papers (each
        paper's chunk ids are one range; `query` skips the ids in it that have no vector);
        None when a paper has no record (an index from before the journal)."""
        out: list[int] = []
        for doc_id in doc_ids:
            if (record := self.papers.get(doc_id)) is None:
                return None
            out.extend(range(record[0], record[1] + 1))
        return out

    # ------------------------------------------------------------ changes
    def _apply(self, r: vlog.Record) -> None:
        """A journal record's effect in memory (the same on first write and on replay)."""
        if r.kind == vlog.ADD:
            assert r.vectors is not None
            for label, vec in zip(r.labels.tolist(), r.vectors, strict=True):
                if label in self.graph.live:  # a new vector for a label in the graph: shadow it
                    self.graph.kill(label)
                self.delta.put(label, vec)
            if r.doc_id:
                self.papers[r.doc_id] = vlog.label_range(r)
        else:
            for label in r.labels.tolist():
                if not self.delta.pop(label) and label in self.graph.live:
                    self.graph.kill(label)
            for doc_id in r.forget:
                self.papers.pop(doc_id, None)

