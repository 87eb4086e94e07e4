"""The library's vector index, kept in step with its chunks table.

The file is named after what built it (embedding model + chunking: Settings.index_key()), so a
change of settings never mixes vectors. Not thread-safe on its own: the Library's lock guards it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from core.embed import Embedder
from core.settings import Settings
from core.store import Store
from core.vectors import VectorIndex

log = logging.getLogger(__name__)


class LibraryIndex:
    """Opens the index lazily, reloads it when another process saved it, and repairs it."""

    def __init__(self, root: Path, store: Store, embedder: Embedder, settings: Settings) -> None:
        self.root = root
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self.opened: VectorIndex | None = None

    @property
    def path(self) -> Path:
        return self.root / f"vectors-{self.settings.index_key()}.hnsw"

    def exists(self) -> bool:
        return self.opened is not None or self.path.exists()

    def get(self) -> VectorIndex:
        """The index, opened on first use and reloaded if another process changed it."""
        if self.opened is None:
            self.opened = VectorIndex(self.path, self._dim())
        else:
            self.opened.reload_if_changed()
        return self.opened

    def _dim(self) -> int:
        key = f"dim:{self.settings.index_key()}"
        if (stored := self.store.meta(key)) is not None:
            return int(stored)
        dim = int(self.embedder.dim)
        if not self.store.read_only:  # a read-only library works out the same dim each time
            self.store.set_meta(key, dim)
        return dim

    def drop(self, ids: Iterable[int], *, only_if_open: bool = False) -> None:
        """Delete vectors (saving the file if any were there); opens the index if it exists,
        unless `only_if_open`."""
        ids = set(ids)
        if not ids:
            return
        if only_if_open:
            index = self.opened
        else:
            index = self.get() if self.exists() else None
        if index is not None and index.delete(ids):
            index.save()

    def orphans(self) -> set[int]:
        """Vectors whose chunk is gone (left by an interrupted run)."""
        return self.get().ids() - self.store.all_chunk_ids() if self.exists() else set()

    def ensure(self) -> int:
        """Embed chunks that have no vector (after a crash or a change of embedding settings)."""
        index = self.get()
        missing = sorted(set(self.store.chunk_ids(embedded=True)) - index.ids())
        if not missing:
            return 0
        log.info("embedding %d chunks that have no vector yet", len(missing))
        for start in range(0, len(missing), 256):
            ids = missing[start : start + 256]
            rows = self.store.chunks_by_id(ids)
            index.add(ids, self.embedder.embed([rows[i]["text"] for i in ids]))
        index.save()
        return len(missing)
