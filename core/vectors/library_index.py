"""The library's vector index, kept in step with its chunks table.

The files are named after what built the index (embedding model + chunking:
Settings.index_key()), so a change of settings never mixes vectors. Not thread-safe on its own:
the Library's lock guards it. Only a process holding the write lock changes it (`writer`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from core.embed import Embedder
from core.errors import DiskFullError
from core.settings import Settings
from core.store import Store
from core.types import Progress
from core.vectors import journal as vlog

if TYPE_CHECKING:  # loaded when used: `lantern list` needs neither it nor numpy
    from core.vectors.index import VectorIndex

log = logging.getLogger(__name__)


class LibraryIndex:
    """Opens the index lazily, reloads it when another process saved it, and repairs it."""

    def __init__(
        self, root: Path, store: Store, embedder: Embedder, settings: Settings,
        try_writing: Callable[[], object | None] | None = None,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.root = root
        self.store = store
        self.embedder = embedder
        self.settings = settings
        # returns a context manager holding the write lock, or None if another process has it
        self.try_writing = try_writing
        self.notify = notify or log.warning  # what the user should be told as it happens
        self.opened: VectorIndex | None = None
        self._checked = False  # ready papers compared with the index's record, once

    @property
    def path(self) -> Path:
        return self.root / f"vectors-{self.settings.index_key()}.hnsw"

    def exists(self) -> bool:
        return self.opened is not None or vlog.exists(self.path)

    def files_state(self) -> str:
        """Names, sizes and change times of the index's files: any write to the index changes
        it (a journal only grows, a snapshot or manifest is a new file)."""
        stats = ((p.name, p.stat()) for p in sorted(self.root.glob(f"{self.path.stem}.*")))
        return ";".join(f"{name}:{st.st_size}:{st.st_mtime_ns}" for name, st in stats)

    def get(self) -> VectorIndex:
        """The index, opened on first use and brought up to date with what another process
        saved since; never written here."""
        if self.opened is None:
            from core.vectors.index import VectorIndex

            self.opened = VectorIndex(self.path, self.dim())
        else:
            self.opened.reload_if_changed()
            self._swap_built()
        return self.opened

    def _swap_built(self) -> None:
        """Commit a compaction built in the background since the last write (e.g. after a
        remove in the desktop app), if this process can take the write lock now."""
        if self.opened is None or not self.opened.compaction_built():
            return
        lock = self.try_writing() if self.try_writing else None
        if lock is not None:
            with lock:  # type: ignore[attr-defined]
                try:
                    self.opened.reload_if_changed()
                    self.opened.save()
                except (OSError, DiskFullError) as exc:  # the journal still holds everything
                    log.warning("could not write the compacted vector index: %s", exc)

    def for_search(self) -> VectorIndex | None:
        """The index for a question, None while there is none (papers searchable by their
        words only). Papers without vectors are not embedded here: a question must not wait
        minutes for them (the writer embeds them: `lantern index`, add, the desktop app).
        The first time, an index from before the journal gets its record, if this process
        can take the write lock (a reader never writes)."""
        if not self.exists():
            return None
        index = self.get()
        if not self._checked:
            self._checked = True
            if index.legacy and (lock := self.try_writing() if self.try_writing else None):
                with lock:  # type: ignore[attr-defined]
                    self.upgrade()
        return self.get()

    def indexed(self) -> set[str]:
        """The papers whose vectors the index holds, read without loading the graph when it
        is not open (the desktop's library table asks after every change)."""
        if self.opened is not None:
            self.opened.reload_if_changed()
            return set(self.opened.papers)
        if not self.exists():
            return set()
        recorded = vlog.recorded_papers(self.path, self.dim())
        return set(recorded) if recorded is not None else set(self.get().papers)

    def unindexed(self, scope: Iterable[str] | None = None) -> list[str]:
        """Ready papers (of `scope`, if given) that have no vectors yet: searchable by their
        words only, until the writer embeds them."""
        waiting = self.store.ready_without(self.indexed())
        if scope is not None:
            wanted = set(scope)
            waiting = [d for d in waiting if d in wanted]
        return waiting

    def dim(self) -> int:
        key = f"dim:{self.settings.index_key()}"
        if (stored := self.store.meta(key)) is not None:
            return int(stored)
        dim = int(self.embedder.dim)
        if not self.store.read_only:  # a read-only library works out the same dim each time
            self.store.set_meta(key, dim)
        return dim

    def close(self) -> None:
        """Close the index; a compaction already built is committed first, one still being
        built is dropped (the next writer starts it again) so that closing never waits."""
        if self.opened is not None:
            self._swap_built()
            self.opened.close()

    # ------------------------------------------------------------ writing (write lock held)
    def drop(self, ids: Iterable[int], *, forget: Iterable[str] = (), only_if_open: bool = False) -> None:
        """Delete vectors and forget papers (durable on return). An index not open is not
        loaded: a journal record says it, applied when it is next loaded. `only_if_open`:
        nothing if it is not open."""
        ids, forget = set(ids), list(forget)
        if not ids and not forget:
            return
        if only_if_open:
            index = self.opened
        elif self.opened is None and self.exists():  # `lantern remove` need not load the graph
            from core.vectors.index import VectorIndex

            if VectorIndex.delete_unloaded(self.path, self.dim(), ids, forget):
                return
            index = self.get()  # an index from before the journal
        else:
            index = self.get() if self.exists() else None
        if index is not None and index.delete(ids, forget=forget):
            index.save()

    def compaction(self) -> tuple[int, int] | None:
        """(vectors added, vectors to add) of the open index's background compaction (started
        when more than 30% of its slots are deleted), or None when none is under way."""
        return self.opened.compaction() if self.opened is not None else None

    def finish_compaction(self, progress: Progress | None = None) -> bool:
        """Wait for the background compaction, reporting `progress(done, total)` from this
        thread, and commit it (a new snapshot); False if none was under way, it failed, or
        another process replaced the snapshot it was built from."""
        if self.opened is None:
            return False
        self.opened.reload_if_changed()  # a snapshot written by another process cancels it
        return self.opened.finish_compaction(progress)

    def upgrade(self) -> None:
        """Give an index from before the journal its record of papers, and a checksummed
        snapshot (once)."""
        if self.exists() and (index := self.get()).legacy:
            index.papers = self.store.vector_ranges()
            index.checkpoint()

    def orphans(self) -> set[int]:
        """Vectors whose chunk is gone (O(n): doctor only)."""
        return self.get().ids() - self.store.all_chunk_ids() if self.exists() else set()

    def ensure(self, progress: Progress | None = None) -> int:
        """Embed the chunks of ready papers the index has no vectors for (told first: it takes
        a while, and it means the index had lost them); how many there were."""
        todo = self.store.ready_without(self.get().papers)
        if todo:
            self.notify(f"embedding the text of {len(todo)} paper(s) that have no vectors in the "
                        "vector index (a damaged journal record, or a change of embedding "
                        "model); nothing else changes")
        return self.ensure_chunks(self.store.chunk_ids(todo, embedded=True), progress, todo)

    def ensure_chunks(self, ids: Iterable[int], progress: Progress | None = None,
                      papers: Iterable[str] = ()) -> int:
        """Embed these chunks (and record `papers` as indexed, even with nothing to embed),
        one journal record per paper; how many were embedded."""
        index = self.get()
        rows = self.store.chunks_by_id(ids)
        by_paper: dict[str, list[int]] = {d: [] for d in papers}
        for cid in sorted(rows):
            by_paper.setdefault(rows[cid]["doc_id"], []).append(cid)
        done = 0
        for n, (doc_id, cids) in enumerate(by_paper.items(), start=1):
            paper = self.store.paper(doc_id)
            texts = [rows[i]["text"] for i in cids]
            vectors = [v for s in range(0, len(texts), 256) for v in self.embedder.embed(texts[s : s + 256])]
            index.add(cids, vectors, paper=(doc_id, str(paper.path) if paper else ""))
            index.save()
            done += len(cids)
            if progress:
                progress(n, len(by_paper))
        if by_paper:
            log.info("embedded %d chunks of %d papers that had no vectors", done, len(by_paper))
        return done

    def damage(self) -> str | None:
        """What is wrong with the index files (checksum, neighbour lists, every vector finite
        and of unit length), or None. Raises IndexCorruptError if it cannot be opened."""
        index = self.get()
        snapshot = vlog.snapshot_path(self.path, index.generation) if not index.legacy else self.path
        from core.vectors import hnswfile

        if snapshot.exists() and (problem := hnswfile.check(snapshot, index.dim)):
            return f"vector index damaged: {snapshot.name}: {problem}"
        return None

    def set_aside(self) -> list[str]:
        """Rename the index's files to *.damaged (kept for inspection) and start empty."""
        self.close()
        self.opened = None
        moved = []
        for path in sorted(self.root.glob(f"{self.path.stem}.*")):
            if not path.name.endswith(".damaged"):
                path.replace(path.with_name(path.name + ".damaged"))
                moved.append(path.name + ".damaged")
        return moved
