"""Recovery and the consistency check: SQLite is the source of truth, the vector index follows.

Both run under the library's write lock and in-process lock (the Library takes them).
"""

from __future__ import annotations

import logging
from pathlib import Path

from core.errors import IndexCorruptError
from core.index import LibraryIndex
from core.store import Store
from core.types import DoctorReport
from core.vectors import Progress, VectorIndex

log = logging.getLogger(__name__)


def recover(store: Store, index: LibraryIndex) -> list[str]:
    """Undo what an interrupted run left half-done: papers still 'indexing' are deleted (their
    vectors too) and their files queued for the next add; papers whose vectors the index holds
    but the database does not are dropped from the index, and named and queued again if the
    database lost them. Cheap (no vectors loaded) when there is nothing to do; runs on every
    open. Returns what the user should be told."""
    unfinished = store.unfinished()
    doomed: set[int] = set()
    for doc_id, path in unfinished:
        doomed.update(store.chunk_ids([doc_id], state="indexing"))
        store.queue([Path(path)])
    store.delete_papers(d for d, _ in unfinished)
    index.drop(doomed, forget=[d for d, _ in unfinished])
    notices = []
    if index.exists():
        recorded = VectorIndex.recorded_papers(index.path, index.dim())
        if recorded is None:  # an index from before the journal: give it its record once
            index.upgrade()
            recorded = VectorIndex.recorded_papers(index.path, index.dim()) or {}
        if lost := drop_missing_papers(store, index, recorded):
            names = ", ".join(Path(p).name for p in lost[:5]) + (" …" if len(lost) > 5 else "")
            notices.append(
                f"{len(lost)} paper(s) whose vectors were saved are missing from the database "
                f"(it lost its last writes, e.g. a deleted library.sqlite3-wal file): {names}; "
                "they are queued: run `lantern add` to add them again"
            )
    return notices


def drop_missing_papers(store: Store, index: LibraryIndex, recorded: dict[str, list]) -> list[str]:
    """Drop the vectors of papers the database does not have; queue the files of those it lost
    (chunk ids beyond its sequence) and return their paths."""
    have = store.doc_ids()
    gone = {d: v for d, v in recorded.items() if d not in have}
    if not gone:
        return []
    seq = store.chunk_sequence()
    lost = [path for lo, _hi, path in gone.values() if lo > seq and path]
    vectors = index.get()
    doomed = [i for lo, hi, _ in gone.values() for i in vectors.labels_between(lo, hi)]
    index.drop(doomed, forget=list(gone))
    if lost:
        store.queue([Path(p) for p in lost])
        log.info("%d papers were lost by the database and queued again: %s", len(lost), lost)
    return lost


def drop_orphans(index: LibraryIndex) -> int:
    """Delete vectors whose chunk is gone; how many there were."""
    orphans = index.orphans()
    index.drop(orphans)
    return len(orphans)


def doctor(store: Store, index: LibraryIndex, *, compact: bool = False,
           progress: Progress | None = None) -> DoctorReport:
    """Check SQLite against the vector index, repair what can be, report."""
    problems: list[str] = []
    repaired: list[str] = []
    unfinished = store.unfinished()
    if unfinished:
        problems.append(f"{len(unfinished)} half-added paper(s)")
    try:
        notices = recover(store, index)
        damage = index.damage() if index.exists() else None
    except IndexCorruptError as exc:
        notices, damage = [], str(exc)
    problems += notices
    if notices:
        repaired.append("dropped the lost papers' vectors and queued their files")
    if unfinished:
        repaired.append("removed half-added papers; their files are queued for the next add")
    if damage:
        problems.append(damage)
        moved = index.set_aside()
        repaired.append(f"moved the damaged index aside ({', '.join(moved)}) and rebuilt it")
    if fts_damage := store.check_fts():
        problems.append(f"full-text index damaged ({fts_damage})")
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
            index.ensure_chunks(missing, progress)
            repaired.append(f"embedded {len(missing)} chunk(s)")
        if compact:
            index.get().compact(progress)
            repaired.append("compacted the vector index")
        vectors = index.get().ids()
    papers, _, chunks = store.counts()
    # every chunk that gets a vector has one; libraries from before KEYWORD_ONLY_SECTIONS
    # also hold vectors of reference lists, which are harmless
    consistent = (
        set(store.chunk_ids(embedded=True)) <= vectors <= set(store.chunk_ids())
        and not store.unfinished()
    )
    return DoctorReport(papers, chunks, len(vectors), tuple(problems), tuple(repaired), consistent)
