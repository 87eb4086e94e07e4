"""Recovery and the consistency check: SQLite is the source of truth, the vector index follows.

Both run under the library's write lock and in-process lock, taken here from the library's
parts (core.parts); the Library orders the steps of a doctor that rebuilds a damaged database.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import IndexCorruptError
from core.paths import shown
from core.store import Store
from core.store_file import SIDE_FILES, move_aside, salvage
from core.types import BatchFinished, DoctorReport, Progress
from core.vectors import journal as vlog
from core.vectors.library_index import LibraryIndex

if TYPE_CHECKING:
    from core.parts import Parts

log = logging.getLogger(__name__)


def recover(store: Store, index: LibraryIndex) -> list[str]:
    """Undo what an interrupted run left half-done: papers still 'indexing' are deleted (their
    vectors too) and their files queued for the next add; papers whose vectors the index holds
    but the database does not are dropped from the index, and named and queued again if the
    database lost them. Runs on every open: cheap (no vectors loaded) when there is nothing
    to do, and the index's record is read only if the index changed since it was last found
    in step with the database. Returns what the user should be told."""
    unfinished = store.unfinished()
    doomed: set[int] = set()
    for doc_id, path in unfinished:
        doomed.update(store.chunk_ids([doc_id], state="indexing"))
        store.queue([Path(path)])
    store.delete_papers(d for d, _ in unfinished)
    index.drop(doomed, forget=[d for d, _ in unfinished])
    notices: list[str] = []
    # A database that lost its last writes lost this mark too if it was made after them, and
    # every write to the index changes its files: an unchanged mark proves nothing to check.
    checked = f"checked:{index.path.stem}"
    if index.exists() and store.meta(checked) != index.files_state():
        recorded = vlog.recorded_papers(index.path, index.dim())
        if recorded is None:  # an index from before the journal: give it its record once
            index.upgrade()
            recorded = vlog.recorded_papers(index.path, index.dim()) or {}
        if lost := drop_missing_papers(store, index, recorded):
            names = ", ".join(Path(p).name for p in lost[:5]) + (" …" if len(lost) > 5 else "")
            notices.append(
                f"{len(lost)} paper(s) whose vectors were saved are missing from the database "
                f"(it lost its last writes, e.g. a deleted library.sqlite3-wal file): {names}; "
                "they are queued: run `lantern add` to add them again"
            )
        store.set_meta(checked, index.files_state())
    return notices


def recover_on_open(parts: Parts) -> list[str]:
    """recover(), when this process may write the library now; what the user should be told.
    An index that cannot be read is told, not raised: whatever needs vectors says it again."""
    if parts.store.damage:
        return []  # doctor() is about to rebuild it
    release = parts.writes.try_writing()
    if release is None:
        return []  # read-only, or another process writes it and cleans up after itself
    with release, parts.lock:
        try:
            return recover(parts.store, parts.index)
        except IndexCorruptError as exc:
            return [str(exc)]


def drop_missing_papers(store: Store, index: LibraryIndex, recorded: dict[str, list]) -> list[str]:
    """Drop the vectors of papers the database does not have; queue the files of those it lost
    (chunk ids beyond its sequence) and return their paths."""
    have = store.doc_ids()
    gone = {d: v for d, v in recorded.items() if d not in have}
    if not gone:
        return []
    seq = store.chunk_sequence()
    lost = [path for lo, _hi, path in gone.values() if lo > seq and path]
    doomed = [i for lo, hi, _ in gone.values() for i in range(lo, hi + 1)]  # one range a paper
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


@dataclass(frozen=True)
class Rebuilt:
    """A damaged database replaced by a new one (rebuild_database)."""

    store: Store  # the new database, its papers' files queued to be added again
    damage: str  # what PRAGMA quick_check or SQLite said
    folder: Path  # where the damaged files were moved
    gone: int  # papers whose files no longer exist (listed in folder/lost.txt)


def rebuild_database(store: Store, root: Path) -> Rebuilt:
    """Replace a damaged database by a new one holding what can still be read from it: the
    conversations, and its papers' files, queued to be added again. The damaged database and
    the vector index (its labels are the old chunk ids) move to `root/damaged-<time>/`."""
    damage = store.damage or "damaged pages"
    found = salvage(store.path)
    store.close()
    files = [store.path.with_name(store.path.name + s) for s in ("", *SIDE_FILES)]
    folder = move_aside(root, files + sorted(root.glob("vectors-*")))
    new = Store(store.path)
    new.restore_history(found.conversations, found.turns)
    new.queue(p for p in found.paths if p.exists())
    gone = [p for p in found.paths if not p.exists()]
    if gone or found.unreadable:
        (folder / "lost.txt").write_text(
            "".join(f"file gone: {shown(p)}\n" for p in gone)
            + "".join(f"unreadable table: {t}\n" for t in found.unreadable),
            encoding="utf-8",
        )
    return Rebuilt(new, damage, folder, len(gone))


def rebuild_if_damaged(parts: Parts) -> Rebuilt | None:
    """Library.doctor's first step, under the library's locks: a damaged database is replaced
    (rebuild_database); the Library then works on the new store and adds its queued papers
    again. None when the database is sound."""
    with parts.writes.writing(), parts.lock:
        return rebuild_database(parts.store, parts.root) if parts.store.check() else None


def doctor_parts(
    parts: Parts, *, compact: bool = False, progress: Progress | None = None
) -> DoctorReport:
    """doctor() under the library's write lock and in-process lock."""
    with parts.writes.writing(), parts.lock:
        return doctor(parts.store, parts.index, compact=compact, progress=progress)


def with_rebuild(
    report: DoctorReport, rebuilt: Rebuilt, readded: BatchFinished | None
) -> DoctorReport:
    """`report` with the rebuild of a damaged database in front of its lines."""
    problems = [f"library database damaged ({rebuilt.damage})"]
    repaired = [f"rebuilt the library database; the damaged files are kept in "
                f"{shown(rebuilt.folder)}"]
    if readded is not None:
        repaired.append(f"re-added {readded.added + readded.unchanged} paper(s) from their files"
                        + (f"; {readded.failed} could not be read (`lantern add` says why)"
                           if readded.failed else ""))
    if rebuilt.gone:
        problems.append(f"{rebuilt.gone} paper(s) cannot be added again: their files are gone "
                        f"(listed in {shown(rebuilt.folder / 'lost.txt')})")
    return dataclasses.replace(report, problems=(*problems, *report.problems),
                               repaired=(*repaired, *report.repaired))
