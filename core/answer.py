"""Prompt, citations and the grounding check that keeps a small model honest."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from core.types import Citation, Evidence, Sentence

NOT_REPORTED = "Not reported in the selected papers."

SYSTEM_PROMPT = (
    "You answer questions about scientific papers using only the numbered passages given. "
    "Answer in one to three short sentences. After each claim write the number of the passage "
    "it comes from in brackets, like [1]. Copy names and numbers exactly as written. "
    "If the passages do not state the answer, reply exactly: NOT REPORTED"
)

_CITE = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
# numbers, with a magnitude suffix when there is one ("800M", "1e-4", "2,500")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?:e-?\d+|[kmb])?(?![\w])", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9\-]*|\d+(?:\.\d+)?")
_ABSTAIN = re.compile(
    r"not reported|not (?:stated|mentioned|specified|provided|given|described|available)|"
    r"no (?:information|mention)|(?:do|does|did) not (?:state|mention|report|specify|say|provide)|"
    r"i (?:do not|don't) know|cannot (?:be )?(?:determined|found|answer)|unknown",
    re.IGNORECASE,
)
_ABBREV = re.compile(r"\b(?:e\.g|i\.e|et al|Fig|Figs|Eq|Eqs|Sec|Tab|vs|cf|approx|resp|No)\.$")

_STOP = frozenset(
    """a about above after again all also an and any are as at be been before being both but by
    can could did do does doing during each few for from further had has have having here how
    i if in into is it its itself just more most no nor not of off on once only or other our out
    over own same she should so some such than that the their them then there these they this
    those through to too under until up very was we were what when where which while who whom
    why will with would you your paper papers study authors used using use uses based""".split()
)


@dataclass(frozen=True)
class Check:
    supported: bool
    reason: str
    passage: int | None  # 1-based passage that supports the sentence


def format_passage(n: int, e: Evidence) -> str:
    pages = f"p. {e.page}" if e.page == e.page_end else f"pp. {e.page}-{e.page_end}"
    return f"[{n}] {e.title[:80]}, {pages}, {e.section}:\n{e.text.strip()}"


def build_messages(
    question: str,
    evidence: Sequence[Evidence],
    *,
    budget_tokens: int,
    count_tokens: Callable[[str], int],
) -> tuple[list[dict], int]:
    """Chat messages holding as many passages (best first) as fit the token budget.

    Returns the messages and how many passages went in; passage n in the prompt is
    evidence[n-1], so citations map back without renumbering.
    """
    tail = f"\n\nQuestion: {question}\nAnswer (cite passages like [1]):"
    used = count_tokens(SYSTEM_PROMPT) + count_tokens(tail) + 16  # template overhead
    blocks: list[str] = []
    for n, e in enumerate(evidence, start=1):
        block = format_passage(n, e)
        cost = count_tokens(block) + 2
        if used + cost > budget_tokens and blocks:
            break
        blocks.append(block)
        used += cost
    user = "Passages:\n\n" + "\n\n".join(blocks) + tail
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}], len(blocks)


def split_sentences(text: str) -> list[str]:
    """Split generated text into sentences, keeping citation markers with their sentence."""
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return []
    out: list[str] = []
    start = 0
    for m in re.finditer(r"[.!?](?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])*(?=\s+[A-Z0-9\[(]|\s*$)", text):
        piece = text[start : m.end()].strip()
        if _ABBREV.search(text[start : m.start() + 1]):
            continue
        if piece:
            out.append(piece)
        start = m.end()
    if rest := text[start:].strip():
        out.append(rest)
    return out


# A heading on a line of its own: "3.2 Training Details", "Methods", "A.1 Hyperparameters".
_HEADING = re.compile(
    r"(?:(?:\d+(?:\.\d+)*|[A-Z](?:\.\d+)*|[IVX]+)\.?\s+)?[A-Z][\w-]*(?:\s+[\w-]+){0,5}"
)


def _is_heading(line: str, previous: str) -> bool:
    """A short title-like line after the end of a sentence (or first), not a wrapped line."""
    if not _HEADING.fullmatch(line):
        return False
    numbered = line[0].isdigit() or bool(re.match(r"[A-Z]\.?\d|[IVX]+\.\s", line))
    title_case = all(w[0].isupper() for w in line.split() if len(w) > 3 and w[0].isalpha())
    return numbered or (title_case and (not previous or previous.rstrip()[-1:] in ".!?:"))


def passage_sentences(text: str) -> list[str]:
    """The sentences of a stored passage, without its heading lines: a quote should start at
    "We trained...", not at "3.2 Training Details We trained..."."""
    blocks: list[list[str]] = [[]]
    previous = ""
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped and _is_heading(stripped, previous):
            blocks.append([])
        elif stripped:
            blocks[-1].append(stripped)
        previous = stripped or previous
    return [s for block in blocks for s in split_sentences(" ".join(block))]


def cites_of(sentence: str) -> tuple[int, ...]:
    found: list[int] = []
    for group in _CITE.findall(sentence):
        for n in re.split(r"[,;]", group):
            if (v := int(n)) not in found:
                found.append(v)
    return tuple(found)


def strip_cites(sentence: str) -> str:
    return re.sub(r"\s+([.,;:!?])", r"\1", _CITE.sub("", sentence)).strip()


def is_abstention(text: str) -> bool:
    return bool(_ABSTAIN.search(text)) or not text.strip()


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower().replace("‐", "-").replace("–", "-"))


def _stem(word: str) -> str:
    """A crude stem, the same on both sides of a comparison: the first 6 letters
    ("augmentation" ~ "augmented"). Plurals are left apart on purpose: merging "GPUs" with "GPU"
    made more question words common to the evidence, hence not distinctive, and cost 3 of 47
    gold pages in bench/extract.py; hardware questions match on instance names instead."""
    return word.lower()[:6]


def key_terms(sentence: str) -> tuple[list[str], list[str], list[str]]:
    """(numbers, named things, content words) a supporting passage must contain."""
    body = strip_cites(sentence)
    numbers = [n.rstrip(".,") for n in _NUMBER.findall(body)]
    tokens = _TOKEN.findall(body)
    named = [
        t for i, t in enumerate(tokens)
        if not t[0].isdigit() and (t.isupper() and len(t) > 1 or any(c.isdigit() for c in t)
                                   or (i > 0 and t[0].isupper() and t.lower() not in _STOP))
    ]
    content = [t for t in tokens if t.lower() not in _STOP and len(t) > 2 and not t[0].isdigit()]
    return numbers, named, content


def check_against(sentence: str, passage: str, given: frozenset[str] = frozenset()) -> tuple[bool, str]:
    """Does the passage contain the sentence's numbers, named things and most of its words?

    Words the question already holds (`given`, as stems) are not evidence of anything: a
    sentence must bring its new words from the passage.
    """
    numbers, named, content = key_terms(sentence)
    content = [w for w in content if _stem(w) not in given]
    text = _norm(passage)
    for num in numbers:
        variants = {num, num.replace(",", ""), num.replace(",", ".")}
        if not any(re.search(rf"(?<![\d.]){re.escape(v)}(?![\d])", text) for v in variants):
            return False, f"'{num}' is not in the cited passage"
    for name in named:
        if name.lower() not in text:
            return False, f"'{name}' is not in the cited passage"
    if content:
        words = {_stem(w) for w in re.findall(r"[a-z][a-z0-9\-]*", text)}
        hit = sum(_stem(w) in words for w in content)
        if hit / len(content) < 0.7:
            return False, "several of its words are not in the cited passage"
    if not numbers and not named and not content:
        return False, "says nothing checkable"
    return True, ""


def check_sentence(sentence: str, passages: Sequence[str], question: str = "") -> Check:
    """Check a sentence against the passages it cites; re-attribute it if another one holds it."""
    given = frozenset(_stem(w) for w in _TOKEN.findall(without_examples(question)))
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
    wanted = {_stem(w) for w in content + named} | set(numbers)
    best, best_score = "", -1.0
    for candidate in passage_sentences(passage):
        words = {_stem(w) for w in _TOKEN.findall(candidate)} | set(_NUMBER.findall(candidate))
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


@dataclass(frozen=True)
class Grounded:
    text: str
    abstained: bool
    sentences: tuple[Sentence, ...]
    citations: tuple[Citation, ...]
    mode: str


_GENERIC = frozenset(
    """which what how were was used use using train trained training model models method methods
    data paper study authors reported report describe described apply applied""".split()
)


# "(e.g., fp16 / mixed precision / bfloat16)": examples of what is asked, not what is asked.
# "mixed" alone must not make "a mixed strategy for masking" an answer, and a draft that copies
# an example from the question must find it in the passage.
_EXAMPLES = re.compile(r"\(\s*(?:e\.\s?g\.|for example|such as)[,:]?\s*([^)]*)\)", re.IGNORECASE)


def without_examples(question: str) -> str:
    return _EXAMPLES.sub(" ", question)


def examples(question: str) -> frozenset[str]:
    """The examples a question lists, each as lower-case words joined by spaces."""
    found = set()
    for m in _EXAMPLES.finditer(question):
        for item in re.split(r"[,/;]|\bor\b|\band\b", m.group(1)):
            if words := [w.lower() for w in _WORDS.findall(item)]:
                found.add(" ".join(words))
    return frozenset(found)


def question_terms(question: str) -> list[str]:
    """Stems of the question's informative words (not the generic 'which model was used'),
    without the examples it lists."""
    words = [
        t for t in _TOKEN.findall(without_examples(question))
        if t.lower() not in _STOP | _GENERIC and len(t) > 1
    ]
    return list(dict.fromkeys(_stem(w) for w in words))


def restates(sentence: str, question: str) -> bool:
    """The sentence adds no word or number to the question ("The preprocessing applied to the
    input text is the text preprocessing [1]."): true of the passage, and no answer."""
    asked = {_stem(w) for w in _TOKEN.findall(without_examples(question))}
    said = {
        _stem(w) for w in _TOKEN.findall(strip_cites(sentence))
        if w.lower() not in _STOP | _GENERIC and len(w) > 1
    }
    return bool(question.strip()) and said <= asked


# A question naming one of these categories is answered by naming an instance of it ("Which
# hardware?" - "8 V100 GPUs"). Narrower than retrieval's EXPANSIONS, which also holds words
# that merely sit near an answer ("cluster", "implemented").
_HARDWARE = "gpu gpus tpu tpus cpu cpus nvidia v100 a100 h100 p100 k80 titan rtx geforce xeon"
_OPTIMIZERS = "adam adamw sgd momentum rmsprop adagrad adadelta lamb lbfgs"
_FRAMEWORKS = "pytorch tensorflow jax keras fairseq theano caffe mxnet allennlp scikit sklearn"
_LANGUAGES = "python java javascript perl julia matlab fortran c++ rust"
_INSTANCES: dict[str, frozenset[str]] = {
    word: frozenset(names.split())
    for words, names in (
        ("hardware gpu gpus compute", _HARDWARE),
        ("optimizer optimiser", _OPTIMIZERS),
        ("framework frameworks toolkit", _FRAMEWORKS),
        ("software", f"{_FRAMEWORKS} {_LANGUAGES} sas spss stata"),
        ("language languages", _LANGUAGES),
    )
    for word in words.split()
}
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
_WORDS = re.compile(r"[a-z][a-z0-9+]*|[0-9][a-z0-9.+:%]*", re.IGNORECASE)
# digits that are not a value: years, citation marks [12], section numbers ("3.3 Scoring")
_NOT_VALUE = re.compile(
    r"\[\d+(?:\s*[,\u2013-]\s*\d+)*\]|(?<!\d)(?:19|20)\d\d(?!\d)|^\s*\d+(?:\.\d+)*\s+(?=[A-Z])"
)


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
        from core.retrieve import EXPANSIONS

        words = [w.lower() for w in _WORDS.findall(question)]
        asked = question_terms(question)
        extra = " ".join(EXPANSIONS.get(w, "") for w in _TOKEN.findall(question.lower()))
        stems = [{_stem(w) for w in _TOKEN.findall(e.text)} for e in evidence] or [set()]
        distinctive = {
            t for t in asked + question_terms(extra) if 0 < sum(t in s for s in stems) <= len(stems) / 2
        }
        instances = frozenset().union(*(_INSTANCES.get(w, ()) for w in words))
        values = []
        for m in _COUNT.finditer(question):
            run: list[str] = []  # the words counted: "how many random seeds" - seeds
            for w in m.group(1).lower().split():
                if w in _STOP | _GENERIC or len(w) < 2:
                    if run:
                        break
                    continue
                run.append(w)
            values.append(frozenset(_stem(w) for w in run[-1:]))
        if not re.match(r"\s*how\b(?! (?:many|much|long))", question, re.IGNORECASE):
            # "What batch size": a value; "How were body sizes obtained": a procedure
            for i, w in enumerate(words):
                if w in _QUANTITIES:
                    before = words[i - 1] if i and words[i - 1] not in _STOP | _GENERIC else ""
                    values.append(frozenset(_stem(x) for x in (before, w) if x))
        return cls(
            frozenset(asked), frozenset(distinctive), instances, tuple(values), examples(question)
        )

    def answered_by(self, sentence: str) -> bool:
        """The sentence holds a distinctive question word, a named instance or most of the
        question's words and, when the question asks for a category or a value, an instance of
        it or the value with what it measures (any one, for questions that ask several things)."""
        body = strip_cites(sentence)
        words = [w.lower() for w in _WORDS.findall(body)]
        stems = {_stem(w) for w in _TOKEN.findall(body)} | {_stem(w) for w in words}
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
    from core.retrieve import EXPANSIONS, title_boost

    terms = question_terms(question)
    if not terms or not evidence:
        return None
    weight = {t: 1.0 for t in terms}
    for word in _TOKEN.findall(question.lower()):
        for extra in EXPANSIONS.get(word, "").split():
            weight.setdefault(_stem(extra), 1.5)
    stems = [{_stem(w) for w in _TOKEN.findall(e.text)} for e in evidence]
    df = {t: sum(t in s for s in stems) / len(stems) for t in weight}
    distinctive = {t for t in weight if 0 < df[t] <= 0.5}
    focus = Focus.of(question, evidence) if strict else None
    named = {w.lower() for w in _TOKEN.findall(question)} - _STOP - _GENERIC
    title_bonus = [title_boost(named, e.title) - 1.0 for e in evidence]
    best: tuple[float, int, str] | None = None
    for n, e in enumerate(evidence, start=1):
        for sentence in passage_sentences(e.text):
            words = {_stem(w) for w in _TOKEN.findall(sentence)}
            if not 20 <= len(sentence) <= 600:
                continue
            if not (focus.answered_by(sentence) if focus else words & distinctive):
                continue
            score = sum(weight[t] * (1.0 - df[t]) for t in weight if t in words) - 0.05 * (n - 1)
            score += title_bonus[n - 1]  # the paper the question names
            if best is None or score > best[0]:
                best = (score, n, sentence)
    return (best[1], best[2]) if best else None


def _cite(n: int, e: Evidence, quote: str, page_text: Callable[[str, int], str | None]) -> Citation | None:
    pages = [(p, t) for p in range(e.page, e.page_end + 1) if (t := page_text(e.doc_id, p))]
    found = locate(quote, pages)
    if found is None:
        return None
    page, exact = found
    return Citation(n, e.doc_id, e.title, e.pdf_path, page, exact, True)


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
    page_text: Callable[[str, int], str | None],
    question: str = "",
) -> Grounded:
    """Check every sentence of a draft answer and build verbatim citations.

    A draft that says the passages lack the answer becomes NOT_REPORTED. A draft whose
    sentences mostly fail the check, or whose supported sentences do not give what the question
    asks (Focus), is replaced by the evidence sentence that answers the question most directly
    (mode "quoted"), or by NOT_REPORTED when no sentence does.
    """
    passages = [e.text for e in evidence]
    if is_abstention(draft) and not _NUMBER.search(strip_cites(draft)):
        return Grounded(NOT_REPORTED, True, (), (), "not_reported")
    sentences: list[Sentence] = []
    citations: dict[int, Citation] = {}
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
        if n not in citations:
            citation = _cite(n, evidence[n - 1], best_quote(body, passages[n - 1]), page_text)
            if citation is None:  # cannot show a verbatim quote: do not claim support
                sentences.append(Sentence(body, (n,), False, "no verbatim quote found"))
                continue
            citations[n] = citation
        sentences.append(Sentence(body, (n,), True, ""))
    supported = sum(s.supported for s in sentences)
    if 2 * supported >= len(sentences) and supported and _on_topic(question, sentences, evidence):
        text = " ".join(
            f"{s.text.rstrip('.')} [{s.cites[0]}]." if s.supported else s.text for s in sentences
        )
        return Grounded(text, False, tuple(sentences), tuple(sorted(citations.values(), key=lambda c: c.n)), "generated")
    if question and (found := best_sentence(question, evidence, strict=True)):
        n, quote = found
        if citation := _cite(n, evidence[n - 1], quote, page_text):
            quoted = Sentence(quote, (n,), True, "")
            return Grounded(f"{quote} [{n}]", False, (*sentences, quoted), (citation,), "quoted")
    return Grounded(NOT_REPORTED, True, tuple(sentences), (), "not_reported")
