"""Which papers a question is asked of: the ones it names, and the user's own before the samples.

A question that names a paper ("What optimizer was used for RoBERTa?") is about that paper:
a true sentence from another paper is no answer to it. Papers go by the short name before the
colon of their title ("RoBERTa: A Robustly Optimized ..."), by coined words in the title
("CodeNet" in "Project CodeNet: ..."), by the acronym of the title's words, by a title of
three words or fewer as a whole ("Contrastive Clustering"), or by most of the title's words.
The sample papers that come with a new library answer only while the library
holds nothing else, or when they are picked.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.types import Paper

SAMPLES_FOLDER = "samples"  # under the library's root: where core.samples writes them

_WORD = re.compile(r"[A-Za-z0-9]+(?:[.'][A-Za-z0-9]+)*")
_SMALL = frozenset(
    """a an and are as at by for from in into is it its of on or the to with via we our can do
    does your you how what when which why using towards toward new""".split()
)


def _coined(word: str) -> bool:
    """A made-up name rather than a dictionary word: "RoBERTa", "S2ORC", "BERT", "CodeNet"."""
    if len(word) < 3 or not word[0].isalnum():
        return False
    inner_capital = any(c.isupper() for c in word[1:])
    has_digit = any(c.isdigit() for c in word) and any(c.isalpha() for c in word)
    return inner_capital or has_digit


@dataclass(frozen=True)
class PaperNames:
    """The names one paper goes by, strongest first."""

    short: tuple[str, ...]  # the short name before the colon, and the coined words in it
    coined: tuple[str, ...]  # coined words elsewhere in the title
    acronym: str  # initials of the title's capitalised words ("" when under 3 letters)
    words: frozenset[str]  # the title's content words, lower-case

    @classmethod
    @functools.lru_cache(maxsize=65536)  # read for every paper at every question: titles repeat
    def of(cls, title: str) -> PaperNames:
        title = " ".join(title.split())
        head = re.split(r"[:,?]| - | – ", title, maxsplit=1)[0].strip() if re.search(r"[:,?]| - | – ", title) else ""
        head_words = _WORD.findall(head)
        short: list[str] = []
        if not head and 1 <= len(_WORD.findall(title)) <= 3:
            short.append(title)  # a short title is the paper's name: "Contrastive Clustering"
        if 1 <= len(head_words) <= 3:
            if len(head_words) == 1 or any(_coined(w) for w in head_words):
                short.append(head)  # "RoBERTa", "Project CodeNet"
            short += [w for w in head_words if _coined(w) and w not in short]
        coined = [w for w in _WORD.findall(title) if _coined(w) and w not in short]
        capitals = [w for w in _WORD.findall(title) if w[0].isupper() and w.lower() not in _SMALL]
        initials = "".join(w[0] for w in capitals)
        acronym = initials.upper() if 3 <= len(initials) <= 6 else ""
        words = frozenset(w.lower() for w in _WORD.findall(title)
                          if len(w) > 3 and w.lower() not in _SMALL)
        return cls(tuple(short), tuple(dict.fromkeys(coined)), acronym, words)


_SEPARATORS = re.compile(r"[\s-]+")
_ALNUM = re.compile(r"[A-Za-z0-9]").fullmatch


def _holds_words(text: str, phrase: str) -> bool:
    """`text` holds `phrase` as whole words (not "trap" in "trapping")."""
    start = text.find(phrase)
    while start >= 0:
        end = start + len(phrase)
        if not (start and _ALNUM(text[start - 1])) and not (end < len(text) and _ALNUM(text[end])):
            return True
        start = text.find(phrase, start + 1)
    return False


def _holds(question: str, name: str, *, exact_case: bool) -> bool:
    """The name stands in the question as a word (or words) of its own ("BERT-Base" holds
    "BERT"; "RoBERTa" does not)."""
    text, phrase = " ".join(question.split()), " ".join(name.split())
    if not exact_case:
        text, phrase = text.lower(), phrase.lower()
    return _holds_words(text, phrase)


def _only_in_compounds(question: str, name: str) -> bool:
    """Every mention of the name is part of a hyphenated compound: "BERT-Large" names a model
    the paper made, and the question is usually about another paper that used it."""
    word = r"\s+".join(map(re.escape, name.split()))
    alone = rf"(?<![A-Za-z0-9])(?<![A-Za-z0-9]-){word}(?![A-Za-z0-9])(?!-[A-Za-z0-9])"
    return re.search(alone, question, re.IGNORECASE) is None


def _the_setting(question: str, name: str) -> bool:
    """The name follows "on", "for" or "in" ("fine-tuned on SuperGLUE"), or comes first in a
    run of names ("the SuperGLUE BERT baselines"): the setting another named model was used in,
    whose paper reports how it was used."""
    word = r"\s+".join(map(re.escape, name.split()))
    return re.search(rf"\b(?:on|for|in|of)\s+(?:the\s+)?{word}(?![A-Za-z0-9-])"
                     rf"|(?<![A-Za-z0-9-]){word}\s+[A-Z][A-Za-z]*[A-Z0-9]", question) is not None


def named_papers(question: str, papers: Sequence[Paper]) -> tuple[list[Paper], str]:
    """The papers a question names and the name it uses ("RoBERTa"); ([], "") when none.

    The strongest kind of name that matches decides: a short name before a title's colon
    outranks a coined word elsewhere in a title ("BERT" names "BERT: Pre-training ...", not
    "RoBERTa: A Robustly Optimized BERT ..."), which outranks an acronym, which outranks most
    of a title's words. A short name that is a dictionary word ("Dropout: A Simple Way ...")
    counts only as written, capitalised, past the question's first word. When several papers
    are named, one named only inside a compound ("fine-tuning BERT-Large for HellaSwag") gives
    way to one named on its own, and a model named in a setting ("the BERT baselines on
    SuperGLUE") gives way to the setting's paper.
    """
    names = [(p, PaperNames.of(p.title)) for p in papers if p.title]
    body = question.strip()
    rest = body.split(None, 1)[1] if " " in body else ""
    levels: list[list[tuple[Paper, str]]] = [[], [], [], []]
    for paper, n in names:
        for short in n.short:
            coined = any(_coined(w) for w in short.split())
            if _holds(body, short, exact_case=False) if coined else _holds(rest, short, exact_case=True):
                levels[0].append((paper, short))
                break
        else:
            if hit := next((w for w in n.coined if _holds(body, w, exact_case=False)), None):
                levels[1].append((paper, hit))
            elif n.acronym and _holds(body, n.acronym, exact_case=True):
                levels[2].append((paper, n.acronym))
            elif len(n.words) >= 3:
                asked = {w.lower() for w in _WORD.findall(body)}
                if len(n.words & asked) >= max(3, 0.7 * len(n.words)):
                    levels[3].append((paper, " ".join(_WORD.findall(paper.title)[:4]) + " …"))
    for level in levels:
        if standalone := [(p, n) for p, n in level if not _only_in_compounds(body, n)]:
            level = standalone
        if len({p for p, _ in level}) > 1 and (
                setting := [(p, n) for p, n in level if _the_setting(body, n)]):
            level = setting
        if level:
            found = list(dict.fromkeys(p for p, _ in level))
            return found, ", ".join(dict.fromkeys(name for _, name in level))
    return [], ""


# A name a question may call a paper by that its title does not hold (a small-caps title read
# as "T 2V" for TASK2VEC): a coined word, or an acronym of three letters or more.
_NAME = re.compile(r"(?<![\w-])[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*(?![\w-])")
# How many times more often the named paper must mention the name than any other paper, and
# at least how often: a paper is about what it names again and again; a paper that only
# uses or cites a method names it a few times.
_MENTION_RATIO = 2.0
_MIN_MENTIONS = 3


def coined_names(question: str) -> list[str]:
    """The coined words of a question ("Task2Vec", "AWD-LSTM", "PReLU"): the names it may call
    a paper by when no title matches."""
    found = []
    for m in _NAME.finditer(question):
        word = m.group(0)
        if _coined(word) or word.isupper() and len(word) >= 3:
            found.append(word)
    return list(dict.fromkeys(found))


def title_phrases(question: str, papers: Sequence[Paper]) -> dict[str, str]:
    """Runs of two or more of a title's content words that the question holds, written or
    hyphenated ("the acoustic monitoring network" holds "Acoustic Monitoring" of "Acoustic
    Monitoring of Forest Birds ..."), each with the doc_id of the one title that holds it
    (a phrase two titles hold names neither), longest first."""
    asked = {w.lower() for w in _WORD.findall(question)}
    spaced = _SEPARATORS.sub(" ", question.lower())  # "camera-trap" reads as "camera trap"
    found: dict[str, set[str]] = {}
    for paper in papers:  # runs on every question: a title of no two asked words costs a split
        words = _WORD.findall(paper.title or "")
        if sum(w.lower() in asked for w in words) < 2:
            continue
        runs: list[list[str]] = [[]]
        for w in words:
            if w.lower() in _SMALL or len(w) < 3 or w.lower() not in asked:
                runs.append([])
            else:
                runs[-1].append(w)
        for run in runs:
            for i in range(len(run)):
                for j in range(i + 2, len(run) + 1):
                    phrase = " ".join(run[i:j])
                    if _holds_words(spaced, phrase.lower()):
                        found.setdefault(phrase, set()).add(paper.doc_id)
    only = {phrase: next(iter(ids)) for phrase, ids in found.items() if len(ids) == 1}
    return dict(sorted(only.items(), key=lambda kv: -len(kv[0].split())))


def named_by_text(
    question: str, papers: Sequence[Paper], mentions: Callable[[str], dict[str, int]],
    first_page: Callable[[str], str],
) -> tuple[list[Paper], str]:
    """The paper a question names when no title matches: the one whose passages mention one of
    the question's coined names far more often than any other paper's (`mentions`: doc_id ->
    mentions of the name in its passages), and whose first page holds it (`first_page`: its
    text; letter case and spacing aside, so "T ASK 2V EC" holds "Task2Vec"); or the one whose
    title holds a phrase of the question that no other paper's passages use (title_phrases:
    "the acoustic monitoring network"). ([], "") when none does."""
    by_id = {p.doc_id: p for p in papers}
    phrases = title_phrases(question, papers)
    for name in [*coined_names(question), *phrases]:
        counts = sorted(((n, d) for d, n in mentions(name).items() if d in by_id), reverse=True)
        if name in phrases:  # a phrase of one title that no other paper uses names it
            if [d for _, d in counts] == [phrases[name]]:
                return [by_id[phrases[name]]], name
            continue
        if not counts or counts[0][0] < _MIN_MENTIONS or len(counts) > max(2, len(papers) // 5):
            continue  # a term many papers use ("GPU", "CNN") is no paper's name
        runner_up = counts[1][0] if len(counts) > 1 else 0
        best = counts[0][1]
        squeezed = re.sub(r"[\W_]+", "", first_page(best)).lower()
        if counts[0][0] >= _MENTION_RATIO * runner_up and re.sub(
                r"[\W_]+", "", name).lower() in squeezed:
            return [by_id[best]], name
    return [], ""


def is_sample(paper: Paper, library_root: Path) -> bool:
    """A sample paper the library added itself (core.samples writes them under its folder)."""
    try:
        return paper.path.parent.resolve() == (library_root / SAMPLES_FOLDER).resolve()
    except OSError:
        return False


def default_scope(papers: Sequence[Paper], library_root: Path) -> list[str] | None:
    """What "All papers" means: the user's own papers once there are any, else everything
    (None). The samples make a new library useful; they never answer for the user's papers."""
    return default_scope_of([(p.doc_id, str(p.path.parent)) for p in papers], library_root)


def default_scope_of(folders: Sequence[tuple[str, str]], library_root: Path) -> list[str] | None:
    """default_scope() from (doc_id, folder of its file) pairs (Store.folders()). Runs on
    every question: each distinct folder is resolved once (a resolve is a few system calls:
    ~0.2 s for 1,000 papers when done per paper)."""
    try:
        samples: Path | None = (library_root / SAMPLES_FOLDER).resolve()
    except OSError:
        samples = None
    is_samples: dict[str, bool] = {}
    for folder in {f for _, f in folders}:
        try:
            is_samples[folder] = samples is not None and Path(folder).resolve() == samples
        except OSError:
            is_samples[folder] = False
    own = [doc_id for doc_id, folder in folders if not is_samples[folder]]
    return own if own and len(own) < len(folders) else None
