"""Copy a GGUF model with one string of its metadata replaced (e.g. a hostile chat template).

GGUF (v2/v3): magic, version, tensor count, key/value count, the key/values, the tensor
infos, padding to `general.alignment` (32 by default), then the tensor data. Tensor offsets
count from the start of the data, so only the header is rewritten and re-padded.
"""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

_SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
_STRING, _ARRAY = 8, 9


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, fmt: str):
        value = struct.unpack_from("<" + fmt, self.data, self.pos)[0]
        self.pos += struct.calcsize(fmt)
        return value

    def string(self) -> bytes:
        n = self.take("Q")
        self.pos += n
        return self.data[self.pos - n : self.pos]

    def value(self, kind: int):
        if kind == _STRING:
            return self.string()
        if kind == _ARRAY:
            item, n = self.take("I"), self.take("Q")
            return [self.value(item) for _ in range(n)]
        return self.take(_SCALARS[kind])


def _string(raw: bytes) -> bytes:
    return struct.pack("<Q", len(raw)) + raw


def with_metadata_string(source: Path, target: Path, key: str, value: str) -> Path:
    """Write `target`: `source` with string metadata `key` set to `value`."""
    with source.open("rb") as fh:
        head = fh.read(64 << 20)  # the header of a small model is far smaller
    r = _Reader(head)
    assert r.take("4s") == b"GGUF"
    version, n_tensors, n_kv = r.take("I"), r.take("Q"), r.take("Q")
    out = bytearray(b"GGUF" + struct.pack("<IQQ", version, n_tensors, n_kv))
    alignment, found = 32, False
    for _ in range(n_kv):
        start = r.pos
        name = r.string().decode()
        kind = r.take("I")
        old = r.value(kind)
        if name == "general.alignment":
            alignment = old
        if name == key:
            assert kind == _STRING, f"{key} is not a string"
            out += _string(name.encode()) + struct.pack("<I", _STRING) + _string(value.encode())
            found = True
        else:
            out += head[start : r.pos]
    assert found, f"{key} not in {source.name}"
    start = r.pos
    for _ in range(n_tensors):  # name, n_dims, dims, type, offset
        r.string()
        dims = r.take("I")
        r.pos += 8 * dims + 4 + 8
    out += head[start : r.pos]
    data_start = -(-r.pos // alignment) * alignment
    out += b"\0" * (-len(out) % alignment)
    with target.open("wb") as dst, source.open("rb") as src:
        dst.write(out)
        src.seek(data_start)
        shutil.copyfileobj(src, dst, 16 << 20)
    return target
