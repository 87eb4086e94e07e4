"""`lantern add` returns once its papers are searchable; a background process embeds them.
kill -9 of that process loses nothing, and `lantern index` resumes it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import filelock
import pytest

from core import Library, Settings
from core.folder import EMBEDDER_MARK
from core.ingest import background
from core.settings import PROJECT_ROOT
from tests.e2e.test_crash import make_papers

pytestmark = pytest.mark.e2e


def test_kill_during_background_embedding(tmp_path, real_embedder):
    papers = make_papers(tmp_path / "pdfs", 10)
    library = tmp_path / "library"
    env = {**os.environ, "LANTERN_LIBRARY": str(library), "PYTHONUNBUFFERED": "1"}
    lantern = [sys.executable, "-m", "core.cli"]
    out = subprocess.run([*lantern, "add", "--json", str(tmp_path / "pdfs")], cwd=PROJECT_ROOT,
                         env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert [json.loads(line)["status"] for line in out.stdout.splitlines()] == ["added"] * 10

    settings = Settings(library=library, models_dirs=[PROJECT_ROOT / "models"])
    with Library(settings, embedder=real_embedder) as lib:
        # searchable at once, and a question says which papers it searched by keyword only
        (*_, done) = lib.ask("Which optimizer was used in paper 3?", use_llm=False)
        assert done.answer.evidence and done.answer.keyword_only >= 1
        deadline = time.time() + 300  # kill once the first paper's vectors are saved
        while time.time() < deadline and not lib.index.indexed():
            time.sleep(0.05)
        assert lib.index.indexed(), (library / background.LOG_FILE).read_text()
    pid = int((library / EMBEDDER_MARK).read_text())
    os.kill(pid, signal.SIGKILL)
    with filelock.FileLock(str(library / "write.lock")).acquire(timeout=30):
        pass  # the lock goes with the killed process

    with Library(settings, embedder=real_embedder) as lib:
        assert sorted(p.path for p in lib.papers()) == sorted(papers)  # every paper kept
        assert lib._parts.store.unfinished() == []
        indexed = lib.index.indexed()
        assert lib.index.get().ids() == set(lib._parts.store.chunk_ids(sorted(indexed), embedded=True))
        left = lib.unindexed()
        assert set(left) | indexed == {p.doc_id for p in lib.papers()}

    out = subprocess.run([*lantern, "index", "--json"], cwd=PROJECT_ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert {json.loads(line)["doc_id"] for line in out.stdout.splitlines()} == set(left)
    with Library(settings, embedder=real_embedder) as lib:
        assert lib.unindexed() == []
        assert lib.index.get().ids() == set(lib._parts.store.chunk_ids(embedded=True))
        (*_, done) = lib.ask("Which optimizer was used in paper 3?", use_llm=False)
        assert done.answer.keyword_only == 0
        assert lib.doctor().consistent
