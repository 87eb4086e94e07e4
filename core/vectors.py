"""hnswlib index on disk: one vector per chunk, labelled with the chunk id."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path

import hnswlib
import numpy as np

log = logging.getLogger(__name__)


class VectorIndex:
    """Cosine HNSW index saved atomically (temp file + rename).

    Deletions rebuild the index from the surviving vectors (no re-embedding): they are rare
    (remove, replace, recovery) and it keeps "labels in the file" == "live vectors", which is
    what the consistency check relies on. Not thread-safe: the Library serialises access.
    """

    def __init__(self, path: Path, dim: int) -> None:
        self.path = path
        self.dim = dim
        self._mtime: float | None = None
        self._index = self._load_or_create()

    def _new(self, capacity: int) -> hnswlib.Index:
        index = hnswlib.Index(space="cosine", dim=self.dim)
        index.init_index(max_elements=max(capacity, 1024), ef_construction=200, M=16)
        index.set_ef(64)
        return index

    def _load_or_create(self) -> hnswlib.Index:
        if not self.path.exists():
            self._mtime = None
            return self._new(1024)
        index = hnswlib.Index(space="cosine", dim=self.dim)
        try:
            index.load_index(str(self.path), max_elements=0)
        except (RuntimeError, ValueError, MemoryError) as exc:
            # A torn file cannot happen (atomic rename), but a user may have copied one half.
            log.warning("vector index %s unreadable (%s); starting empty", self.path, exc)
            self._mtime = None
            return self._new(1024)
        index.set_ef(64)
        self._mtime = self.path.stat().st_mtime
        return index

    def reload_if_changed(self) -> None:
        """Pick up an index another process saved since we loaded ours."""
        mtime = self.path.stat().st_mtime if self.path.exists() else None
        if mtime != self._mtime:
            self._index = self._load_or_create()

    def __len__(self) -> int:
        return self._index.get_current_count()

    def ids(self) -> set[int]:
        return set(int(i) for i in self._index.get_ids_list())

    def add(self, ids: Iterable[int], vectors: np.ndarray) -> None:
        ids = np.asarray(list(ids), dtype=np.int64)
        if len(ids) == 0:
            return
        needed = len(self) + len(ids)
        if needed > self._index.get_max_elements():
            self._index.resize_index(max(needed, 2 * self._index.get_max_elements()))
        self._index.add_items(np.asarray(vectors, dtype=np.float32), ids, num_threads=1)

    def vectors(self, ids: Iterable[int]) -> np.ndarray:
        ids = list(ids)
        if not ids:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._index.get_items(ids), dtype=np.float32)

    def delete(self, ids: Iterable[int]) -> int:
        """Drop these labels (missing ones are ignored); return how many were dropped."""
        doomed = set(ids) & self.ids()
        if not doomed:
            return 0
        keep = sorted(self.ids() - doomed)
        vectors = self.vectors(keep)
        self._index = self._new(len(keep) * 2)
        if keep:
            self._index.add_items(vectors, np.asarray(keep, dtype=np.int64), num_threads=1)
        return len(doomed)

    def query(self, vector: np.ndarray, k: int, allowed: set[int] | None = None) -> list[tuple[int, float]]:
        """(id, cosine similarity) best first, optionally restricted to `allowed` ids."""
        n = len(self)
        if n == 0 or k <= 0:
            return []
        vector = np.asarray(vector, dtype=np.float32).reshape(1, -1)
        if allowed is not None:
            allowed &= self.ids()
            if not allowed:
                return []
            if len(allowed) <= 5000:  # exact and fast enough for a scoped question
                ids = sorted(allowed)
                mat = self.vectors(ids)
                sims = mat @ vector[0] / (
                    np.linalg.norm(mat, axis=1) * np.linalg.norm(vector[0]) + 1e-12
                )
                order = np.argsort(-sims)[:k]
                return [(ids[i], float(sims[i])) for i in order]
            k = min(k, len(allowed))
            labels, dists = self._index.knn_query(vector, k=k, filter=lambda i: i in allowed)
        else:
            labels, dists = self._index.knn_query(vector, k=min(k, n))
        return [(int(i), 1.0 - float(d)) for i, d in zip(labels[0], dists[0], strict=False)]

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        self._index.save_index(str(tmp))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)
        self._mtime = self.path.stat().st_mtime
