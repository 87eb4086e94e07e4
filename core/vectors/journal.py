"""The vector index's files: a manifest naming the current snapshot (with its checksum), the
hnswlib snapshot itself, and an append-only journal of what changed since that snapshot.

    vectors-KEY.manifest.json   {"generation": g, "snapshot": ..., "crc32": ..., "papers": ...}
    vectors-KEY.g<g>.hnsw       hnswlib's save_index() output, never modified once renamed
    vectors-KEY.g<g>.journal    header, then records: ADD (labels + vectors) or DEL (labels)

Replacing the manifest (write, fsync, rename, fsync the folder) is the one commit point of a
snapshot; a journal record counts once its bytes and CRC are on disk (fsync). A torn record at
the end of a journal (a crash mid-append) fails its CRC and is ignored, then cut off by the
next writer. The layout follows LevelDB's CURRENT file + log, reduced to what Lantern needs.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from core.errors import DiskFullError

if TYPE_CHECKING:  # numpy is imported when a record is read or written: opening a library
    import numpy as np  # whose index is unchanged (`lantern list`) does neither

FORMAT = 1
JOURNAL_MAGIC = b"LNTRNJ01"
_JHEAD = struct.Struct("<8sIIQ")  # magic, format, dim, generation
_RHEAD = struct.Struct("<BxxxII")  # kind, payload length, crc32(kind byte + payload)
ADD, DEL = 1, 2


@dataclass
class Record:
    """One journal entry: vectors added (with the paper they belong to) or labels deleted."""

    kind: int
    labels: np.ndarray  # int64
    vectors: np.ndarray | None = None  # float32 (n, dim), ADD only
    doc_id: str = ""  # ADD: the paper these vectors belong to
    path: str = ""  # ADD: its file, so a paper the database lost can be named and re-added
    forget: list[str] = field(default_factory=list)  # DEL: papers no longer in the index


def manifest_path(base: Path) -> Path:
    return base.with_name(base.stem + ".manifest.json")


def snapshot_path(base: Path, generation: int) -> Path:
    return base.with_name(f"{base.stem}.g{generation}.hnsw")


def journal_path(base: Path, generation: int) -> Path:
    return base.with_name(f"{base.stem}.g{generation}.journal")


def exists(base: Path) -> bool:
    """Whether an index was ever written here (before its first snapshot, only a journal)."""
    return manifest_path(base).exists() or base.exists() or journal_path(base, 0).exists()


def read_manifest(base: Path) -> dict | None:
    """The manifest, or None if there is none yet; ValueError, naming the first field that is
    wrong, if it is not one (check_manifest)."""
    path = manifest_path(base)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path.name} is unreadable ({exc})") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{path.name} is not a Lantern index manifest of format {FORMAT}")
    if problem := check_manifest(data, base):
        raise ValueError(f"{path.name}: {problem}")
    return data


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _paper_range(value: object) -> bool:
    """[lowest label, highest label, path], as label_range() writes it."""
    return (isinstance(value, list) and len(value) == 3 and _count(value[0])
            and isinstance(value[1], int) and not isinstance(value[1], bool)
            and isinstance(value[2], str))


def check_manifest(data: dict, base: Path) -> str | None:
    """What is wrong with a manifest's fields, field by field, or None. The snapshot must be
    this index's own file of the manifest's generation: a name such as `../../etc/passwd`
    is refused before any file is opened."""
    checks = (
        ("dim", lambda v: _count(v) and v > 0, "a positive whole number"),
        ("generation", _count, "a whole number"),
        ("size", _count, "a whole number"),
        ("crc32", lambda v: _count(v) and v < 1 << 32, "a CRC-32"),
        ("deleted", lambda v: isinstance(v, list) and all(_count(x) for x in v),
         "a list of slot numbers"),
        ("papers", lambda v: isinstance(v, dict) and all(_paper_range(x) for x in v.values()),
         "a map of papers to label ranges"),
    )
    for name, ok, what in checks:
        if name not in data:
            return f"field {name!r} is missing"
        if not ok(data[name]):
            return f"field {name!r} is {_shown(data[name])}, not {what}"
    if "snapshot" not in data:
        return "field 'snapshot' is missing"
    snapshot = data["snapshot"]
    if snapshot is not None and snapshot != snapshot_path(base, data["generation"]).name:
        return (f"field 'snapshot' is {_shown(snapshot)}, not this index's snapshot of "
                f"generation {data['generation']}")
    return None


def _shown(value: object) -> str:
    """A value in a message: its JSON, shortened."""
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


def file_crc32(path: Path) -> tuple[int, int]:
    """(size, crc32) of a file, read in 8 MiB blocks."""
    crc, size = 0, 0
    with open(path, "rb") as fh:
        while block := fh.read(8 << 20):
            crc = zlib.crc32(block, crc)
            size += len(block)
    return size, crc


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def disk_full(exc: OSError, folder: Path, needed: int) -> DiskFullError:
    """The one clear line for a full disk: how much to free, then what to run."""
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        free = 0
    mb = max(1, -(-(needed - free) // (1 << 20)) + 1)
    return DiskFullError(f"disk full: free {mb} MB on {folder} and run add again")


def is_disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


def write_atomic(path: Path, data: bytes) -> None:
    """Write, fsync, verify the size, rename, fsync the folder; on failure leave `path` as it was."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if tmp.stat().st_size != len(data):  # a short write the OS did not report
            raise OSError(errno.ENOSPC, "short write", str(tmp))
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if is_disk_full(exc):
            raise disk_full(exc, path.parent, len(data)) from exc
        raise


def encode(record: Record) -> bytes:
    import numpy as np

    head = {"doc": record.doc_id, "path": record.path, "forget": record.forget,
            "n": int(len(record.labels))}
    meta = json.dumps(head).encode()  # lone surrogates of odd file names are \u-escaped
    parts = [struct.pack("<I", len(meta)), meta, np.asarray(record.labels, "<i8").tobytes()]
    if record.kind == ADD:
        assert record.vectors is not None
        parts.append(np.ascontiguousarray(record.vectors, "<f4").tobytes())
    payload = b"".join(parts)
    crc = zlib.crc32(payload, zlib.crc32(bytes([record.kind])))
    return _RHEAD.pack(record.kind, len(payload), crc) + payload


def _decode(kind: int, payload: bytes, dim: int) -> Record:
    import numpy as np

    (n_meta,) = struct.unpack_from("<I", payload)
    head = json.loads(payload[4 : 4 + n_meta])
    n = int(head["n"])
    at = 4 + n_meta
    labels = np.frombuffer(payload, "<i8", n, at).astype(np.int64)
    vectors = None
    if kind == ADD:
        vectors = np.frombuffer(payload, "<f4", n * dim, at + 8 * n).reshape(n, dim).copy()
    return Record(kind, labels, vectors, head["doc"], head["path"], list(head["forget"]))


def journal_header(dim: int, generation: int) -> bytes:
    return _JHEAD.pack(JOURNAL_MAGIC, FORMAT, dim, generation)


def read_journal(path: Path, dim: int, generation: int, start: int = 0) -> Iterator[tuple[Record, int]]:
    """(record, offset after it) from `start` (0: check the header first) up to the first torn
    or damaged record. A missing journal is an empty one."""
    try:
        fh = open(path, "rb")  # noqa: SIM115  (closed by the with below)
    except FileNotFoundError:
        return
    with fh:
        if start == 0:
            head = fh.read(_JHEAD.size)
            if len(head) < _JHEAD.size:
                return  # created, header not yet written: empty
            magic, fmt, jdim, jgen = _JHEAD.unpack(head)
            if magic != JOURNAL_MAGIC or fmt != FORMAT or jdim != dim or jgen != generation:
                raise ValueError(f"{path.name} does not belong to this index (generation {generation})")
            start = _JHEAD.size
        fh.seek(start)
        offset = start
        while True:
            head = fh.read(_RHEAD.size)
            if len(head) < _RHEAD.size:
                return
            kind, length, crc = _RHEAD.unpack(head)
            payload = fh.read(length)
            if (len(payload) < length or kind not in (ADD, DEL)
                    or zlib.crc32(payload, zlib.crc32(bytes([kind]))) != crc):
                return  # torn tail (a crash mid-append) or damage: stop at the last good record
            offset += _RHEAD.size + length
            yield _decode(kind, payload, dim), offset


def recorded_papers(base: Path, dim: int) -> dict[str, list] | None:
    """The papers whose vectors the index holds, doc_id -> [lowest label, highest label, path],
    read from the manifest and journal without loading the graph (cheap: for the check on
    every open). None for an index from before the journal (no record) or a damaged one."""
    try:
        manifest = read_manifest(base)
    except ValueError:
        return None  # damaged: reported when the index itself is opened
    if manifest is None:
        if base.exists():
            return None
        papers: dict[str, list] = {}
        generation = 0
    else:
        papers = {k: list(v) for k, v in manifest["papers"].items()}
        generation = int(manifest["generation"])
    try:
        for r, _ in read_journal(journal_path(base, generation), dim, generation):
            if r.kind == ADD and r.doc_id:
                papers[r.doc_id] = label_range(r)
            for doc_id in r.forget:
                papers.pop(doc_id, None)
    except ValueError:
        return None
    return papers


def label_range(r: Record) -> list:
    """[lowest label, highest label, path] of an ADD record (a paper's chunk ids are one range)."""
    lo, hi = (int(r.labels.min()), int(r.labels.max())) if len(r.labels) else (0, -1)
    return [lo, hi, r.path]


def append_unloaded(base: Path, dim: int, record: Record, *,
                    under_limit: Callable[[Path, int], bool]) -> bool:
    """Append a DEL record to the current generation's journal without loading the index: a
    removal costs its few labels, not a read of the whole graph. Whoever loads the index next
    applies it (replay ignores labels it does not hold). False, and nothing written, for an
    index from before the journal, or unless `under_limit(snapshot file, most deleted slots
    it may have)`: load it, so that its compaction starts. ValueError if the files
    are damaged. The caller holds the library's write lock."""
    manifest = read_manifest(base)
    if manifest is None and base.exists():
        return False
    if manifest is not None and manifest["dim"] != dim:
        raise ValueError(f"{manifest_path(base).name}: dimension {manifest['dim']}, expected {dim}")
    generation = 0 if manifest is None else int(manifest["generation"])
    end, added, deleted = 0, set[int](), set(record.labels.tolist())
    for old, after in read_journal(journal_path(base, generation), dim, generation):
        (added if old.kind == ADD else deleted).update(old.labels.tolist())
        end = after
    if manifest and manifest["snapshot"]:  # labels added since were in the delta, not the graph
        dead = len(manifest["deleted"]) + len(deleted - added)
        if not under_limit(base.with_name(manifest["snapshot"]), dead):
            return False
    writer = JournalWriter(base, dim, generation, end)
    try:
        writer.append(encode(record))
    finally:
        writer.close()
    return True


class JournalWriter:
    """Appends records to one generation's journal, each fsynced before `append` returns.
    A record that fails to be written whole is cut off again: it never happened."""

    def __init__(self, base: Path, dim: int, generation: int, end: int) -> None:
        self.path = journal_path(base, generation)
        self.folder = base.parent
        self.dim, self.generation = dim, generation
        self.end = end  # bytes of good records (0: no journal yet, or a torn header)
        self._fh: BinaryIO | None = None

    def append(self, data: bytes) -> None:
        fh = self._open()
        try:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
            if os.fstat(fh.fileno()).st_size != self.end + len(data):
                raise OSError(28, "short write to the vector journal")
        except OSError as exc:
            self.close()
            os.truncate(self.path, self.end)
            if is_disk_full(exc):
                raise disk_full(exc, self.folder, len(data)) from exc
            raise
        self.end += len(data)

    def _open(self) -> BinaryIO:
        if self._fh is None:
            try:
                if self.end == 0:  # new journal (or one with a torn header)
                    with open(self.path, "wb") as new:
                        new.write(journal_header(self.dim, self.generation))
                        new.flush()
                        os.fsync(new.fileno())
                    fsync_dir(self.folder)
                    self.end = os.path.getsize(self.path)
                fh = open(self.path, "r+b")  # noqa: SIM115  (kept open for appends)
                fh.truncate(self.end)  # a torn record left by a crash
                fh.seek(self.end)
            except OSError as exc:
                if is_disk_full(exc):
                    self.path.unlink(missing_ok=True)
                    self.end = 0
                    raise disk_full(exc, self.folder, 4096) from exc
                raise
            self._fh = fh
        return self._fh

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
