"""Searchable first, embedded next: a batch's papers are found by their words before any is
embedded; their vectors follow (Library.embed) and questions say when they were missing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading

from core import Library
from core.folder import EMBEDDER_MARK
from core.settings import PROJECT_ROOT
from core.types import AnswerDone, BatchFinished, Embedded, FileResult, Retrieved
from tests.core.test_library import consistent

QUESTION = "Which optimizer was used to train the classifier?"  # names no paper


def answer(lib: Library) -> tuple[Retrieved, AnswerDone]:
    events = list(lib.ask(QUESTION, use_llm=False))
    return events[0], events[-1]


def test_a_batch_is_searchable_before_any_paper_is_embedded(fake_library, sample_pdfs):
    events = list(fake_library.add(sample_pdfs))
    kinds = [type(e) for e in events]
    last_stored = max(i for i, k in enumerate(kinds) if k is FileResult)
    first_embedded = kinds.index(Embedded)
    assert last_stored < first_embedded
    assert kinds.count(Embedded) == 3 and kinds[-1] is BatchFinished
    assert [(e.done, e.total) for e in events if isinstance(e, Embedded)] == [(1, 3), (2, 3), (3, 3)]
    assert fake_library.unindexed() == [] and consistent(fake_library)


def test_without_wait_papers_are_searchable_and_questions_say_so(fake_library, sample_pdfs):
    events = list(fake_library.add(sample_pdfs, wait=False))
    assert not any(isinstance(e, Embedded) for e in events)
    ids = {p.doc_id for p in fake_library.papers()}
    assert set(fake_library.unindexed()) == ids and len(ids) == 3
    retrieved, done = answer(fake_library)
    assert done.answer.evidence  # found by its words
    assert retrieved.keyword_only == done.answer.keyword_only == 3
    # scoped to one paper: only that paper counts
    (first, *_) = fake_library.ask(QUESTION, papers=[sorted(ids)[0]], use_llm=False)
    assert first.keyword_only == 1

    embedded = [e.doc_id for e in fake_library.embed() if isinstance(e, Embedded)]
    assert sorted(embedded) == sorted(ids)
    assert fake_library.unindexed() == [] and consistent(fake_library)
    retrieved, done = answer(fake_library)
    assert retrieved.keyword_only == done.answer.keyword_only == 0


def test_a_cancelled_embedding_keeps_what_it_finished(fake_library, sample_pdfs):
    list(fake_library.add(sample_pdfs, wait=False))
    cancel = threading.Event()
    for event in fake_library.embed(cancel=cancel):
        if isinstance(event, Embedded):
            cancel.set()
    assert len(fake_library.unindexed()) == 2
    assert len(fake_library.papers()) == 3  # every paper stays searchable
    list(fake_library.embed())
    assert fake_library.unindexed() == [] and consistent(fake_library)


def test_a_paper_removed_before_its_vectors_is_skipped(fake_library, sample_pdfs):
    list(fake_library.add(sample_pdfs, wait=False))
    gone = fake_library.papers()[0].doc_id
    fake_library.remove([gone])
    embedded = [e.doc_id for e in fake_library.embed() if isinstance(e, Embedded)]
    assert gone not in embedded and len(embedded) == 2
    assert consistent(fake_library)


def test_cli_ask_says_it_searched_by_keyword(run, settings, fake_embedder, sample_pdfs):
    with Library(settings, embedder=fake_embedder) as lib:
        list(lib.add(sample_pdfs, wait=False))
    code, _, err = run("ask", QUESTION, "--no-llm")
    assert code == 0 and "3 paper(s) searched by keyword only" in err and "lantern index" in err
    code, out, _ = run("ask", QUESTION, "--no-llm", "--json")
    assert code == 0 and json.loads(out)["keyword_only"] == 3
    code, out, err = run("index", "--json")
    assert code == 0 and [json.loads(line)["status"] for line in out.splitlines()] == ["indexed"] * 3
    code, out, _ = run("ask", QUESTION, "--no-llm", "--json")
    assert json.loads(out)["keyword_only"] == 0
    code, _, err = run("index")
    assert code == 0 and "every paper is indexed" in err


def test_a_writer_makes_the_background_embedder_stop(settings, fake_embedder, sample_pdfs,
                                                      tmp_path):
    """A second `add` while the background embedder holds the write lock: the embedder is
    asked to stop, lets go between two batches, and the add goes ahead."""
    embedder = tmp_path / "embedder.py"
    embedder.write_text(textwrap.dedent(f"""
        import sys, threading
        from pathlib import Path
        sys.path.insert(0, {str(PROJECT_ROOT)!r})
        from core.folder import WriteLock
        lock, cancel = WriteLock(Path({str(settings.library)!r})), threading.Event()
        with lock.writing(make_room=False), lock.as_embedder(cancel):
            print("embedding", flush=True)
            stopped = cancel.wait(60)
        print("stopped" if stopped else "timed out", flush=True)
    """))
    settings.library.mkdir(parents=True)
    proc = subprocess.Popen([sys.executable, str(embedder)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "embedding"
        assert (settings.library / EMBEDDER_MARK).exists()
        with Library(settings, embedder=fake_embedder) as lib:
            (result, *_) = [e for e in lib.add(sample_pdfs[:1]) if isinstance(e, FileResult)]
            assert result.status == "added" and lib.unindexed() == []
        assert proc.stdout.readline().strip() == "stopped"
        assert not (settings.library / EMBEDDER_MARK).exists()
    finally:
        proc.kill()
        proc.wait(10)


def test_add_starts_the_background_embedder_once_a_first_paper_is_stored(
    fake_library, sample_pdfs, monkeypatch
):
    # it loads its model while the other files are read, and waits for `add` to end
    from core.cli.papers import embed_after
    from core.ingest import background

    calls: list[tuple[object, int | None]] = []
    monkeypatch.setattr(background, "start", lambda root, after=None: calls.append((root, after)) or 1)
    started: list[int] = []
    seen = []
    for event in embed_after(fake_library.add(sample_pdfs, wait=False), fake_library, started, False):
        seen.append((type(event).__name__, len(calls)))
    first_stored = next(i for i, (kind, _) in enumerate(seen) if kind == "FileResult")
    assert all(n == 0 for _, n in seen[:first_stored])  # started with the first paper stored
    assert seen[first_stored][1] == 1
    assert seen[-1] == ("BatchFinished", 1) and started == [1]
    assert calls == [(fake_library.root, os.getpid())]
    command = background.command(fake_library.root, after=123)
    assert command[-4:] == ["index", "--background", "--after", "123"]
    # nothing is started for a batch that stores nothing new, nor with --wait
    calls.clear()
    list(embed_after(fake_library.add(sample_pdfs, wait=False), fake_library, [], False))
    list(embed_after(fake_library.add(sample_pdfs), fake_library, [], True))
    assert calls == []


def test_vectors_computed_while_another_process_adds_are_journalled_by_embed(
    settings, fake_embedder, sample_pdfs, monkeypatch
):
    # the background embedder computes vectors while `add` holds the write lock, in memory;
    # once it can write, embed() journals them without embedding anything twice
    embedded_texts: list[str] = []
    embed = fake_embedder.embed
    monkeypatch.setattr(fake_embedder, "embed", lambda texts: embedded_texts.extend(texts) or embed(texts))
    with Library(settings, embedder=fake_embedder) as lib:
        list(lib.add(sample_pdfs[:2], wait=False))
        looks = iter([True, True, True, False])  # `add` runs for three looks, then ends
        lib._ingest.embed_ahead(lambda: next(looks))
        ahead = dict(lib._ingest._vectors_ahead)
        assert sorted(ahead) == sorted(lib.unindexed()) and len(ahead) == 2
        assert not lib.index.exists()  # nothing written without the lock
        texts = len(embedded_texts)
        embedded = [e.doc_id for e in lib.embed() if isinstance(e, Embedded)]
        assert sorted(embedded) == sorted(ahead) and lib.unindexed() == []
        assert lib._ingest._vectors_ahead == {} and consistent(lib)
        assert len(embedded_texts) == texts  # nothing embedded twice
