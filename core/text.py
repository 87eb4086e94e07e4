"""The text heuristics every part of the engine shares: words, stems, stopwords, sentences and
heading lines. One of each, so ingest, retrieval and grounding cut text the same way."""

from __future__ import annotations

import re
from functools import lru_cache

# ---------------------------------------------------------------- words
# A content token: a word (with inner hyphens, "fine-tuned") or a number ("3", "0.5").
TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9\-]*|\d+(?:\.\d+)?")
# A search word: also keeps inner dots and leading digits ("v1.5", "3d"), as FTS5 sees them.
QUERY_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-\.]*[A-Za-z0-9]|[A-Za-z0-9]")
# A phrase word: also "c++", "fp16", "5e-4", "90%": what examples and values are made of.
PHRASE_WORD = re.compile(r"[a-z][a-z0-9+]*|[0-9][a-z0-9.+:%]*", re.IGNORECASE)
# numbers, with a magnitude suffix when there is one ("800M", "1e-4", "2,500")
NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?:e-?\d+|[kmb])?(?![\w])", re.IGNORECASE)

# Words that carry no topic, for search and for grounding alike.
STOPWORDS = frozenset(
    """a about above after again all also an and any are as at be been before being both but by
    can could did do does doing during each few for from further had has have having here how
    i if in into is it its itself just more most no nor not of off on once only or other our out
    over own same she should so some such than that the their them then there these they this
    those through to too under until up very was we were what when where which while who whom
    why will with would you your paper papers study authors author used using use uses based""".split()
)
# Words every methods question has ("which model was used"): never its focus.
GENERIC = frozenset(
    """which what how were was used use using train trained training model models method methods
    data paper study authors reported report describe described apply applied many much""".split()
)


def tokens(text: str) -> list[str]:
    """The content tokens of a text, in order (see TOKEN)."""
    return TOKEN.findall(text)


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A crude stem, the same on both sides of a comparison: the first 6 letters
    ("augmentation" ~ "augmented"). Plurals are left apart on purpose: merging "GPUs" with "GPU"
    made more question words common to the evidence, hence not distinctive, and cost 3 of 47
    gold pages in bench/extract.py; hardware questions match on instance names instead. British
    and American spellings share theirs: "analysed" ~ "analyzed", "utilise" ~ "utilize"."""
    head = _SPELLING.sub(lambda m: _US[m.group(0)], word.lower())[:6]
    return head[:5] + "s" if len(head) == 6 and head[4:] in ("yz", "iz") else head


# British spellings that differ within a stem's six letters: "modelling" ~ "modeling",
# "licence" ~ "license", "judgement" ~ "judgment", "colour" ~ "color".
_US = {"elled": "eled", "elling": "eling", "licenc": "licens", "dgement": "dgment", "colour": "color"}
_SPELLING = re.compile("|".join(_US))


def stems(text: str) -> set[str]:
    """The stems of a text's tokens."""
    return {stem(w) for w in TOKEN.findall(text)}


def normalise(text: str) -> str:
    """Lower case, one space for any whitespace, ASCII hyphens for typographic ones."""
    return re.sub(r"\s+", " ", text.lower().replace("\u2010", "-").replace("\u2013", "-"))


# ---------------------------------------------------------------- sentences
# Words that end with a period without ending a sentence (compared lower-cased).
_ABBREVIATIONS = """e.g i.e et al etc cf vs viz fig figs eq eqs tab tabs sec secs ref refs no nos vol vols
pp p ch chap app approx resp ca dr mr mrs ms prof st inc ltd co jr sr ed eds dept univ est avg max min
std var incl corr suppl sp spp n.b e.i c.f"""
ABBREVIATIONS = frozenset(_ABBREVIATIONS.split())
# A sentence ends at . ! ? (plus closing quotes/brackets) before whitespace and a capital,
# digit or opening bracket; a blank line always ends one.
_BOUNDARY = re.compile(r"[.!?][\"'\u201d\u2019)\]]*(?=\s+[\"'\u201c\u2018(\[]?[A-Z0-9])|\n\s*\n")
# In generated text the citation markers after the stop belong to the sentence: "... [1]. Next".
# In a page's text a footnote mark read as a digit does too: "... the tensor2tensor library.1
# Because ...".
_CITED_BOUNDARY = re.compile(
    r"[.!?](?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])*(?=\s+[A-Z0-9\[(]|\s*$)"
    r"|(?<=[a-z]{2})\.[\"'\u201d\u2019)\]]*\d{1,2}(?=\s+[A-Z][a-z])")
_WORD_BEFORE = re.compile(r"([\w.]+)\.$")


def ends_sentence(text: str, dot: int) -> bool:
    """False for the period of an abbreviation or an initial ("et al.", "Fig.", "J.")."""
    if text[dot] != ".":
        return True
    match = _WORD_BEFORE.search(text, max(0, dot - 20), dot + 1)
    if not match:
        return True
    word = match.group(1).lower()
    if word in ABBREVIATIONS or word.rstrip(".") in ABBREVIATIONS:
        return False
    last = word.rsplit(".", 1)[-1]
    return not (len(last) == 1 and last.isalpha())  # "J. Smith", "e.g." spelled oddly


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of the sentences in text[start:end], surrounding whitespace excluded.

    Offsets into the text itself, so ingest can copy chunks from the page text verbatim."""
    end = len(text) if end is None else end
    spans = []
    begin = start
    for match in _BOUNDARY.finditer(text, start, end):
        if match.group().startswith("\n") or ends_sentence(text, match.start()):
            spans.append((begin, match.end()))
            begin = match.end()
    spans.append((begin, end))
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            out.append((a, b))
    return out


def split_sentences(text: str) -> list[str]:
    """Split running text (a draft answer, a passage) into sentences on one line each,
    keeping citation markers with their sentence."""
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return []
    out: list[str] = []
    start = 0
    for m in _CITED_BOUNDARY.finditer(text):
        if not ends_sentence(text, m.start()):
            continue
        if piece := text[start : m.end()].strip():
            out.append(piece)
        start = m.end()
    if rest := text[start:].strip():
        out.append(rest)
    return out


# ---------------------------------------------------------------- headings
# A heading on a line of its own: "3.2 Training Details", "Methods", "A.1 Hyperparameters".
_HEADING = re.compile(
    r"(?:(?:\d+(?:\.\d+)*|[A-Z](?:\.\d+)*|[IVX]+)\.?\s+)?[A-Z][\w-]*(?:\s+[\w-]+){0,5}"
)


def is_heading(line: str, previous: str) -> bool:
    """A short title-like line after the end of a sentence (or first), not a wrapped line.

    Names nothing: ingest/sections.py decides which headings open a known section."""
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
        if stripped and is_heading(stripped, previous):
            blocks.append([])
        elif stripped:
            blocks[-1].append(stripped)
        previous = stripped or previous
    return [s for block in blocks for s in split_sentences(" ".join(block))]


# ---------------------------------------------------------------- titles
def title_boost(words: set[str], title: str) -> float:
    """1.6 when the question names the paper ("BERT: Pre-training ..."), 1.3 when the title
    mentions a question word elsewhere, else 1."""
    head = title.split(":")[0] if ":" in title else ""
    if words & set(QUERY_WORD.findall(head.lower())):
        return 1.6
    return 1.3 if words & set(QUERY_WORD.findall(title.lower())) else 1.0


# ---------------------------------------------------------------- reference lists
# What a reference list is made of: years and the words of venues. An appendix after the
# references (training details, annotation instructions) is prose: few of them, and "we".
_REF_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d[a-z]?(?!\d)")
_REF_VENUE = re.compile(
    r"\b(?:Proceedings|Conference|Journal|arXiv|doi|In:|pp\.|Vol\.|vol\.|Association|"
    r"Transactions|Press|URL|https?://|Workshop|Annual|Meeting|Advances in|preprint)\b")
_FIRST_PERSON = re.compile(r"\b(?:we|our|us|We|Our)\b")


def reads_as_references(text: str) -> bool:
    """The text reads as a reference list: two years or venue words per hundred words at the
    least ("Kingma, D. and Ba, J. 2014. Adam ... In ICLR"), not the prose of an appendix that
    follows the references ("All models use a batch size of 4 ... we follow Raffel et al.
    (2020)"). A heading or a scrap counts as what its section says."""
    words = len(text.split())
    if words < 20:
        return True
    density = 100 * (len(_REF_YEAR.findall(text)) + len(_REF_VENUE.findall(text))) / words
    return density >= 1.5 and not (len(_FIRST_PERSON.findall(text)) >= 2 and density < 5)


def is_reference_list(section: str, text: str) -> bool:
    """A stored passage is a reference list: labelled so and reading as one (a library built
    before 440b4a1 labels an appendix after the references "references" too)."""
    return section == "references" and reads_as_references(text)


_PROSE_VERB = re.compile(r"\b(?:[Ww]e|[Oo]ur|was|were|is|are|has|have|had)\b")


def starts_prose(sentence: str) -> bool:
    """A sentence in a reference list that is the paper's own prose, not an entry: ten words or
    more, no year or venue, and a verb or "we" ("All networks were trained on two RTX 3090
    cards for six hours."). An appendix that follows the references starts there."""
    return (len(sentence.split()) >= 10 and not _REF_YEAR.search(sentence)
            and not _REF_VENUE.search(sentence) and bool(_PROSE_VERB.search(sentence)))


# ---------------------------------------------------------------- citation markers
# "[1]", "[2, 3]": the passage numbers a drafted sentence cites.
CITE = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")


def cites_of(sentence: str) -> tuple[int, ...]:
    """The passage numbers a sentence cites, in order, each once."""
    found: list[int] = []
    for group in CITE.findall(sentence):
        for n in re.split(r"[,;]", group):
            if (v := int(n)) not in found:
                found.append(v)
    return tuple(found)


def strip_cites(sentence: str) -> str:
    """The sentence without its citation markers."""
    return re.sub(r"\s+([.,;:!?])", r"\1", CITE.sub("", sentence)).strip()
