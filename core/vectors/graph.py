"""The HNSW graph of the vector index, and its rebuild (compaction) in a background thread.

A `Graph` is hnswlib's index plus what Lantern knows about it: the live labels, the slots
marked deleted (reused by later additions), and the snapshot file it was loaded from or saved
to, whose vectors are read through a memory map (hnswlib's get_items costs ~0.25 ms a label).

A `Rebuild` builds a new graph of a graph's live vectors without its dead slots, on its own
thread, while the old graph keeps answering questions. It writes nothing: the index swaps it
in and snapshots it under the writer's control (core.vectors.index).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from pathlib import Path

import hnswlib
import numpy as np

from core.errors import IndexCorruptError
from core.types import Progress
from core.vectors import hnswfile
from core.vectors.delta import Hits, dot, top

log = logging.getLogger(__name__)

EF_SEARCH, EF_CONSTRUCTION, M = 64, 200, 16
BATCH = 2_000  # vectors a rebuild adds between progress reports (and checks for cancel)


def new_hnsw(dim: int, capacity: int) -> hnswlib.Index:
    index = hnswlib.Index(space="cosine", dim=dim)
    index.init_index(max_elements=max(int(capacity * 1.25), 1024), ef_construction=EF_CONSTRUCTION,
                     M=M, allow_replace_deleted=True)
    index.set_ef(EF_SEARCH)
    index.set_num_threads(1)  # one query at a time; adds pass num_threads themselves
    return index


class Graph:
    """hnswlib's index with its live and deleted labels and the snapshot file it matches."""

    def __init__(self, dim: int, index: hnswlib.Index | None = None, live: Iterable[int] = (),
                 dead: Iterable[int] = (), file: Path | None = None) -> None:
        self.dim = dim
        self.index = index
        self.live: set[int] = set(live)
        self.dead: set[int] = set(dead)
        self._file = file  # the snapshot file whose vectors are mapped, if it matches the graph
        self._map: tuple | None = None

    @classmethod
    def load(cls, path: Path, dim: int, deleted: Iterable[int] = ()) -> Graph:
        """The graph of a snapshot file (checked by the caller); IndexCorruptError if hnswlib
        cannot read it."""
        index = hnswlib.Index(space="cosine", dim=dim)
        try:
            index.load_index(str(path), max_elements=0, allow_replace_deleted=True)
        except (RuntimeError, ValueError, MemoryError) as exc:
            raise IndexCorruptError(f"vector index damaged: {path.name} ({exc}); "
                                    "run `lantern doctor` to rebuild it") from exc
        index.set_ef(EF_SEARCH)
        index.set_num_threads(1)
        dead = set(deleted)
        return cls(dim, index, {int(i) for i in index.get_ids_list()} - dead, dead, path)

    @property
    def slots(self) -> int:
        return len(self.live) + len(self.dead)

    @property
    def file(self) -> Path | None:
        return self._file

    @file.setter
    def file(self, path: Path | None) -> None:
        self._file, self._map = path, None

    # ------------------------------------------------------------ reading
    def mapped(self) -> tuple | None:
        """(level-0 rows, row order, sorted labels, data byte range) of the snapshot file."""
        if self._map is None and self._file is not None and self._file.exists():
            try:
                self._map = hnswfile.level0(self._file, self.dim)
            except (OSError, ValueError):
                self._map = None
        return self._map

    def locate(self, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(found, rows): which labels the mapped snapshot holds, and their rows in it."""
        if (mapped := self.mapped()) is None or len(labels) == 0:
            return np.zeros(len(labels), dtype=bool), np.zeros(0, dtype=np.int64)
        _, order, sorted_labels, _ = mapped
        pos = np.minimum(np.searchsorted(sorted_labels, labels), len(sorted_labels) - 1)
        found = sorted_labels[pos] == labels
        return found, order[pos[found]]

    def vectors(self, labels: np.ndarray) -> np.ndarray:
        """The vectors of these graph labels, in order: from the mapped snapshot, else from
        hnswlib (labels folded in since the snapshot was written)."""
        found, rows = self.locate(labels)
        if len(labels) and found.all():
            return read_rows(self._map, rows)
        out = np.empty((len(labels), self.dim), dtype=np.float32)
        if found.any():
            out[found] = read_rows(self._map, rows)
        if (~found).any():
            assert self.index is not None
            out[~found] = self.index.get_items(labels[~found].tolist(), return_type="numpy")
        return out

    def search(self, q: np.ndarray, k: int) -> Hits:
        k = min(k, len(self.live))
        if k <= 0 or self.index is None:
            return []
        self.index.set_ef(max(EF_SEARCH, k))
        try:
            labels, dists = self.index.knn_query(q.reshape(1, -1), k=k)
        except RuntimeError:  # fewer than k reachable (many deleted): search exactly
            live = np.fromiter(self.live, dtype=np.int64, count=len(self.live))
            return top(live, dot(self.vectors(live), q), k)
        return [(int(i), 1.0 - float(d)) for i, d in zip(labels[0], dists[0], strict=True)]

    # ------------------------------------------------------------ writing
    def kill(self, label: int) -> None:
        """Mark a live label deleted; a later addition may reuse its slot."""
        assert self.index is not None
        self.index.mark_deleted(label)
        self.live.discard(label)
        self.dead.add(label)

    def fold(self, labels: np.ndarray, mat: np.ndarray, threads: int) -> None:
        """Add these vectors to the graph (all cores), reusing dead slots; a label that is dead
        in the graph is updated in place, never given a second slot."""
        if not len(labels):
            return
        self.file = None  # the file no longer matches the graph
        if self.index is None:
            self.index = new_hnsw(self.dim, len(labels))
        revive = np.isin(labels, np.fromiter(self.dead, np.int64, len(self.dead)))
        needed = self.index.element_count + int((~revive).sum())
        if needed > self.index.get_max_elements():
            self.index.resize_index(max(needed, int(self.index.get_max_elements() * 1.5)))
        for label in labels[revive].tolist():
            self.index.unmark_deleted(label)
        if revive.any():
            self.index.add_items(mat[revive], labels[revive], num_threads=threads)
        if (~revive).any():
            self.index.add_items(mat[~revive], labels[~revive], num_threads=threads,
                                 replace_deleted=True)
        self.live |= set(labels.tolist())
        # a replaced dead slot's old label left the graph; hnswlib does not say which
        self.dead = {int(i) for i in self.index.get_ids_list()} - self.live


def read_rows(mapped: tuple | None, rows: np.ndarray) -> np.ndarray:
    """The vectors of these rows of a mapped snapshot (safe from any thread: the file is never
    modified once written, and the map outlives its deletion)."""
    assert mapped is not None
    level0, _, _, (lo, hi) = mapped
    return level0[rows, lo:hi].view("<f4")  # fancy indexing already copied the rows


class Rebuild:
    """A new graph of `source`'s live vectors, built on a background thread.

    Progress is polled (`progress()`), so a window or a command line can show it from its own
    thread. The vectors are read from the source's snapshot file (never changed once written)
    or copied up front, so the source graph stays free for questions and deletions meanwhile.
    """

    def __init__(self, source: Graph, threads: int) -> None:
        self.dim = source.dim
        self.labels = np.asarray(sorted(source.live), dtype=np.int64)
        self.threads = threads
        self.graph: Graph | None = None  # the result, once built
        self.error: BaseException | None = None
        self._done = 0
        found, self._rows = source.locate(self.labels)
        self._found, self._map = found, source.mapped()
        # vectors the file does not hold: read now, on the writer's thread (usually none)
        self._extra = source.vectors(self.labels[~found]) if (~found).any() else None
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lantern-compact", daemon=True)
        self._thread.start()

    def progress(self) -> tuple[int, int]:
        """(vectors added, vectors to add)."""
        return self._done, len(self.labels)

    def finished(self) -> bool:
        return not self._thread.is_alive()

    def _batches(self) -> Iterable[tuple[np.ndarray, np.ndarray]]:
        mapped = self.labels[self._found]
        for start in range(0, len(mapped), BATCH):
            yield mapped[start : start + BATCH], read_rows(self._map, self._rows[start : start + BATCH])
        if self._extra is not None:
            extra = self.labels[~self._found]
            for start in range(0, len(extra), BATCH):
                yield extra[start : start + BATCH], self._extra[start : start + BATCH]

    def _run(self) -> None:
        try:
            index = new_hnsw(self.dim, len(self.labels))
            for labels, vecs in self._batches():
                if self._cancel.is_set():
                    return
                self.add(index, labels, vecs)
                self._done += len(labels)
            self.graph = Graph(self.dim, index, self.labels.tolist())
        except BaseException as exc:  # reported to the writer, who keeps the old graph
            self.error = exc

    def add(self, index: hnswlib.Index, labels: np.ndarray, vecs: np.ndarray) -> None:
        """One batch into the new graph (a method, so tests can hold a rebuild mid-way)."""
        index.add_items(vecs, labels, num_threads=self.threads)

    def wait(self, progress: Progress | None = None, poll: float = 0.2) -> Graph | None:
        """Block until built, reporting progress from this thread; the graph, or None if the
        rebuild was cancelled or failed (the error is logged)."""
        while not self.finished():
            if progress:
                progress(*self.progress())
            self._thread.join(poll)
        if progress and self.graph is not None:
            progress(*self.progress())
        if self.error is not None:
            log.warning("rebuilding the vector index failed: %r", self.error)
        return self.graph

    def cancel(self) -> None:
        """Stop after the batch being added; nothing was written, so nothing is lost."""
        self._cancel.set()
        self._thread.join()
