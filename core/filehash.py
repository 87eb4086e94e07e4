"""sha256 of files too large to read twice: model weights (a GGUF of 1-5 GB) and papers.

`cached_sha256` keeps each hash in a JSON file in a folder (the library's) under the file's
path, size and mtime, so an export or `--version` reads a model once, not each time; a changed
file has a new key and is read again. `sha256_file` remembers hashes for the life of the
process only, for when there is no such folder.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

log = logging.getLogger(__name__)

HASH_CACHE = "file-hashes.json"  # in the library folder: sha256 by (path, size, mtime)
_memo: dict[str, str] = {}  # by the same key, for the life of the process


def cached_sha256(path: Path, cache_dir: Path) -> str:
    """sha256 of a file, kept in cache_dir/file-hashes.json under its path, size and mtime: a
    5 GB model is read once, not at every export. A changed file has a new key."""
    path = Path(path).resolve()
    key = _key(path)
    if key in _memo:
        return _memo[key]
    cache_file = cache_dir / HASH_CACHE
    try:
        cache = json.loads(cache_file.read_text(encoding="utf-8"))
        if not isinstance(cache, dict):
            cache = {}
    except (OSError, ValueError):
        cache = {}
    if isinstance(found := cache.get(key), str):
        _memo[key] = found
        return found
    with open(path, "rb") as fh:
        digest = hashlib.file_digest(fh, "sha256").hexdigest()
    # drop entries of this path with another size or mtime: the file changed
    cache = {k: v for k, v in cache.items() if not k.startswith(f"{path}|")}
    cache[key] = _memo[key] = digest
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_name(f".{HASH_CACHE}.tmp")
        tmp.write_text(json.dumps(cache, indent=1), encoding="utf-8")
        tmp.replace(cache_file)
    except OSError as exc:  # a read-only library still exports; it only hashes again
        log.debug("hash cache not written: %s", exc)
    return digest


def sha256_file(path: Path) -> str:
    """sha256 of a file, remembered by path, size and mtime for the life of the process."""
    key = _key(Path(path).resolve())
    if key not in _memo:
        with open(path, "rb") as fh:
            _memo[key] = hashlib.file_digest(fh, "sha256").hexdigest()
    return _memo[key]


def _key(path: Path) -> str:
    stat = path.stat()
    return f"{path}|{stat.st_size}|{stat.st_mtime_ns}"
