"""Embedding in a background process, for the CLI: `lantern add` returns once its papers are
searchable and leaves their vectors to `lantern index --background`, started here, detached.
It holds the write lock as a polite writer (core.folder: any other writer makes it stop) and
embeds with Library.embed; docs/searchable-first.md.

`lantern add` starts it as soon as its first paper is stored, told to start after it: it loads
the embedding model (seconds: torch) while the other files are read, then waits for `add` to
end, so the vectors follow the words without that wait.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.embed import Embedder

log = logging.getLogger(__name__)

LOG_FILE = "embedding.log"


def command(root: Path, after: int | None = None) -> list[str]:
    """The command line of a background embedder for the library at `root`; `after`: the pid
    of the process it waits for."""
    # the PyInstaller bundle: sys.executable is `Lantern` (the window) whichever name ran it,
    # and `--cli` makes it the CLI (packaging/lantern_main.py)
    program = [sys.executable, "--cli"] if getattr(sys, "frozen", False) else [
        sys.executable, "-m", "core.cli"]
    wait = ["--after", str(after)] if after is not None else []
    return [*program, "--library", str(root), "index", "--background", *wait]


def wait_for_exit(pid: int, poll_s: float = 0.05) -> None:
    """Return once process `pid`, which started this one, has ended: this one is then
    handed to another parent (at once on Windows, where that cannot be told so; the
    embedder then waits for the write lock as usual)."""
    if os.name == "nt":
        return
    while os.getppid() == pid:
        time.sleep(poll_s)


def load_then_wait(embedder: Embedder, pid: int) -> None:
    """Load the embedding model, then wait for process `pid` (`lantern add`, which started
    this one with --after) to end: the model loads while the papers are read."""
    embedder.dim  # noqa: B018  (loads the model)
    wait_for_exit(pid)


def start(root: Path, after: int | None = None) -> int:
    """Start a detached background embedder for `root` (it outlives this process); its pid.
    What it says goes to embedding.log in the library folder. `after`: it loads its model,
    then waits for process `after` to end before it takes the write lock."""
    detach: dict = ({"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
                     | subprocess.DETACHED_PROCESS}  # type: ignore[attr-defined]
                    if os.name == "nt" else {"start_new_session": True})
    with open(root / LOG_FILE, "ab") as out:
        process = subprocess.Popen(command(root, after), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=out, **detach)
    log.info("started background embedding, pid %d", process.pid)
    return process.pid
