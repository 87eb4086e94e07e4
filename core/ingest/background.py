"""Embedding in a background process, for the CLI: `lantern add` returns once its papers are
searchable and leaves their vectors to `lantern index --background`, started here, detached.
It holds the write lock as a polite writer (core.folder: any other writer makes it stop) and
embeds with Library.embed; docs/searchable-first.md.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

log = logging.getLogger(__name__)

LOG_FILE = "embedding.log"


def command(root: Path) -> list[str]:
    """The command line of a background embedder for the library at `root`."""
    if getattr(sys, "frozen", False):
        # the PyInstaller bundle: sys.executable is `Lantern` (the window) whichever name ran
        # it, and `--cli` makes it the CLI (packaging/lantern_main.py)
        return [sys.executable, "--cli", "--library", str(root), "index", "--background"]
    return [sys.executable, "-m", "core.cli", "--library", str(root), "index", "--background"]


def start(root: Path) -> int:
    """Start a detached background embedder for `root` (it outlives this process); its pid.
    What it says goes to embedding.log in the library folder."""
    detach: dict = ({"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
                     | subprocess.DETACHED_PROCESS}  # type: ignore[attr-defined]
                    if os.name == "nt" else {"start_new_session": True})
    with open(root / LOG_FILE, "ab") as out:
        process = subprocess.Popen(command(root), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=out, **detach)
    log.info("started background embedding, pid %d", process.pid)
    return process.pid
