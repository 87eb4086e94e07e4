"""The vector index on its own: journal, snapshots, deletion by marking, damage, full disk."""

from __future__ import annotations

import errno
import json

import hnswlib
import numpy as np
import pytest

from core.errors import DiskFullError, IndexCorruptError
from core.vectors import hnswfile
from core.vectors import journal as vlog
from core.vectors.index import VectorIndex

DIM = 16


def unit(n: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture
def base(tmp_path):
    return tmp_path / "vectors-abc.hnsw"


def test_adds_are_durable_without_a_snapshot_and_replayed_on_open(base):
    index = VectorIndex(base, DIM)
    vecs = unit(30)
    index.add(range(1, 31), vecs, paper=("doc1", "/papers/a.pdf"))
    index.delete([3, 4], forget=[])
    assert not vlog.manifest_path(base).exists()  # no full-file write for one paper
    again = VectorIndex(base, DIM)
    assert again.ids() == set(range(1, 31)) - {3, 4}
    assert again.papers == {"doc1": [1, 30, "/papers/a.pdf"]}
    assert again.query(vecs[9], 1)[0][0] == 10


def test_checkpoint_folds_the_journal_and_reuses_deleted_slots(base):
    index = VectorIndex(base, DIM)
    index.add(range(100), unit(100))
    index.checkpoint()
    index.delete(range(10))
    index.checkpoint()
    assert index.slots == 100 and len(index) == 90
    index.add(range(100, 110), unit(10, seed=1))
    index.checkpoint()
    assert index.slots == 100  # the ten dead slots were reused
    opened = VectorIndex(base, DIM)
    assert opened.ids() == set(range(10, 110))
    assert opened.query(unit(10, seed=1)[3], 1)[0][0] == 103
    names = sorted(p.name for p in base.parent.iterdir())
    assert names == ["vectors-abc.g3.hnsw", "vectors-abc.manifest.json"]


def test_a_label_deleted_then_added_again_keeps_one_slot(base):
    index = VectorIndex(base, DIM)
    vecs = unit(20)
    index.add(range(20), vecs)
    index.checkpoint()
    index.delete([5])
    index.add([5], vecs[7:8])  # e.g. a database that lost its last writes reuses chunk ids
    index.checkpoint()
    assert index.query(vecs[7], 2)[0][1] == pytest.approx(1.0, abs=1e-5)
    assert sorted(i for i, _ in index.query(vecs[7], 2)) == [5, 7]
    assert VectorIndex(base, DIM).ids() == set(range(20))


def test_compaction_when_too_many_slots_are_dead(base):
    index = VectorIndex(base, DIM)
    index.add(range(200), unit(200))
    index.checkpoint()
    index.delete(range(80))
    seen = []
    index.save()  # starts the rebuild in the background
    assert index.finish_compaction(lambda done, total: seen.append((done, total)))
    assert index.slots == 120 and seen[-1] == (120, 120)
    assert VectorIndex(base, DIM).ids() == set(range(80, 200))


def test_scoped_query_is_exact_and_stays_in_scope(base):
    index = VectorIndex(base, DIM)
    vecs = unit(500)
    index.add(range(500), vecs)
    index.checkpoint()
    index.add(range(500, 510), unit(10, seed=2))  # some in the journal's delta
    scope = list(range(0, 510, 7))
    hits = index.query(vecs[14], 5, allowed=scope)
    assert hits[0][0] == 14 and {i for i, _ in hits} <= set(scope)
    best = sorted(scope, key=lambda i: -float(index.vectors([i])[0] @ vecs[14]))[:5]
    assert [i for i, _ in hits] == best


def test_a_papers_labels_come_from_its_record_and_its_gaps_are_skipped(base):
    index = VectorIndex(base, DIM)
    vecs = unit(6)
    index.add([1, 2, 5, 6], vecs[:4], paper=("a", "/a.pdf"))  # 3 and 4: keyword-only chunks
    index.add([7, 8], vecs[4:], paper=("b", "/b.pdf"))
    assert index.labels_of(["a"]) == [1, 2, 3, 4, 5, 6]
    assert index.labels_of(["a", "not recorded"]) is None  # the caller asks the database
    hits = index.query(vecs[4], 10, allowed=index.labels_of(["a"]))
    assert sorted(label for label, _ in hits) == [1, 2, 5, 6]


def test_large_scope_uses_the_graph_without_a_filter_callback(base, monkeypatch):
    import core.vectors.memory as vectorset

    monkeypatch.setattr(vectorset, "EXACT_MAX", 50)
    index = VectorIndex(base, DIM)
    vecs = unit(400)
    index.add(range(400), vecs)
    index.checkpoint()
    scope = set(range(0, 400, 2))
    hits = index.query(vecs[10], 8, allowed=scope)
    assert len(hits) == 8 and hits[0][0] == 10 and {i for i, _ in hits} <= scope


def test_torn_journal_tail_is_ignored_and_cut_by_the_next_writer(base):
    index = VectorIndex(base, DIM)
    index.add(range(10), unit(10))
    index.add(range(10, 20), unit(10, seed=3))
    index.close()
    journal = vlog.journal_path(base, 0)
    data = journal.read_bytes()
    journal.write_bytes(data[:-100])  # kill -9 in the middle of the second record
    again = VectorIndex(base, DIM)
    assert again.ids() == set(range(10))
    again.add([50], unit(1, seed=4))
    assert VectorIndex(base, DIM).ids() == set(range(10)) | {50}


def test_delete_without_loading_is_a_journal_record_applied_on_the_next_load(base, monkeypatch):
    index = VectorIndex(base, DIM)
    vecs = unit(200)
    index.add(range(100), vecs[:100], paper=("doc1", "/a.pdf"))
    index.checkpoint()  # doc1 in the graph
    index.add(range(100, 200), vecs[100:], paper=("doc2", "/b.pdf"))  # doc2 in the journal
    index.close()
    reader = VectorIndex(base, DIM)
    monkeypatch.setattr("core.vectors.graph.Graph.load", lambda *a, **k: pytest.fail("loaded"))
    assert VectorIndex.delete_unloaded(base, DIM, range(0, 10), forget=["nope"])
    assert VectorIndex.delete_unloaded(base, DIM, range(100, 200), forget=["doc2"])
    assert VectorIndex.delete_unloaded(base, DIM, [10_000])  # not held: ignored on replay
    monkeypatch.undo()
    reader.reload_if_changed()  # a reader picks the records up like any other
    again = VectorIndex(base, DIM)
    for opened in (reader, again):
        assert opened.ids() == set(range(10, 100)) and set(opened.papers) == {"doc1"}
        assert opened.query(vecs[150], 1)[0][0] < 100
    assert vlog.recorded_papers(base, DIM) == {"doc1": [0, 99, "/a.pdf"]}
    again.add([5], vecs[5:6])  # a writer appends after them
    assert VectorIndex(base, DIM).ids() == set(range(10, 100)) | {5}


def test_delete_without_loading_cuts_a_torn_tail_and_defers_to_a_load_near_compaction(base):
    index = VectorIndex(base, DIM)
    index.add(range(100), unit(100))
    index.checkpoint()
    index.add(range(100, 110), unit(10, seed=1))
    index.close()
    journal = vlog.journal_path(base, index.generation)
    journal.write_bytes(journal.read_bytes()[:-50])  # kill -9 mid-append
    assert VectorIndex.delete_unloaded(base, DIM, range(20))
    assert VectorIndex(base, DIM).ids() == set(range(20, 100))
    before = journal.read_bytes()
    assert not VectorIndex.delete_unloaded(base, DIM, range(20, 40))  # 40% of the slots dead
    assert journal.read_bytes() == before  # nothing written: the caller loads it and compacts
    _legacy(base.with_name("old.hnsw"))
    assert not VectorIndex.delete_unloaded(base.with_name("old.hnsw"), DIM, [1])


def test_a_reader_sees_a_writers_journal_and_snapshots(base):
    writer = VectorIndex(base, DIM)
    writer.add(range(5), unit(5))
    reader = VectorIndex(base, DIM)
    writer.add(range(5, 8), unit(3, seed=5))
    reader.reload_if_changed()
    assert reader.ids() == set(range(8))
    writer.checkpoint()
    writer.delete([0])
    reader.reload_if_changed()
    assert reader.ids() == set(range(1, 8))


def test_damaged_snapshot_is_refused_by_checksum(base):
    index = VectorIndex(base, DIM)
    index.add(range(50), unit(50))
    index.checkpoint()
    snap = vlog.snapshot_path(base, 1)
    data = bytearray(snap.read_bytes())
    data[200] ^= 0xFF
    snap.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match="checksum.*lantern doctor"):
        VectorIndex(base, DIM)


def _legacy(base, n: int = 300) -> np.ndarray:
    vecs = unit(n)
    old = hnswlib.Index(space="cosine", dim=DIM)
    old.init_index(max_elements=1024, ef_construction=200, M=16)
    old.add_items(vecs, np.arange(n))
    old.save_index(str(base))
    return vecs


def test_legacy_single_file_opens_and_is_migrated(base):
    vecs = _legacy(base)
    index = VectorIndex(base, DIM)
    assert index.legacy and index.ids() == set(range(300))
    assert index.query(vecs[42], 1)[0][0] == 42
    index.checkpoint()
    assert not base.exists() and json.loads(vlog.manifest_path(base).read_text())["generation"] == 1
    assert VectorIndex(base, DIM).ids() == set(range(300))


@pytest.mark.parametrize("damage", ["neighbours", "nan", "truncated"])
def test_damaged_legacy_file_gives_one_message_not_a_crash(base, damage):
    _legacy(base)
    data = bytearray(base.read_bytes())
    per_el = 4 + 4 * 32 + 4 * DIM + 8
    if damage == "neighbours":  # first neighbour of element 5 points far outside the index
        data[96 + 5 * per_el + 4 : 96 + 5 * per_el + 8] = (10**8).to_bytes(4, "little")
    elif damage == "nan":
        data[96 + 7 * per_el + 132 : 96 + 7 * per_el + 136] = np.float32("nan").tobytes()
    else:
        del data[len(data) // 2 :]
    base.write_bytes(bytes(data))
    assert hnswfile.check(base, DIM)
    with pytest.raises(IndexCorruptError, match="lantern doctor"):
        VectorIndex(base, DIM)


def test_nan_vectors_are_refused_at_add(base):
    from core.errors import ModelError

    index = VectorIndex(base, DIM)
    bad = unit(2)
    bad[1, 3] = np.nan
    with pytest.raises(ModelError, match="NaN"):
        index.add([1, 2], bad)
    assert len(VectorIndex(base, DIM)) == 0


def _fail_writes_with_enospc(monkeypatch, target: str) -> None:
    import builtins

    real_open = builtins.open

    class Full:
        def __init__(self, fh):
            self.fh = fh

        def write(self, data):
            self.fh.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.fh, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

    def fake_open(file, mode="r", *args, **kwargs):
        fh = real_open(file, mode, *args, **kwargs)
        return Full(fh) if target in str(file) and ("w" in mode or "+" in mode) else fh

    monkeypatch.setattr(builtins, "open", fake_open)


def test_disk_full_on_journal_append_leaves_the_index_as_it_was(base, monkeypatch):
    index = VectorIndex(base, DIM)
    index.add(range(10), unit(10))
    _fail_writes_with_enospc(monkeypatch, ".journal")
    index.close()
    with pytest.raises(DiskFullError, match=r"disk full: free \d+ MB .* run add again"):
        index.add(range(10, 20), unit(10, seed=1))
    monkeypatch.undo()
    assert index.ids() == set(range(10))
    assert VectorIndex(base, DIM).ids() == set(range(10))


def test_disk_full_on_snapshot_keeps_the_previous_one(base, monkeypatch):
    index = VectorIndex(base, DIM)
    index.add(range(100), unit(100))
    index.checkpoint()
    index.add(range(100, 150), unit(50, seed=1))
    before = vlog.manifest_path(base).read_bytes()
    _fail_writes_with_enospc(monkeypatch, ".manifest.json")
    with pytest.raises(DiskFullError, match="disk full"):
        index.checkpoint()
    monkeypatch.undo()
    assert vlog.manifest_path(base).read_bytes() == before
    assert not vlog.snapshot_path(base, 2).exists()
    assert VectorIndex(base, DIM).ids() == set(range(150))  # snapshot 1 + its journal


def test_partial_top_k_picks_what_a_full_stable_sort_picks():
    from core.vectors.delta import top

    rng = np.random.default_rng(5)
    for n, k in [(100, 5), (1000, 12), (5000, 40), (30, 29)]:
        sims = rng.integers(0, 20, n).astype(np.float32) / 20  # many ties
        labels = rng.permutation(n * 3)[:n].astype(np.int64)
        order = np.argsort(-sims, kind="stable")[:k]
        assert top(labels, sims, k) == [(int(labels[i]), float(sims[i])) for i in order]
