"""Extraction: a question set answered over a set of papers, one cited cell per paper x question.

Each cell is committed to the library's SQLite as soon as it is made, keyed by (set, question,
paper, mode) with a hash of the question, so an interrupted run resumes where it stopped and
an edited question is answered again. "Not reported" is an ordinary, expected cell.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from core import answer as grounding
from core import vocab
from core.extract_export import format_for, write_table
from core.questionsets import (
    Question,
    QuestionSet,
    QuestionSetError,
    builtin_sets,
    load_question_set,
    parse_question_set,
)
from core.scope import default_scope
from core.serialize import cell_from_dict, cell_to_dict
from core.text import is_reference_list, strip_cites
from core.types import (
    Cell,
    CellDone,
    CellStarted,
    CellStatus,
    Citation,
    Evidence,
    ExtractEvent,
    ExtractFinished,
    ExtractMode,
    ExtractStarted,
    Paper,
    Row,
)

if TYPE_CHECKING:
    from core.asking import Asker
    from core.parts import Parts

__all__ = [
    "LONG_ESTIMATE_S", "Extractor", "Question", "QuestionSet", "QuestionSetError", "answer_cell",
    "answers", "builtin_sets", "extract", "extract_estimate", "extract_table", "format_for",
    "load_question_set", "parse_question_set", "write_table",
]

SECTION_BOOST = 1.5  # score factor for passages from a question's preferred sections
MAX_ANSWER_TOKENS = 160  # a cell holds a sentence or two; a long draft only costs time
# An extract_estimate over this many seconds is "long": the CLI and the app then offer the
# evidence-only run (no model, seconds for a whole table) before the model's.
LONG_ESTIMATE_S = 60.0


# ---------------------------------------------------------------- running
def extract(
    parts: Parts, asker: Asker,
    qset: QuestionSet,
    papers: Sequence[str] | None = None,
    *,
    use_llm: bool = True,
    force: bool = False,
    cancel: threading.Event | None = None,
) -> Iterator[ExtractEvent]:
    """Answer every question for every paper (all papers when none are given).

    Stored cells are yielded as they are (cached=True) unless `force`; the others are
    computed and committed one by one. Holds the library's write lock throughout, so no
    other process adds or removes papers under a running extraction.
    """
    cancel = cancel or threading.Event()
    targets = _papers(parts, papers)
    mode: ExtractMode = "llm" if use_llm else "no-llm"
    t0 = time.perf_counter()
    with parts.writes.writing():
        stored = {} if force else _stored(parts, qset, mode)
        plan = [(p, q, stored.get((p.doc_id, q.id))) for p in targets for q in qset.questions]
        total = len(plan)
        todo = sum(cell is None for *_, cell in plan)
        yield ExtractStarted(qset.id, total, total - todo)
        computed = cached = reported = 0
        busy_s = 0.0  # time spent computing cells, for the ETA
        stopped = False
        for index, (paper, q, cell) in enumerate(plan, start=1):
            where = (index, total, paper.doc_id, paper.title, q.id, q.label)
            was_cached = cell is not None
            if cell is None:
                if not cancel.is_set():
                    eta = busy_s / computed * (todo - computed) if computed else None
                    yield CellStarted(*where, eta_s=eta)
                    started = time.perf_counter()
                    cell = answer_cell(parts, asker, q, paper.doc_id, use_llm=use_llm,
                                       cancel=cancel)
                    busy_s += time.perf_counter() - started
                if cell is None:  # cancelled, perhaps mid-answer: nothing of it is kept
                    stopped = True
                    break
                _save(parts, qset.id, q, paper.doc_id, mode, cell)
                computed += 1
            else:
                cached += 1
            reported += cell.reported
            yield CellDone(*where, cell, was_cached)
        done = computed + cached
        yield ExtractFinished(computed, cached, reported, done - reported, stopped,
                              time.perf_counter() - t0)


def extract_table(
    parts: Parts,
    qset: QuestionSet,
    papers: Sequence[str] | None = None,
    *,
    use_llm: bool = True,
) -> list[Row]:
    """The stored cells of a question set, one Row per paper; computes nothing."""
    targets = _papers(parts, papers)
    stored = _stored(parts, qset, "llm" if use_llm else "no-llm")
    return [Row(p, {q.id: stored.get((p.doc_id, q.id)) for q in qset.questions}) for p in targets]


def answer_cell(
    parts: Parts, asker: Asker, q: Question, doc_id: str, *, use_llm: bool = True,
    cancel: threading.Event | None = None,
) -> Cell | None:
    """Answer one question from one paper; None when cancelled while the model was writing.
    The question is asked with the abbreviations the paper defines for its phrases, as a
    question in the ask box is (Asker.spelled_out)."""
    t0 = time.perf_counter()
    q = replace(q, question=asker.spelled_out(q.question, [doc_id]))
    evidence = evidence_for(parts, asker, q, doc_id)
    if not use_llm:
        cell = _from_evidence(parts, q, evidence)
    else:
        generated = _generate(parts, asker, q.question, evidence, cancel or threading.Event())
        if generated is None:
            return None
        cell = _from_grounded(q, *generated, evidence)
    return replace(cell, seconds=round(time.perf_counter() - t0, 3))


def evidence_for(parts: Parts, asker: Asker, q: Question, doc_id: str) -> list[Evidence]:
    """Passages of one paper for a question: its keywords join the query, passages from its
    preferred sections rank higher, and its reference list is left out (the methods cited
    there are other papers' methods)."""
    k = parts.settings().retrieval.k
    found = [e for e in asker.search(q.query, papers=[doc_id], k=2 * k)
             if not is_reference_list(e.section, e.text) or "references" in q.sections]
    if q.sections:  # sorted() is stable: equal scores keep retrieval's order
        boost = {s: SECTION_BOOST for s in q.sections}
        found = sorted(found, key=lambda e: -e.score * boost.get(e.section, 1.0))
    return _distinct(found[:k])


def _distinct(evidence: Sequence[Evidence]) -> list[Evidence]:
    """Drop sentences an earlier passage already holds (chunks overlap by a few sentences).

    Within one paper a repeated sentence would look common to the evidence, and
    best_sentence passes over terms that are common; it would also cost prompt tokens twice.
    Quotes are found in the stored page text, so shortened passages still quote verbatim.
    """
    seen: set[str] = set()
    out = []
    for e in evidence:
        sentences = grounding.split_sentences(e.text)
        kept = [s for s in sentences if s not in seen]
        seen.update(sentences)
        if kept:
            out.append(e if len(kept) == len(sentences) else replace(e, text=" ".join(kept)))
    return out


def answers(q: Question, sentence: str) -> bool:
    """Does an evidence sentence answer the question, beyond sharing one word with it?

    best_sentence settles for one word that is rare in the evidence; a cell must not. The
    sentence holds two of the question's terms, or one of its keywords, or an instance of the
    category it names (a retrieval expansion: "V100 GPUs" for "hardware").
    """
    asked = set(grounding.question_terms(q.question))
    instances = set(grounding.question_terms(" ".join(vocab.asked_expansion(q.question))))
    instances = (instances - asked) | set(grounding.question_terms(" ".join(q.keywords)))
    said = set(grounding.question_terms(sentence))
    return len(said & asked) >= 2 or bool(said & instances)


def gives(q: Question, evidence: Sequence[Evidence], sentence: str) -> bool:
    """The sentence names what this question asks for (grounding.Focus.gives): in a row of
    cells one sentence answers several questions only when it names each item."""
    return grounding.Focus.of(q.question, evidence).gives(sentence)


def _from_evidence(parts: Parts, q: Question, evidence: Sequence[Evidence]) -> Cell:
    """No model: the evidence sentence that answers the question most directly, if one does."""
    found = grounding.best_sentence(q.query, evidence)  # keywords name what answers say
    if found is None or not answers(q, found[1]) or not gives(q, evidence, found[1]):
        return Cell(status=CellStatus.NOT_REPORTED)
    n, sentence = found
    # verbatim from the stored pages; whole when it runs onto the next page ("pp. 5–6")
    c = grounding.cite(n, evidence[n - 1], sentence, parts.store.page_text)
    if c is None:  # no verbatim quote to show: claim nothing
        return Cell(status=CellStatus.NOT_REPORTED)
    return Cell(status=CellStatus.REPORTED, answer=" ".join(sentence.split()), quote=c.quote,
                page=c.page, page_end=c.page_end, supported=True, grounding="evidence")


def _generate(
    parts: Parts, asker: Asker, question: str, evidence: Sequence[Evidence], cancel: threading.Event
) -> tuple[grounding.Grounded, str | None] | None:
    """Library.ask's generation and grounding, on evidence chosen here (hints, sections);
    None when cancelled while the model was writing."""
    max_tokens = min(parts.settings().llm.max_tokens, MAX_ANSWER_TOKENS)
    # a cell shows one quote: not the sentences that rank close to it (answer.finding)
    stream = asker.generate(question, evidence, max_tokens=max_tokens, cancel=cancel, close=False)
    while True:
        try:
            next(stream)
        except StopIteration as done:
            grounded: grounding.Grounded = done.value
            break
    if cancel.is_set():
        return None
    return grounded, (parts.chat.generator.name if evidence else None)


def _from_grounded(
    q: Question, g: grounding.Grounded, model: str | None, evidence: Sequence[Evidence]
) -> Cell:
    unsupported = tuple(f"{s.text} ({s.reason})" for s in g.sentences if not s.supported)
    # "quoted": the model's draft failed the check and ground() fell back to the evidence
    # sentence(s) that answer the question, whose first must answer it as a --no-llm cell must
    quoted = " ".join(g.citations[0].quote.split()) if g.mode == "quoted" and g.citations else ""
    if g.abstained or not g.citations or (quoted and not answers(q, quoted)) or not gives(
        q, evidence, " ".join(g.citations[0].quote.split())
    ):
        return Cell(status=CellStatus.NOT_REPORTED, unsupported=unsupported, model=model)
    c, answer = cell_text(g)
    return Cell(status=CellStatus.REPORTED, answer=answer, quote=c.quote, page=c.page,
                page_end=c.page_end, supported=True,
                grounding=g.mode if answer != _one_line(c.quote) else "quoted",
                unsupported=unsupported, model=model)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def cell_text(g: grounding.Grounded) -> tuple[Citation, str]:
    """A cell's citation and text, which agree: the model's checked sentences that pass the
    grounding check against that citation's quote itself (its numbers, names and words are
    the quote's), else the quote. A model sentence true of some passage but not of the quote
    shown beside it ("a batch size of 8" by a quote that says 512) is never the cell's text."""
    said = [s.text for s in g.sentences if s.supported]
    if g.mode != "quoted" and said:
        for c in g.citations:
            agreeing = [s for s in said if grounding.check_against(s, c.quote)[0]]
            if agreeing:  # a piece of the quote cut before its value: the quote, whole
                cut = any(_copied(s, c.quote) for s in agreeing)
                return c, _one_line(c.quote) if cut else " ".join(agreeing)
    return g.citations[0], _one_line(g.citations[0].quote)


# What may follow a whole sentence: a citation, then its end (or the quote's)
_ENDS = re.compile(r"\s*(?:\[[^\]]*\]|\([^)]*\))?\s*(?:[.;:!?]|$)")


def _copied(sentence: str, quote: str) -> bool:
    """The model's sentence is a piece of the quote, word for word, that stops where neither
    it nor the quote's sentence ends: a draft cut at its token limit ("... evaluated on four
    Nvidia" before "K20 GPUs", "https://github.com/aewebb" of a longer URL)."""
    said = strip_cites(sentence).rstrip()
    if not said or said[-1] in ".!?;:)]\"\u201d":
        return False  # the model ended its sentence: a sentence of its own
    piece = _one_line(said).lower()
    text = _one_line(quote).lower()
    at = text.find(piece)
    return at >= 0 and not _ENDS.match(text, at + len(piece))


# ---------------------------------------------------------------- storage
def extract_estimate(
    parts: Parts,
    qset: QuestionSet,
    papers: Sequence[str] | None = None,
    *,
    use_llm: bool = True,
    force: bool = False,
) -> tuple[int, float | None]:
    """Before a run: how many cells it will compute and about how many seconds that takes, from
    the median time of the cells computed in this library the same way, by the current model
    when it uses one (None before any)."""
    targets = _papers(parts, papers)
    mode = "llm" if use_llm else "no-llm"
    stored = {} if force else _stored(parts, qset, mode)
    todo = sum((p.doc_id, q.id) not in stored for p in targets for q in qset.questions)
    model = parts.chat.name if use_llm else None  # names the model; loads nothing
    timed = parts.store.extract_cell_seconds(mode, model=model)
    seconds = sorted(s for s in timed if s > 0)
    return todo, (todo * seconds[len(seconds) // 2] if seconds else None)


def _papers(parts: Parts, papers: Sequence[str] | None) -> list[Paper]:
    if papers is None:  # "all papers": the user's own, once there are any (not the samples)
        everything = parts.catalog.papers()
        own = default_scope(everything, parts.root)
        return everything if own is None else [p for p in everything if p.doc_id in own]
    return list({p.doc_id: p for p in map(parts.catalog.paper, papers)}.values())


def _stored(parts: Parts, qset: QuestionSet, mode: str) -> dict[tuple[str, str], Cell]:
    """Stored cells whose question is unchanged, by (doc_id, question id)."""
    hashes = {q.id: q.hash for q in qset.questions}
    return {(doc_id, qid): cell_from_dict(cell)
            for doc_id, qid, qhash, cell in parts.store.extract_cells(qset.id, mode)
            if hashes.get(qid) == qhash}


def _save(parts: Parts, set_id: str, q: Question, doc_id: str, mode: str, cell: Cell) -> None:
    parts.store.save_extract_cell(set_id, q.id, doc_id, mode, q.hash, cell_to_dict(cell))


class Extractor:
    """Question sets answered over one library: its parts (the store keeps the cells, the
    catalogue chooses the papers, the write lock is held during a run) and its Asker (retrieval
    and the chat model's checked drafts). Injected into the Library like the Asker."""

    def __init__(self, parts: Parts, asker: Asker) -> None:
        self.parts, self.asker = parts, asker

    def extract(
        self, qset: QuestionSet, papers: Sequence[str] | None = None, *, use_llm: bool = True,
        force: bool = False, cancel: threading.Event | None = None,
    ) -> Iterator[ExtractEvent]:
        """Answer every question for every paper; see extract()."""
        return extract(self.parts, self.asker, qset, papers, use_llm=use_llm, force=force,
                       cancel=cancel)

    def estimate(
        self, qset: QuestionSet, papers: Sequence[str] | None = None, *, use_llm: bool = True,
        force: bool = False,
    ) -> tuple[int, float | None]:
        """The cells a run would compute and their seconds; see extract_estimate()."""
        return extract_estimate(self.parts, qset, papers, use_llm=use_llm, force=force)

    def table(
        self, qset: QuestionSet, papers: Sequence[str] | None = None, *, use_llm: bool = True,
    ) -> list[Row]:
        """The stored cells, one Row per paper; see extract_table()."""
        return extract_table(self.parts, qset, papers, use_llm=use_llm)
