"""A capable chat model's word on the sentence an answer shows: does it *state* what was
asked, or only mention its topic? (issue 21, item 2)

The lexical and kind checks (focus.py, kind.py) pass a sentence that shares the question's
words and holds a thing of the right form; a model that reads the sentence can tell "we
trained on 8 A100 GPUs" from "GPU time was donated by ..." for "Which GPU?". After the draft
(so the first token is not delayed), the answer as shown, whole, then the few best other
candidate sentences are put to the model, with the question less its scene-setting opening
(focus.asked_part), one short call each: YES or NO, temperature 0, a reply of 1 token (a
GGUF, held to the two by a logit bias) or at most 3 (a model server). An accepted answer
stands as it is; else the first candidate it accepts is shown alone; when it rejects them all
the answer is NOT_REPORTED and the evidence stays as the closest passages.

A 135M model judges poorly (bench/README.md, "A capable-model judge"), so under `auto` a
model server or a GGUF of at least chat_models.MIN_PARAMS parameters judges its own answers,
and a smaller chat model's are judged by the judge model (ChatModel.judging, judge_gguf:
Qwen2.5-Coder-1.5B-Instruct, placed by `make setup`) when there is one. The prompt asks
whether the question "can be answered from the text alone": of the wordings put to the
judge model on the development set's right sentences and their neighbours, the one whose
plain YES/NO kept most of the first and rejected most of the second (bench/README.md, "A
judge model from PyPI").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from core.answer.finding import finding
from core.answer.focus import asked_part, ranked_sentences
from core.answer.grounding import NOT_REPORTED, Grounded, PageText, best_quote, cite, quoted
from core.answer.meaning import Similarity
from core.llm import Generator
from core.text import strip_cites
from core.types import Citation, Evidence

# calls to the model at most: the whole answer, then other sentences, best first (one more, the
# answer without the sentences that rank close to its best, when it has them)
MAX_JUDGED = 4
WHOLE_CHARS = 1200  # of the whole answer put to the judge (a 2,048-token window)
# the reply is YES or NO: two tokens leave room for a leading space or a full stop
JUDGE_TOKENS = 3
# A GGUF judge says NO only when NO's logit leads YES's by more than this (llm.choose's lean).
# On cq_dev's right sentences against their neighbours the judge model's plain YES/NO kept 33
# of 35 and rejected 28 of 35; leaning +0.5 to YES kept 34 and rejected 20, and on the report
# sets withdrew 11 wrong answers for 3 right ones against plain YES/NO's 18 for 7, and took
# "300 GPU-hours" for "which GPU model?" (bench/README.md, "A judge model from PyPI").
LEAN_YES = 0.0

SYSTEM = "You are a careful reader of research papers. Reply with one word: YES or NO."


@dataclass(frozen=True)
class Candidate:
    """A sentence the answer could show: quoted from passage n, or the model's own (`drafted`,
    already checked against passage n by grounding)."""

    n: int
    text: str
    drafted: bool = False


def messages(question: str, sentence: str) -> list[dict]:
    """The judge's prompt: the sentence, then whether the question can be answered from it."""
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": (
            f"Text: {sentence}\n\nCan the question below be answered from the text above "
            f"alone?\nQuestion: {question}")},
    ]


def accepts(gen: Generator, question: str, sentence: str) -> bool:
    """The model says the sentence states the answer: its reply is (or starts with) YES. A
    GGUF's reply is held to YES or NO; a server's (instruction-following models) is read only
    as far as its first word, and one that runs on past the limit is hung up on."""
    asked = messages(question, sentence)
    choose = getattr(gen, "choose", None)
    if choose is not None:  # a local GGUF: one token, YES or NO by a logit bias (llm.py)
        return bool(choose(asked, ("YES", "NO"), lean={"YES": LEAN_YES}) == "YES")
    reply = ""
    stream = gen.stream_chat(asked, max_tokens=JUDGE_TOKENS, temperature=0.0)
    try:
        for piece in stream:
            reply += piece
            if len(reply.strip()) >= 3:
                break
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()
    return reply.strip().lstrip("*\"'`").upper().startswith("YES")


def candidates(
    question: str, g: Grounded, evidence: Sequence[Evidence], similarity: Similarity | None
) -> list[Candidate]:
    """The sentences to judge alone, best first, at most MAX_JUDGED - 1 (the whole answer
    takes the first call): those the shown answer leads with (the finding's, else the model's
    checked sentences), then the next best evidence sentences by the finding's ranking
    (strict: of the kind asked)."""
    found = [Candidate(n, s) for n, s in finding(question, evidence, similarity)]
    drafted = [Candidate(s.cites[0], s.text, True) for s in g.sentences if s.supported]
    ranked = [Candidate(n, s) for _, n, s in
              ranked_sentences(question, evidence, strict=True, similarity=similarity)]
    lead = (found + drafted) if g.mode == "generated" else found
    out: list[Candidate] = []
    for c in [*lead, *ranked]:
        if len(out) >= MAX_JUDGED - 1:
            break
        if all(c.text != o.text for o in out):
            out.append(c)
    return out


def judged(
    question: str,
    g: Grounded,
    evidence: Sequence[Evidence],
    gen: Generator,
    page_text: PageText,
    similarity: Similarity | None = None,
    alone: Callable[[], Grounded] | None = None,
) -> Grounded:
    """The checked answer `g` as the judge lets it stand: unchanged when it accepts the answer
    as shown (`whole`); else `alone()`, the answer without the sentences that rank close to its
    best (finding.CLOSE), when it differs and the judge accepts it whole; else the best
    candidate sentence it accepts, shown alone; else NOT_REPORTED. An answer that already
    abstains is returned as it is (not judged)."""
    if g.abstained:
        return g
    # the scene ("In MacLean's CNN for ...,") chose the passages; a sentence that does not
    # repeat it can still answer what is asked
    asked = asked_part(question, evidence)
    if accepts(gen, asked, whole(g)):
        return replace(g, judged=True)
    rejected = {whole(g)}
    without = alone() if alone is not None else None
    if without is not None and not without.abstained and whole(without) not in rejected:
        if accepts(gen, asked, whole(without)):
            return replace(without, judged=True)
        rejected.add(whole(without))
    for c in candidates(question, g, evidence, similarity):
        if " ".join(c.text.split()) in rejected or not accepts(gen, asked, c.text):
            continue
        shown = _shown(c, evidence, page_text)
        if shown is not None:
            return replace(g, text=shown[0], citations=(shown[1],),
                           mode="generated" if c.drafted else "quoted", judged=True)
    return replace(g, text=NOT_REPORTED, abstained=True, citations=(), mode="not_reported",
                   judged=True)


def whole(g: Grounded) -> str:
    """The answer as the reader meets it, without its [n] markers: judged first, whole, so a
    sentence that needs the one beside it ("For WN models, an input layer with 4-8 neurons..."
    after "MLPs consist of an input layer, ...") is read with it."""
    return " ".join(strip_cites(g.text).split())[:WHOLE_CHARS]


def _shown(
    c: Candidate, evidence: Sequence[Evidence], page_text: PageText
) -> tuple[str, Citation] | None:
    """(answer text, citation) for an accepted candidate, or None when no verbatim quote of
    it is found in the stored page text (then it cannot be shown as the paper's)."""
    e = evidence[c.n - 1]
    quote = best_quote(c.text, e.text) if c.drafted else c.text
    citation = cite(c.n, e, quote, page_text)
    if citation is None:
        return None
    text = f"{quoted(citation)} {c.text.rstrip('.')} [{c.n}]." if c.drafted else quoted(citation)
    return text, citation
