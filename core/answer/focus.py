"""What a question asks for, and the evidence sentence that gives it most directly.

A sentence that shares a word with the question is not yet an answer: "Which hardware?" wants
an instance ("8 V100 GPUs"), "What batch size?" a value with the quantity it measures.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from core import vocab
from core.answer.prompt import strip_cites
from core.text import GENERIC, PHRASE_WORD, STOPWORDS, TOKEN, passage_sentences, stem, title_boost
from core.types import Evidence

# "(e.g., fp16 / mixed precision / bfloat16)": examples of what is asked, not what is asked.
# "mixed" alone must not make "a mixed strategy for masking" an answer, and a draft that copies
# an example from the question must find it in the passage.
_EXAMPLES = re.compile(r"\(\s*(?:e\.\s?g\.|for example|such as)[,:]?\s*([^)]*)\)", re.IGNORECASE)
# Nouns of quantities ("batch size", "weight decay"): the answer names the quantity and a value.
_QUANTITIES = frozenset(
    "size rate decay epoch epochs seed seeds iterations temperature threshold cutoff cut-off "
    "dropout warmup".split()
)
# "how many random seeds", "which versions": a value of what follows
_COUNT = re.compile(
    r"\b(?:how (?:many|much|long)|what (?:value|number|percentage|amount)(?: of)?|versions?)\b"
    r"((?:\s+(?:the\s+)?[a-z][a-z\-]*)*)",
    re.IGNORECASE,
)
# digits that are not a value: years, citation marks [12], section numbers ("3.3 Scoring")
_NOT_VALUE = re.compile(
    r"\[\d+(?:\s*[,\u2013-]\s*\d+)*\]|(?<!\d)(?:19|20)\d\d(?!\d)|^\s*\d+(?:\.\d+)*\s+(?=[A-Z])"
)


def without_examples(question: str) -> str:
    return _EXAMPLES.sub(" ", question)


def examples(question: str) -> frozenset[str]:
    """The examples a question lists, each as lower-case words joined by spaces."""
    found = set()
    for m in _EXAMPLES.finditer(question):
        for item in re.split(r"[,/;]|\bor\b|\band\b", m.group(1)):
            if words := [w.lower() for w in PHRASE_WORD.findall(item)]:
                found.add(" ".join(words))
    return frozenset(found)


def question_terms(question: str) -> list[str]:
    """Stems of the question's informative words (not the generic 'which model was used'),
    without the examples it lists."""
    words = [
        t for t in TOKEN.findall(without_examples(question))
        if t.lower() not in STOPWORDS | GENERIC and len(t) > 1
    ]
    return list(dict.fromkeys(stem(w) for w in words))


def restates(sentence: str, question: str) -> bool:
    """The sentence adds no word or number to the question ("The preprocessing applied to the
    input text is the text preprocessing [1]."): true of the passage, and no answer."""
    asked = {stem(w) for w in TOKEN.findall(without_examples(question))}
    said = {
        stem(w) for w in TOKEN.findall(strip_cites(sentence))
        if w.lower() not in STOPWORDS | GENERIC and len(w) > 1
    }
    return bool(question.strip()) and said <= asked


def _expanded(question: str) -> list[str]:
    """The retrieval expansions of a question's words (vocab.expansion), in order."""
    return [w for word in TOKEN.findall(question.lower()) for w in vocab.expansion(word)]


@dataclass(frozen=True)
class Focus:
    """What a sentence must hold to answer a question, beyond sharing a word with it."""

    terms: frozenset[str]  # question_terms
    distinctive: frozenset[str]  # question stems in at most half the passages: not the topic
    instances: frozenset[str]  # names of the categories the question asks for
    values: tuple[frozenset[str], ...]  # per value asked, the stems it comes with: batch, size
    examples: frozenset[str] = frozenset()  # what the question lists after "e.g.", as phrases

    @classmethod
    def of(cls, question: str, evidence: Sequence[Evidence]) -> Focus:
        words = [w.lower() for w in PHRASE_WORD.findall(question)]
        asked = question_terms(question)
        extra = " ".join(_expanded(question))
        stems = [{stem(w) for w in TOKEN.findall(e.text)} for e in evidence] or [set()]
        distinctive = {
            t for t in asked + question_terms(extra) if 0 < sum(t in s for s in stems) <= len(stems) / 2
        }
        instances = frozenset[str]().union(*(vocab.instances(w) for w in words))
        values = []
        for m in _COUNT.finditer(question):
            run: list[str] = []  # the words counted: "how many random seeds" - seeds
            for w in m.group(1).lower().split():
                if w in STOPWORDS | GENERIC or len(w) < 2:
                    if run:
                        break
                    continue
                run.append(w)
            values.append(frozenset(stem(w) for w in run[-1:]))
        if not re.match(r"\s*how\b(?! (?:many|much|long))", question, re.IGNORECASE):
            # "What batch size": a value; "How were body sizes obtained": a procedure
            for i, w in enumerate(words):
                if w in _QUANTITIES:
                    before = words[i - 1] if i and words[i - 1] not in STOPWORDS | GENERIC else ""
                    values.append(frozenset(stem(x) for x in (before, w) if x))
        return cls(
            terms=frozenset(asked),
            distinctive=frozenset(distinctive),
            instances=instances,
            values=tuple(values),
            examples=examples(question),
        )

    def answered_by(self, sentence: str) -> bool:
        """The sentence holds a distinctive question word, a named instance or most of the
        question's words and, when the question asks for a category or a value, an instance of
        it or the value with what it measures (any one, for questions that ask several things)."""
        body = strip_cites(sentence)
        words = [w.lower() for w in PHRASE_WORD.findall(body)]
        stems = {stem(w) for w in TOKEN.findall(body)} | {stem(w) for w in words}
        named = self.instances.intersection(words)
        covered = len(stems & self.terms) >= max(2, 2 * len(self.terms) / 3)
        phrase = f" {' '.join(words)} "
        example = any(f" {e} " in phrase for e in self.examples)
        if not (stems & self.distinctive or named or example or covered):
            return False
        if not (self.instances or self.values):
            return True
        valued = any(c.isdigit() for c in _NOT_VALUE.sub(" ", body))
        return bool(named or (valued and any(v <= stems for v in self.values)))


def best_sentence(
    question: str, evidence: Sequence[Evidence], *, strict: bool = False
) -> tuple[int, str] | None:
    """The evidence sentence that answers the question most directly, if one clearly does.

    A sentence qualifies when it holds a question term that is distinctive within the evidence
    (found in at most half of the passages): the question's focus ("GPU", "optimizer"), not
    the paper's topic, which every passage shares. Questions name a category ("hardware"),
    answers an instance ("16 Cloud TPUs"): instances of the category count for more.
    `strict` also asks for what the question asks (Focus.answered_by): an instance of the
    category it names, the quantity it asks for with a value.
    """
    terms = question_terms(question)
    if not terms or not evidence:
        return None
    weight = {t: 1.0 for t in terms}
    for extra in _expanded(question):
        weight.setdefault(stem(extra), 1.5)
    stems = [{stem(w) for w in TOKEN.findall(e.text)} for e in evidence]
    df = {t: sum(t in s for s in stems) / len(stems) for t in weight}
    distinctive = {t for t in weight if 0 < df[t] <= 0.5}
    focus = Focus.of(question, evidence) if strict else None
    named = {w.lower() for w in TOKEN.findall(question)} - STOPWORDS - GENERIC
    title_bonus = [title_boost(named, e.title) - 1.0 for e in evidence]
    best: tuple[float, int, str] | None = None
    for n, e in enumerate(evidence, start=1):
        for sentence in passage_sentences(e.text):
            words = {stem(w) for w in TOKEN.findall(sentence)}
            if not 20 <= len(sentence) <= 600:
                continue
            if not (focus.answered_by(sentence) if focus else words & distinctive):
                continue
            score = sum(weight[t] * (1.0 - df[t]) for t in weight if t in words) - 0.05 * (n - 1)
            score += title_bonus[n - 1]  # the paper the question names
            if best is None or score > best[0]:
                best = (score, n, sentence)
    return (best[1], best[2]) if best else None
