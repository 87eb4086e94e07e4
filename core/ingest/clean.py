"""Per-page text clean-up that text extracted from scientific PDFs needs.

Pure functions over strings: Unicode normalisation (ligatures), junk glyphs, running
headers and footers, words hyphenated across line ends, whitespace.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

BULLET = "\u2022"
_CID = re.compile(r"\(cid:\d+\)")
_PUA = "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
_PUA_ALONE = re.compile(rf"(?:(?<=\s)|^)[{_PUA}]+(?=\s|$)", re.MULTILINE)
_PUA_ANY = re.compile(rf"[{_PUA}]")
# C0/C1 controls except \t and \n, zero-width characters, BOM; soft hyphens are handled apart.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff]")
# Lone UTF-16 surrogates: pypdf decodes ToUnicode maps with "surrogatepass", so a broken map
# yields them, and they cannot be encoded as UTF-8 (SQLite, JSON and the terminal all refuse).
_SURROGATE = re.compile("[\ud800-\udfff]")
# LaTeX's math italic fonts (CMMI) call the lunate epsilon /epsilon1, and the ToUnicode map
# of many TeX-made PDFs (RoBERTa's, for one) sends that glyph to U+01EB "ǫ", a Latin o with
# ogonek that reads as "ϱ". Not preceded by a letter it is the Greek letter: "ǫ = 1e-6", "ǫi".
_TEX_EPSILON = re.compile(r"(?<![^\W\d_])\u01eb")
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")
# "architec-\nture": a word broken at a line end (hyphen, soft hyphen or U+2010).
_BROKEN_WORD = re.compile(r"(\w*[^\W\d_])[-\u00ad\u2010][ \t]*\n[ \t]*([a-z]\w*)")
_PAGE_NUMBER = re.compile(
    r"^(?i:page|p\.|seite)?\s*[-\u2013\u2014]?\s*(?:\d{1,4}|[ivxlc]{1,6})\s*[-\u2013\u2014]?"
    r"(?:\s*(?i:of|/)\s*\d{1,4})?$"
)
_EDGE_LINES = 3  # how many lines at the top and bottom of a page may be running lines


def scrub(text: str) -> str:
    """Text that can be encoded as UTF-8: each lone surrogate becomes U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def normalize_chars(text: str) -> str:
    """NFKC (ligatures, full-width forms), drop (cid:N) and control characters, map PUA glyphs,
    and repair TeX's epsilon (see _TEX_EPSILON)."""
    text = scrub(text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CID.sub("", text)
    text = _PUA_ALONE.sub(BULLET, text)  # Wingdings-style bullets standing alone
    text = _PUA_ANY.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    text = _TEX_EPSILON.sub("\u03b5", text)
    text = text.replace("\t", " ")
    return _CONTROL.sub("", text)


def normalize_whitespace(text: str) -> str:
    """Collapse runs of spaces, strip line ends, keep at most one blank line."""
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def dehyphenate(text: str, vocabulary: set[str] | None = None) -> str:
    """Rejoin words broken across line ends; keep real hyphens.

    A compound whose first part already holds a hyphen ("state-of-the-\\nart") keeps it,
    and so does one the document spells only with a hyphen elsewhere (`vocabulary`: the
    lower-cased words of the document, see document_words). Everything else is joined.
    """
    vocabulary = vocabulary or set()

    def join(match: re.Match[str]) -> str:
        head, tail = match.group(1), match.group(2)
        start = match.start(1)
        before = text[start - 1] if start > 0 else ""
        compound = before == "-" or f"{head}-{tail}".lower() in vocabulary
        if compound and (f"{head}{tail}".lower() not in vocabulary):
            return f"{head}-{tail}"
        return f"{head}{tail}"

    text = _BROKEN_WORD.sub(join, text)
    return text.replace("\u00ad", "")


# A URL or DOI cut at a line end ("https://github.com/" | "NVIDIA/Megatron-LM"), or with a
# space pypdf put in its place: its start, the break, and what goes on with it.
_URL_START = r"(?:https?://|www\.|doi\.org/|(?<![\w.])10\.\d{4,9}(?=/))"
_SPLIT_URL = re.compile(
    rf"({_URL_START}\S*?)([/\-_~#?=&%.]?)([ \t]*\n[ \t]*|[ \t]+)(?=[\w~#%])(\S+)"
)


def join_split_urls(text: str) -> str:
    """Rejoin URLs and DOIs split at a line end: a piece that ends in "/", "-", "_" ... and a
    next line that goes on with the path ("NVIDIA/Megatron-LM"), or any piece whose next line
    holds a "/" and starts in lower case or with the path ("alrojo/Uni" | "Language" is not
    joined). After a "/" a space pypdf put for the break is closed too ("github.com/ NVIDIA")."""

    def join(m: re.Match[str]) -> str:
        head, sep, gap, rest = m.groups()
        broken = "\n" in gap
        if (
            sep == "/"
            and (broken or "/" in rest)
            or broken
            and sep
            and sep != "."
            or broken
            and "/" in rest
            and (rest[:1].islower() or rest[:1].isdigit())
            or broken
            and sep == "."
            and (rest[:1].islower() and "/" in rest)
        ):
            return f"{head}{sep}{rest}"
        return m.group(0)

    return _SPLIT_URL.sub(join, text)


def document_words(pages: Iterable[str]) -> set[str]:
    """Lower-cased words of a document, hyphenated compounds included, for dehyphenate."""
    words: set[str] = set()
    for page in pages:
        words.update(w.lower() for w in re.findall(r"\w+(?:-\w+)*", page))
    return words


# A number ending a line: spaced ("... over time 42") or glued by the extraction ("which24");
# not part of a larger number ("1.82", "3,500") or an expression ("x-1", "n=5").
_TRAILING_NUMBER = re.compile(r"(?<![\d\-\u2013\u2212+/=^_])(?<!\d[.,])(\d{1,5})$")
_MAX_LINE_STEP = 5  # manuscripts number every line, every other line, or every fifth


def _trailing_numbers(lines: list[str]) -> dict[int, int]:
    """Line index -> the number that ends that line."""
    found = {}
    for i, line in enumerate(lines):
        if match := _TRAILING_NUMBER.search(line.rstrip()):
            found[i] = int(match.group(1))
    return found


def _line_number_run(lines: list[str], min_share: float) -> set[int]:
    """The lines whose end numbers count the page's lines: they rise by one step (1, 2 or 5
    lines) from each numbered line to the next, at least five of them, and at least
    `min_share` of the lines that a numbering with that step would reach. A figure's axis
    (numbers on lines of their own) and a table's column of values are not a run."""
    numbered = _trailing_numbers(lines)
    order = sorted(numbered)
    rises = Counter(numbered[b] - numbered[a] for a, b in itertools.pairwise(order))
    steps = [d for d, _ in rises.most_common() if 0 < d <= _MAX_LINE_STEP]
    if not steps:
        return set()
    step = steps[0]
    run = set()
    for a, b in itertools.pairwise(order):
        if numbered[b] - numbered[a] == step and b - a <= 2 * step + 2:
            run |= {a, b}
    filled = sum(1 for line in lines if line.strip())
    if len(run) < 5 or len(run) < min_share * filled / step:
        return set()
    with_text = sum(bool(_TRAILING_NUMBER.sub("", lines[i].rstrip()).strip()) for i in run)
    return run if with_text >= 0.5 * len(run) else set()


def strip_line_numbers(text: str, min_share: float = 0.4) -> str:
    """Remove manuscript line numbers ("... over time 42", "which24") when the page's line
    ends hold a run of them."""
    lines = text.split("\n")
    run = _line_number_run(lines, min_share)
    for i in run:
        lines[i] = _TRAILING_NUMBER.sub("", lines[i].rstrip()).rstrip()
    return "\n".join(lines) if run else text


def strip_document_line_numbers(pages: Sequence[str]) -> list[str]:
    """Line numbers removed page by page; once two pages show that the manuscript numbers its
    lines, a shorter run counts on its other pages too (a title page, a page of figures)."""
    stripped = [strip_line_numbers(page) for page in pages]
    if sum(a != b for a, b in zip(pages, stripped, strict=True)) < 2:
        return stripped
    return [
        strip_line_numbers(page, min_share=0.0) if page == done else done
        for page, done in zip(pages, stripped, strict=True)
    ]


def _line_key(line: str) -> str:
    """Comparable form of a header/footer line: digits normalised, case and spaces folded."""
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", line)).strip().lower()


def _edges(lines: list[str]) -> list[int]:
    """Indexes of the first and last few non-empty lines of a page."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return sorted(set(filled[:_EDGE_LINES] + filled[-_EDGE_LINES:]))


def strip_running_lines(pages: Sequence[str]) -> list[str]:
    """Remove page numbers and lines repeated at the top or bottom of many pages."""
    split = [page.split("\n") for page in pages]
    counts: Counter[str] = Counter()
    for lines in split:
        counts.update({_line_key(lines[i]) for i in _edges(lines)})
    threshold = max(2, int(0.4 * len(pages) + 0.5))  # alternating headers appear on half
    running = {key for key, n in counts.items() if n >= threshold and 0 < len(key) <= 150}
    out = []
    for lines in split:
        drop = set()
        for i in _edges(lines):
            stripped = lines[i].strip()
            if _line_key(stripped) in running or (len(pages) > 1 and _PAGE_NUMBER.match(stripped)):
                drop.add(i)
        out.append("\n".join(line for i, line in enumerate(lines) if i not in drop))
    return out


def clean_pages(raw_pages: Sequence[str]) -> list[str]:
    """The whole clean-up for one document's pages (order matters: lines before words)."""
    pages = [normalize_whitespace(normalize_chars(page)) for page in raw_pages]
    pages = strip_running_lines(strip_document_line_numbers(pages))
    vocabulary = document_words(pages)
    pages = join_across_pages(pages, vocabulary)
    return [normalize_whitespace(dehyphenate(join_split_urls(page), vocabulary)) for page in pages]


_PAGE_END_BREAK = re.compile(r"(\w*[^\W\d_])[-\u00ad\u2010]$")
_PAGE_START_WORD = re.compile(r"[a-z]\w*[^\w\s]*")


def join_across_pages(pages: Sequence[str], vocabulary: set[str] | None = None) -> list[str]:
    """A word hyphenated over a page break is completed on the earlier page ("ess-" + "ential")."""
    out = list(pages)
    for i in range(len(out) - 1):
        end, start = _PAGE_END_BREAK.search(out[i]), _PAGE_START_WORD.match(out[i + 1])
        if end and start:
            joined = dehyphenate(f"{end.group(0)}\n{start.group(0)}", vocabulary)
            out[i] = out[i][: end.start()] + joined
            out[i + 1] = out[i + 1][start.end() :].lstrip()
    return out


def clean_text(text: str) -> str:
    """Clean a single piece of text (no cross-page information)."""
    return normalize_whitespace(
        dehyphenate(
            join_split_urls(strip_line_numbers(normalize_whitespace(normalize_chars(text))))
        )
    )


_WORD = re.compile(r"[\W\d_]*[^\W\d_]{2,}(?:[-'\u2019][^\W\d_]+)*[\W\d_]*")


def garbled(text: str) -> bool:
    """True when a text layer is mostly not words: a bad OCR layer or a broken font map.

    Calibrated on real papers (vowel share 0.34-0.44, word-like tokens >= 0.66) against
    shifted-alphabet text, glyph soup and one-letter map labels.
    """
    alpha = [t for t in text.split() if any(c.isalpha() for c in t)]
    if len(alpha) >= 20 and sum(1 for t in alpha if _WORD.fullmatch(t)) < 0.55 * len(alpha):
        return True
    letters = [c.lower() for c in text if c.isalpha()]
    if len(letters) < 200:
        return False
    latin = [c for c in letters if c.isascii()]
    if len(latin) > 0.5 * len(letters):
        vowels = sum(c in "aeiouy" for c in latin) / len(latin)
        if not 0.2 <= vowels <= 0.65:
            return True
    run_on = sum(len(t) for t in alpha if len(t) > 25)  # words with the spaces lost
    return run_on > 0.5 * sum(len(t) for t in alpha)
