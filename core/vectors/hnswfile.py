"""A structural check of an hnswlib index file, so a damaged one is refused with a message
instead of crashing the process inside hnswlib (it trusts every neighbour id it reads).

Layout of hnswlib 0.8's saveIndex (hnswalg.h): a 96-byte header of sizes, then for each
element its level-0 block (u32 count | maxM0 u32 neighbour ids | dim float32 | u64 label),
then for each element a u32 byte length and its upper-level link lists (u32 count | maxM ids).
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

_HEAD = struct.Struct("<QQQQQQiIQQQdQ")


def element_count(path: Path) -> int:
    """How many slots (live or deleted) the index file holds, from its header; ValueError if
    it has none."""
    with open(path, "rb") as fh:
        head = fh.read(_HEAD.size)
    if len(head) < _HEAD.size:
        raise ValueError(f"{path.name} is shorter than an index header")
    return int(_HEAD.unpack(head)[2])


def check(path: Path, dim: int, *, vectors: bool = True) -> str | None:
    """None if the file is a sound hnswlib cosine index of `dim`; else what is wrong."""
    try:
        raw = np.memmap(path, dtype=np.uint8, mode="r")
    except (OSError, ValueError) as exc:
        return f"unreadable ({exc})"
    if len(raw) < _HEAD.size:
        return "shorter than an index header"
    (off0, max_el, count, per_el, label_off, data_off, maxlevel, entry, max_m, max_m0, _m, _mult,
     _efc) = _HEAD.unpack_from(raw.data, 0)
    links0 = 4 + 4 * max_m0
    if (off0 != 0 or data_off != links0 or label_off != links0 + 4 * dim or per_el != label_off + 8
            or count > max_el or max_m0 > 4096 or max_m > 4096 or maxlevel > 64):
        return "header does not describe a cosine index of this dimension"
    body = _HEAD.size + count * per_el
    if len(raw) < body + 4 * count:
        return "truncated (shorter than its element count says)"
    if count == 0:
        return None if len(raw) == body else "trailing bytes after an empty index"
    level0 = raw[_HEAD.size : body].reshape(count, per_el)
    heads = level0[:, :4].copy().view("<u4")[:, 0]
    n0 = heads & 0xFFFF
    if (n0 > max_m0).any():
        return "a neighbour list longer than the graph allows"
    ids = level0[:, 4:links0].copy().view("<u4")
    used = np.arange(max_m0)[None, :] < n0[:, None]
    if (ids[used] >= count).any():
        return "a neighbour id outside the index"
    if entry >= count:
        return "entry point outside the index"
    if vectors:
        data = level0[:, data_off:label_off].copy().view("<f4")
        if not np.isfinite(data).all():
            return "vectors with NaN or infinite values"
        norms = np.linalg.norm(data, axis=1)
        if (np.abs(norms - 1.0) > 1e-2).any():
            return "vectors that are not of unit length"
    pos, size_links = body, 4 + 4 * max_m
    mv: memoryview = raw.data
    levels = np.zeros(count, dtype=np.int64)
    for i in range(count):
        if pos + 4 > len(raw):
            return "truncated inside the upper-level links"
        (n_bytes,) = struct.unpack_from("<I", mv, pos)
        pos += 4
        if n_bytes:
            if n_bytes % size_links or n_bytes // size_links > maxlevel or pos + n_bytes > len(raw):
                return "an upper-level link list of impossible size"
            links = np.frombuffer(mv, "<u4", n_bytes // 4, pos).reshape(-1, 1 + max_m)
            n = links[:, 0] & 0xFFFF
            if (n > max_m).any() or (links[:, 1:][np.arange(max_m)[None, :] < n[:, None]] >= count).any():
                return "an upper-level neighbour id outside the index"
            levels[i] = n_bytes // size_links
            pos += n_bytes
    if pos != len(raw):
        return "trailing bytes after the last element"
    if levels[entry] != maxlevel:
        return "entry point is not on the top level"
    return None


def level0(path: Path, dim: int) -> tuple:
    """The file's level-0 blocks mapped into memory: (rows, row order by label, sorted
    labels, (first, last) byte of the vector in a row), to read vectors without hnswlib."""
    raw = np.memmap(path, dtype=np.uint8, mode="r")
    (_off0, _max, count, per_el, label_off, data_off, *_rest) = _HEAD.unpack_from(raw.data, 0)
    if label_off - data_off != 4 * dim:
        raise ValueError("not an index of this dimension")
    rows = raw[_HEAD.size : _HEAD.size + count * per_el].reshape(count, per_el)
    labels = rows[:, label_off : label_off + 8].copy().view("<u8")[:, 0].astype(np.int64)
    order = np.argsort(labels, kind="stable")
    return rows, order, labels[order], (data_off, label_off)
