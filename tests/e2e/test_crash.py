"""kill -9 during `lantern add`: the library stays consistent and the next add completes."""

from __future__ import annotations

import json
import os
import shutil
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
    cmd = [sys.executable, "-m", "core.cli", "add", "--wait", "--json", str(tmp_path / "pdfs")]
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
        assert lib._parts.store.unfinished() == []
        if lib.index.exists():
            assert lib.index.get().ids() == set(lib._parts.store.chunk_ids(embedded=True))
        assert lib.doctor().consistent
        # the rest of the batch is still queued: a plain `add` of anything resumes it
        assert set(lib.pending()) | done >= set(papers) or after_lines == 0

    out = subprocess.run(cmd, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    statuses = [json.loads(line)["status"] for line in out.stdout.splitlines()]
    assert statuses.count("added") == len(papers) - len(done)
    with Library(settings, embedder=real_embedder) as lib:
        assert sorted(p.path for p in lib.papers()) == sorted(papers)  # no duplicates
        assert lib.index.get().ids() == set(lib._parts.store.chunk_ids(embedded=True))
        assert lib.pending() == []


CHILD = """
import os, signal, sys
sys.path.insert(0, {root!r})
from tests.conftest import FakeEmbedder
from core import Library, Settings
from core.vectors import journal as vectorlog
from core.store import Store
from core.vectors.index import VectorIndex

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

point = {point!r}
if point == "journal":  # the paper's vectors are durable, it is not yet ready
    Store.mark_ready = die
lib = Library(Settings(library={library!r}), embedder=FakeEmbedder())
for event in lib.add([{pdf!r}]):
    pass
if point == "before-commit":  # new snapshot written and renamed, manifest not yet replaced
    vectorlog.write_atomic = die
elif point == "after-commit":  # manifest replaced, old snapshot and journal not yet deleted
    VectorIndex._close_journal = die
if point == "compacting":  # remove 40% of the papers, die while the new graph is built
    from core.vectors import graph as vectorgraph
    real = vectorgraph.Rebuild.add
    def add(self, *args):
        real(self, *args)
        die()
    vectorgraph.Rebuild.add = add
    lib.remove([p.doc_id for p in lib.papers()[:520]])
    lib.index.get()._rebuild.wait()  # killed inside
lib.index.get().checkpoint()
"""


def build_large(library: Path, papers: int, per_paper: int = 16) -> int:
    """A library of `papers` synthetic papers with fake vectors (no PDFs: fast), one journal
    record per paper as `add` writes them, then one snapshot. Returns the vector count."""
    from core.types import Chunk, Page, PaperMeta, ParsedDocument
    from tests.conftest import FakeEmbedder

    settings = Settings(library=library, models_dirs=[PROJECT_ROOT / "models"])
    embedder = FakeEmbedder()
    with Library(settings, embedder=embedder) as lib, lib.writing():
        index = lib.index.get()
        for n in range(papers):
            text = f"Paper {n} studies topic {n % 97} with method {n % 13}. " * 12
            doc = ParsedDocument(library / f"p{n}.pdf", (Page(1, text),), PaperMeta(f"Paper {n}"))
            chunks = [Chunk(i, f"{text} chunk {i}", 1, 1, "methods") for i in range(per_paper)]
            doc_id = f"{n:08x}abcd"
            ids = lib._parts.store.insert_paper(doc_id, f"{n:064x}", doc, chunks, settings.chunking_key())
            index.add(ids, embedder.embed([c.text for c in chunks]), paper=(doc_id, str(doc.path)))
            lib._parts.store.mark_ready(doc_id)
        index.checkpoint()
        return len(index)


@pytest.fixture(scope="module")
def large_library(tmp_path_factory) -> Path:
    library = tmp_path_factory.mktemp("large") / "library"
    assert build_large(library, 1300) >= 20_000
    return library


@pytest.mark.parametrize("point", ["journal", "before-commit", "after-commit", "compacting"])
def test_kill_at_20k_vectors(tmp_path, large_library, point):
    from tests.conftest import FakeEmbedder

    library = tmp_path / "library"
    shutil.copytree(large_library, library)
    (pdf,) = make_papers(tmp_path / "pdfs", 1)
    child = CHILD.format(root=str(PROJECT_ROOT), point=point, library=str(library), pdf=str(pdf))
    proc = subprocess.run([sys.executable, "-c", child], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == -signal.SIGKILL, proc.stderr

    settings = Settings(library=library, models_dirs=[PROJECT_ROOT / "models"])
    with Library(settings, embedder=FakeEmbedder()) as lib:
        ready = {p.path for p in lib.papers()}
        assert lib._parts.store.unfinished() == [] and lib.notices == []
        assert lib.index.get().ids() == set(lib._parts.store.chunk_ids(embedded=True))
        if point == "journal":
            assert pdf not in ready and lib.pending() == [pdf]
        else:
            assert pdf in ready and lib.pending() == []
        assert lib.search("topic 42 method") and lib.doctor().consistent
        list(lib.add([]))  # the queued file, if any
        kept = 1301 - 520 if point == "compacting" else 1301
        assert pdf in {p.path for p in lib.papers()} and len(lib.papers()) == kept
        if point == "compacting":  # the next writer compacts what the killed one could not
            lib.doctor(compact=True)
            index = lib.index.get()
            assert index.slots == len(index) == len(lib._parts.store.chunk_ids(embedded=True))
    leftovers = sorted(p.name for p in library.glob("vectors-*") if ".g" in p.name)
    assert len(leftovers) <= 3  # the current snapshot, its journal, maybe one stale snapshot


@pytest.fixture
def tiny_disk(tmp_path):
    """A 2 MB tmpfs (needs root; skipped elsewhere)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_full_tmpfs(tmp_path, tiny_disk):
    """Adding papers until a 2 MB disk is full: one clear error, everything added before it
    intact, the library opens and doctor finds it consistent."""
    from core.errors import DiskFullError
    from tests.conftest import FakeEmbedder

    settings = Settings(library=tiny_disk / "library", models_dirs=[PROJECT_ROOT / "models"])
    papers = make_papers(tmp_path / "pdfs", 40)
    added: list[str] = []
    with Library(settings, embedder=FakeEmbedder()) as lib, pytest.raises(DiskFullError) as err:
        for path in papers:
            for event in lib.add([path]):
                if getattr(event, "status", None) == "added":
                    added.append(event.doc_id)
    assert str(err.value).startswith("disk full: free ") and "run add again" in str(err.value)
    assert added  # some fitted before the disk filled up
    with Library(settings, embedder=FakeEmbedder()) as lib:
        assert {p.doc_id for p in lib.papers()} >= set(added)
        assert lib.index.get().ids() == set(lib._parts.store.chunk_ids(embedded=True))
        assert lib.search("camera traps Adam")
        report = lib.doctor()
        assert report.consistent, report
