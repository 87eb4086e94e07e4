"""The status bar shows a vector-index compaction started by removing papers, and commits it."""

from __future__ import annotations

import threading

import pytest

from core.vectors.graph import Rebuild
from tests.desktop.util import wait_idle


@pytest.fixture
def held(monkeypatch):
    """Rebuilds wait at their first batch until the event is set (a slow build, on cue)."""
    gate = threading.Event()
    real = Rebuild.add

    def add(self, index, labels, vecs):
        assert gate.wait(30), "the test never let the rebuild go on"
        real(self, index, labels, vecs)

    monkeypatch.setattr(Rebuild, "add", add)
    yield gate
    gate.set()


def checkpoint(lib, cancel) -> None:
    with lib.writing():
        lib.index.get().checkpoint()  # the papers' vectors in the graph, not the journal


def test_removing_papers_shows_the_compaction_until_it_is_committed(qtbot, fake_window, held):
    window = fake_window(samples=True)
    qtbot.waitUntil(lambda: len(window.papers.papers) == 3, timeout=60_000)
    wait_idle(qtbot, window)
    window.backend.op("checkpoint", checkpoint)
    wait_idle(qtbot, window)
    assert not window.compaction.isVisibleTo(window)

    window.remove_papers([p.doc_id for p in window.papers.papers[:2]])
    qtbot.waitUntil(lambda: window.compaction.isVisibleTo(window), timeout=30_000)
    assert window.compaction.text().startswith("Compacting the vector index: 0 / ")

    held.set()
    qtbot.waitUntil(lambda: not window.compaction.isVisibleTo(window), timeout=30_000)
    wait_idle(qtbot, window)
    state = {}
    window.backend.op("check", lambda lib, cancel: (lib.compaction(), lib.index.get()),
                      result=lambda r: state.update(result=r))
    qtbot.waitUntil(lambda: "result" in state, timeout=10_000)
    compaction, index = state["result"]
    assert compaction is None and index.slots == len(index)  # committed: no dead slots
