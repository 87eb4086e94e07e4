"""The parts of one open library, built once where its store is opened (Library._open) and
handed to the rooms that work on them: asking (core.asking), extraction (core.extract),
repair (core.repair) and the samples (core.samples). They take these parts, never the Library,
so no room below the Library calls back up through it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from core.catalog import Catalog
from core.store_sources import Sources
from core.vectors.library_index import LibraryIndex

if TYPE_CHECKING:
    from core.chat_models import ChatModel
    from core.embed import Embedder
    from core.folder import WriteLock
    from core.settings import Settings
    from core.store import Store


@dataclass(frozen=True)
class Parts:
    """What one library is made of. A damaged database rebuilt by doctor gives new parts (a new
    store and what reads it); the models, the settings and the locks stay."""

    root: Path  # the library folder
    store: Store  # papers, pages, chunks, history, cells (SQLite)
    sources: Sources  # the papers' Zotero data, in the same database
    catalog: Catalog  # finding papers and choosing the ones a question is asked of
    index: LibraryIndex  # the vectors, in step with the store's chunks
    embedder: Embedder
    chat: ChatModel  # the chat model's lifetime (loaded on first use)
    settings: Callable[[], Settings]  # the library's current settings (replaced as a whole)
    lock: threading.RLock  # one job at a time touches the index and the models
    writes: WriteLock  # one process at a time writes the library
    read_only: bool  # opened without the right to write (another process, or a read-only folder)

    @classmethod
    def over(
        cls, store: Store, root: Path, embedder: Embedder, chat: ChatModel,
        settings: Callable[[], Settings], lock: threading.RLock, writes: WriteLock, *,
        read_only: bool, notify: Callable[[str], None] | None = None,
    ) -> Parts:
        """The parts over an open store: what reads it (sources, catalogue, vector index) is
        made here; the models, settings and locks are the library's own. `notify` hears what
        the index tells the user as it happens (Library.on_notice)."""
        sources = Sources(store)
        index = LibraryIndex(root, store, embedder, settings(), try_writing=writes.try_writing,
                             notify=notify)
        return cls(root, store, sources, Catalog(store, sources, root), index, embedder, chat,
                   settings, lock, writes, read_only)
