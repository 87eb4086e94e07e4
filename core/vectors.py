"""hnswlib index on disk: one vector per chunk, labelled with the chunk id.

A snapshot (hnswlib's file, checksummed in a manifest) plus a journal of the vectors added and
deleted since (core.vectorlog). Adding or removing a paper appends one record to the journal
and fsyncs it: cost in proportion to the paper, not the library. Vectors in the journal are
held in a small flat "delta" that is searched exactly next to the HNSW graph, so opening the
index (a reader, or recovery after kill -9) only reads the journal, never rebuilds a graph.
A checkpoint folds the delta into the graph (all cores), writes a new snapshot and starts an
empty journal. Deleting marks slots (hnswlib's mark_deleted), which later additions reuse
(allow_replace_deleted); compaction rebuilds the graph when more than 30% of slots are dead.

Not thread-safe: the Library serialises access. Only the process holding the library's write
lock may call the methods that write (add, delete, save, checkpoint, compact).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

import hnswlib
import numpy as np
import numpy.typing as npt

from core import hnswfile
from core import vectorlog as vlog
from core.errors import DiskFullError, IndexCorruptError, ModelError

log = logging.getLogger(__name__)

EF_SEARCH, EF_CONSTRUCTION, M = 64, 200, 16
EXACT_MAX = 20_000  # a scope up to this many vectors is searched exactly (a few ms)
COMPACT_AT = 0.30  # rebuild the graph when this share of its slots is deleted

Progress = Callable[[int, int], None]

try:  # shipped with scikit-learn, which sentence-transformers requires
    from threadpoolctl import ThreadpoolController

    _BLAS: ThreadpoolController | None = ThreadpoolController()
except ImportError:  # pragma: no cover
    _BLAS = None


def _dot(mat: np.ndarray, q: np.ndarray) -> np.ndarray:
    """mat @ q on one BLAS thread: OpenBLAS's threaded matrix-vector product is ~100x slower
    than one thread when the cores are busy (measured: 36 ms against 0.4 ms for 2,272 x 384
    on a loaded 2-core machine), and these products are small."""
    if _BLAS is None or len(mat) < 512:
        return mat @ q
    with _BLAS.limit(limits=1, user_api="blas"):
        return mat @ q


class VectorIndex:
    """Cosine vectors by integer label, durable per call, searched by HNSW + an exact delta."""

    def __init__(self, path: Path, dim: int, *, threads: int | None = None) -> None:
        self.path = path  # vectors-KEY.hnsw: the base name (and the pre-journal single file)
        self.dim = dim
        self.threads = threads or os.cpu_count() or 1
        self._journal: BinaryIO | None = None  # open journal file of the writer
        self._load()

    # ------------------------------------------------------------ state on disk
    @staticmethod
    def exists(path: Path) -> bool:
        """Whether an index was ever written here (before its first snapshot, only a journal)."""
        return (vlog.manifest_path(path).exists() or path.exists()
                or vlog.journal_path(path, 0).exists())

    @staticmethod
    def recorded_papers(path: Path, dim: int) -> dict[str, list] | None:
        """The papers whose vectors the index holds, doc_id -> [lowest label, highest label,
        path], read from the manifest and journal without loading the graph (cheap: for the
        check on every open). None for an index from before the journal, which has no record."""
        try:
            manifest = vlog.read_manifest(path)
        except ValueError:
            return None  # damaged: reported when the index itself is opened
        if manifest is None:
            if path.exists():
                return None
            papers, generation = {}, 0
        else:
            papers = {k: list(v) for k, v in manifest["papers"].items()}
            generation = int(manifest["generation"])
        try:
            for r, _ in vlog.read_journal(vlog.journal_path(path, generation), dim, generation):
                if r.kind == vlog.ADD and r.doc_id:
                    lo, hi = (int(r.labels.min()), int(r.labels.max())) if len(r.labels) else (0, -1)
                    papers[r.doc_id] = [lo, hi, r.path]
                for doc_id in r.forget:
                    papers.pop(doc_id, None)
        except ValueError:
            return None
        return papers

    def labels_between(self, lo: int, hi: int) -> list[int]:
        """Live labels in [lo, hi] (a paper's chunk ids are one range)."""
        if hi - lo > 100_000:
            return sorted(i for i in self.ids() if lo <= i <= hi)
        return [i for i in range(lo, hi + 1) if self.has(i)]

    def _stamp(self) -> tuple:
        """What changes when a snapshot is committed (or the pre-journal file replaced)."""
        out: list = []
        for target in (vlog.manifest_path(self.path), self.path):
            try:
                st = target.stat()
                out.append((st.st_ino, st.st_mtime_ns, st.st_size))
            except FileNotFoundError:
                out.append(None)
        return tuple(out)

    def _load(self) -> None:
        self._close_journal()
        self._hnsw: hnswlib.Index | None = None
        self._live: set[int] = set()  # labels in the graph
        self._dead: set[int] = set()  # labels marked deleted in the graph
        self._delta: dict[int, np.ndarray] = {}  # labels added since the snapshot
        self._delta_cache: tuple[np.ndarray, np.ndarray] | None = None
        self.papers: dict[str, list] = {}  # doc_id -> [lowest label, highest label, path]
        self._snapshot: Path | None = None  # the file the graph was loaded from or saved to
        self._map: tuple | None = None
        try:
            manifest = vlog.read_manifest(self.path)
        except ValueError as exc:
            raise IndexCorruptError(f"vector index damaged: {exc}; run `lantern doctor`") from exc
        self.legacy = manifest is None and self.path.exists()  # a file from before the journal
        self.generation = 0 if manifest is None else int(manifest["generation"])
        if manifest is not None:
            if manifest["dim"] != self.dim:
                raise IndexCorruptError(f"{self.path.name}: dimension {manifest['dim']}, expected {self.dim}")
            self.papers = {k: list(v) for k, v in manifest["papers"].items()}
            if manifest["snapshot"]:
                snap = self.path.with_name(manifest["snapshot"])
                if vlog.file_crc32(snap) != (manifest["size"], manifest["crc32"]):
                    raise IndexCorruptError(
                        f"vector index damaged: {snap.name} does not match its checksum; "
                        "run `lantern doctor` to rebuild it")
                graph = self._open_graph(snap)
                self._snapshot = snap
                self._dead = set(manifest["deleted"])
                self._live = {int(i) for i in graph.get_ids_list()} - self._dead
        elif self.path.exists():  # a library from before the journal: one file, all live
            problem = hnswfile.check(self.path, self.dim)
            if problem:
                raise IndexCorruptError(f"vector index damaged: {self.path.name}: {problem}; "
                                        "run `lantern doctor` to rebuild it")
            self._live = {int(i) for i in self._open_graph(self.path).get_ids_list()}
            self._snapshot = self.path
        self._stamp_seen = self._stamp()
        self._journal_end = 0
        self._replay()

    def _open_graph(self, path: Path) -> hnswlib.Index:
        index = hnswlib.Index(space="cosine", dim=self.dim)
        try:
            index.load_index(str(path), max_elements=0, allow_replace_deleted=True)
        except (RuntimeError, ValueError, MemoryError) as exc:
            raise IndexCorruptError(f"vector index damaged: {path.name} ({exc}); "
                                    "run `lantern doctor` to rebuild it") from exc
        index.set_ef(EF_SEARCH)
        index.set_num_threads(1)  # one query at a time; adds pass num_threads themselves
        self._hnsw = index
        return index

    def _replay(self) -> None:
        """Apply the journal's records after the ones already applied."""
        jpath = vlog.journal_path(self.path, self.generation)
        try:
            for record, end in vlog.read_journal(jpath, self.dim, self.generation, self._journal_end):
                self._apply(record)
                self._journal_end = end
        except ValueError as exc:
            raise IndexCorruptError(f"vector index damaged: {exc}; run `lantern doctor`") from exc

    def reload_if_changed(self) -> None:
        """Pick up what another process saved since: new journal records, or a new snapshot."""
        if self._stamp() != self._stamp_seen:
            self._load()
        else:
            self._replay()

    # ------------------------------------------------------------ reading
    def __len__(self) -> int:
        return len(self._live) + len(self._delta)

    def ids(self) -> set[int]:
        """Every live label (O(n): for checks, not for questions)."""
        return self._live | set(self._delta)

    def has(self, label: int) -> bool:
        return label in self._delta or label in self._live

    @property
    def slots(self) -> int:
        return len(self._live) + len(self._dead)

    def vectors(self, ids: Iterable[int]) -> np.ndarray:
        """The stored (unit-length) vectors of these live labels, in order. Graph vectors are
        read from the snapshot file mapped into memory (hnswlib's get_items costs ~0.25 ms
        per label); labels the file does not hold (added since) come from hnswlib."""
        ids = list(ids)
        out = np.zeros((len(ids), self.dim), dtype=np.float32)
        graph = [(n, i) for n, i in enumerate(ids) if i not in self._delta]
        for n, i in enumerate(ids):
            if i in self._delta:
                out[n] = self._delta[i]
        if graph:
            assert self._hnsw is not None
            at = np.fromiter((n for n, _ in graph), np.int64, len(graph))
            labels = np.fromiter((i for _, i in graph), np.int64, len(graph))
            found = np.zeros(len(graph), dtype=bool)
            if (mapped := self._mapped()) is not None:
                level0, order, sorted_labels, data = mapped
                pos = np.minimum(np.searchsorted(sorted_labels, labels), len(sorted_labels) - 1)
                found = sorted_labels[pos] == labels
                rows = order[pos[found]]
                out[at[found]] = level0[rows, data[0] : data[1]].copy().view("<f4")
            if (~found).any():
                out[at[~found]] = self._hnsw.get_items(labels[~found].tolist(), return_type="numpy")
        return out

    def _mapped(self) -> tuple | None:
        """(level-0 rows, row order, sorted labels, data byte range) of the snapshot file."""
        if self._map is None and self._snapshot is not None and self._snapshot.exists():
            try:
                self._map = hnswfile.level0(self._snapshot, self.dim)
            except (OSError, ValueError):
                self._map = None
        return self._map

    def _delta_matrix(self) -> tuple[np.ndarray, np.ndarray]:
        if self._delta_cache is None:
            labels = np.fromiter(self._delta, dtype=np.int64, count=len(self._delta))
            mat = (np.stack(list(self._delta.values())) if self._delta
                   else np.zeros((0, self.dim), dtype=np.float32))
            self._delta_cache = (labels, mat)
        return self._delta_cache

    def query(self, vector: np.ndarray, k: int, allowed: Iterable[int] | None = None) -> list[tuple[int, float]]:
        """(label, cosine similarity) best first; `allowed`: only these labels (a scope)."""
        if k <= 0 or len(self) == 0:
            return []
        q = np.asarray(vector, dtype=np.float32).reshape(-1)
        q = q / (np.linalg.norm(q) or 1.0)
        if allowed is not None:
            scope = [i for i in allowed if self.has(i)]
            if len(scope) <= EXACT_MAX:
                return _top(np.asarray(scope, dtype=np.int64), _dot(self.vectors(scope), q), k)
            return self._scoped_graph(q, k, set(scope))
        return self._merge(self._graph(q, k), self._exact_delta(q, k), k)

    def _exact_delta(self, q: np.ndarray, k: int) -> list[tuple[int, float]]:
        labels, mat = self._delta_matrix()
        return _top(labels, _dot(mat, q), k) if len(labels) else []

    def _graph(self, q: np.ndarray, k: int) -> list[tuple[int, float]]:
        k = min(k, len(self._live))
        if k <= 0 or self._hnsw is None:
            return []
        self._hnsw.set_ef(max(EF_SEARCH, k))
        try:
            labels, dists = self._hnsw.knn_query(q.reshape(1, -1), k=k)
        except RuntimeError:  # fewer than k reachable (many deleted): search exactly
            live = np.fromiter(self._live, dtype=np.int64, count=len(self._live))
            return _top(live, _dot(self.vectors(live.tolist()), q), k)
        return [(int(i), 1.0 - float(d)) for i, d in zip(labels[0], dists[0], strict=True)]

    def _scoped_graph(self, q: np.ndarray, k: int, scope: set[int]) -> list[tuple[int, float]]:
        """A scope too large to search exactly is a large share of the library: over-fetch
        from the graph in proportion and keep the hits inside the scope (no Python filter
        callback inside hnswlib, which costs ~400x), widening until k are found."""
        want = k * max(2, int(2 * len(self) / len(scope)))
        while True:
            hits = self._merge(self._graph(q, want), self._exact_delta(q, want), want)
            inside = [h for h in hits if h[0] in scope]
            if len(inside) >= k or want >= len(self):
                return inside[:k]
            want *= 4

    @staticmethod
    def _merge(a: list[tuple[int, float]], b: list[tuple[int, float]], k: int) -> list[tuple[int, float]]:
        return sorted(a + b, key=lambda h: -h[1])[:k]

    # ------------------------------------------------------------ writing
    def add(self, ids: Iterable[int], vectors: npt.ArrayLike, *,
            paper: tuple[str, str] | None = None) -> None:
        """Store vectors under these labels (durable on return); `paper`: (doc_id, path) they
        belong to, kept so a paper the database loses can be named."""
        labels = np.asarray(list(ids), dtype=np.int64)
        vecs = np.asarray(vectors, dtype=np.float32).reshape(len(labels), self.dim)
        if not np.isfinite(vecs).all():
            raise ModelError("the embedding model returned vectors with NaN or infinite values")
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        unit = (vecs / np.where(norms > 0, norms, 1.0)).astype(np.float32)
        doc_id, path = paper or ("", "")
        if len(labels) or doc_id:
            self._write(vlog.Record(vlog.ADD, labels, unit, doc_id, path))

    def delete(self, ids: Iterable[int], *, forget: Iterable[str] = ()) -> int:
        """Delete these labels (missing ones are ignored) and forget these papers; durable on
        return. Returns how many vectors were deleted."""
        doomed = np.asarray(sorted({int(i) for i in ids if self.has(int(i))}), dtype=np.int64)
        forget = [d for d in forget if d in self.papers]
        if len(doomed) or forget:
            self._write(vlog.Record(vlog.DEL, doomed, forget=forget))
        return len(doomed)

    def save(self, progress: Progress | None = None) -> None:
        """Everything written is already durable (journal); fold the journal into a new snapshot
        when it has grown large, and compact when too many slots are dead."""
        if self._hnsw is not None and len(self._dead) > COMPACT_AT * max(self.slots, 1):
            self.compact(progress)
        elif len(self._delta) >= max(4096, len(self._live) // 8):
            self.checkpoint()

    def _write(self, record: vlog.Record) -> None:
        data = vlog.encode(record)
        fh = self._open_journal()
        try:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
            if os.fstat(fh.fileno()).st_size != self._journal_end + len(data):
                raise OSError(28, "short write to the vector journal")
        except OSError as exc:
            self._close_journal()  # cut what was written of this record: it never happened
            os.truncate(vlog.journal_path(self.path, self.generation), self._journal_end)
            if vlog.is_disk_full(exc):
                raise vlog.disk_full(exc, self.path.parent, len(data)) from exc
            raise
        self._journal_end += len(data)
        self._apply(record)

    def _open_journal(self) -> BinaryIO:
        if self._journal is None:
            path = vlog.journal_path(self.path, self.generation)
            try:
                if self._journal_end == 0:  # new journal (or one with a torn header)
                    with open(path, "wb") as new:
                        new.write(vlog.journal_header(self.dim, self.generation))
                        new.flush()
                        os.fsync(new.fileno())
                    vlog.fsync_dir(path.parent)
                    self._journal_end = os.path.getsize(path)
                fh = open(path, "r+b")  # noqa: SIM115  (kept open for appends)
                fh.truncate(self._journal_end)  # a torn record left by a crash
                fh.seek(self._journal_end)
            except OSError as exc:
                if vlog.is_disk_full(exc):
                    path.unlink(missing_ok=True)
                    self._journal_end = 0
                    raise vlog.disk_full(exc, self.path.parent, 4096) from exc
                raise
            self._journal = fh
        return self._journal

    def _close_journal(self) -> None:
        journal = getattr(self, "_journal", None)
        if journal is not None:
            journal.close()
            self._journal = None

    def close(self) -> None:
        self._close_journal()

    def _apply(self, r: vlog.Record) -> None:
        """A journal record's effect in memory (the same on first write and on replay)."""
        self._delta_cache = None
        if r.kind == vlog.ADD:
            assert r.vectors is not None
            for label, vec in zip(r.labels.tolist(), r.vectors, strict=True):
                if label in self._live:  # a new vector for a label in the graph: shadow it
                    self._kill(label)
                self._delta[label] = vec
            if r.doc_id:
                lo, hi = (int(r.labels.min()), int(r.labels.max())) if len(r.labels) else (0, -1)
                self.papers[r.doc_id] = [lo, hi, r.path]
        else:
            for label in r.labels.tolist():
                if self._delta.pop(label, None) is None and label in self._live:
                    self._kill(label)
            for doc_id in r.forget:
                self.papers.pop(doc_id, None)

    def _kill(self, label: int) -> None:
        assert self._hnsw is not None
        self._hnsw.mark_deleted(label)
        self._live.discard(label)
        self._dead.add(label)

    # ------------------------------------------------------------ snapshots
    def checkpoint(self) -> None:
        """Fold the delta into the graph and write a new snapshot, then an empty journal."""
        self._fold_delta()
        self._write_snapshot()

    def compact(self, progress: Progress | None = None) -> None:
        """Rebuild the graph from the live vectors (no dead slots), then snapshot it."""
        live = sorted(self.ids())
        index = self._new_graph(len(live))
        for start in range(0, len(live), 10_000):
            part = live[start : start + 10_000]
            index.add_items(self.vectors(part), np.asarray(part, dtype=np.int64), num_threads=self.threads)
            if progress:
                progress(min(start + 10_000, len(live)), len(live))
        self._hnsw, self._live, self._dead = index, set(live), set()
        self._snapshot, self._map = None, None
        self._delta, self._delta_cache = {}, None
        self._write_snapshot()

    def _new_graph(self, capacity: int) -> hnswlib.Index:
        index = hnswlib.Index(space="cosine", dim=self.dim)
        index.init_index(max_elements=max(int(capacity * 1.25), 1024), ef_construction=EF_CONSTRUCTION,
                         M=M, allow_replace_deleted=True)
        index.set_ef(EF_SEARCH)
        index.set_num_threads(1)
        return index

    def _fold_delta(self) -> None:
        if not self._delta:
            return
        self._snapshot, self._map = None, None  # the file no longer matches the graph
        labels, mat = self._delta_matrix()
        if self._hnsw is None:
            self._hnsw = self._new_graph(len(labels))
        revive = np.isin(labels, np.fromiter(self._dead, np.int64, len(self._dead)))
        needed = self._hnsw.element_count + int((~revive).sum())
        if needed > self._hnsw.get_max_elements():
            self._hnsw.resize_index(max(needed, int(self._hnsw.get_max_elements() * 1.5)))
        for label in labels[revive].tolist():  # update in place: never two slots for one label
            self._hnsw.unmark_deleted(label)
        if revive.any():
            self._hnsw.add_items(mat[revive], labels[revive], num_threads=self.threads)
        if (~revive).any():
            self._hnsw.add_items(mat[~revive], labels[~revive], num_threads=self.threads,
                                 replace_deleted=True)
        self._live |= set(labels.tolist())
        # a replaced dead slot's old label left the graph; hnswlib does not say which
        self._dead = {int(i) for i in self._hnsw.get_ids_list()} - self._live
        self._delta, self._delta_cache = {}, None

    def _write_snapshot(self) -> None:
        """Write, fsync and verify the new snapshot, then commit it by replacing the manifest.
        On any failure the previous snapshot and journal stay the library's index."""
        generation = self.generation + 1
        snap = vlog.snapshot_path(self.path, generation)
        tmp = snap.with_name(snap.name + ".tmp")
        size, crc = 0, 0
        try:
            if self._hnsw is not None:
                expected = self._hnsw.index_file_size()
                self._hnsw.save_index(str(tmp))  # hnswlib does not report a short write ...
                with open(tmp, "rb") as fh:
                    os.fsync(fh.fileno())
                size, crc = vlog.file_crc32(tmp)
                if size != expected:  # ... so check the size it should have
                    raise OSError(28, f"short write ({size} of {expected} bytes)", str(tmp))
                os.replace(tmp, snap)
            manifest = {"format": vlog.FORMAT, "dim": self.dim, "generation": generation,
                        "snapshot": snap.name if self._hnsw is not None else None,
                        "size": size, "crc32": crc, "deleted": sorted(self._dead),
                        "papers": self.papers}
            vlog.write_atomic(vlog.manifest_path(self.path), json.dumps(manifest).encode())
        except (OSError, DiskFullError) as exc:
            tmp.unlink(missing_ok=True)
            if snap.exists() and self.generation != generation:
                snap.unlink(missing_ok=True)
            if isinstance(exc, OSError) and vlog.is_disk_full(exc):
                raise vlog.disk_full(exc, self.path.parent, self._hnsw.index_file_size() if self._hnsw else 0) from exc
            raise
        self._close_journal()
        keep = {snap.name, vlog.manifest_path(self.path).name}
        for path in self.path.parent.glob(f"{self.path.stem}.g*"):  # also what a crash left
            if path.name not in keep and not path.name.endswith(".damaged"):
                path.unlink(missing_ok=True)
        if self.legacy:
            self.path.unlink(missing_ok=True)
        self.generation, self.legacy, self._journal_end = generation, False, 0
        self._snapshot, self._map = (snap if self._hnsw is not None else None), None
        self._stamp_seen = self._stamp()


def _top(labels: np.ndarray, sims: np.ndarray, k: int) -> list[tuple[int, float]]:
    if len(labels) == 0:
        return []
    order = np.argsort(-sims, kind="stable")[:k]
    return [(int(labels[i]), float(sims[i])) for i in order]
