"""The grounding check that keeps a small model honest: every sentence of a draft must be
found in the passage it cites, with a verbatim quote, or the answer falls back to quoting
the evidence (or to NOT_REPORTED)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from core.answer.finding import finding
from core.answer.focus import Focus, question_terms, restates, without_examples
from core.answer.meaning import Similarity
from core.answer.relevance import misread, window
from core.text import (
    NUMBER,
    STOPWORDS,
    TOKEN,
    cites_of,
    normalise,
    passage_sentences,
    split_sentences,
    stem,
    strip_cites,
)
from core.types import AnswerMode, Citation, Evidence, Sentence

NOT_REPORTED = "Not reported in the selected papers."

_ABSTAIN = re.compile(
    r"not reported|not (?:stated|mentioned|specified|provided|given|described|available)|"
    r"no (?:information|mention)|(?:do|does|did) not (?:state|mention|report|specify|say|provide)|"
    r"i (?:do not|don't) know|cannot (?:be )?(?:determined|found|answer)|unknown",
    re.IGNORECASE,
)

PageText = Callable[[str, int], str | None]


@dataclass(frozen=True)
class Check:
    supported: bool
    reason: str
    passage: int | None  # 1-based passage that supports the sentence


@dataclass(frozen=True)
class Grounded:
    text: str
    abstained: bool
    sentences: tuple[Sentence, ...]
    citations: tuple[Citation, ...]
    mode: AnswerMode
    draft: str = ""  # the model's text as written (generate_grounded)
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    judged: bool = False  # a chat model judged the shown sentence (judge.py)
    judge_s: float | None = None  # the time its calls took
    judge: str = ""  # the name of the model that judged


UNANSWERED = Grounded(NOT_REPORTED, True, (), (), "not_reported")


def is_abstention(text: str) -> bool:
    return bool(_ABSTAIN.search(text)) or not text.strip()


def key_terms(sentence: str) -> tuple[list[str], list[str], list[str]]:
    """(numbers, named things, content words) a supporting passage must contain."""
    body = strip_cites(sentence)
    numbers = [n.rstrip(".,") for n in NUMBER.findall(body)]
    tokens = TOKEN.findall(body)
    named = [
        t for i, t in enumerate(tokens)
        if not t[0].isdigit() and (t.isupper() and len(t) > 1 or any(c.isdigit() for c in t)
                                   or (i > 0 and t[0].isupper() and t.lower() not in STOPWORDS))
    ]
    content = [t for t in tokens if t.lower() not in STOPWORDS and len(t) > 2 and not t[0].isdigit()]
    return numbers, named, content


def check_against(sentence: str, passage: str, given: frozenset[str] = frozenset()) -> tuple[bool, str]:
    """Does the passage contain the sentence's numbers, named things and most of its words?

    Words the question already holds (`given`, as stems) are not evidence of anything: a
    sentence must bring its new words from the passage.
    """
    numbers, named, content = key_terms(sentence)
    content = [w for w in content if stem(w) not in given]
    text = normalise(passage)
    for num in numbers:
        variants = {num, num.replace(",", ""), num.replace(",", ".")}
        if not any(re.search(rf"(?<![\d.]){re.escape(v)}(?![\d])", text) for v in variants):
            return False, f"'{num}' is not in the cited passage"
    for name in named:
        if name.lower() not in text:
            return False, f"'{name}' is not in the cited passage"
    if content:
        words = {stem(w) for w in re.findall(r"[a-z][a-z0-9\-]*", text)}
        hit = sum(stem(w) in words for w in content)
        if hit / len(content) < 0.7:
            return False, "several of its words are not in the cited passage"
    if not numbers and not named and not content:
        return False, "says nothing checkable"
    return True, ""


def check_sentence(sentence: str, passages: Sequence[str], question: str = "") -> Check:
    """Check a sentence against the passages it cites; re-attribute it if another one holds it."""
    given = frozenset(stem(w) for w in TOKEN.findall(without_examples(question)))
    cited = [n for n in cites_of(sentence) if 1 <= n <= len(passages)]
    reason = "cites no passage"
    for n in cited:
        ok, why = check_against(sentence, passages[n - 1], given)
        if ok:
            return Check(True, "", n)
        reason = why
    for n, passage in enumerate(passages, start=1):
        if n not in cited and check_against(sentence, passage, given)[0]:
            return Check(True, "", n)
    return Check(False, reason, None)


def best_quote(sentence: str, passage: str) -> str:
    """The passage sentence that shares the most key terms with an answer sentence."""
    numbers, named, content = key_terms(sentence)
    wanted = {stem(w) for w in content + named} | set(numbers)
    best, best_score = "", -1.0
    for candidate in passage_sentences(passage):
        words = {stem(w) for w in TOKEN.findall(candidate)} | set(NUMBER.findall(candidate))
        score = len(wanted & words) - 0.001 * len(candidate)
        if score > best_score:
            best, best_score = candidate, score
    return best or passage[:300]


def locate(quote: str, page_texts: Sequence[tuple[int, str]]) -> tuple[int, str] | None:
    """Find a quote in stored page text (whitespace-flexible); return (page, exact substring)."""
    words = quote.split()
    if not words:
        return None
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    for number, text in page_texts:
        if m := pattern.search(text):
            return number, m.group(0)
    # A quote that crosses a page break: keep its longer part, the start or the end.
    for cut in range(len(words) - 1, 3, -1):
        for part in (words[:cut], words[-cut:]):
            piece = re.compile(r"\s+".join(re.escape(w) for w in part))
            for number, text in page_texts:
                if m := piece.search(text):
                    return number, m.group(0)
    return None


def locate_across(quote: str, page_texts: Sequence[tuple[int, str]]) -> tuple[int, str] | None:
    """A quote that runs from the end of one page onto the start of the next: (its first page,
    the exact text, the two pages' parts joined by a line break), or None."""
    words = quote.split()
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    for (number, text), (after, following) in zip(page_texts, page_texts[1:], strict=False):
        if after != number + 1:
            continue
        joined = f"{text}\n{following}"
        if (m := pattern.search(joined)) and m.start() < len(text) < m.end():
            return number, m.group(0)
    return None


def cite(n: int, e: Evidence, quote: str, page_text: PageText) -> Citation | None:
    """Citation n of a quote from passage e, found verbatim in the stored page text, or None.
    A quote that runs onto the next page is cited whole, on both pages ("pp. 5–6"): cut
    at the break, it would lose what the sentence says at its end (its value)."""
    pages = [(p, t) for p in range(e.page, e.page_end + 1) if (t := page_text(e.doc_id, p))]
    single = [(p, t) for p, t in pages if re.search(
        r"\s+".join(re.escape(w) for w in quote.split()), t)] if quote.split() else []
    if not single and (across := locate_across(quote, pages)):
        page, exact = across
        return Citation(n, e.doc_id, e.title, e.pdf_path, page, exact, True, page_end=page + 1)
    found = locate(quote, pages)
    if found is None:
        return None
    page, exact = found
    return Citation(n, e.doc_id, e.title, e.pdf_path, page, exact, True)


def _misread(raw: str, quote: str, passage: str, question: str, focus: Focus | None) -> str:
    """Why a sentence the passage supports is still no answer, or "": its words must be in the
    quoted sentence and its neighbours, not anywhere in the passage, and say there what the
    sentence says they are (relevance.misread)."""
    text = window(raw, passage, quote)
    given = frozenset(stem(w) for w in TOKEN.findall(without_examples(question)))
    ok, why = check_against(raw, text, given)
    if not ok:
        return f"{why} (in the quoted sentence and its neighbours)"
    return misread(raw, text, focus)


def _on_topic(question: str, sentences: Sequence[Sentence], evidence: Sequence[Evidence]) -> bool:
    """A supported sentence must also answer the question, and so must the passage sentence
    that supports it: a draft that restates the question around a true number does not."""
    if not question_terms(question):
        return True
    focus = Focus.of(question, evidence)
    return any(
        s.supported
        and focus.answered_by(s.text)
        and focus.answered_by(best_quote(s.text, evidence[s.cites[0] - 1].text))
        for s in sentences
    )


def ground(
    draft: str,
    evidence: Sequence[Evidence],
    page_text: PageText,
    question: str = "",
    similarity: Similarity | None = None,
    *,
    close: bool = True,
) -> Grounded:
    """Check every sentence of a draft answer and build verbatim citations.

    The answer text holds verified text only: the quoted sentences of the papers, then the
    draft's sentences that passed the check (mode "generated"). A draft that says the passages
    lack the answer becomes NOT_REPORTED. A draft whose sentences mostly fail the check, or
    whose supported sentences do not give what the question asks (Focus), gives way to the
    sentence or two of the evidence that answer the question most directly (mode "quoted",
    focus.finding), or to NOT_REPORTED when none does. `sentences` are the draft's, checked.
    `similarity` lets the finding weigh each sentence's meaning too (meaning.py); `close`, show
    the sentences that rank close to its best (finding.finding).
    """
    passages = [e.text for e in evidence]
    if is_abstention(draft) and not NUMBER.search(strip_cites(draft)):
        return UNANSWERED
    sentences: list[Sentence] = []
    citations: dict[int, Citation] = {}
    focus = Focus.of(question, evidence) if question_terms(question) else None
    for raw in split_sentences(draft):
        body = strip_cites(raw)
        if not body:
            continue
        check = check_sentence(raw, passages, question)
        if not check.supported or check.passage is None:
            sentences.append(Sentence(body, cites_of(raw), False, check.reason))
            continue
        n = check.passage
        if restates(body, question):
            sentences.append(Sentence(body, (n,), False, "only restates the question"))
            continue
        if focus and not focus.answered_by(body):  # true of the paper, but no answer to this
            sentences.append(Sentence(body, (n,), False, "does not answer the question"))
            continue
        quote = best_quote(body, passages[n - 1])
        if why := _misread(raw, quote, passages[n - 1], question, focus):
            sentences.append(Sentence(body, (n,), False, why))
            continue
        if n not in citations:
            citation = cite(n, evidence[n - 1], quote, page_text)
            if citation is None:  # cannot show a verbatim quote: do not claim support
                sentences.append(Sentence(body, (n,), False, "no verbatim quote found"))
                continue
            citations[n] = citation
        sentences.append(Sentence(body, (n,), True, ""))
    supported = sum(s.supported for s in sentences)
    if 2 * supported >= len(sentences) and supported and _on_topic(question, sentences, evidence):
        # what is proven, first: the finding and the quotes, then the model's sentences that
        # passed the check and say more than the quotes; the draft itself is kept apart by the
        # caller (Answer.draft)
        found = [c for n, quote in (finding(question, evidence, similarity, close=close) if question else [])
                 if (c := cite(n, evidence[n - 1], quote, page_text))]
        quotes = [*found, *sorted(citations.values(), key=lambda c: c.n)]
        shown = " ".join(dict.fromkeys(map(quoted, quotes)))
        checked = [f"{s.text.rstrip('.')} [{s.cites[0]}]." for s in sentences
                   if s.supported and not _repeats(s.text, shown)]
        # one citation per quote shown: a model sentence supported by another sentence of a
        # passage the finding quotes keeps the quote that supports it ("All SVR models used
        # the RBF kernel" beside the finding's "We compare ... SVR"), so each claim has its own
        merged: dict[tuple[int, str], Citation] = {}
        for c in quotes:
            merged.setdefault((c.n, c.quote), c)
        ordered = tuple(sorted(merged.values(), key=lambda c: c.n))
        return Grounded(" ".join([shown, *checked]), False, tuple(sentences), ordered,
                        "generated")
    if question:
        cites = [c for n, quote in finding(question, evidence, similarity, close=close)
                 if (c := cite(n, evidence[n - 1], quote, page_text))]
        if cites:  # `sentences` stay the draft's: the quotes are the citations
            ordered = tuple(sorted({c.n: c for c in cites}.values(), key=lambda c: c.n))
            return Grounded(" ".join(map(quoted, cites)), False, tuple(sentences), ordered,
                            "quoted")
    return Grounded(NOT_REPORTED, True, tuple(sentences), (), "not_reported")


def _repeats(sentence: str, shown: str) -> bool:
    """The sentence says nothing the quotes shown do not: its numbers, names and words are
    (almost) all theirs ("DistilBERT was trained on 8 16GB V100 GPUs" under the quote that says
    so). Shown twice it only makes the reader compare."""
    numbers, named, content = key_terms(sentence)
    have = {stem(w) for w in TOKEN.findall(shown)} | {n.rstrip(".,") for n in NUMBER.findall(shown)}
    wanted = [stem(w) for w in content + named] + numbers
    return bool(wanted) and sum(w in have for w in wanted) >= 0.9 * len(wanted)


def quoted(c: Citation) -> str:
    """A citation's quote as answer text: one line, with its number."""
    return f"{' '.join(c.quote.split())} [{c.n}]"
