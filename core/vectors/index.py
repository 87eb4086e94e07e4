"""hnswlib index on disk: one vector per chunk, labelled with the chunk id.

A snapshot (hnswlib's file, checksummed in a manifest) plus a journal of the vectors added and
deleted since (core.vectors.journal). Adding or removing a paper appends one record to the journal
and fsyncs it: cost in proportion to the paper, not the library. Vectors in the journal are
held in a small flat "delta" (core.vectors.delta) searched exactly next to the HNSW graph
(core.vectors.graph), so opening the index (a reader, or recovery after kill -9) only reads the
journal, never rebuilds a graph; a removal does not even load it (`delete_unloaded`). A
checkpoint folds the delta into the graph (all cores), writes a new snapshot and starts an
empty journal. Deleting marks slots (hnswlib's mark_deleted), which later additions reuse
(allow_replace_deleted).

When more than 30% of the graph's slots are dead, `save` starts a compaction: a new graph of
the live vectors is built on a background thread while questions keep using the old graph and
the delta, and additions and deletions go to the journal as usual. The next `save` after it
is built (or `finish_compaction`, which waits) swaps it in: it applies the deletions made
meanwhile, folds the delta and writes a snapshot, the same commit as any checkpoint. Until that
commit the previous snapshot and journal are the index, so a kill -9 at any point loses nothing.

Not thread-safe: the Library serialises access. Only the process holding the library's write
lock may call the methods that write (add, delete, save, checkpoint, compact).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import numpy.typing as npt

from core.errors import DiskFullError, IndexCorruptError, ModelError
from core.vectors import hnswfile
from core.vectors import journal as vlog
from core.vectors.graph import Graph, Progress, Rebuild
from core.vectors.memory import EXACT_MAX, VectorSet

__all__ = ["COMPACT_AT", "EXACT_MAX", "Progress", "VectorIndex"]

log = logging.getLogger(__name__)

COMPACT_AT = 0.30  # rebuild the graph when this share of its slots is deleted


class VectorIndex(VectorSet):
    """Cosine vectors by integer label, durable per call, searched by HNSW + an exact delta."""

    def __init__(self, path: Path, dim: int, *, threads: int | None = None) -> None:
        self.path = path  # vectors-KEY.hnsw: the base name (and the pre-journal single file)
        self.threads = threads or os.cpu_count() or 1
        self._journal: vlog.JournalWriter | None = None
        self._rebuild: Rebuild | None = None  # a compaction under way
        super().__init__(dim)
        self._load()

    # ------------------------------------------------------------ state on disk
    @staticmethod
    def delete_unloaded(path: Path, dim: int, ids: Iterable[int], forget: Iterable[str] = ()) -> bool:
        """Delete labels and forget papers by a journal record, without loading the index
        (vectorlog.append_unloaded); durable on return. False, and nothing done, for an index
        from before the journal or one that may need compacting: load it and use `delete`."""
        record = vlog.Record(vlog.DEL, np.asarray(sorted({int(i) for i in ids}), dtype=np.int64),
                             forget=list(forget))
        try:
            return vlog.append_unloaded(path, dim, record, under_limit=lambda snapshot, dead: (
                dead <= COMPACT_AT * hnswfile.element_count(snapshot)))
        except ValueError as exc:
            raise IndexCorruptError(f"vector index damaged: {exc}; run `lantern doctor`") from exc

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
        self._stop_compaction()  # built from a graph that is about to be replaced
        self._close_journal()
        super().__init__(self.dim)  # empty, then filled from the files
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
                self.graph = Graph.load(snap, self.dim, manifest["deleted"])
        elif self.path.exists():  # a library from before the journal: one file, all live
            problem = hnswfile.check(self.path, self.dim)
            if problem:
                raise IndexCorruptError(f"vector index damaged: {self.path.name}: {problem}; "
                                        "run `lantern doctor` to rebuild it")
            self.graph = Graph.load(self.path, self.dim)
        self._stamp_seen = self._stamp()
        self._journal_end = 0
        self._replay()

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

    def save(self) -> None:
        """Everything written is already durable (journal). Swap in a finished compaction;
        else start one when too many slots are dead (it runs in the background), or fold the
        journal into a new snapshot when it has grown large."""
        if self._rebuild is not None:
            if self._rebuild.finished():
                self._swap(self._rebuild.wait())
        elif self.graph.index is not None and len(self.graph.dead) > COMPACT_AT * max(self.slots, 1):
            self.start_compaction()
        elif len(self.delta) >= max(4096, len(self.graph.live) // 8):
            self.checkpoint()

    def _write(self, record: vlog.Record) -> None:
        if self._journal is None:
            self._journal = vlog.JournalWriter(self.path, self.dim, self.generation, self._journal_end)
        try:
            self._journal.append(vlog.encode(record))
        finally:
            self._journal_end = self._journal.end
        self._apply(record)

    def _close_journal(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    def close(self) -> None:
        """Close the journal; a compaction not yet swapped in is dropped (nothing of it was
        written: the next writer starts it again)."""
        self._stop_compaction()
        self._close_journal()

    # ------------------------------------------------------------ snapshots
    def checkpoint(self) -> None:
        """Fold the delta into the graph and write a new snapshot, then an empty journal."""
        labels, mat = self.delta.matrix()
        self.graph.fold(labels, mat, self.threads)
        self.delta.clear()
        self._write_snapshot()

    def start_compaction(self) -> None:
        """Start rebuilding the graph from its live vectors in the background (if not yet)."""
        if self._rebuild is None and self.graph.index is not None:
            log.info("compacting the vector index: %d of %d slots are deleted",
                     len(self.graph.dead), self.slots)
            self._rebuild = Rebuild(self.graph, self.threads)

    def compaction_built(self) -> bool:
        """Whether a compaction's new graph is ready to be swapped in (by save)."""
        return self._rebuild is not None and self._rebuild.finished()

    def compaction(self) -> tuple[int, int] | None:
        """(vectors added, vectors to add) of the compaction under way, or None."""
        return self._rebuild.progress() if self._rebuild is not None else None

    def finish_compaction(self, progress: Progress | None = None) -> bool:
        """Wait for the compaction under way (reporting `progress(done, total)` from this
        thread) and commit it; False if there was none, or it failed (logged)."""
        if self._rebuild is None:
            return False
        graph = self._rebuild.wait(progress)
        self._swap(graph)
        return graph is not None

    def compact(self, progress: Progress | None = None) -> None:
        """Rebuild the graph from the live vectors (no dead slots), then snapshot it; waits."""
        if self.graph.index is None:
            self.checkpoint()
            return
        self.start_compaction()
        rebuild = self._rebuild
        self.finish_compaction(progress)
        if rebuild is not None and rebuild.error is not None:
            raise rebuild.error  # asked for: say why it failed (the old index stays)

    def _stop_compaction(self) -> None:
        rebuild, self._rebuild = getattr(self, "_rebuild", None), None
        if rebuild is not None:
            rebuild.cancel()

    def _swap(self, graph: Graph | None) -> None:
        """Put a rebuilt graph in place of the old one: the labels deleted (or given a new
        vector) since the rebuild began are deleted from it too, the delta is folded in, and
        the snapshot is written. A failed rebuild leaves the old graph (the next save retries)."""
        rebuild, self._rebuild = self._rebuild, None
        if graph is None or rebuild is None:
            return
        for label in set(rebuild.labels.tolist()) - self.graph.live:
            graph.kill(label)
        self.graph = graph
        self.checkpoint()

    def _write_snapshot(self) -> None:
        """Write, fsync and verify the new snapshot, then commit it by replacing the manifest.
        On any failure the previous snapshot and journal stay the library's index."""
        generation = self.generation + 1
        snap = vlog.snapshot_path(self.path, generation)
        tmp = snap.with_name(snap.name + ".tmp")
        size, crc, hnsw = 0, 0, self.graph.index
        try:
            if hnsw is not None:
                expected = hnsw.index_file_size()
                hnsw.save_index(str(tmp))  # hnswlib does not report a short write ...
                with open(tmp, "rb") as fh:
                    os.fsync(fh.fileno())
                size, crc = vlog.file_crc32(tmp)
                if size != expected:  # ... so check the size it should have
                    raise OSError(28, f"short write ({size} of {expected} bytes)", str(tmp))
                os.replace(tmp, snap)
            manifest = {"format": vlog.FORMAT, "dim": self.dim, "generation": generation,
                        "snapshot": snap.name if hnsw is not None else None,
                        "size": size, "crc32": crc, "deleted": sorted(self.graph.dead),
                        "papers": self.papers}
            vlog.write_atomic(vlog.manifest_path(self.path), json.dumps(manifest).encode())
        except (OSError, DiskFullError) as exc:
            tmp.unlink(missing_ok=True)
            if snap.exists() and self.generation != generation:
                snap.unlink(missing_ok=True)
            if isinstance(exc, OSError) and vlog.is_disk_full(exc):
                raise vlog.disk_full(exc, self.path.parent, hnsw.index_file_size() if hnsw else 0) from exc
            raise
        self._close_journal()
        keep = {snap.name, vlog.manifest_path(self.path).name}
        for path in self.path.parent.glob(f"{self.path.stem}.g*"):  # also what a crash left
            if path.name not in keep and not path.name.endswith(".damaged"):
                path.unlink(missing_ok=True)
        if self.legacy:
            self.path.unlink(missing_ok=True)
        self.generation, self.legacy, self._journal_end = generation, False, 0
        self.graph.file = snap if hnsw is not None else None
        self._stamp_seen = self._stamp()
