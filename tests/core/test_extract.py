"""Extraction over papers with the fake models: cells, resume, --force, storage, the lock."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import pytest

from core import CellDone, CellStarted, ExtractFinished, ExtractStarted, Library, LibraryLockedError
from core.extract import (
    Question,
    _distinct,
    answers,
    parse_question_set,
)
from core.types import Evidence

QUESTIONS = parse_question_set("""
id = "mini"
title = "Mini audit"

[[questions]]
id = "hardware"
label = "Hardware"
question = "Which GPU or other hardware was used for training?"
keywords = ["GPU", "NVIDIA"]
sections = ["methods"]

[[questions]]
id = "optimizer"
label = "Optimizer"
question = "Which optimizer was used for training?"
keywords = ["Adam", "SGD"]

[[questions]]
id = "split"
label = "Data split"
question = "How were the data split into training, validation and test sets?"
""", "mini.toml")


@pytest.fixture
def lib(fake_library, sample_pdfs):
    assert list(fake_library.add(sample_pdfs))[-1].failed == 0
    return fake_library


def paper_id(lib, word: str) -> str:
    return next(p.doc_id for p in lib.papers() if word in p.title)


def cells(events) -> dict[tuple[str, str], CellDone]:
    return {(e.doc_id, e.question_id): e for e in events if isinstance(e, CellDone)}


def test_no_llm_cells_quote_the_paper_or_say_not_reported(lib, fake_generator):
    events = list(lib.extract(QUESTIONS, use_llm=False))
    assert isinstance(events[0], ExtractStarted) and events[0].total == 9 and events[0].cached == 0
    assert isinstance(events[-1], ExtractFinished)
    done = cells(events)
    assert len(done) == 9 and fake_generator.prompts == []
    assert [e.index for e in events if isinstance(e, CellDone)] == list(range(1, 10))
    cam, grass = paper_id(lib, "Camera-Trap"), paper_id(lib, "Grassland")
    hw = done[(cam, "hardware")].cell
    assert hw.status == "reported" and "RTX 3090" in hw.quote and hw.grounding == "evidence"
    for e in done.values():
        if e.cell.status == "reported":
            assert e.cell.quote in lib.page_text(e.doc_id, e.cell.page)
            assert e.cell.answer == " ".join(e.cell.quote.split())
    for q in ("hardware", "optimizer", "split"):  # no deep learning in the grassland paper
        cell = done[(grass, q)].cell
        assert cell.status == "not reported" and cell.quote == "" and cell.page is None
    finished = events[-1]
    assert finished.computed == 9 and finished.cached == 0 and not finished.cancelled
    assert finished.reported + finished.not_reported == 9


def test_llm_cell_is_grounded(lib, fake_generator):
    cam, grass = paper_id(lib, "Camera-Trap"), paper_id(lib, "Grassland")
    one = dataclasses.replace(QUESTIONS, questions=QUESTIONS.questions[:1])
    fake_generator.enqueue("The model was trained on a single NVIDIA RTX 3090 GPU [1].")
    fake_generator.enqueue("Training used eight NVIDIA A100 GPUs [1].")  # invented
    done = cells(lib.extract(one, papers=[cam, grass]))
    hw = done[(cam, "hardware")].cell
    assert hw.status == "reported" and hw.grounding == "generated" and hw.supported
    assert "RTX 3090" in hw.answer and "RTX 3090" in hw.quote and hw.model == "fake-model.gguf"
    assert hw.quote in lib.page_text(cam, hw.page)
    invented = done[(grass, "hardware")].cell
    assert invented.status == "not reported" and invented.answer == ""
    assert invented.unsupported and "A100" in invented.unsupported[0]
    assert len(fake_generator.prompts) == 2
    prompt = fake_generator.prompts[0][-1]["content"]  # keywords steer retrieval, not the model
    assert prompt.endswith("Question: Which GPU or other hardware was used for training?\n"
                           "Answer:")


def test_resume_computes_only_missing_cells(lib, fake_generator):
    cancel = threading.Event()
    first = []
    for event in lib.extract(QUESTIONS, cancel=cancel):
        first.append(event)
        if isinstance(event, CellDone) and event.index == 4:
            cancel.set()
    assert first[-1].cancelled and first[-1].computed == 4
    assert len(fake_generator.prompts) == 4

    second = list(lib.extract(QUESTIONS))
    assert second[0].total == 9 and second[0].cached == 4
    assert [e.cached for e in second if isinstance(e, CellDone)] == [True] * 4 + [False] * 5
    assert len([e for e in second if isinstance(e, CellStarted)]) == 5
    assert len(fake_generator.prompts) == 9
    assert second[-1].computed == 5 and second[-1].cached == 4

    third = list(lib.extract(QUESTIONS))
    assert third[0].cached == 9 and len(fake_generator.prompts) == 9


def test_force_recomputes_and_modes_are_separate(lib, fake_generator):
    list(lib.extract(QUESTIONS, use_llm=False))
    assert list(lib.extract(QUESTIONS, use_llm=False))[0].cached == 9
    assert list(lib.extract(QUESTIONS, use_llm=False, force=True))[-1].computed == 9
    llm = list(lib.extract(QUESTIONS))  # the model's cells are stored apart
    assert llm[0].cached == 0 and len(fake_generator.prompts) == 9
    list(lib.extract(QUESTIONS, force=True))
    assert len(fake_generator.prompts) == 18


def test_edited_question_is_answered_again(lib):
    list(lib.extract(QUESTIONS, use_llm=False))
    hw, opt, split = QUESTIONS.questions
    edited = dataclasses.replace(QUESTIONS, questions=(
        dataclasses.replace(hw, label="GPUs"),  # a new label changes no answer
        dataclasses.replace(opt, question="Which optimiser and momentum were used?"),
        split,
    ))
    events = list(lib.extract(edited, use_llm=False))
    assert events[0].cached == 6
    recomputed = {e.question_id for e in events if isinstance(e, CellDone) and not e.cached}
    assert recomputed == {"optimizer"}


def test_cancel_while_the_model_writes_keeps_nothing(lib, fake_generator, monkeypatch):
    cancel = threading.Event()
    stream = fake_generator.stream_chat

    def interrupted(*args, **kw):
        for token in stream(*args, **kw):
            cancel.set()
            yield token

    monkeypatch.setattr(fake_generator, "stream_chat", interrupted)
    events = list(lib.extract(QUESTIONS, cancel=cancel))
    assert not any(isinstance(e, CellDone) for e in events) and events[-1].cancelled
    assert all(c is None for row in lib.extract_table(QUESTIONS) for c in row.cells.values())


def test_table_reads_stored_cells_without_computing(lib, fake_generator):
    assert all(c is None for row in lib.extract_table(QUESTIONS) for c in row.cells.values())
    cam = paper_id(lib, "Camera-Trap")
    done = cells(lib.extract(QUESTIONS, papers=[cam[:6]], use_llm=False))  # an id prefix works
    assert {d for d, _ in done} == {cam}
    rows = lib.extract_table(QUESTIONS, use_llm=False)
    assert [r.paper.doc_id for r in rows] == [p.doc_id for p in lib.papers()]
    by_id = {r.paper.doc_id: r for r in rows}
    assert list(by_id[cam].cells) == ["hardware", "optimizer", "split"]
    assert by_id[cam].cells["hardware"] == done[(cam, "hardware")].cell
    assert all(c is None for d, r in by_id.items() if d != cam for c in r.cells.values())
    assert all(c is None for c in lib.extract_table(QUESTIONS, [cam])[0].cells.values())  # llm mode
    assert fake_generator.prompts == []


def test_removing_a_paper_drops_its_cells(lib):
    list(lib.extract(QUESTIONS, use_llm=False))
    count = "SELECT COUNT(*) FROM extract_cells"
    assert lib._parts.store.db.execute(count).fetchone()[0] == 9
    lib.remove([paper_id(lib, "Grassland")])
    assert lib._parts.store.db.execute(count).fetchone()[0] == 6


def test_extraction_holds_the_write_lock(lib, settings, fake_embedder):
    events = lib.extract(QUESTIONS, use_llm=False)
    next(events)
    with Library(settings, embedder=fake_embedder) as other, pytest.raises(LibraryLockedError):
        other.remove([paper_id(other, "Grassland")])
    list(events)  # finishing releases the lock
    with Library(settings, embedder=fake_embedder) as other:
        assert other.remove([paper_id(other, "Grassland")])


@pytest.mark.parametrize("question, keywords, sentence, expected", [
    ("Which hardware resources were used for training?", (),
     "We pretrain our model using 1024 V100 GPUs for one day.", True),  # an instance of hardware
    ("Which hardware resources were used for training?", (),
     "We make the following resources publicly available.", False),  # one shared word
    ("What batch size and warmup were used?", (),
     "We use a batch size of 64 examples.", True),  # two of the question's terms
    ("How long did training take?", ("hours", "days"), "Training took 9 hours.", True),
    ("How long did training take?", (), "Training took 9 hours.", False),
])
def test_a_cell_needs_a_sentence_that_answers(question, keywords, sentence, expected):
    q = Question("q", "Q", question, keywords)
    assert answers(q, sentence) is expected


def test_overlapping_passages_keep_each_sentence_once():
    def ev(chunk_id, text):
        return Evidence(chunk_id, "d", "T", Path("t.pdf"), 1, 1, "methods", text, 1.0)

    out = _distinct([ev(1, "One fact here. Two facts here."), ev(2, "Two facts here. Three facts."),
                     ev(3, "One fact here.")])
    assert [e.text for e in out] == ["One fact here. Two facts here.", "Three facts."]
