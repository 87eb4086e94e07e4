"""Is a model-written sentence about what was asked, in the role the cited text gives it?

The grounding check proves that a sentence's words are in the passage it cites. A small model
also copies the words of a quote and mislabels them: from "We train with SGD, momentum 0.9 and
a learning rate of 0.1. Images are augmented with random crops." it writes "SGD and momentum
0.9 were used as learning rate augmentation", every word of which is in the passage. Here a
sentence is read against the passage sentence that supports it (with its neighbours, the
window) for what it says things are:

- a number it gives for a quantity ("learning rate") must be the number the window states for
  that quantity (values_of), not another number of the same sentence;
- a category name it applies to an instance ("augmentation" to SGD) must be the instance's
  category in the vocabulary (core/vocab.py: SGD is an optimizer) or be applied to it in the
  window, next to it;
- for a question asking a category ("Which optimizer?"), the instance it names must be one the
  window names.
"""

from __future__ import annotations

from core import vocab
from core.answer.focus import QUANTITIES, SPAN_WORD, Focus, singular
from core.answer.kind import NOT_VALUE
from core.text import NUMBER, STOPWORDS, passage_sentences, stem, strip_cites

# Words that name a quantity, or modify one ("learning" rate): their numbers are checked by
# value (values_of), not as category names.
_QUANTITY_WORDS = QUANTITIES | vocab.TRAINING_QUANTITIES | {"learning", "learning-rate"}
# How close a category name must stand to an instance in the window to be said of it.
_NEAR = 6


def window(sentence: str, passage: str, best: str) -> str:
    """The passage sentence that supports `sentence` (`best`, grounding.best_quote) with the
    sentences just before and after it: what the sentence may be read against."""
    sentences = passage_sentences(passage)
    if best not in sentences:
        return best or passage
    i = sentences.index(best)
    return " ".join(sentences[max(0, i - 1) : i + 2])


def _words(text: str) -> list[str]:
    return [w.group(0).lower().rstrip(".") for w in SPAN_WORD.finditer(strip_cites(text))]


def _number(word: str) -> str | None:
    """The word as a number ("0.9", "6e-4", "2,048" -> "2048"), if it is one that can be a value."""
    if not NUMBER.fullmatch(word) or NOT_VALUE.search(f" {word} "):
        return None
    return word.replace(",", "")


def quantities(text: str) -> list[frozenset[str]]:
    """The quantities a text names, each as the stems of its words: "learning rate" ->
    {learni, rate}, "batch size" -> {batch, size}."""
    words = _words(text)
    found = []
    for i, w in enumerate(words):
        if w in QUANTITIES:
            before = words[i - 1] if i and words[i - 1] not in STOPWORDS else ""
            found.append(frozenset(stem(singular(x)) for x in (before, w) if x and not _number(x)))
    return list(dict.fromkeys(found))


# Quantities counted by a number before them ("90 epochs", "5 random seeds"); the others take
# theirs after ("a learning rate of 0.1", "batch size 32").
_COUNTED = frozenset({"epoch", "epochs", "seed", "seeds", "iterations", "steps"})


def values_of(quantity: frozenset[str], text: str) -> set[str]:
    """The numbers a text states for a quantity: the number just before a counted one ("90
    epochs"), else the first number within five words after one of its words ("a learning
    rate of 0.1", "learning rate 0.1"), before another quantity's word."""
    words = _words(text)
    found: set[str] = set()
    for i, w in enumerate(words):
        if stem(singular(w)) not in quantity:
            continue
        if w in _COUNTED:
            for j in range(i - 1, max(-1, i - 3), -1):
                if (n := _number(words[j])) is not None:
                    found.add(n)
                    break
            continue
        for j in range(i + 1, min(len(words), i + 6)):
            if (n := _number(words[j])) is not None:
                found.add(n)
                break
            if words[j] in _QUANTITY_WORDS and stem(singular(words[j])) not in quantity:
                break  # "rate of 0.1 and batch size 32": 32 is the batch size's
    return found


def _misstated_value(sentence: str, text: str) -> str:
    numbers = {n for w in _words(sentence) if (n := _number(w)) is not None}
    if not numbers:
        return ""
    for quantity in quantities(sentence):
        if not quantity <= {stem(singular(w)) for w in _words(text)}:
            continue  # "batches of 32" for "batch size": told apart by support, not here
        said = values_of(quantity, sentence) or numbers
        stated = values_of(quantity, text)
        if stated and not said & stated:
            name = " ".join(w for w in _words(sentence) if stem(singular(w)) in quantity)
            return f"{', '.join(sorted(said))} is not the {name} the cited text gives"
    return ""


def _mislabelled(sentence: str, text: str) -> str:
    words = _words(sentence)
    items = [w for w in words if vocab.categories_of(w)]
    if not items:
        return ""
    theirs = {x for w in items for c in vocab.categories_of(w) for x in c.words}
    near = _words(text)
    for label in dict.fromkeys(w for w in words if vocab.labels(w)):
        if label in _QUANTITY_WORDS or label in theirs:
            continue
        spots = [i for i, w in enumerate(near) if stem(w) == stem(label)]
        said = [i for i, w in enumerate(near) if w in items]
        if not any(abs(i - j) <= _NEAR for i in spots for j in said):
            kind = vocab.categories_of(items[0])[0].words[0]
            return (f"calls {items[0]} '{label}'; the cited text does not, and {items[0]} "
                    f"is an instance of '{kind}'")
    return ""


def misread(sentence: str, text: str, focus: Focus | None) -> str:
    """Why a supported sentence misreads the text that supports it (window), or "": it gives
    a number for a quantity that the text gives for another, calls an instance by another
    category's name, or names an instance of the category asked that the text does not."""
    if why := _misstated_value(sentence, text) or _mislabelled(sentence, text):
        return why
    if focus and focus.categories:
        asked = frozenset[str]().union(*focus.categories)
        named = asked.intersection(_words(sentence))
        if named and not named & set(_words(text)):
            return f"the cited sentence does not name {', '.join(sorted(named))}"
    return ""

