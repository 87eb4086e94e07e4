"""Recovery and the consistency check: SQLite is the source of truth, the vector index follows.

Both run under the library's write lock and in-process lock (the Library takes them).
"""

from __future__ import annotations

from pathlib import Path

from core.index import LibraryIndex
from core.store import Store
from core.types import DoctorReport


def recover(store: Store, index: LibraryIndex) -> None:
    """Undo what an interrupted run left half-done: papers still 'indexing' are deleted (their
    vectors too) and their files queued for the next add. Cheap; runs on every open."""
    unfinished = store.unfinished()
    doomed: set[int] = set()
    for doc_id, path in unfinished:
        doomed.update(store.chunk_ids([doc_id], state="indexing"))
        store.queue([Path(path)])
    store.delete_papers(d for d, _ in unfinished)
    index.drop(doomed)


def drop_orphans(index: LibraryIndex) -> int:
    """Delete vectors whose chunk is gone; how many there were."""
    orphans = index.orphans()
    index.drop(orphans)
    return len(orphans)


def doctor(store: Store, index: LibraryIndex) -> DoctorReport:
    """Check SQLite against the vector index, repair what can be, report."""
    problems: list[str] = []
    repaired: list[str] = []
    unfinished = store.unfinished()
    if unfinished:
        problems.append(f"{len(unfinished)} half-added paper(s)")
    recover(store, index)
    if unfinished:
        repaired.append("removed half-added papers; their files are queued for the next add")
    if damage := store.check_fts():
        problems.append(f"full-text index damaged ({damage})")
        store.rebuild_fts()
        repaired.append("rebuilt the full-text index")
    chunk_ids = set(store.chunk_ids(embedded=True))
    vectors: set[int] = set()
    if chunk_ids or index.exists():
        if orphans := drop_orphans(index):
            problems.append(f"{orphans} vector(s) without a chunk")
            repaired.append(f"dropped {orphans} orphan vector(s)")
        missing = chunk_ids - index.get().ids()
        if missing:
            problems.append(f"{len(missing)} chunk(s) without a vector")
            index.ensure()
            repaired.append(f"embedded {len(missing)} chunk(s)")
        vectors = index.get().ids()
    papers, _, chunks = store.counts()
    # every chunk that gets a vector has one; libraries from before KEYWORD_ONLY_SECTIONS
    # also hold vectors of reference lists, which are harmless
    consistent = (
        set(store.chunk_ids(embedded=True)) <= vectors <= set(store.chunk_ids())
        and not store.unfinished()
    )
    return DoctorReport(papers, chunks, len(vectors), tuple(problems), tuple(repaired), consistent)
