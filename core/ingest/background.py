"""Embedding in a background process, for the CLI: `lantern add` returns once its papers are
searchable and leaves their vectors to `lantern index --background`, started here, detached.
It holds the write lock as a polite writer (core.folder: any other writer makes it stop) and
embeds with Library.embed; docs/searchable-first.md.

`lantern add` starts it as soon as its first paper is stored, told to start after it: it loads
the embedding model (seconds: torch) while the other files are read, then waits for `add` to
end, so the vectors follow the words without that wait.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.ingest.pipeline import IngestPipeline

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


def lower_priority() -> None:
    """Run this process at the lowest priority from now on: background work, a question or
    the reading comes first. On Linux the nice value counts only within this process's
    session (this one's own: start() detaches it) unless its autogroup is niced too."""
    with contextlib.suppress(AttributeError, OSError):  # no os.nice on Windows
        os.nice(19)
    with contextlib.suppress(OSError), open("/proc/self/autogroup", "w") as group:
        group.write("19")


def embed_while_adding(pipeline: IngestPipeline, pid: int) -> None:
    """For the embedder that `lantern add` (process `pid`) started with --after: at a low
    priority, load the model and compute the vectors of the papers `add` stores, until it
    ends (Library.embed then journals them, and embeds the rest). The low priority leaves
    the CPU to the reading, so the papers are searchable as soon as before."""
    lower_priority()
    pipeline.embedder.dim  # noqa: B018  (loads the model)
    if os.name == "nt":  # which process started this one cannot be told: wait for the lock
        return
    pipeline.embed_ahead(lambda: os.getppid() == pid)


def start(root: Path, after: int | None = None) -> int:
    """Start a detached background embedder for `root` (it outlives this process); its pid.
    What it says goes to embedding.log in the library folder. `after`: it loads its model,
    then waits for process `after` to end before it takes the write lock."""
    import subprocess  # here: every `lantern list` imports this module with the Library

    detach: dict = ({"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
                     | subprocess.DETACHED_PROCESS}  # type: ignore[attr-defined]
                    if os.name == "nt" else {"start_new_session": True})
    with open(root / LOG_FILE, "ab") as out:
        process = subprocess.Popen(command(root, after), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=out, **detach)
    log.info("started background embedding, pid %d", process.pid)
    return process.pid
