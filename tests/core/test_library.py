"""Library behaviour with fake models: incremental adds, replace, remove, recovery, locking."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import threading

import pytest

from core import BatchFinished, FileResult, Library, LibraryLockedError, PaperNotFoundError
from core.pdfgen import write_paper


def results(events) -> list[FileResult]:
    return [e for e in events if isinstance(e, FileResult)]


def consistent(lib: Library) -> bool:
    ready = set(lib._parts.store.chunk_ids())
    return lib.index.get().ids() == set(lib._parts.store.chunk_ids(embedded=True)) and (
        ready == lib._parts.store.all_chunk_ids()
    )


def test_add_is_incremental(fake_library, sample_pdfs):
    first = results(fake_library.add(sample_pdfs))
    assert [r.status for r in first] == ["added"] * 3
    assert all(r.pages >= 1 and r.chunks >= 1 and r.doc_id for r in first)
    again = results(fake_library.add(sample_pdfs))
    assert [r.status for r in again] == ["unchanged"] * 3
    assert len(fake_library.papers()) == 3
    assert consistent(fake_library)


def test_changed_file_replaces_old_entry(fake_library, tmp_path):
    path = tmp_path / "paper.pdf"
    write_paper(path, title="Version One", sections=[("Methods", ["We used an RTX 3090 GPU."])])
    (old,) = results(fake_library.add([path]))
    write_paper(path, title="Version Two", sections=[("Methods", ["We used a V100 GPU."])])
    (new,) = results(fake_library.add([path]))
    assert new.status == "replaced" and new.doc_id != old.doc_id
    assert [p.doc_id for p in fake_library.papers()] == [new.doc_id]
    assert consistent(fake_library)
    assert fake_library.search("V100 GPU")[0].doc_id == new.doc_id


def test_remove_deletes_rows_and_vectors(fake_library, sample_pdfs):
    added = results(fake_library.add(sample_pdfs))
    assert fake_library.remove([added[0].doc_id]) == [added[0].doc_id]
    assert {p.doc_id for p in fake_library.papers()} == {r.doc_id for r in added[1:]}
    assert consistent(fake_library)
    with pytest.raises(PaperNotFoundError):
        fake_library.paper(added[0].doc_id)


def test_search_scopes_to_papers_and_reports_pages(fake_library, sample_pdfs):
    added = {r.path.name: r.doc_id for r in results(fake_library.add(sample_pdfs))}
    cam = added["camera_trap_deep_learning.pdf"]
    hits = fake_library.search("Adam optimizer learning rate", papers=[cam])
    assert hits and {h.doc_id for h in hits} == {cam}
    top = hits[0]
    assert "Adam" in top.text and top.page >= 1 and top.section == "methods"
    assert fake_library.page_text(cam, top.page)


def test_references_do_not_crowd_retrieval(fake_library, sample_pdfs):
    list(fake_library.add(sample_pdfs))
    hits = fake_library.search("NVIDIA Tesla K80 GPUs SGD")
    assert hits[0].section != "references"


def test_bad_file_fails_alone(fake_library, sample_pdfs, tmp_path):
    bad = tmp_path / "notes.pdf"
    bad.write_text("just some notes, not a PDF")
    events = list(fake_library.add([bad, *sample_pdfs]))
    res = results(events)
    assert res[0].status == "failed" and "notes.pdf" in res[0].error or "not a PDF" in res[0].error
    assert [r.status for r in res[1:]] == ["added"] * 3
    assert events[-1] == BatchFinished(added=3, unchanged=0, replaced=0, failed=1, cancelled=False)


def test_cancel_leaves_library_consistent(fake_library, sample_pdfs):
    cancel = threading.Event()
    seen = []
    for event in fake_library.add(sample_pdfs, cancel=cancel):
        seen.append(event)
        if isinstance(event, FileResult):
            cancel.set()
    assert seen[-1].cancelled
    assert len(fake_library.papers()) == 1
    assert fake_library.pending() == []
    # the paper stored before the cancel is searchable; its vectors come with the next run
    assert fake_library.unindexed() == [fake_library.papers()[0].doc_id]
    list(fake_library.embed())
    assert consistent(fake_library)


def test_half_added_paper_is_dropped_and_requeued(settings, fake_embedder, sample_pdfs):
    with Library(settings, embedder=fake_embedder) as lib:
        list(lib.add(sample_pdfs[:1]))
        doc = lib.papers()[0]
        # what a kill -9 between "rows written" and "vectors saved" leaves behind
        lib._parts.store.db.execute("UPDATE papers SET state = 'indexing' WHERE doc_id = ?", (doc.doc_id,))
    with Library(settings, embedder=fake_embedder) as lib:
        assert lib.papers() == []
        assert lib.pending() == [sample_pdfs[0]]
        assert consistent(lib)
        statuses = [r.status for r in results(lib.add(sample_pdfs))]
        assert statuses == ["added"] * 3  # the interrupted file comes first, once
        assert lib.pending() == [] and consistent(lib)


def test_doctor_repairs_missing_and_orphan_vectors(fake_library, sample_pdfs):
    list(fake_library.add(sample_pdfs))
    index = fake_library.index.get()
    some = sorted(index.ids())[:3]
    index.delete(some)
    index.add([999_999], fake_library.embedder.embed(["orphan"]))
    index.save()
    report = fake_library.doctor()
    assert report.consistent and len(report.repaired) == 2
    assert consistent(fake_library)


def test_settings_change_reembeds_into_a_new_index(settings, fake_embedder, sample_pdfs):
    with Library(settings, embedder=fake_embedder) as lib:
        list(lib.add(sample_pdfs[:1]))
        old_index = lib.index.path
    settings = settings.replace(chunking={"max_chars": 600})
    with Library(settings, embedder=fake_embedder) as lib:
        assert lib.index.path != old_index
        assert lib.search("camera traps")  # by its words while the vectors are missing
        assert lib.unindexed() == [p.doc_id for p in lib.papers()]
        list(lib.embed())  # `lantern index`, the next add, or the desktop app
        assert consistent(lib)
        before = lib.papers()[0]
        (again,) = results(lib.add(sample_pdfs[:1]))  # re-read with the new chunking
        assert again.status == "replaced" and again.chunks > before.chunks
        assert len(lib.papers()) == 1 and consistent(lib)
        (same,) = results(lib.add(sample_pdfs[:1]))
        assert same.status == "unchanged"


def test_second_writer_gets_a_clear_message(settings, fake_embedder, sample_pdfs, tmp_path):
    holder = tmp_path / "hold.py"
    holder.write_text(textwrap.dedent(f"""
        import sys, time, filelock
        lock = filelock.FileLock({str(settings.library / 'write.lock')!r})
        lock.acquire()
        print('locked', flush=True)
        sys.stdin.readline()
    """))
    settings.library.mkdir(parents=True)
    proc = subprocess.Popen([sys.executable, str(holder)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        with Library(settings, embedder=fake_embedder) as lib:
            with pytest.raises(LibraryLockedError, match="another Lantern process"):
                list(lib.add(sample_pdfs))
            assert lib.papers() == []  # reading still works
    finally:
        proc.communicate("\n", timeout=10)


def test_moved_file_is_recognised(fake_library, sample_pdfs, tmp_path):
    copy = tmp_path / "moved.pdf"
    shutil.copy(sample_pdfs[0], copy)
    list(fake_library.add([copy]))
    copy.rename(tmp_path / "moved-again.pdf")
    (r,) = results(fake_library.add([tmp_path / "moved-again.pdf"]))
    assert r.status == "unchanged"
    assert fake_library.paper(r.doc_id).path == tmp_path / "moved-again.pdf"


def test_ask_with_fake_model_cites_verbatim(fake_library, fake_generator, sample_pdfs):
    list(fake_library.add(sample_pdfs))
    cam = next(p.doc_id for p in fake_library.papers() if "Camera" in p.title)
    fake_generator.enqueue("The model was trained on a single NVIDIA RTX 3090 GPU [1].")
    from core import AnswerDone, Token

    events = list(fake_library.ask("Which GPU was used?", papers=[cam]))
    assert any(isinstance(e, Token) for e in events)
    answer = events[-1].answer
    assert isinstance(events[-1], AnswerDone)
    assert not answer.abstained and answer.citations
    for c in answer.citations:
        assert c.quote in fake_library.page_text(c.doc_id, c.page)


def test_conversations_are_kept(fake_library, fake_generator, sample_pdfs):
    list(fake_library.add(sample_pdfs))
    cid = fake_library.new_conversation_id()
    list(fake_library.ask("Which GPU was used?", conversation_id=cid))
    (conv,) = fake_library.conversations()
    assert conv.id == cid and conv.turns == 1
    assert fake_library.conversation(cid)[0].question == "Which GPU was used?"


def test_reference_lists_are_found_by_keyword_only(fake_library, tmp_path):
    path = tmp_path / "cites.pdf"
    filler = "Images were labelled by two observers and disagreements were resolved. " * 6
    write_paper(path, title="A Paper That Cites", sections=[
        ("Methods", ["We trained the classifier on a single RTX 3090 GPU.", *[filler] * 12]),
        ("References", ["Okonkwo A. Lichen growth on basalt boulders. Oecologia, 2011."]),
    ])
    (r,) = results(fake_library.add([path]))
    all_ids = set(fake_library._parts.store.chunk_ids([r.doc_id]))
    embedded = set(fake_library._parts.store.chunk_ids([r.doc_id], embedded=True))
    assert embedded and embedded < all_ids  # the reference list has no vector
    assert fake_library.index.get().ids() == embedded
    hits = fake_library.search("Okonkwo lichen basalt", papers=[r.doc_id])
    assert any("Okonkwo" in e.text for e in hits)  # still found by its words
    report = fake_library.doctor()
    assert report.consistent and not report.problems


def test_the_next_new_file_is_read_ahead_and_unchanged_ones_are_not(fake_library, sample_pdfs,
                                                                    monkeypatch):
    from core.ingest.worker import ParserProcess

    read_ahead = []
    original = ParserProcess.prefetch

    def spy(self, path):
        read_ahead.append(path)
        original(self, path)

    monkeypatch.setattr(ParserProcess, "prefetch", spy)
    assert [r.status for r in results(fake_library.add(sample_pdfs))] == ["added"] * 3
    assert read_ahead == list(sample_pdfs[1:])
    read_ahead.clear()
    assert [r.status for r in results(fake_library.add(sample_pdfs))] == ["unchanged"] * 3
    assert read_ahead == []
    assert consistent(fake_library)


def test_loading_the_embedding_model_is_reported_before_embedding(
    settings, fake_embedder, fake_generator, sample_pdfs
):
    from core import FileProgress

    class Lazy:  # an embedder whose weights load on first use, like the real one
        name, dim = fake_embedder.name, fake_embedder.dim
        loaded = False

        def embed(self, texts):
            Lazy.loaded = True
            return fake_embedder.embed(texts)

    with Library(settings, embedder=Lazy(), generator=fake_generator) as lib:
        stages = [e.stage for e in lib.add(sample_pdfs[:2]) if isinstance(e, FileProgress)]
    first = stages.index("loading the embedding model")
    assert stages[first + 1] == "embedding" and stages.count("loading the embedding model") == 1


def test_the_embedding_model_loads_while_the_first_new_file_is_read(settings, sample_pdfs):
    """Loading MiniLM and reading a PDF take seconds each: the first `add` does both at once."""
    from tests.conftest import FakeEmbedder

    class LoadsSlowly(FakeEmbedder):
        def __init__(self) -> None:
            self.loaded, self.loaded_by, self._lock = False, "", threading.Lock()

        @property
        def dim(self) -> int:  # type: ignore[override]
            with self._lock:
                if not self.loaded:
                    self.loaded, self.loaded_by = True, threading.current_thread().name
            return 64

    embedder = LoadsSlowly()
    with Library(settings, embedder=embedder) as lib:
        assert [r.status for r in results(lib.add(sample_pdfs[:1]))] == ["added"]
        assert embedder.loaded_by == "lantern-load-embedder"
        assert lib.search("camera trap")  # its vectors were stored


@pytest.mark.parametrize("readers", [1, 2])
def test_a_batch_read_in_reader_processes_ahead_keeps_each_files_outcome(
    settings, fake_embedder, sample_pdfs, tmp_path, readers
):
    # the files after the one being stored are read ahead, one per free reader process;
    # each outcome (and error) still belongs to its own file, in the batch's order
    from tests import pdfs

    bad = pdfs.encrypted_pdf(tmp_path)
    batch = [sample_pdfs[0], bad, *sample_pdfs[1:]]
    with Library(settings.replace(ingest={"readers": readers}), embedder=fake_embedder) as lib:
        results = [e for e in lib.add(batch) if isinstance(e, FileResult)]
        assert [(r.path, r.status) for r in results] == [
            (sample_pdfs[0], "added"), (bad, "failed"),
            (sample_pdfs[1], "added"), (sample_pdfs[2], "added")]
        assert "password" in results[1].error
        started = [p for p in lib._ingest._readers._parsers if p._process is not None]
        assert len(lib._ingest._readers._parsers) == len(started) == readers
        assert all(p.ahead is None for p in started)  # nothing read for nothing
        chunks = sorted((p.title, p.chunks) for p in lib.papers())
        assert consistent(lib)
    one = settings.replace(library=tmp_path / "one", ingest={"readers": 1})
    with Library(one, embedder=fake_embedder) as lib:
        list(lib.add(sample_pdfs))
        assert sorted((p.title, p.chunks) for p in lib.papers()) == chunks


def test_a_batch_cancelled_while_files_are_read_ahead_keeps_what_it_stored(
    settings, fake_embedder, sample_pdfs, tmp_path
):
    from tests import pdfs

    batch = [*sample_pdfs, pdfs.ecology_paper(tmp_path)]
    cancel = threading.Event()
    with Library(settings, embedder=fake_embedder) as lib:
        stored = []
        for event in lib.add(batch, cancel=cancel):
            if isinstance(event, FileResult):
                stored.append(event.path)
                cancel.set()  # the next files are being read ahead meanwhile
        assert stored == batch[:1] and [p.path for p in lib.papers()] == stored
        readers = lib._ingest._readers._parsers
        assert readers and all(not p._ready and p.ahead is None for p in readers)
        assert len(lib.unindexed()) == 1  # stored, searchable; embedded by the next run
        results = [e for e in lib.add(batch) if isinstance(e, FileResult)]  # read anew
        assert [r.status for r in results] == ["unchanged", "added", "added", "added"]
        assert lib.unindexed() == [] and consistent(lib)
