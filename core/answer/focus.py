"""What a question asks for, and the evidence sentence that gives it most directly.

A sentence that shares a word with the question is not yet an answer: "Which hardware?" wants
an instance ("8 V100 GPUs"), "What batch size?" a value with the quantity it measures.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from core import vocab
from core.answer.kind import (
    KIND_OF,
    NOT_VALUE,
    QUANTITY_NOUNS,
    Expected,
    around,
    expected,
    machine_described,
    name_tokens,
    names_device,
    names_in,
    topic_names,
    value_of,
)
from core.answer.meaning import Similarity, rescore
from core.text import (
    GENERIC,
    PHRASE_WORD,
    STOPWORDS,
    TOKEN,
    is_reference_list,
    passage_sentences,
    stem,
    strip_cites,
    title_boost,
)
from core.types import Evidence

# "(e.g., fp16 / mixed precision / bfloat16)": examples of what is asked, not what is asked.
# "mixed" alone must not make "a mixed strategy for masking" an answer, and a draft that copies
# an example from the question must find it in the passage.
_EXAMPLES = re.compile(r"\(\s*(?:e\.\s?g\.|for example|such as)[,:]?\s*([^)]*)\)", re.IGNORECASE)
# Nouns of quantities ("batch size", "weight decay"): the answer names the quantity and a value.
QUANTITIES = frozenset(
    "size rate decay epoch epochs seed seeds iterations temperature threshold cutoff cut-off "
    "dropout warmup".split()
)


_INFLECTION = re.compile(r"(?:ing|ed|es|(?<!s)s)$")


def root(word: str) -> str:
    """A word's stem without an inflection ("testing", "tests" -> "test"), to find a short
    question word in its inflected forms; stems alone keep plurals apart (text.stem)."""
    word = word.lower()
    bare = _INFLECTION.sub("", word)
    if len(bare) < 3:
        return stem(word)
    if bare != word and len(bare) >= 4 and bare[-1] == bare[-2] and bare[-1] not in "lsz":
        bare = bare[:-1]  # "stopped" -> stop, "fitted" -> fit
    if len(bare) >= 4 and bare.endswith("e"):
        bare = bare[:-1]  # "tune", "tuned", "tuning" -> tun
    return stem(bare)


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


# The clauses that set the scene of what is asked rather than ask it: "In MacLean's CNN, ...",
# "When VESPA was applied to the 7,918 gene families, ...", "... before the single largest peak
# per profile was taken", "Apart from the 20% identity threshold, ...". A sentence that matches
# only them is about the setting ("Multiple sequence alignments were made for all gene
# families"), not the thing asked of it.
_LEADING_SETTING = re.compile(
    r"^\s*(?:in|for|when|after|before|during|apart from|besides|given|across|within|once|while|"
    r"at|under|to)\b(?!(?:[^,?]|,(?=\d))*\b(?:what|which|how|where|who|whom|whose)\b)"
    r"(?:[^,?]|,(?=\d))*,", re.IGNORECASE)
# A trailing clause sets the scene only when it places what is asked before or after another
# step; "when evaluated in zero-shot scenarios" is a condition of what is asked, and stays.
_TRAILING_SETTING = re.compile(r"[,;]?\s+(?:before|after|prior to)\s+[^?;(]*", re.IGNORECASE)
# What a question opens with once its scene is set: a question word ("to what value",
# "against which library") or an inverted verb
_ASKS_AFTER = re.compile(
    r"(?:(?:to|against|from|in|on|at|by|for|with|under|of|into|over|through)\s+)?"
    r"(?:what|which|how|where|who|whom|whose|when|why|did|do|does|was|were|is|are|can|could|"
    r"had|has|have|should|would|will)\b", re.IGNORECASE)


def setting_terms(question: str) -> frozenset[str]:
    """The stems a question says only in the clauses that set its scene (_LEADING_SETTING,
    _TRAILING_SETTING), not in what it asks."""
    bare = without_examples(question)
    setting = [m.group(0) for m in (_LEADING_SETTING.search(bare),) if m]
    setting += _TRAILING_SETTING.findall(bare)
    if not setting:
        return frozenset()
    asked = _TRAILING_SETTING.sub(" ", _LEADING_SETTING.sub(" ", bare))
    said = set(question_terms(" ".join(setting)))
    return frozenset(said - set(question_terms(asked)))


def asked_part(question: str, evidence: Sequence[Evidence] = ()) -> str:
    """The question without the clause that opens it by setting its scene: "In MacLean's CNN
    for Arabidopsis TF/target pairs, how was the number of clusters chosen?" asks "How was the
    number of clusters chosen?" of the passages the scene chose. The question as it is when it
    has no such clause, or when what follows it does not ask ("In 2019, 5,000 images were
    taken?"). Nor the clause that closes it by naming the evidence's paper (_named_at_end)."""
    m = _LEADING_SETTING.search(question)
    rest = question[m.end():].strip() if m else ""
    asked = rest[0].upper() + rest[1:] if _ASKS_AFTER.match(rest) else question
    if not evidence:
        return asked
    return _named_at_end(asked, evidence, Focus.of(question, evidence).expected.topic)


# Where a clause that closes a question may begin: a preposition
_PREPOSITION = re.compile(r"\s+(?:in|for|of|from|on|by|within|during)(?=\s)", re.IGNORECASE)
_DETERMINERS = frozenset("the a an its their this these that those our".split())
# Nouns that name a piece of research, not what was done in it: "the seedling survival study"
_WORK_NOUNS = frozenset(stem(w) for w in (
    "study studies paper work experiment experiments analysis analyses review survey article "
    "project trial evaluation approach method framework system").split())


def _named_at_end(question: str, evidence: Sequence[Evidence], names: frozenset[str]) -> str:
    """The question without a closing clause that only names the paper the evidence is from:
    "How was soil moisture measured in the seedling survival study?" asks "How was soil
    moisture measured?" of "Soil Moisture and Seedling Survival in a Restored Grassland", and
    "What data augmentation was applied in Task2Vec?" of a paper whose passages all say
    "Task2Vec". The clause is the paper's name (one of `names`, those most passages use:
    kind.topic_names; or one of its title), or words of its title before a noun for a study
    ("the HellaSwag experiments"). "For the GNN experiments" names which experiments of the
    paper, and "for pre-training BERT" what was done: both stay."""
    if not question.rstrip().endswith("?"):
        return question
    title = {stem(w) for e in evidence for w in TOKEN.findall(e.title or "")}
    end = question.rstrip().rstrip("?").rstrip()
    for m in _PREPOSITION.finditer(end):  # the longest such clause first
        words = [w for w in re.findall(r"[\w'\u2019-]+", end[m.end():])
                 if w.lower() not in _DETERMINERS]
        study = bool(words) and stem(words[-1]) in _WORK_NOUNS
        said = words[:-1] if study else words
        if not said or len(end[:m.start()].split()) < 3:
            continue
        if all(stem(w) in title or w.lower() in names for w in said) and (study or all(
                w.lower() in names or w in name_tokens(w) for w in said)):
            return end[:m.start()] + "?"
    return question


# The least a title must hold (letters and digits) to tell a title line from a sentence that
# begins with the paper's name ("Task2Vec embeds tasks ..."), the label some front pages put
# before it ("Title: Temporal changes in ..."), and the authors' names and roles read after it.
_TITLE_MIN = 20
_HEAD = 40  # letters of a running head before a title: a journal, a year, pages, a notice
_TITLE_LABEL = re.compile(r"^\s*title\s*[:.]\s*", re.IGNORECASE)
_NAME = r"(?!(?:Abstract|Summary|Background|Introduction)\b)[A-Z]"  # a name's first letter
_AUTHORS = re.compile(
    rf"^(?:\s*(?:(?i:authors?)\s*:\s*)?(?:{_NAME}[\w.\u2019'-]*\s+){{1,3}}{_NAME}[\w\u2019'-]+"
    r"\d*[*\u2020]?(?:,?\s*(?:(?:Senior|Student|Fellow|Life)\s+)?(?:Member|Fellow),?\s*IEEE)?"
    r"\s*(?:,|and\b|&)?)+")


def _letters(text: str) -> str:
    """Lower-case letters and digits only: a title compared across line breaks, hyphens and
    small capitals read with spaces."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _after(title: str, text: str) -> str | None:
    """What follows the title (as _letters reads it) in `text`, when the text begins with it
    or with a running head of at most _HEAD letters before it; else None."""
    at = _letters(text).find(title)
    if not 0 <= at <= _HEAD:
        return None
    seen = 0
    for i, c in enumerate(text):
        seen += c.isascii() and c.isalnum()
        if seen == at + len(title):
            return text[i + 1:]
    return None


_NEGATION = re.compile(r"\b(?:no|not|none|neither|nor|never|without)\b", re.IGNORECASE)


def restates(sentence: str, question: str) -> bool:
    """The sentence adds no word or number to the question ("The preprocessing applied to the
    input text is the text preprocessing [1]"; "These profiles were smoothed" for "how were the
    profiles smoothed?"): true of the passage, and no answer. A "no" the question does not say
    is an answer ("No weight decay is used" for "was weight decay applied?")."""
    if _NEGATION.search(sentence) and not _NEGATION.search(question):
        return False
    asked = {stem(w) for w in TOKEN.findall(without_examples(question))}
    said = {
        stem(w) for w in TOKEN.findall(strip_cites(sentence))
        if w.lower() not in STOPWORDS | GENERIC and len(w) > 1
    }
    return bool(question.strip()) and said <= asked


# "What elution gradient (...) was used", "which kernel function did the SVR use": the thing a
# question asks for, between its question word and its verb.
_ASKED_THING = re.compile(
    r"\b(?:what|which)\s+(?:(?:kind|type|sort)s?\s+of\s+)?((?:[\w-]+\s+){0,3}?[\w-]+)\s*"
    r"(?:\([^)]*\)\s*)?(?<=\s)(?:was|were|is|are|did|do|does|has|have|had)\b", re.IGNORECASE)
# Nouns that describe what is asked rather than name it: "which criterion", "what approach",
# "what unique characteristic" is answered in the paper's own words ("training was stopped
# when ...", "its endings are adversarially filtered").
_DESCRIBING = frozenset(
    """criterion criteria method methods approach approaches strategy strategies procedure
    procedures technique techniques way ways means process protocol protocols setting settings
    design scheme choice choices step steps rule rules characteristic characteristics feature
    features property properties aspect aspects advantage advantages benefit benefits challenge
    challenges improvement improvements change changes difference differences role contribution
    contributions limitation limitations impact effect effects finding findings implication
    implications insight insights reason reasons factor factors purpose goal idea methodology
    methodologies""".split())
# "What types of tasks ...": instances of a kind, named without the kind's word ("BoolQ, COPA")
_TYPES_OF = re.compile(r"\b(?:what|which)\s+(?:kind|type|sort)s?\s+of\b", re.IGNORECASE)


def asked_thing(question: str) -> tuple[str, ...]:
    """The content words of the thing a "what / which X was ..." question asks for: "elution
    gradient"; none for other forms, or a noun that describes rather than names ("criterion")."""
    m = _ASKED_THING.search(question)
    if not m:
        return ()
    words = m.group(1).lower().split()
    if words[-1] in _DESCRIBING:
        return ()
    return tuple(w for w in words if w not in STOPWORDS and len(w) > 1)


# "Which augmentation / preprocessing / cleaning?": a technique the vocabulary knows the words of
# (vocab.NEARBY); an answer says it ("augmented", "flips", "normalised"), not only its topic
# ("small samples need more data").
# What a technique is applied to, when the question does not say: "we augment the images".
_DATA_NOUNS = frozenset(
    """data dataset datasets image images sample samples example examples input inputs output
    outputs training set sets sequence sequences text texts corpus records observations features
    instances pairs""".split())


def _verb_form(word: str) -> bool:
    """"augment", "augmented", "filtered"; not "augmentation", "filters", "cleaning"."""
    return word.endswith("ed") or not word.endswith(
        ("ation", "ations", "ing", "ings", "er", "ers", "ion", "ions", "s", "al"))


_TECHNIQUE = re.compile(
    r"\b(?:which|what)\s+(?:(?:kinds?|types?|sorts?)\s+of\s+)?(?:[\w-]+\s+){0,2}?"
    r"(augmentation|preprocessing|cleaning|filters|de-duplication)\b", re.IGNORECASE)
_TRAINING = re.compile(vocab.words_pattern(vocab.TRAINING_WORDS), re.IGNORECASE)
# The instances of the hardware category: a machine may be described instead ("the Darwin
# testbed", "a standard laptop") when no one device is asked for.
_MACHINES = vocab.instances("hardware")
_OPTIMISERS = vocab.instances("optimizer")
_OPTIMISING = ("optimi", "minimi", "maximi", "algorithm", "solver")
_INFERENCE = re.compile(vocab.words_pattern(vocab.INFERENCE_WORDS), re.IGNORECASE)
# The stems of the words that say what is asked: kinds, quantities, categories.
_ASKING = frozenset(stem(w) for w in (*KIND_OF, *QUANTITY_NOUNS, *vocab.category_words()))


@dataclass(frozen=True)
class Focus:
    """What a sentence must hold to answer a question, beyond sharing a word with it."""

    terms: frozenset[str]  # question_terms
    distinctive: frozenset[str]  # question stems in at most half the passages: not the topic
    instances: frozenset[str]  # names of the categories the question asks for
    examples: frozenset[str] = frozenset()  # what the question lists after "e.g.", as phrases
    categories: tuple[frozenset[str], ...] = ()  # the instances of each category it names
    category_words: tuple[str, ...] = ()  # the word that names each of them ("software")
    training: bool = False  # it asks about training: inference-only sentences do not answer
    expected: Expected = Expected()  # the kind of instance it wants, by its form (kind.py)
    techniques: tuple[frozenset[str], ...] = ()  # per technique asked, the roots that say it
    unmentioned: bool = False  # no passage names what it asks for ("what elution gradient")
    thing: frozenset[str] = frozenset()  # what it names as asked, roots' first 4 letters ("kern")
    setting: frozenset[str] = frozenset()  # stems only its scene-setting clauses say
    titles: tuple[str, ...] = ()  # the evidence papers' titles, as _letters reads them

    @classmethod
    def of(cls, question: str, evidence: Sequence[Evidence]) -> Focus:
        """What this question asks of these passages. Ranking, the finding, the prompt and
        grounding all ask it of the same evidence: it is read once (_focus)."""
        return _focus(question, tuple(evidence))

    @classmethod
    def read(cls, question: str, evidence: tuple[Evidence, ...]) -> Focus:
        words = [w.lower() for w in PHRASE_WORD.findall(question)]
        words += vocab.named_categories(question)
        asked = question_terms(question)
        extra = " ".join(vocab.asked_expansion(question))
        tokens = [set(TOKEN.findall(e.text)) for e in evidence] or [set()]
        stems = [{stem(w) for w in ts} for ts in tokens]
        roots = [{root(w) for w in ts} for ts in tokens]
        # a question word no passage holds as it is counts in its other forms: "stop" in
        # "training is stopped"
        df = {t: sum(t in s for s in stems) or sum(t in r for r in roots)
              for t in asked + question_terms(extra)}
        distinctive = {t for t, n in df.items() if 0 < n <= len(stems) / 2}
        named: dict[frozenset[str], str] = {}
        for w, category in vocab.named_in(question).items():
            named.setdefault(category.instances, w)
        categories = tuple(named)
        instances = frozenset[str]().union(*categories)
        wants = expected(without_examples(question), question)
        wants = replace(wants, topic=topic_names([e.text for e in evidence]))
        techniques = tuple(
            frozenset({root(t), *(root(w) for w in vocab.NEARBY.get(t.lower(), ()))})
            for t in _TECHNIQUE.findall(without_examples(question)))
        thing = asked_thing(question)
        # a term of two words or more ("elution gradient"), not one that describes ("what
        # challenges", "which criterion")
        named_thing = not (wants.wants or techniques or named)
        unmentioned = len(thing) > 1 and bool(evidence) and named_thing and (
            not any(stem(w) in s or root(w) in r
                    for w in thing for s, r in zip(stems, roots, strict=True)))
        # a sentence that answers "what kernel" names a kernel ("the RBF kernel") or a thing
        # by its form, not only the model it belongs to; not when the thing is a generic noun
        # ("which statistical models": "Gamma GLMs") or a quantity ("to what value"), nor for
        # "what types of tasks" (instances: "BoolQ, COPA")
        said = {root(w)[:4] for w in thing}
        if not named_thing or _TYPES_OF.search(question) or not thing or (
                thing[-1] in GENERIC or thing[-1] in QUANTITY_NOUNS):
            said = set()
        return cls(
            terms=frozenset(asked),
            distinctive=frozenset(distinctive),
            instances=instances,
            examples=examples(question),
            categories=categories,
            category_words=tuple(named.values()),
            training=not _INFERENCE.search(question) and bool(
                _TRAINING.search(question) or vocab.TRAINING_QUANTITIES.intersection(words)),
            expected=wants,
            techniques=techniques,
            unmentioned=unmentioned,
            thing=frozenset(said),
            setting=setting_terms(question),
            titles=tuple({t for e in evidence if len(t := _letters(e.title)) >= _TITLE_MIN}),
        )

    def says_technique(self, body: str) -> bool:
        """The sentence says a technique asked: a word of it ("augmentation", "flips") or its
        verb said of what the question applies it to, or of data ("we augment the images",
        "images were augmented"); not another sense of the verb ("we augment the tool chain
        with a code graph generator")."""
        tokens = [w.lower() for w in TOKEN.findall(body)]
        for said in self.techniques:
            for i, w in enumerate(tokens):
                if root(w) not in said:
                    continue
                if not _verb_form(w):
                    return True
                near = tokens[max(0, i - 4):i + 5]
                if any(stem(x) in self.terms or x in _DATA_NOUNS for x in near if x != w):
                    return True
        return False

    def answered_by(self, sentence: str) -> bool:
        """The sentence holds a distinctive question word, a named instance or most of the
        question's words and, when the question asks for a category or a value, an instance of
        it or the value with what it measures (any one, for questions that ask several things)."""
        if self.unmentioned:
            return False  # "what elution gradient" of passages that name no gradient
        body = strip_cites(self.untitled(sentence))
        if self.thing and not self.thing & {root(w)[:4] for w in TOKEN.findall(body)} and not (
                names_in(body, self.terms)):
            return False  # "what kernel": a sentence that names none, nor any name ("RBF")
        words = [w.lower() for w in PHRASE_WORD.findall(body)]
        stems = {stem(w) for w in TOKEN.findall(body)} | {stem(w) for w in words}
        named = self.instances.intersection(words)
        covered = len(stems & self.terms) >= max(2, 2 * len(self.terms) / 3)
        phrase = f" {' '.join(words)} "
        example = any(f" {e} " in phrase for e in self.examples)
        asked = self.distinctive - self.setting  # not only the scene it sets ("before ...")
        inflected = stems & asked or {root(w) for w in TOKEN.findall(body)} & {
            root(t) for t in asked}  # "testing" for the "test" sets asked about
        if self.techniques and not self.says_technique(body):
            return False  # "which augmentation": a sentence that says none
        if not (inflected or named or example or covered or (  # a value, a machine, a location
                self.expected.specific(body) and not _about_other_work(body))):  # by itself
            return False
        return self.gives(sentence)

    def untitled(self, sentence: str) -> str:
        """The sentence without the paper's title line it begins with, the authors after it
        included ("Hyperspectral Image Classification with ... Renlong Hang, Member, IEEE"), as
        a page's first line read into its first sentence: the title names the topic of any
        question and states nothing done. A running head before the title ("Lantern sample
        paper \u00a9 2021 - TITLE 1 TITLE Clara Mendes", "J. Ecol. 2021; 109: 12-25 TITLE") goes
        with it."""
        text = _TITLE_LABEL.sub("", sentence, count=1)
        for title in self.titles:
            rest = _after(title, text)
            if rest is not None:  # the head's title, then the page's own title line
                again = _after(title, rest)
                return _AUTHORS.sub("", rest if again is None else again, count=1)
        return sentence

    def gives(self, sentence: str) -> bool:
        """The sentence gives what the question asks for, if it asks for a category or a
        value: an instance of it, or the value with what it measures, in the context asked
        about ("a batch size of 1" for timing is not the training batch size), and an instance
        of the kind the question's form asks for (a name, a location, a value: kind.py)."""
        body = strip_cites(sentence)
        if self.training and _INFERENCE.search(body) and not _TRAINING.search(body):
            return False
        return (not self.asked or bool(self.parts(sentence))) and self.expected.held_by(body)

    def _software_by_form(self, i: int, body: str) -> bool:
        """Software asked for is named by a name the sentence says is software ("Epi-Info
        Statistical Programme", "the R package lme4"), not only by the vocabulary's names, in a
        sentence about what the question says it did ("to analyse the interview data"; not R
        for a correlation when the question asks what trained the network). A framework or a
        language asked for is one the vocabulary knows."""
        word = self.category_words[i] if i < len(self.category_words) else ""
        if word != "software" or not replace(
                self.expected, names=(word,), location=False, values=()).held_by(body):
            return False
        about = self._of_what(self.terms)
        tokens = TOKEN.findall(body)
        said = {stem(w) for w in tokens} | {root(w) for w in tokens}
        return not about or bool(said & (about | {root(t) for t in about}))

    def _optimiser_by_form(self, i: int, body: str) -> bool:
        """An optimiser asked for is named by a name beside a word of optimising ("by
        minimizing this distance using the Covariance Matrix Adaptation Evolution Strategy
        (CMA-ES)"), not only by the vocabulary's names (Adam, SGD); not a name another category
        holds ("V100", "PyTorch")."""
        word = self.category_words[i] if i < len(self.category_words) else ""
        if vocab.instances(word) != _OPTIMISERS:
            return False
        words = [w.lower() for w in TOKEN.findall(body)]
        return any(
            not vocab.categories_of(name.lower())
            and any(w.startswith(_OPTIMISING) for w in around(name, words, 6))
            for name in names_in(body, self.terms))

    def parts(self, sentence: str) -> frozenset[int]:
        """Which of the things asked the sentence gives: category i (it names an instance),
        value j (a number with what it measures) or kind k (an instance of its form: "Keras"
        for "which library"), numbered in that order."""
        body = strip_cites(sentence)
        words = {w.lower() for w in PHRASE_WORD.findall(body)}
        found = {i for i, names in enumerate(self.categories) if names & words or (
            names == _MACHINES and not names_device(self.expected.asked)
            and machine_described(body)) or self._software_by_form(i, body)
            or self._optimiser_by_form(i, body)}
        if any(c.isdigit() for c in NOT_VALUE.sub(" ", body)):
            order = [singular(w) for w in SPAN_WORD.findall(body.lower())]
            found |= {len(self.categories) + j for j, v in enumerate(self.values)
                      if value_of(body, v) or _quantity_near_number(v, order)}
        first = len(self.categories) + len(self.values)
        found |= {first + k for k, noun in enumerate(self.kinds) if replace(
            self.expected, names=(noun,), location=False, values=()).held_by(body)}
        return frozenset(found)

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kind nouns asked for that no category of the vocabulary covers ("library",
        "machine"): parts found by the form of their instances (kind.py)."""
        return tuple(n for n in self.expected.names if not vocab.instances(n))

    @property
    def values(self) -> tuple[frozenset[str], ...]:
        """Per value asked, the stems of its quantity: {batch, size} (kind.expected)."""
        return self.expected.values

    @property
    def context(self) -> frozenset[str]:
        """The distinctive question words that say of what, not what is asked: "MLP" and
        "bag-of-tokens" in "Which framework and optimizer were used for the MLP (bag-of-tokens)
        model?"; not the kind asked, its instances, a quantity or a technique."""
        return self._of_what(self.distinctive)

    def _of_what(self, terms: frozenset[str]) -> frozenset[str]:
        """Of these question stems, those that say of what, not what is asked."""
        asked = _ASKING | {stem(i) for i in self.instances}
        asked |= frozenset[str]().union(*self.values, *self.techniques)
        return frozenset(t for t in terms if t not in asked and root(t) not in asked)

    @property
    def asked(self) -> int:
        """How many things the question asks for (categories, values and other kinds)."""
        return len(self.categories) + len(self.values) + len(self.kinds)


# A sentence about another work: it cites one ("Devlin et al. (2019)", "(Lopez, 2009)") and says
# nothing of the authors' own ("we", "our"): "The original BERT implementation (Devlin et al.,
# 2019) uses a character-level BPE vocabulary", before "we instead consider ... byte-level BPE".
_PRIOR_WORK = re.compile(
    r"\b[A-Z][A-Za-z\-]+(?: et al\.?| and [A-Z][A-Za-z\-]+)?,? \(?(?:19|20)\d\d[a-z]?\)?"
    r"|\b(?:prior|previous|past|earlier|existing)\s+(?:works?|studies|methods|approaches)\b")
_ASKS = re.compile(r"\?[\s\"'\u201d)]*(?:\[\d+(?:[,\u2013-]\s*\d+)*\])?\s*$")
_OWN_WORK = re.compile(r"\b(?:we|our|us|ours)\b", re.IGNORECASE)


# Scraps of a figure read as text: short lower-case non-words ("r", "ot", "Tr"), symbols ("~",
# "="), digits run into symbols ("0+", "\u00b09"). Capitals ("N", "CC") are a formula's names.
_SCRAP = re.compile(r"[a-z]{1,2}|[A-Z][a-z]|[^\w\s]+|\d*[^\w\s.,%()/\-]\d*")
_SETTING = re.compile(r"\b\w{1,3}\s*[=<>\u2264\u2265\u00b1]\s*")
_CITATION = re.compile(r"\[[\d,;\s\u2013-]+\]|\([^()]*(?:19|20)\d\d[^()]*\)|\bet al\.?")


def garbled(sentence: str) -> bool:
    """The sentence is a figure's scattered labels, not prose: a quarter or more of its tokens,
    and six at the least, are scraps that are not words ("Mean size change ISD turnover 407 304
    0+ \u2014 = a 8 8, Tr r Tr ot r r vu r ~ r ~ Tr 04 08")."""
    # "k = 5", "p < 0.05", "\u03b1 = 0.05" and citations ("[13, 30]", "(Smith et al., 2019)") are
    # prose
    tokens = _SETTING.sub(" ", _CITATION.sub(" ", sentence)).split()
    words = [t.strip(".,;:!?\"'\u201c\u201d\u2018\u2019()") for t in tokens]
    scraps = [w for w in words if w and w.lower() not in STOPWORDS and _SCRAP.fullmatch(
        w.replace("\u2019", "").replace("'", ""))]
    return len(scraps) >= 6 and len(scraps) >= len(tokens) / 4


# "Unlike our work, they ...": about other work, though it says "our"
_CONTRASTED = re.compile(
    r"\b(?:unlike|in contrast (?:to|with)|contrary to|as opposed to)\s+(?:our|us|ours|this|the "
    r"present|the current)\b", re.IGNORECASE)


# A sentence of thanks or of funding: it says who helped, not what was done
_THANKS = re.compile(
    r"^\W*(?:(?:we|the\s+authors?|i)\s+(?:would\s+)?(?:also\s+|further\s+|gratefully\s+|"
    r"sincerely\s+)?(?:like\s+to\s+)?(?:thank|(?<=gratefully )acknowledge|"
    r"acknowledge\s+(?:the\s+)?(?:support|funding|financial|grant)|"
    r"are\s+(?:very\s+)?(?:grateful|thankful|indebted))"
    r"|(?:many\s+|special\s+)?thanks\b"
    r"|(?:this|the|our)\s+(?:work|research|study|project)\s+(?:was|is|has\s+been)\s+"
    r"(?:\w+\s+){0,2}?(?:supported|funded|sponsored)"
    r"|funding\b)", re.IGNORECASE)
_USED = re.compile(r"\bused\b", re.IGNORECASE)  # "the Titan X GPU used for this research"
_ASKS_THANKS = re.compile(r"\b(?:fund|grant|support|sponsor|acknowledg|thank|donat)",
                          re.IGNORECASE)


def thanks_only(sentence: str) -> bool:
    """The sentence thanks or names a funder and does not say what was used: "Thanks also to
    Zak Stone and the Google Cloud TPU team for help with the computing infrastructure", "This
    work was supported by ... the NVIDIA Artificial Intelligence Lab" answer no question of
    what was done, except one about funding; "We thank NVIDIA for the donation of the Titan X
    GPU used for this research" does say it."""
    return bool(_THANKS.search(sentence)) and not _USED.search(sentence)


def _about_other_work(sentence: str) -> bool:
    return bool(_PRIOR_WORK.search(sentence)) and not _OWN_WORK.search(sentence)


@functools.lru_cache(maxsize=16)
def _focus(question: str, evidence: tuple[Evidence, ...]) -> Focus:
    return Focus.read(question, evidence)


def ranked_sentences(
    question: str, evidence: Sequence[Evidence], *, strict: bool = False,
    similarity: Similarity | None = None,
) -> list[tuple[float, int, str]]:
    """Evidence sentences that answer the question, best first, as (score, passage, sentence).

    A sentence qualifies when it holds a question term that is distinctive within the evidence
    (found in at most half of the passages): the question's focus ("GPU", "optimizer"), not
    the paper's topic, which every passage shares. Questions name a category ("hardware"),
    answers an instance ("16 Cloud TPUs"): instances of the category count for more.
    `strict` also asks for what the question asks (Focus.answered_by): an instance of the
    category it names, the quantity it asks for with a value, in the context it asks about.
    `similarity` adds each sentence's closeness in meaning to the question (meaning.rescore).
    """
    terms = question_terms(question)
    if not terms or not evidence:
        return []
    weight = {t: 1.0 for t in terms}
    named_instances = frozenset[str]().union(
        *(c.instances for c in vocab.named_in(question).values()))
    for extra in vocab.asked_expansion(question):
        # an instance of the category asked names the answer; a word that sits near answers
        # ("released" for "available") is weaker evidence than the question's own words
        weight.setdefault(stem(extra), 1.5 if extra in named_instances else 0.75)
    stems = [{stem(w) for w in TOKEN.findall(e.text)} for e in evidence]
    df = {t: sum(t in s for s in stems) / len(stems) for t in weight}
    distinctive = {t for t in weight if 0 < df[t] <= 0.5}
    focus = Focus.of(question, evidence) if strict else None
    context = focus.context if focus else frozenset()
    named = {w.lower() for w in TOKEN.findall(question)} - STOPWORDS - GENERIC
    title_bonus = [title_boost(named, e.title) - 1.0 for e in evidence]
    thanks_asked = bool(_ASKS_THANKS.search(question))
    found: list[tuple[float, int, str]] = []
    seen: set[str] = set()
    for n, e in enumerate(evidence, start=1):
        if is_reference_list(e.section, e.text):
            continue  # an entry names another paper's title, never this paper's method
        for sentence in passage_sentences(e.text):
            words = {stem(w) for w in TOKEN.findall(sentence)}
            if not 20 <= len(sentence) <= 600 or sentence in seen or _ASKS.search(sentence):
                continue  # a question the paper asks ("Question: Does BERT need ...?") says nothing
            if _CONTRASTED.search(sentence):
                continue  # "Unlike our work, they ...": what others did
            if garbled(sentence):
                continue  # a figure's labels read as text ("Tr r Tr ot r r vu r ~ r")
            if strict and restates(sentence, question):
                continue  # "These profiles were smoothed" for "how were they smoothed?"
            if strict and not thanks_asked and thanks_only(sentence):
                continue  # "Thanks also to ... the Google Cloud TPU team" for "which TPU?"
            if not (focus.answered_by(sentence) if focus else words & distinctive):
                continue
            seen.add(sentence)
            score = sum(weight[t] * (1.0 - df[t]) for t in weight if t in words) - 0.05 * (n - 1)
            score += title_bonus[n - 1]  # the paper the question names
            score -= max(0, len(sentence) - 300) / 600  # a table read as one sentence
            if context and score > 0:  # of what the question names: its passage says so
                score *= 0.5 + 0.5 * len(context & stems[n - 1]) / len(context)
            if _about_other_work(sentence):
                score -= 0.5  # "The original BERT (Devlin et al., 2019) uses ...": not the paper's own
            found.append((score, n, sentence))
    return rescore(question, found, similarity)  # stable: ties keep the evidence order


def best_sentence(
    question: str, evidence: Sequence[Evidence], *, strict: bool = False
) -> tuple[int, str] | None:
    """The evidence sentence that answers the question most directly, if one clearly does."""
    ranked = ranked_sentences(question, evidence, strict=strict)
    return (ranked[0][1], ranked[0][2]) if ranked else None


_DIGIT = re.compile(r"\d")
SPAN_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+\-/]*[A-Za-z0-9%]|[A-Za-z0-9]")


def highlights(question: str, text: str) -> list[tuple[int, int]]:
    """Character spans of `text` to emphasise as answering `question`: the instances of the
    categories it asks for ("Adam", "16 Cloud TPUs", with the count and name words before
    them) and the values of the quantities it asks for ("a batch size of 32")."""
    focus = Focus.of(question, ())
    found = list(SPAN_WORD.finditer(text))
    lower = [t.group(0).lower().rstrip(".") for t in found]
    quantity = frozenset[str]().union(*focus.values)
    marked: set[int] = set()
    for i, word in enumerate(lower):
        if word in focus.instances or word.rstrip("s") in focus.instances or (quantity and _DIGIT.search(word) and not re.fullmatch(r"(?:19|20)\d\d", word)
              and _measures(lower, i, quantity)):
            marked.add(i)
    for i in sorted(marked):  # "16 Cloud TPUs": the count and name words right before
        j = i - 1
        while j >= 0 and j not in marked and i - j <= 3 and (
            _DIGIT.search(lower[j]) or found[j].group(0)[0].isupper()
        ):
            marked.add(j)
            j -= 1
    spans: list[list[int]] = []
    for i in sorted(marked):
        start, end = found[i].start(), found[i].end()
        if spans and i - 1 in marked and re.fullmatch(r"[\s(),]*", text[spans[-1][1] : start]):
            spans[-1][1] = end
        else:
            spans.append([start, end])
    return [(a, b) for a, b in spans]


def _measures(words: list[str], i: int, quantity: frozenset[str]) -> bool:
    """The number words[i] is said of the quantity: one of its words comes within four words
    before it ("a batch size of 32") or two after ("32 sequences per batch" is not caught),
    with no other number in between."""
    for step, reach in ((-1, 4), (1, 2)):
        j = i + step
        while 0 <= j < len(words) and abs(j - i) <= reach and not _DIGIT.search(words[j]):
            if stem(words[j]) in quantity:
                return True
            j += step
    return False


_HEAD_NOUNS = frozenset({"size", "rate", "number", "count", "value", "amount"})


def singular(word: str) -> str:
    return word[:-2] if word.endswith("ches") else word[:-1] if word.endswith("s") else word


def _quantity_near_number(value: frozenset[str], words: list[str]) -> bool:
    """A value stated without all its words: "very large batches (up to 4K examples per
    batch)" gives a batch size. Only for a word that is a training quantity by itself
    (vocab.TRAINING_QUANTITIES: batch, warmup, dropout ...), next to a number."""
    own = {w for w in vocab.TRAINING_QUANTITIES if stem(w) in value}
    # only a modifier stands for the whole: "batch" for "batch size", never "decay" (of
    # "learning rate decay") for "weight decay"
    if not own or value - {stem(w) for w in own} - _HEAD_NOUNS:
        return False
    for i, w in enumerate(words):
        if w in own and any(_DIGIT.search(x) for x in words[max(0, i - 4) : i + 5]):
            return True
    return False
