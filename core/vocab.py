"""What methods questions ask about and what papers answer with: one table for retrieval and
grounding, and the section names ingest gives passages.

A question names a category ("Which hardware?"); a paper names an instance ("8 V100 GPUs").
Retrieval adds a category's searched instances (and a few words that sit near an answer) to
the lexical query; grounding accepts any instance as naming what was asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    """A thing methods questions ask for, with the names papers give it."""

    words: tuple[str, ...]  # how a question names the category
    searched: tuple[str, ...]  # instances retrieval adds to the query, most common first
    also: tuple[str, ...] = ()  # more instances: an answer naming one of these answers too
    # nouns a category word stands before and still names the category: "GPU model",
    # "software package" (besides _HEADS); before another noun it is that noun's modifier
    heads: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ()  # its words that are also verbs: "how do they compute the loss"

    @property
    def instances(self) -> frozenset[str]:
        return frozenset(self.searched + self.also)


_FRAMEWORKS = ("pytorch", "tensorflow", "jax", "keras")
_LANGUAGES = ("python", "java", "javascript")
_MORE_FRAMEWORKS = ("theano", "caffe", "mxnet", "allennlp", "scikit", "sklearn")
_MORE_LANGUAGES = ("perl", "julia", "matlab", "fortran", "c++", "rust")

# Model names ("V100") are not searched: passages naming them say "GPU" or "NVIDIA" as well.
CATEGORIES: tuple[Category, ...] = (
    Category(
        ("hardware", "gpu", "gpus", "compute", "computing", "computer", "computers", "equipment",
         "accelerator", "accelerators"),
        ("gpu", "gpus", "tpu", "tpus", "cpu", "cpus", "nvidia"),
        ("v100", "a100", "h100", "p100", "k80", "titan", "rtx", "geforce", "xeon"),
        heads=("model", "models", "resources", "resource", "infrastructure", "cluster", "budget",
               "time", "hours", "memory"),
        verbs=("compute", "computing"),
    ),
    Category(
        ("optimizer", "optimiser"),
        ("adam", "adamw", "sgd", "momentum", "rmsprop", "adagrad", "lamb"),
        ("adadelta", "lbfgs"),
        heads=("settings", "hyperparameters", "parameters", "state"),
    ),
    Category(
        ("framework", "frameworks", "toolkit"),
        (*_FRAMEWORKS, "fairseq"),
        _MORE_FRAMEWORKS,
        heads=("package", "packages", "library", "libraries", "tool", "tools"),
    ),
    Category(
        ("software", "codebase"),
        (*_FRAMEWORKS, "python"),
        ("fairseq", *_MORE_FRAMEWORKS, "java", "javascript", *_MORE_LANGUAGES, "sas", "spss", "stata"),
        heads=("package", "packages", "library", "libraries", "tool", "tools", "stack",
               "implementation", "suite"),
    ),
    Category(("language", "languages"), _LANGUAGES, _MORE_LANGUAGES),
)

# Words that sit near an answer without naming it: searched, never taken for an answer.
NEARBY: dict[str, tuple[str, ...]] = {
    "hardware": ("cores", "chips", "cluster"),
    "gpu": ("cuda",),
    "gpus": ("cuda",),
    "compute": ("hours",),
    "learning-rate": ("lr", "warmup", "decay", "schedule"),
    "rate": ("lr", "warmup", "decay"),
    "framework": ("implemented", "library", "toolkit"),
    "toolkit": ("implemented", "library"),
    "software": ("implemented", "written", "package", "library"),
    "language": ("written",),
    "languages": ("written",),
    "augmentation": ("augment", "augmented", "flip", "flips", "crop", "crops", "rotation", "jitter", "mixup"),
    "split": ("train", "training", "validation", "dev", "test", "held-out"),
    "preprocessing": (
        "preprocessed", "normalized", "normalised", "tokenized", "cleaned", "filtered", "removed", "resized",
    ),
    "cleaning": ("cleaned", "filtered", "removed", "discarded", "excluded", "duplicates"),
    "filters": ("filtered", "removed", "discarded", "excluded"),
    "de-duplication": ("duplicates", "duplicate", "deduplicated"),
    "epochs": ("epoch", "steps", "iterations"),
    "seed": ("seeds", "random", "restarts"),
    "available": ("availability", "github", "repository", "released", "download", "code", "data"),
    "availability": ("available", "github", "repository", "released", "download"),
}

_BY_WORD: dict[str, Category] = {w: c for c in CATEGORIES for w in c.words}
# Nouns any category word stands before and still names its category ("hardware setup",
# "optimizer type").
_HEADS = frozenset(
    "type types kind version versions setup setups configuration configurations platform "
    "platforms specification specifications specs environment details used".split())
# Words before a noun, and words before a verb ("did they share the data" asks for no share,
# "how do they compute the loss" for no computer).
DETERMINERS = frozenset(
    "the a an its their our his her each every per all these those this".split())
SUBJECTS = frozenset(
    "to we they you i he she it do does did not can could will would should".split())
_QUESTION_TOKEN = re.compile(r"[\w'+-]+|[^\w\s]")
# Function words: after a category word they end its phrase ("which hardware was used").
_FUNCTION = frozenset(
    """a about after all an and any are as at be been before both but by can could did do does
    during each for from had has have how if in into is it its of on or our over so such than
    that the their them then there these they this those through to under was we were what when
    where which while who why will with would you ran run runs took take takes""".split())


def in_other_sense(question: str) -> frozenset[str]:
    """The category words a question uses only in another sense than naming its category: as a
    verb ("how do they compute the loss") or as the modifier of another noun ("natural language
    processing", "language model", "computer vision"). "Which language?", "GPU model",
    "hardware resources" and "computer hardware" name theirs."""
    words = _QUESTION_TOKEN.findall(question.lower())
    naming: set[str] = set()
    other: set[str] = set()
    for i, word in enumerate(words):
        category = _BY_WORD.get(word)
        if category is None:
            continue
        before = words[i - 1] if i else ""
        after = words[i + 1] if i + 1 < len(words) else ""
        verb = word in category.verbs and (before in SUBJECTS or after in DETERMINERS)
        modifier = (after.isalpha() and after not in _FUNCTION and not after.endswith("ed")
                    and after not in _HEADS and after not in category.heads
                    and after not in _BY_WORD)
        (other if verb or modifier else naming).add(word)
    return frozenset(other - naming)


# A question asks where something is: code, data or models released, shared, archived.
_WHERE = re.compile(
    r"\b(?:where|somewhere|anywhere|location|url|link|github|repository|repositories|doi|"
    r"download(?:able|ed)?|archived?|released?|publicly|shared|public|deposited)\b",
    re.IGNORECASE,
)
# "Where" of an origin or a place, not of a copy one can fetch: "where did its labels come
# from", "where were the birds sampled".
_ORIGIN = re.compile(
    r"\b(?:come|came|comes|originat\w*|collected|recorded|conducted|sampled|measured|taken|"
    r"captured|located|performed|carried|derived|sourced|gathered|situated|observed|live[ds]?|"
    r"obtain(?:ed|s)?|acquired?)\b",
    re.IGNORECASE,
)
_MODAL = re.compile(r"\b(?:can|could|may|might)\b", re.IGNORECASE)
_WHERE_ONLY = frozenset({"where", "somewhere", "anywhere", "location"})
RELEASED_THING = re.compile(
    r"\b(?:code|source|implementation|scripts?|software|data(?:sets?)?|models?|weights|"
    r"checkpoints?|analysis)\b",
    re.IGNORECASE,
)
# What is released, by sort: a question about the code is not answered by where the data are.
RELEASED_SORTS = {
    "code": re.compile(r"\b(?:code|source|implementation|scripts?|software|programs?|"
                       r"packages?)\b", re.IGNORECASE),
    "data": re.compile(r"\b(?:data(?:sets?)?|recordings|images|observations)\b", re.IGNORECASE),
    "models": re.compile(r"\b(?:models?|weights|checkpoints?)\b", re.IGNORECASE),
}


def released_sorts(text: str) -> frozenset[str]:
    """The sorts of thing a text says are released ("code", "data", "models")."""
    return frozenset(sort for sort, pattern in RELEASED_SORTS.items() if pattern.search(text))


def asks_where(question: str) -> bool:
    """The question asks where a copy of something is (code, data, models): "Where is the
    code?", "Is the data deposited anywhere?"; not where something comes from or took place
    ("where did its labels come from", "where were the birds sampled")."""
    said = {m.group(0).lower() for m in _WHERE.finditer(question)}
    if not said or not RELEASED_THING.search(question):
        return False
    # "where can the data be obtained" offers a copy; "where did they obtain the data" asks
    # where it came from
    return bool(said - _WHERE_ONLY) or not _ORIGIN.search(question) or bool(_MODAL.search(question))


# A category named in other words: "which optimisation method" asks for an optimizer, "is the
# code deposited somewhere" for where it is available.
_NAMED_IN_TWO = (
    (re.compile(r"\boptimi[sz]ation (?:algorithm|method|procedure|scheme|routine)s?\b",
                re.IGNORECASE), "optimizer"),
)


def named_categories(text: str) -> list[str]:
    """The category words a text names in other words ("optimisation method": optimizer,
    "where is the code": available); in_other_sense says which of its own words do not."""
    found = [word for pattern, word in _NAMED_IN_TWO if pattern.search(text)]
    return found + ["available"] if asks_where(text) else found


def named_in(question: str) -> dict[str, Category]:
    """The categories a question names, by the word that names each, in order: its own words
    that name one in that sense (in_other_sense leaves out "language" in "language model"), and
    those it names in other words (named_categories)."""
    return {w: _BY_WORD[w] for w in _asked_words(question) if w in _BY_WORD}


def asked_expansion(question: str) -> list[str]:
    """The words retrieval adds for a question (expansion of each of its words, and of the
    categories it names in other words), in order, leaving out words it uses in another sense:
    "language model" searches no Python."""
    return list(dict.fromkeys(w for word in _asked_words(question) for w in expansion(word)))


def _asked_words(question: str) -> list[str]:
    """A question's words and the categories it names in other words, less those it uses in
    another sense (in_other_sense)."""
    other = in_other_sense(question)
    words = [w.strip(".-'") for w in _QUESTION_TOKEN.findall(question.lower())]
    return [w for w in words + named_categories(question) if w not in other]


def category_words() -> frozenset[str]:
    """The words that name a category ("hardware", "optimizer")."""
    return frozenset(_BY_WORD)


def instances(word: str) -> frozenset[str]:
    """The instance names of the category a (lower-case) question word names, if it names one."""
    category = _BY_WORD.get(word)
    return category.instances if category else frozenset()


def categories_of(instance: str) -> tuple[Category, ...]:
    """The categories a (lower-case) instance name belongs to: "sgd" is an optimizer,
    "pytorch" a framework and a software."""
    return tuple(c for c in CATEGORIES if instance in c.instances)


def labels(word: str) -> frozenset[str]:
    """The words that name the same category as a (lower-case) word does, itself included, if
    the vocabulary knows it as the name of a category or of a thing methods questions ask about
    ("optimizer", "augmentation", "split"); else empty. What a sentence calls an instance."""
    category = _BY_WORD.get(word)
    if category:
        return frozenset(category.words)
    return frozenset({word}) if word in NEARBY else frozenset()


def expansion(word: str) -> tuple[str, ...]:
    """The words retrieval adds for a (lower-case) question word: the category's searched
    instances, then the words that sit near an answer; never the word itself."""
    category = _BY_WORD.get(word)
    found = (category.searched if category else ()) + NEARBY.get(word, ())
    return tuple(w for w in dict.fromkeys(found) if w != word)


# The section names ingest gives passages (ingest/sections.py finds them; question sets may
# ask for them).
SECTIONS = (
    "body",
    "abstract",
    "introduction",
    "methods",
    "results",
    "discussion",
    "conclusion",
    "acknowledgements",
    "references",
    "appendix",
)


# Training and inference: the context a number is given in. A training quantity asked for
# ("batch size", "learning rate") is not the value a paper states for inference or timing
# ("we time a forward pass with a batch size of 1"). Whole words, or prefixes ending in "*".
TRAINING_WORDS = (
    "train*", "pretrain*", "pre-train*", "fine-tun*", "finetun*", "optimi*", "epoch", "epochs",
    "warmup", "warm-up", "gradient*", "distill*", "learning rate", "learning rates",
)
INFERENCE_WORDS = (
    "inference", "latency", "throughput", "time", "times", "timing", "timings", "timed", "decoding",
    "test time", "test-time", "deploy*", "on-device", "speed", "speedup", "speed-up",
    "faster", "slower",
)
# Quantities set for training, whether or not a question says "train".
TRAINING_QUANTITIES = frozenset({"batch", "rate", "epoch", "epochs", "warmup", "decay", "dropout"})


def words_pattern(words: tuple[str, ...]) -> str:
    """A regular expression for whole words and prefixes ("train*") of one of these lists."""
    parts = [re.escape(w[:-1]) + r"[\w-]*" if w.endswith("*") else re.escape(w) for w in words]
    return r"\b(?:" + "|".join(parts) + r")\b"
