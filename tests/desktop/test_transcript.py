"""The Ask panel's conversation as a plain object: a question's life, sources, export; no
widgets (AskPanel only renders it)."""

from __future__ import annotations

from pathlib import Path

from core.types import Answer, AnswerDone, Citation, Evidence, Retrieved, Token
from desktop.transcript import SEARCHING, STOPPING, WRITING, Transcript

PDF = Path("/papers/cam.pdf")
PASSAGES = tuple(
    Evidence(i, "cam", "Camera traps", PDF, i + 1, i + 1, "methods", text, 1.0)
    for i, text in enumerate(["We used one RTX 3090 GPU.", "Training took 9 hours."])
)


def answer(question: str = "Which GPU?") -> Answer:
    cite = Citation(1, "cam", "Camera traps", PDF, 1, "We used one RTX 3090 GPU.", True)
    return Answer(question=question, answer="One RTX 3090 GPU [1].", abstained=False,
                  citations=(cite,), evidence=PASSAGES, sentences=(), model="fake")


def test_a_question_streams_into_the_pending_turn_then_becomes_a_turn():
    t = Transcript("c1")
    assert t.empty()
    assert t.start("Which GPU?").status == SEARCHING
    assert t.start("Which GPU?", waiting_for="the batch").status.startswith("Waiting for the batch")
    assert t.on_event(Retrieved(PASSAGES, 0.1, auto_scope="Camera"), model="m", stopping=False) is None
    assert t.pending and t.pending.status == "Reading 2 passages with m…"
    assert t.pending.auto_scope == "Camera" and t.evidence_of(0) == PASSAGES
    t.on_event(Token("One "), model="m", stopping=False)
    t.on_event(Token("GPU"), model="m", stopping=True)
    assert t.pending.text == "One GPU" and t.pending.status == STOPPING
    t.on_event(Token("."), model="m", stopping=False)
    assert t.pending.status == WRITING
    done = answer()
    assert t.on_event(AnswerDone(done), model="m", stopping=False) is done
    assert t.pending is None and t.answers == [done] and not t.empty()
    assert t.ended() is False  # the job's end after its answer changes nothing


def test_a_question_without_answer_says_why_until_the_next_one():
    t = Transcript()
    t.start("Which GPU?")
    t.fail("no model")
    assert t.error == ("Which GPU?", "no model") and t.pending is None and not t.empty()
    t.start("Again?")
    assert t.error is None
    assert t.ended() is True and t.empty()  # cancelled before any answer: nothing kept


def test_citations_point_to_their_quote_and_while_streaming_to_the_passage():
    t = Transcript()
    t.load("c1", [answer()])
    cited = t.citation(0, 1)
    assert cited and (cited.page, cited.quote) == (1, "We used one RTX 3090 GPU.")
    passage = t.citation(0, 2)  # not cited: the second passage
    assert passage and (passage.page, passage.quote) == (2, "Training took 9 hours.")
    assert t.citation(0, 3) is None
    t.start("More?")
    t.on_event(Retrieved(PASSAGES[1:], 0.1), model="m", stopping=False)
    streaming = t.citation(1, 1)
    assert streaming and streaming.quote == "Training took 9 hours."


def test_the_conversation_exports_as_markdown_and_clears():
    t = Transcript()
    t.load("c1", [answer("Which GPU was used?"), answer("And the optimizer?")])
    t.toggle_draft(1)
    assert t.drafts == {1}
    text = t.markdown()
    assert text.count("\n\n---\n\n") == 1 and "Which GPU was used?" in text
    assert t.last_markdown() and "And the optimizer?" in t.last_markdown()
    assert t.file_name() == "Which-GPU-was-used.md"
    t.clear()
    assert t.empty() and t.conversation_id is None and not t.drafts and t.last_markdown() is None
