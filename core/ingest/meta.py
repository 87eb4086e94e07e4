"""Offline paper metadata (title, authors, year, DOI) from /Info and the first page.

No network and no model: /Info fields when they are not junk, the largest text on the
first page (the title, read from its layout by core.ingest.title), lines that look like
names, and a few year patterns. A year comes from the paper's text only: the file's own
dates (/CreationDate) say when the PDF was made, not when the paper appeared.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

from core.ingest.title import table_like
from core.types import PaperMeta

DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)", re.IGNORECASE)
_ARXIV = re.compile(r"arXiv:\s?(\d{2})(\d{2})\.\d{4,5}", re.IGNORECASE)
_YEAR = re.compile(r"(?<![\d.])((?:19[5-9]|20[0-9])\d)(?![\d.])")
_JUNK_TITLE = re.compile(
    r"^(?:microsoft\s+\w+\s*-|doi:|pii:|arxiv:|\d[\d\s.\-_]*$)"
    # a placeholder word alone ("Paper 3"), not a title that starts with it ("Paper Search ...")
    r"|^(?:untitled|title|no title|document|paper|manuscript|slide|pdf|main|draft|template)"
    r"[\s\d._\-]*$|\.(?:docx?|pdf|tex|dvi|indd|qxd|rtf|odt|ps|eps)\b"
    r"|^[\w\-]+_[\w\-]+$|^[0-9a-f]{16,}",
    re.IGNORECASE,
)
_NOT_TITLE_LINE = re.compile(
    r"arxiv|preprint|proceedings|journal|conference|workshop|vol\.|volume|issn|doi|https?://|www\.|"
    r"@|©|copyright|published|accepted|received|submitted|under review|licen[cs]e|open access|"
    r"research article|original article|^review$|^article$|^letter$|^page \d|^\d+$|editor|"
    r"running head|manuscript|citation:",
    re.IGNORECASE,
)
_AFFILIATION = re.compile(
    r"universit|institut|department|dept\.|school|college|laborator|\blab\b|centre|center|"
    r"inc\.|corporation|company|research|hospital|faculty|@|\bgoogle\b|\bmicrosoft\b|\bfacebook\b|"
    r"abstract|correspond|\bemail\b|e-mail",
    re.IGNORECASE,
)
_FUNCTION_WORDS = {
    "a",
    "an",
    "and",
    "by",
    "for",
    "from",
    "in",
    "of",
    "on",
    "or",
    "the",
    "to",
    "via",
    "with",
}
_NAME = re.compile(
    r"^(?:[A-Z][\w'\u2019\-]*\.?|[A-Z]\.(?:-?[A-Z]\.)*|van|von|de|der|den|da|di|del|la|le)$"
)
_MARKS = re.compile(
    r"[^\w\s.,;&'\u2019\-]+|[\d_]+"
)  # footnote marks: digits, *, \u2020, \u2660 ...


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def plausible_title(title: str | None, path: Path | None = None) -> bool:
    """False for the junk that tools write into /Info Title (file names, 'untitled', ids)."""
    if not title:
        return False
    title = _fold(title)
    letters = sum(c.isalpha() for c in title)
    if letters < 8 or len(title.split()) < 2 or len(title) > 300:
        return False
    if path is not None and title.lower() in {path.stem.lower(), path.name.lower()}:
        return False
    return not (_JUNK_TITLE.search(title) or "/" in title.replace("and/or", "") or "\\" in title)


def title_from_lines(lines: Sequence[str]) -> tuple[str, int]:
    """The first substantial line(s) of the first ~15 lines, and the index after them."""
    for i, line in enumerate(lines[:15]):
        line = re.sub(r"^title:\s*", "", line.strip(), flags=re.IGNORECASE)
        words = line.split()
        if (
            len(words) < 2
            or len(line) < 10
            or _NOT_TITLE_LINE.search(line)
            or _AFFILIATION.search(line)
            or table_like(line)
        ):
            continue
        if sum(c.isalpha() for c in line) < 0.6 * len(line.replace(" ", "")):
            continue
        parts, j = [line], i + 1
        # A title wraps onto a second line when the first does not end a sentence.
        while j < len(lines) and len(parts) < 3 and not line.endswith("."):
            nxt = lines[j].strip()
            if not nxt or _AFFILIATION.search(nxt) or len(nxt) > 120:
                break
            dangling = line.rsplit(None, 1)[-1].lower() in _FUNCTION_WORDS or line.endswith(":")
            if not dangling and (looks_like_names(nxt) or not (nxt[0].islower() or len(line) > 40)):
                break
            parts.append(nxt)
            line = nxt
            j += 1
        return " ".join(parts), j
    return "", 0


def looks_like_names(line: str) -> bool:
    """True for an author line: a few capitalised names separated by commas or 'and'."""
    names = split_names(line)
    return bool(names) and sum(len(n.split()) for n in names) <= 40


def split_names(line: str) -> list[str]:
    """Names on an author line, footnote marks removed; [] when it is not an author line."""
    line = re.sub(r"^authors?:\s*", "", _fold(line), flags=re.IGNORECASE)
    if not line or _AFFILIATION.search(line) or _NOT_TITLE_LINE.search(line):
        return []
    line = _MARKS.sub(" ", line)
    pieces = re.split(r"\s*(?:,|;|\band\b|&|\u00b7|\s{2,})\s*", line)
    names: list[str] = []
    for piece in pieces:
        words = piece.split()
        if not words:
            continue
        if not 2 <= len(words) <= 4 or not all(_NAME.match(w) for w in words):
            # "Jacob Devlin Ming-Wei Chang" (no separators): take name pairs.
            if len(words) >= 4 and len(words) % 2 == 0 and all(_NAME.match(w) for w in words):
                names.extend(" ".join(words[k : k + 2]) for k in range(0, len(words), 2))
                continue
            return []
        names.append(" ".join(words))
    return names


_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_YEAR_CONTEXTS = (
    re.compile(
        r"(?:\u00a9|\(c\)|copyright)\s*(?:\d{4}\s*[-\u2013]\s*)?((?:19|20)\d\d)\b", re.IGNORECASE
    ),
    re.compile(
        r"(?:published|accepted|proceedings|conference|journal|pmlr|vol\.)[^\n]{0,80}?\b((?:19|20)\d\d)\b",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b(?:\d{{1,2}}\s+{_MONTH}|{_MONTH}\s+\d{{1,2}},?)\s+((?:19|20)\d\d)\b", re.IGNORECASE
    ),
)


def year_from(text: str) -> int | None:
    """A publication year from the paper's text: copyright line, arXiv id, venue or date
    line, else the latest year in its first lines; None when the text has none (never the
    file's date: a 2026 scan of a 2023 paper is from 2023)."""
    latest = date.today().year + 1

    def ok(year: int) -> int | None:
        return year if 1950 <= year <= latest else None

    if (match := _YEAR_CONTEXTS[0].search(text)) and (year := ok(int(match.group(1)))):
        return year
    if match := _ARXIV.search(text):
        yy, mm = int(match.group(1)), int(match.group(2))
        if 1 <= mm <= 12 and (year := ok(2000 + yy if yy < 90 else 1900 + yy)):
            return year
    for pattern in _YEAR_CONTEXTS[1:]:
        for match in pattern.finditer(text):
            if year := ok(int(match.group(1))):
                return year
    head = "\n".join(text.split("\n")[:15])
    years = [y for y in map(int, _YEAR.findall(head)) if ok(y)]
    return max(years) if years else None


def doi_from(*texts: str | None) -> str | None:
    """The first DOI in the given texts, trailing punctuation removed."""
    for text in texts:
        if text and (match := DOI.search(text)):
            return match.group(1).rstrip(".,;:)]}'\"")
    return None


def _key(text: str) -> str:
    """Letters and digits only, lower-cased: for matching a title against page text."""
    return re.sub(r"[\W_]+", "", _fold(text)).lower()


def pretty_stem(path: Path) -> str:
    """'deep_learning-ecology_v2' -> 'Deep learning ecology v2' (the last-resort title)."""
    stem = re.sub(r"[_\-.]+", " ", path.stem).strip()
    stem = re.sub(r"\s+", " ", stem)
    return stem[:1].upper() + stem[1:] if stem else path.name


def extract_meta(
    path: Path,
    first_page: str,
    info: Mapping[str, str] | None = None,
    *,
    title_hint: str | None = None,
) -> PaperMeta:
    """Combine /Info, the largest first-page text (`title_hint`) and the first-page lines.

    `first_page` is cleaned text; `info` maps /Info keys without the slash ("Title", ...).
    """
    info = info or {}
    lines = [line.strip() for line in first_page.split("\n") if line.strip()]
    line_title, after = title_from_lines(lines)
    info_title = _fold(info.get("Title") or "")
    # Visitor fragments are joined with spaces: "HellaSwag : Can", "( Triticum".
    hint = re.sub(
        r"\s+([:;,.)\]])|([(\[])\s+", r"\1\2", re.sub(r"\s+", " ", _fold(title_hint or ""))
    )
    hint = re.sub(r"^title:\s*", "", hint, flags=re.IGNORECASE)
    page_key = _key(first_page)
    title = ""
    if plausible_title(info_title, path) and _key(info_title) in page_key:
        title = info_title
    elif plausible_title(hint) and not _NOT_TITLE_LINE.search(hint):
        title = hint
    elif plausible_title(info_title, path):
        title = info_title
    elif line_title:
        title = line_title
    title = title.strip(" .,;:\u2022*-") or pretty_stem(path)

    authors: list[str] = []
    info_author = _fold(info.get("Author") or "")
    if info_author and (names := split_names(info_author.replace(";", ","))):
        authors = names
    else:
        start = after
        title_key = _key(title)
        for i, line in enumerate(lines[:40]):  # authors follow the last title line
            if len(_key(line)) > 3 and _key(line) in title_key:
                start = i + 1
        for line in lines[start : start + 6]:
            names = split_names(line)
            if not names:
                break
            authors.extend(names)
            if not line.rstrip().endswith((",", " and")):
                break

    # The paper's text first; /Info Subject often holds the citation ("Nature 2019, 5: 1-9").
    year = year_from(first_page) or year_from(info.get("Subject") or "")
    doi = doi_from(info.get("doi"), info.get("Subject"), first_page)
    return PaperMeta(title=title, authors=tuple(dict.fromkeys(authors)), year=year, doi=doi)
