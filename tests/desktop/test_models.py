"""Item models (checked with qtmodeltester), answer rendering and quote matching: no Library."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QTextCursor

from core import Conversation
from core.types import Answer, Citation, Evidence, Paper, Sentence, Timings
from desktop import render
from desktop.models import (
    ConversationModel,
    EvidenceModel,
    Failure,
    FailureModel,
    ItemRole,
    PaperTableModel,
)
from desktop.quotes import locate, snippet
from desktop.widgets.answer_view import AnswerView


def paper(n: int, **kw) -> Paper:
    base = dict(
        doc_id=f"doc{n}",
        title=f"Paper {n}",
        authors=("Ann Lee", "Bo Li", "Cy Ng"),
        year=2020 + n,
        doi=None,
        pages=n + 3,
        chunks=10,
        path=Path(f"/tmp/p{n}.pdf"),
        sha256="x" * 64,
        added_at=time.time(),
    )
    base.update(kw)
    return Paper(**base)


def evidence(n: int) -> Evidence:
    return Evidence(
        n,
        f"doc{n}",
        f"Paper {n}",
        Path(f"/tmp/p{n}.pdf"),
        n,
        n,
        "methods",
        f"Passage {n} says the learning rate was 0.000{n}.",
        1.0 / n,
    )


def test_paper_table_model(qtmodeltester):
    model = PaperTableModel()
    model.set_papers([paper(1), paper(2)])
    qtmodeltester.check(model, force_py=True)
    # Changes after the check are verified by the tester's signal hooks.
    model.set_pending(Path("/tmp/new.pdf"), "Reading…")
    model.set_pending(Path("/tmp/new.pdf"), "Embedding 40%…")
    model.set_pending(Path("/tmp/new.pdf"), "Added", done=True)
    model.set_papers([paper(2, title="Renamed"), paper(3)])
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["Renamed", "Paper 3"]
    assert model.index(0, 1).data() == "Lee et al."
    assert model.index(0, 4).data() == "Indexed"
    assert model.index(0, 0).data(ItemRole).doc_id == "doc2"
    model.set_pending(Path("/tmp/x.pdf"), "Waiting…")
    assert model.index(2, 4).data() == "Waiting…"
    assert model.paper_at(2) is None  # a file being added is not a paper yet


def test_a_stored_file_whose_vectors_follow_leaves_no_row_behind():
    """Searchable first: a file's row is finished when it is stored; the vectors' progress
    that follows must not reopen it (it stayed as a second, "0%" row of the same paper)."""
    model = PaperTableModel()
    new = Path("/tmp/new.pdf")
    model.set_pending(new, "Added", done=True, title="Paper 3", pages=1)
    model.set_pending(new, "0%")  # FileProgress("embedding") after the FileResult
    model.set_papers([paper(3)])
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["Paper 3"]


def test_paper_state_searchable_then_indexed(qtmodeltester):
    """A paper is searchable by its words first; its row says "Indexed" once its vectors are."""
    model = PaperTableModel()
    model.set_papers([paper(1), paper(2)], unindexed={"doc2"})
    qtmodeltester.check(model, force_py=True)
    assert [model.index(r, 4).data() for r in range(2)] == ["Indexed", "Searchable"]
    assert "vectors are being computed" in model.index(1, 0).data(Qt.ItemDataRole.ToolTipRole)
    model.mark_indexed("doc2")
    assert [model.index(r, 4).data() for r in range(2)] == ["Indexed", "Indexed"]


def test_list_models(qtmodeltester):
    ev = EvidenceModel()
    ev.replace([evidence(1), evidence(2)])
    qtmodeltester.check(ev, force_py=True)
    ev.replace([evidence(3)])
    assert ev.index(0, 0).data().startswith("[1] p. 3 · Methods — Paper 3\n")

    conv = ConversationModel()
    conv.set_items([Conversation("a", "First question", time.time(), 2)])
    qtmodeltester.check(conv, force_py=True)
    conv.set_items(
        [Conversation("b", "Newer", time.time(), 1), Conversation("a", "First question", 0, 3)]
    )
    assert conv.index(0, 0).data() == "Newer"
    assert "3 questions" in conv.index(1, 0).data(3)  # ToolTipRole

    fails = FailureModel()
    qtmodeltester.check(fails, force_py=True)
    fails.add(Failure(Path("/x/bad.pdf"), "bad.pdf: not a PDF\n(it starts with 'hello')"))
    fails.add(Failure(Path(""), "library locked"))
    assert fails.index(0, 0).data() == "bad.pdf — bad.pdf: not a PDF (it starts with 'hello')"
    assert fails.index(1, 0).data() == "library locked"


def answer(**kw) -> Answer:
    base = dict(
        question="Which optimizer?",
        answer="Adam [1].",
        abstained=False,
        citations=(
            Citation(1, "doc1", "Paper 1", Path("/tmp/p1.pdf"), 2, "used the Adam optimizer", True),
        ),
        evidence=(evidence(1),),
        sentences=(
            Sentence("They used Adam.", (1,), True),
            Sentence("It ran for 900 epochs.", (1,), False, "'900' not in [1]"),
        ),
        model="tiny.gguf",
        timings=Timings(0.1, 0.2, 1.5),
    )
    base.update(kw)
    return Answer(**base)


def test_render_marks_citations_and_unsupported(qtbot):
    html = render.turn_html(answer(), 0, show_draft=True)
    assert 'href="cite:0:1"' in html
    assert "900 epochs" in html and "not verified" in html.lower()
    view = AnswerView()
    qtbot.addWidget(view)
    view.show_html(html)
    # Qt keeps the title attribute as the tooltip of the unsupported sentence's characters.
    text = view.document().toPlainText()
    cursor = QTextCursor(view.document())
    cursor.setPosition(text.index("900") + 1)
    assert "'900' not in [1]" in cursor.charFormat().toolTip()
    cursor.setPosition(text.index("They used") + 1)
    assert cursor.charFormat().toolTip() == ""


def test_answer_leads_with_the_verified_finding_and_the_draft_stays_collapsed(qtbot):
    a = answer(draft="They used Adam [1]. It ran for 900 epochs [1].")
    view = AnswerView()
    qtbot.addWidget(view)
    view.show_html(render.transcript_html([a]))
    text = view.document().toPlainText()
    assert text.index("used the Adam optimizer") < text.index("They used Adam")
    assert "Paper 1, p. 2" in text
    assert "900 epochs" not in text and "Show the model's draft" in text
    html = render.turn_html(a, 0)
    assert "<b>Adam</b>" in html  # the answering word, emphasised
    with qtbot.waitSignal(view.draftToggled) as toggled:
        view.anchorClicked.emit(QUrl("draft:0"))
    assert toggled.args == [0]
    view.show_html(render.transcript_html([a], drafts={0}))
    assert "900 epochs" in view.document().toPlainText()


def test_render_says_when_the_question_named_the_scope(qtbot):
    html = render.turn_html(answer(auto_scope="RoBERTa"), 3)
    assert "RoBERTa" in html and "from your question" in html and 'href="widen:3"' in html
    assert "widen:" not in render.turn_html(answer(), 3)


def test_render_names_the_judge_model_under_an_answer_it_judged():
    judged = render.meta_line(answer(judged=True, judge="qwen2.5-coder-1.5b.gguf"))
    assert "judged by qwen2.5-coder-1.5b.gguf" in judged
    assert "judged by" not in render.meta_line(answer())


def test_render_abstained_and_streaming():
    html = render.turn_html(answer(abstained=True, citations=(), sentences=()), 0)
    assert "Not reported in the selected papers" in html
    assert "closest passages" in html.lower()
    assert render.linkify("a [1, 3] b [2-3]", 4).count('href="cite:4:') == 4
    assert "Writing" in render.pending_html("Q?", "Partial [2", 0, "Writing…")


def test_locate_spans_the_whole_quote_across_lines_and_hyphens():
    page = (
        "Methods\r\nTraining used the Adam opti-\r\nmizer with a\r\nlearning rate of 0.0003, a size"
    )
    quote = "Training used the Adam optimizer with a learning rate of 0.0003"
    start, end = locate(quote, page)
    assert (
        page[start:end] == "Training used the Adam opti-\r\nmizer with a\r\nlearning rate of 0.0003"
    )
    # A few characters read differently (a footnote mark, a formula) still find it.
    start, end = locate("Training used the Adam optimizer [3] with a learning rate", page)
    assert page[start:].startswith("Training") and page[:end].endswith("learning rate")
    assert locate("ε = 1e-6 was the epsilon of Adam", "with ǫ = 1e-6 was the epsilon of Adam.")
    assert locate("nothing like it here", page) is None
    assert locate("", page) is None
    assert snippet("word " * 100, 30).endswith("…")


def test_each_quote_of_a_passage_links_to_itself_and_a_checked_sentence_to_its_own():
    """Passage 1 gives two quotes (the finding's, and the one the model's checked sentence
    rests on): each finding row opens its own quote, and the sentence's [1] opens the quote
    that supports it."""
    from desktop.transcript import Transcript

    finding = Citation(1, "doc1", "Paper 1", Path("/tmp/p1.pdf"), 2,
                       "We compare networks with support vector regression (SVR).", True)
    kernel = Citation(1, "doc1", "Paper 1", Path("/tmp/p1.pdf"), 2,
                      "All SVR models used the RBF kernel.", True)
    a = answer(question="Which SVR models?", mode="generated", citations=(finding, kernel),
               answer="We compare ... [1]. The SVR models used the RBF kernel [1].",
               sentences=(Sentence("The SVR models used the RBF kernel [1].", (1,), True),))
    html = render.turn_html(a, 0, show_draft=False)
    assert 'href="cite:0:1:0"' in html and 'href="cite:0:1:1"' in html
    checked = html[html.index("In the model"):]
    assert 'href="cite:0:1:1"' in checked and 'href="cite:0:1:0"' not in checked
    t = Transcript("c1")
    t.answers.append(a)
    assert t.citation(0, 1, 1).quote == kernel.quote
    assert t.citation(0, 1).quote == finding.quote  # [1] alone: the first
    assert AnswerView._cite("cite:0:1:1") == (0, 1, 1) and AnswerView._cite("cite:0:1") == (0, 1, -1)
