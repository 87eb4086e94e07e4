"""Compaction of the vector index in the background: the writer is not held up, questions are
answered meanwhile, changes made meanwhile survive the swap, and kill -9 loses nothing."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from core.settings import PROJECT_ROOT
from core.vectors import journal as vlog
from core.vectors.graph import Rebuild
from core.vectors.index import VectorIndex

DIM = 16


def unit(n: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def exact(vecs: dict[int, np.ndarray], q: np.ndarray, k: int) -> list[int]:
    """The true k nearest labels by cosine (ties by label)."""
    labels = sorted(vecs)
    sims = np.stack([vecs[i] for i in labels]) @ q
    return [labels[i] for i in np.argsort(-sims, kind="stable")[:k]]


@pytest.fixture
def held(monkeypatch):
    """Rebuilds wait at their first batch until the event is set (a slow build, on cue)."""
    gate, started = threading.Event(), threading.Event()
    real = Rebuild.add

    def add(self, index, labels, vecs):
        started.set()
        assert gate.wait(30), "the test never let the rebuild go on"
        real(self, index, labels, vecs)

    monkeypatch.setattr(Rebuild, "add", add)
    yield gate, started
    gate.set()


def test_save_starts_compaction_in_the_background_and_swaps_it_in_later(tmp_path, held):
    gate, started = held
    base = tmp_path / "vectors-abc.hnsw"
    index = VectorIndex(base, DIM)
    vecs = dict(zip(range(300), unit(300), strict=True))
    index.add(list(vecs), np.stack(list(vecs.values())))
    index.checkpoint()
    index.delete(range(100))  # a third of the slots dead
    for i in range(100):
        vecs.pop(i)
    generation = index.generation

    t0 = time.perf_counter()
    index.save()  # starts the rebuild ...
    assert started.wait(10) and time.perf_counter() - t0 < 5
    assert index.compaction() == (0, 200)  # ... which is held, yet save has returned
    assert not gate.is_set()

    # questions during the rebuild use the old graph and the delta
    queries = unit(5, seed=9)
    for q in queries:
        assert [i for i, _ in index.query(q, 5)] == exact(vecs, q, 5)
    # changes during the rebuild go to the journal as usual
    index.delete(range(100, 120))
    index.add([120], unit(1, seed=3))  # a new vector for a label the rebuild copies
    index.add(range(1000, 1010), unit(10, seed=4))
    for i in range(100, 120):
        vecs.pop(i)
    vecs[120] = unit(1, seed=3)[0]
    vecs.update(zip(range(1000, 1010), unit(10, seed=4), strict=True))
    index.save()  # still building: nothing is swapped, no checkpoint
    assert index.generation == generation and index.compaction() is not None

    gate.set()
    assert index.finish_compaction()
    assert index.compaction() is None and index.generation == generation + 1
    # the 20 deleted meanwhile left dead slots in the new graph; the 10 new vectors reused 10
    assert index.ids() == set(vecs) and index.slots == 200 == len(vecs) + 10
    for q in queries:
        assert [i for i, _ in index.query(q, 5)] == exact(vecs, q, 5)
    assert np.allclose(index.vectors([120]), vecs[120])
    reopened = VectorIndex(base, DIM)
    assert reopened.ids() == set(vecs)
    for q in queries:
        assert reopened.query(q, 5) == index.query(q, 5)


def test_a_finished_rebuild_is_swapped_in_by_the_next_save(tmp_path):
    base = tmp_path / "vectors-abc.hnsw"
    index = VectorIndex(base, DIM)
    index.add(range(200), unit(200))
    index.checkpoint()
    index.delete(range(0, 200, 2))
    index.save()
    assert index._rebuild is not None
    index._rebuild.wait()
    index.save()
    assert index.compaction() is None and index.slots == 100
    assert VectorIndex(base, DIM).ids() == set(range(1, 200, 2))


def test_close_drops_an_unfinished_rebuild_and_the_next_writer_starts_again(tmp_path, held):
    gate, started = held
    base = tmp_path / "vectors-abc.hnsw"
    index = VectorIndex(base, DIM)
    index.add(range(200), unit(200))
    index.checkpoint()
    index.delete(range(80))
    index.save()
    assert started.wait(10)
    threading.Timer(0.2, gate.set).start()  # close() waits for the batch being added
    index.close()
    again = VectorIndex(base, DIM)
    assert again.ids() == set(range(80, 200)) and again.slots == 200
    again.compact()
    assert again.slots == 120


CHILD = """
import os, signal, sys, threading
import numpy as np
sys.path.insert(0, {root!r})
from core.vectors import graph as vectorgraph
from core.vectors import journal as vectorlog
from core.vectors.index import VectorIndex

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

point = {point!r}
vectorgraph.BATCH = 100
index = VectorIndex(vectorgraph.Path({base!r}), 16)
if point == "building":  # the rebuild thread dies after its first batch
    real, calls, added = vectorgraph.Rebuild.add, [], threading.Event()
    def add(self, *a):
        real(self, *a)
        calls.append(1)
        if len(calls) == 2 and added.wait(60):
            die()
    vectorgraph.Rebuild.add = add
elif point == "before-commit":  # new snapshot written, manifest not yet replaced
    vectorlog.write_atomic = die
elif point == "after-commit":  # manifest replaced, old snapshot and journal not yet deleted
    VectorIndex._close_journal = die
index.delete(range(400))
index.save()
index.add(range(5000, 5010), np.eye(16, dtype=np.float32)[:10])  # during the rebuild
if point == "building":
    added.set()
index.finish_compaction()
"""


@pytest.mark.parametrize("point", ["building", "before-commit", "after-commit"])
def test_kill_during_background_compaction_loses_nothing(tmp_path, point):
    base = tmp_path / "vectors-abc.hnsw"
    vecs = unit(1000)
    index = VectorIndex(base, DIM)
    index.add(range(1000), vecs)
    index.checkpoint()
    index.close()
    child = CHILD.format(root=str(PROJECT_ROOT), point=point, base=str(base))
    proc = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr

    live = set(range(400, 1000)) | set(range(5000, 5010))
    index = VectorIndex(base, DIM)
    assert index.ids() == live
    assert index.generation == (1 if point != "after-commit" else 2)
    assert index.slots == (1000 if point != "after-commit" else 610)
    assert index.query(vecs[700], 1)[0][0] == 700
    assert np.allclose(index.vectors([5003]), np.eye(16, dtype=np.float32)[3])
    index.compact()  # the next writer can compact it
    assert index.slots == len(live) and VectorIndex(base, DIM).ids() == live
    assert not list(tmp_path.glob("*.tmp"))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        vlog.snapshot_path(base, index.generation).name, vlog.manifest_path(base).name]


def test_cli_remove_that_leaves_too_many_dead_slots_compacts_before_it_exits(run, sample_pdfs, settings):
    from core import Library
    from tests.conftest import FakeEmbedder

    run("add", *map(str, sample_pdfs))
    with Library(settings, embedder=FakeEmbedder()) as lib, lib.writing():
        lib.index.get().checkpoint()  # the papers' vectors in the graph
        papers = sorted(lib.papers(), key=lambda p: -len(lib._parts.store.chunk_ids([p.doc_id])))
        before = lib.index.get().slots
    code, out, err = run("remove", papers[0].doc_id)  # the biggest of three: over 30%
    assert code == 0 and "removed" in out
    assert "compacted the vector index" in err
    with Library(settings, embedder=FakeEmbedder()) as lib:
        index = lib.index.get()
        assert index.slots == len(index) < before
        assert index.ids() == set(lib._parts.store.chunk_ids(embedded=True))


def test_a_compaction_built_after_a_remove_is_committed_by_the_next_question(settings, sample_pdfs,
                                                                            held):
    """The desktop app removes a paper and goes on asking: the compaction, built in the
    background, is committed under the write lock when the index is next used."""
    from core import Library
    from tests.conftest import FakeEmbedder

    with Library(settings, embedder=FakeEmbedder()) as lib:
        list(lib.add(sample_pdfs))
        with lib.writing():
            lib.index.get().checkpoint()
        biggest = max(lib.papers(), key=lambda p: len(lib._parts.store.chunk_ids([p.doc_id])))
        lib.remove([biggest.doc_id])
        index = lib.index.get()
        assert lib.index.compaction() is not None  # held at its first batch
        gate, _ = held
        gate.set()
        index._rebuild.wait()
        generation = index.generation
        assert lib.search("camera traps")  # uses the index: the built graph is swapped in
        assert index.generation == generation + 1 and index.slots == len(index)
        assert lib.index.compaction() is None
    with Library(settings, embedder=FakeEmbedder()) as lib:
        assert lib.index.get().ids() == set(lib._parts.store.chunk_ids(embedded=True))


def test_a_failed_rebuild_leaves_the_old_graph_and_doctor_hears_why(tmp_path, monkeypatch):
    def fail(self, index, labels, vecs):
        raise MemoryError("no room for the new graph")

    monkeypatch.setattr(Rebuild, "add", fail)
    base = tmp_path / "vectors-abc.hnsw"
    index = VectorIndex(base, DIM)
    vecs = unit(200)
    index.add(range(200), vecs)
    index.checkpoint()
    index.delete(range(100))
    index.save()  # starts it in the background
    assert not index.finish_compaction()  # failed: logged, nothing swapped or written
    assert index.generation == 1 and index.slots == 200 and index.query(vecs[150], 1)[0][0] == 150
    with pytest.raises(MemoryError, match="no room"):
        index.compact()  # asked for: the reason is raised
    assert VectorIndex(base, DIM).ids() == set(range(100, 200))
