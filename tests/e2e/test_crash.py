"""kill -9 during `lantern add`: the library stays consistent and the next add completes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core import Library, Settings
from core.pdfgen import write_paper
from core.settings import PROJECT_ROOT

pytestmark = pytest.mark.e2e

PARAGRAPH = (
    "We trained the classifier on images from camera traps in paper {i}. The optimizer was "
    "Adam with a learning rate of 0.00{i}, and training ran for {i}0 epochs on one GPU. "
)


def make_papers(folder: Path, n: int) -> list[Path]:
    folder.mkdir()
    paths = []
    for i in range(1, n + 1):
        path = folder / f"paper_{i:02d}.pdf"
        paras = [PARAGRAPH.format(i=i) * 3 for _ in range(12)]
        write_paper(path, title=f"Synthetic study number {i}", authors=["A. Author"],
                    sections=[("Methods", paras[:6]), ("Results", paras[6:])])
        paths.append(path)
    return paths


@pytest.mark.parametrize("after_lines", [0, 1, 3])
def test_kill_during_add(tmp_path, after_lines, real_embedder):
    papers = make_papers(tmp_path / "pdfs", 6)
    library = tmp_path / "library"
    env = {**os.environ, "LANTERN_LIBRARY": str(library), "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "core.cli", "add", "--json", str(tmp_path / "pdfs")]
    proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, text=True)
    for _ in range(after_lines):
        assert proc.stdout.readline()
    if after_lines == 0:
        deadline = time.time() + 60  # kill once the first paper is being written
        while time.time() < deadline and not (library / "library.sqlite3").exists():
            time.sleep(0.05)
        time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    settings = Settings(library=library, models_dirs=[PROJECT_ROOT / "models"])
    with Library(settings, embedder=real_embedder) as lib:
        done = {p.path for p in lib.papers()}
        assert lib.store.unfinished() == []
        if lib.index.exists():
            assert lib.index.get().ids() == set(lib.store.chunk_ids(embedded=True))
        assert lib.doctor().consistent
        # the rest of the batch is still queued: a plain `add` of anything resumes it
        assert set(lib.pending()) | done >= set(papers) or after_lines == 0

    out = subprocess.run(cmd, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    statuses = [json.loads(line)["status"] for line in out.stdout.splitlines()]
    assert statuses.count("added") == len(papers) - len(done)
    with Library(settings, embedder=real_embedder) as lib:
        assert sorted(p.path for p in lib.papers()) == sorted(papers)  # no duplicates
        assert lib.index.get().ids() == set(lib.store.chunk_ids(embedded=True))
        assert lib.pending() == []
