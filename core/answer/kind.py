"""What kind of answer a question wants, read from its form, and whether a sentence holds one.

"Which GPU model?" wants a name ("A100", "TITAN RTX"), "Where is the code?" a location (a URL,
a repository, a DOI), "What batch size?" a number next to the quantity asked. A sentence that
only shares the question's words ("training took 70 GPU-hours", "we release our code") holds
no such instance and answers nothing. Instances are recognised by their form, not by lists of
known names, so the check holds on papers nobody has looked at:

- a name is a coined token (letters with digits "ResNet-34", "K40", "code-davinci-002"; inner
  capitals "PyTorch"; an acronym "LSTM") or a capitalised word inside a sentence ("Caffe",
  "Darwin"), that the question does not itself use ("GPU" in "Which GPU?" names nothing);
- a location is a URL, a DOI, an "owner/name" repository or an archive's name;
- a value is a number within a few words of the quantity asked.

Procedures ("How were the images prepared?") and other questions want no instance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core import vocab
from core.text import STOPWORDS, stem, strip_cites

# The nouns by which a question asks for a named thing of a kind; the kind decides nothing
# but that a name is wanted (what counts as one is its form).
_KIND_NOUNS = {
    "hardware": "hardware gpu gpus cpu cpus tpu tpus graphics card cards accelerator "
                "accelerators machine machines cluster computer processor processors",
    "software": "software framework frameworks library libraries package packages toolbox "
                "toolboxes toolkit toolkits tool tools language languages implementation",
    "model": "architecture architectures backbone backbones network networks optimizer "
             "optimiser optimizers algorithm algorithms tokenizer tokeniser encoder",
    "dataset": "dataset datasets corpus corpora benchmark benchmarks",
    "metric": "metric metrics measure measures score scores",
}
KIND_OF = {w: kind for kind, nouns in _KIND_NOUNS.items() for w in nouns.split()}

# A question asks "which X" / "what X" / "what kind of X" / "X model" for a kind noun X close
# behind its question word.
_ASKS_NAME = re.compile(
    r"\b(?:which|what)\s+(?:(?:kind|type|sort|make|brand)s?\s+of\s+)?((?:[\w-]+\s+){0,3}?)"
    r"(?P<noun>" + "|".join(sorted(KIND_OF, key=len, reverse=True)) + r")\b"
    r"(?!\s+(?:learning|translation|vision|reading)\b)"  # "machine learning" is no hardware
    r"|\b(?P<noun2>gpu|cpu|tpu)\s+(?:model|type)s?\b",
    re.IGNORECASE,
)
# A question asks where something is: code, data or models released, shared, archived.
_WHERE = re.compile(
    r"\b(?:where|somewhere|anywhere|location|url|link|github|repository|repositories|doi|"
    r"download(?:able)?|archived?|released?|publicly|shared|public)\b",
    re.IGNORECASE,
)
_RELEASED_THING = re.compile(
    r"\b(?:code|source|implementation|scripts?|software|data(?:sets?)?|models?|weights|"
    r"checkpoints?|analysis)\b",
    re.IGNORECASE,
)
# A question asks for a value: how many / how much / how long / what <quantity>.
_HOW_MUCH = re.compile(r"\bhow\s+(many|much|long|large|big|often)\b((?:\s+[\w-]+){0,3})",
                       re.IGNORECASE)
QUANTITY_NOUNS = frozenset(
    "size sizes rate rates decay length lengths epochs epoch seeds seed "
    "temperature threshold dropout warmup momentum number count percentage proportion ratio "
    "fraction share resolution dimension dimensions duration time folds".split()
)
TIME_UNITS = frozenset(
    "second seconds minute minutes hour hours day days week weeks month months year years "
    "epoch epochs iteration iterations step steps gpu-hours gpu-days h s min ms".split()
)
_VERBS = frozenset("were was are is did do does had has have used trained run ran".split())
# What a metric question is answered by besides a name: a metric's own word, or a value.
METRIC_WORDS = frozenset(
    "accuracy precision recall perplexity error loss correlation coefficient kappa auc "
    "f1 f-score f-measure rmse mae mse r2 bleu rouge iou nmi ari likelihood".split()
)
_NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty "
    "fifty hundred thousand million billion half third quarter dozen single double".split()
)

_URL = re.compile(
    r"https?://\S+|\bwww\.\S+|\b[\w-]+\.(?:com|org|io|net|edu|gov|ai)/\S*"
    r"|\b10\.\d{4,9}/\S+|\bdoi\b|\b(?:github|gitlab|bitbucket|zenodo|figshare|dryad|osf|"
    r"huggingface|pypi|cran|bioconductor|codeocean|kaggle)\b"
    r"|\bsupporting information\b|\bsupplementary (?:material|information|data|files?)\b"
    r"|\b(?:up)?on (?:reasonable )?request\b"
    r"|(?<![\w/])[A-Za-z0-9][\w.-]+/[A-Za-z0-9][\w.-]*[A-Za-z0-9](?![\w/])",
    re.IGNORECASE,
)
# Capitalised words that start a clause or point inside the paper: not names.
_NOT_NAMES = frozenset(
    """table tables figure figures fig fig. section sections eq equation equations appendix
    supplementary supplement we our in on for the a an this these that to of and it its as
    all each both however moreover furthermore finally first second third then thus also
    january february march april may june july august september october november december
    i ii iii iv v vi vii viii ix x""".split()
)
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9+.\-]*[A-Za-z0-9+]|[A-Za-z0-9]")
# digits that are not a value: years, citation marks, section numbers
_NOT_VALUE = re.compile(r"\[\d+(?:\s*[,\u2013-]\s*\d+)*\]|(?<!\d)(?:19|20)\d\d(?!\d)")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Expected:
    """The instances a question wants: names (of a kind), a location, values of quantities.
    An empty Expected (a procedure, a yes/no question) wants none."""

    names: tuple[str, ...] = ()  # the kind nouns asked ("gpu", "framework")
    location: bool = False
    values: tuple[frozenset[str], ...] = ()  # per value asked, the stems of its quantity
    asked: frozenset[str] = frozenset()  # the question's own words, lower-case

    @property
    def wants(self) -> bool:
        return bool(self.names or self.location or self.values)

    def held_by(self, sentence: str) -> bool:
        """The sentence holds an instance of (one of) the kinds asked."""
        if not self.wants:
            return True
        body = strip_cites(sentence)
        if self.location and has_location(body):
            return True
        if self.names and names_in(body, self.asked, self.names):
            return True
        if any(KIND_OF.get(n) == "model" for n in self.names) and model_phrase(body, self.asked):
            return True  # "a convolutional neural network", "a random forest classifier"
        if any(KIND_OF.get(n) == "metric" for n in self.names) and (
                METRIC_WORDS.intersection(w.lower() for w in _TOKEN.findall(body))
                or _DIGIT.search(_NOT_VALUE.sub(" ", body))):
            return True  # "Perplexity is ...", "an F1 score of 0.937"
        return any(value_of(body, quantity) for quantity in self.values)


def expected(question: str, examples: str = "") -> Expected:
    """The kinds of instance a question asks for, from its form. The words of `examples` (what
    the question lists after "e.g.") name nothing asked either: "GPUs" does not answer "Which
    hardware (e.g. GPUs)?"."""
    asked = frozenset(w.lower() for w in _TOKEN.findall(f"{question} {examples}"))
    names = []
    for m in _ASKS_NAME.finditer(question):
        noun = (m.group("noun") or m.group("noun2")).lower()
        names.append(noun)
    location = bool(_WHERE.search(question) and _RELEASED_THING.search(question))
    values: list[frozenset[str]] = []
    for m in _HOW_MUCH.finditer(question):
        how, rest = m.group(1).lower(), m.group(2).lower().split()
        if how in {"long", "often"} and not rest or how == "long" and rest[:1] in (
                ["did"], ["does"], ["was"], ["were"], ["do"], ["is"], ["are"]):
            values.append(frozenset(stem(u) for u in TIME_UNITS))
            continue
        nouns = []  # "how many survey routes": the words counted, up to a verb or stopword
        for w in rest:
            if w in STOPWORDS or w in _VERBS:
                break
            nouns.append(w)
        if nouns:
            values.append(frozenset(stem(x) for w in nouns for x in (w, _singular(w))))
    words = [w.lower() for w in _TOKEN.findall(question)]
    if not re.match(r"\s*how\b(?!\s+(?:many|much|long))", question, re.IGNORECASE):
        for i, w in enumerate(words):  # "what batch size", "which learning rate"
            if w in QUANTITY_NOUNS and w not in {"number", "time"}:
                before = words[i - 1] if i and words[i - 1] not in STOPWORDS | {
                    "many", "much"} else ""
                # "the size of the training set" is given as a count of what it holds ("the
                # training set held 12,000 images"): a number next to the set's own words
                of = size_of(words[i + 1:]) if w in {"size", "sizes"} else []
                values.append(frozenset(stem(x) for x in (before, w, *of) if x))
    if location:  # "Which data were released?" asks where, not which
        names = [n for n in names if KIND_OF.get(n) != "dataset"]
    return Expected(tuple(dict.fromkeys(names)), location, tuple(dict.fromkeys(values)), asked)


def size_of(rest: list[str]) -> list[str]:
    """The words of what a size is asked of: "of the training set" -> training, set."""
    if rest[:1] != ["of"]:
        return []
    out: list[str] = []
    for w in rest[1:]:
        if w in {"the", "a", "an", "each", "every"} and not out:
            continue
        if w in STOPWORDS or w in _VERBS or len(out) == 3:
            break
        out.append(w)
    return out


# The heads of a model described rather than named ("a convolutional neural network", "a
# random forest classifier", "boosted regression trees", "a support vector machine")
_MODEL_HEADS = frozenset(
    "network forest classifier regression regressor machine tree perceptron transformer "
    "autoencoder ensemble".split())


def model_phrase(text: str, asked: frozenset[str]) -> bool:
    """A model described by a head noun and a modifier the question does not itself use: one
    of the two words before the head, of four letters or more, not a participle ("the
    proposed network", "the trained network" describe nothing)."""
    own = {_singular(w) for w in asked}
    words = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]*", text)]
    for i, w in enumerate(words):
        if _singular(w) not in _MODEL_HEADS:
            continue
        for m in words[max(0, i - 2):i]:
            if len(m) >= 4 and m not in STOPWORDS and _singular(m) not in own \
                    and m not in _NOT_NAMES and not m.endswith("ed"):
                return True
    return False


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def has_location(text: str) -> bool:
    """A URL, DOI, repository ("owner/name") or archive named in the text."""
    for m in _URL.finditer(text):
        found = m.group(0)
        if "/" in found and not found.lower().startswith(("http", "www", "10.")) and "." not in \
                found.split("/")[0] and (_DIGIT.fullmatch(found.replace("/", "")) or len(
                    found) < 5 or found.count("/") > 2 or found.lower() in {"and/or", "i/o"}):
            continue  # "and/or", "1/2", "train/test" are not repositories
        if re.fullmatch(r"[a-z]+/[a-z]+", found):
            continue  # "train/test", "input/output": lower-case words, no repository
        return True
    return False


def name_tokens(text: str) -> list[str]:
    """The tokens of a text that look like names by their form (see the module docstring)."""
    found = []
    tokens = list(_TOKEN.finditer(text))
    for i, m in enumerate(tokens):
        t = m.group(0).rstrip(".")
        low = t.lower()
        if low in _NOT_NAMES or low in STOPWORDS or len(t) < 2 and not t.isupper():
            continue
        letters = sum(c.isalpha() for c in t)
        digits = sum(c.isdigit() for c in t)
        start = i == 0 or text[: m.start()].rstrip()[-1:] in ".:;!?("
        if letters and digits:  # "A100", "ResNet-34", "T5-3B"; not "5x", "10ms", "3D", "1e-4"
            if re.fullmatch(r"\d+(?:\.\d+)?(?:x|k|m|b|ms|s|h|d|gb|mb|tb|%|th|st|nd|rd|e-?\d+)",
                            low) or re.fullmatch(r"\d+-[a-z]+", low):
                continue
            found.append(t)
        elif letters and any(c.isupper() for c in t[1:]) or t[:1].isupper() and not start:  # "PyTorch", "LSTM", "TITAN"
            found.append(t)
        elif t.isupper() and len(t) == 1 and not start and i and tokens[i - 1].group(0).lower() \
                in {"in", "with", "using", "package", "language"}:
            found.append(t)  # "written in R"
    return found


def names_in(text: str, asked: frozenset[str], kinds: tuple[str, ...] = ()) -> list[str]:
    """The names of a text that the question does not itself use ("GPU" for "Which GPU?",
    "GPU-hours" too). Hardware names stand next to a hardware word ("TITAN X GPU", "NVIDIA
    K40"): a dataset's name ("CIFAR-10") in a sentence about GPU-hours names no GPU."""
    own = {_singular(w) for w in asked}
    words = [w.lower() for w in _TOKEN.findall(text)]
    found = []
    for t in name_tokens(text) + [w for w in words if _known(w)]:
        parts = [_singular(p.lower()) for p in re.split(r"[-/]", t) if p]
        if _singular(t.lower()) in own or not re.search(r"\d", t) and any(p in own for p in parts):
            continue
        if kinds and all(KIND_OF.get(k) == "hardware" for k in kinds) and not _near_hardware(
                t, words):
            continue
        found.append(t)
    return found


_HARDWARE = frozenset("gpu gpus cpu cpus tpu tpus card cards graphics nvidia intel amd "
                      "processor processors core cores tesla geforce xeon apple".split())


def _near_hardware(name: str, words: list[str]) -> bool:
    low = name.lower()
    spots = [i for i, w in enumerate(words) if w == low]
    return low in _HARDWARE or any(
        words[j] in _HARDWARE or _singular(words[j]) in _HARDWARE
        for i in spots for j in range(max(0, i - 3), min(len(words), i + 4)) if j != i)


def _known(word: str) -> bool:
    """A lower-case word (or hyphen part) the vocabulary knows as an instance: "scikit-learn",
    "keras"."""
    return any(vocab.categories_of(p) for p in re.split(r"[-/]", word) if p)


def value_of(text: str, quantity: frozenset[str]) -> bool:
    """A number within four words of one of the quantity's words: "a batch size of 32", "90
    epochs", "5-fold", "three minutes"."""
    words = [w.lower() for w in re.findall(r"[A-Za-z]+|\d+(?:[.,]\d+)*%?", _NOT_VALUE.sub(" ", text))]
    spots = [i for i, w in enumerate(words) if stem(w) in quantity or stem(_singular(w)) in quantity]
    numbers = [i for i, w in enumerate(words) if _DIGIT.match(w) or w in _NUMBER_WORDS]
    return any(abs(i - j) <= 4 for i in spots for j in numbers)
