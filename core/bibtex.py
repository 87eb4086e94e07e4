"""BibTeX entries for papers, keyed by their Zotero / Better BibTeX citekey when known.

A paper without a citekey gets one in Better BibTeX's spirit (first author's last name, year,
first significant title word: `keller2019otter`). Every key is unique within an export: papers
that share one (two Zotero items pinned to `dup2023`) become dup2023a, dup2023b, so that a
citation never resolves to the wrong paper. Values are written by escaping every character
BibTeX or LaTeX would read as syntax (a brace in a title is text, never structure), so no
title can end its entry early or open another.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.types import page_label

# Zotero item type -> BibTeX entry type (as Zotero's own BibTeX export maps the common ones)
ENTRY_TYPES = {
    "journalArticle": "article", "magazineArticle": "article", "newspaperArticle": "article",
    "preprint": "article", "book": "book", "bookSection": "incollection",
    "conferencePaper": "inproceedings", "thesis": "phdthesis", "report": "techreport",
    "manuscript": "unpublished",
}
_SKIP_WORDS = {"a", "an", "the", "on", "of", "in", "for", "and", "to", "with", "from", "at", "by"}
# Each character BibTeX or LaTeX reads as syntax, as LaTeX text. Braces become brace-balanced
# commands: BibTeX counts every brace of a value, backslashed or not, so `\{` cannot be used.
_LATEX = {"\\": "{\\textbackslash}", "{": "{\\textbraceleft}", "}": "{\\textbraceright}",
          "&": "\\&", "%": "\\%", "#": "\\#", "_": "\\_", "$": "\\$",
          "~": "{\\textasciitilde}", "^": "{\\textasciicircum}"}
_LATEX_RE = re.compile("|".join(re.escape(c) for c in _LATEX))
# What a citekey may hold: letters, digits and the punctuation both BibTeX and Pandoc accept
_KEY_DROP = re.compile(r"[^\w:.+/-]")


@dataclass(frozen=True)
class BibPaper:
    """What an entry needs: a paper's metadata, its citekey if it has one."""

    doc_id: str
    title: str
    authors: tuple[str, ...] = ()
    year: int | None = None
    doi: str | None = None
    citekey: str | None = None
    item_type: str | None = None


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def make_citekey(paper: BibPaper) -> str:
    """authorYEARword from the metadata (for papers Zotero gave no key)."""
    last = paper.authors[0].split()[-1] if paper.authors and paper.authors[0].split() else "anon"
    words = [w for w in re.findall(r"[A-Za-z]+", _ascii(paper.title).lower()) if w not in _SKIP_WORDS]
    key = re.sub(r"[^a-z]", "", _ascii(last).lower()) or "anon"
    return f"{key}{paper.year or ''}{words[0] if words else ''}"


def clean_key(key: str | None) -> str:
    """A citekey as BibTeX and Pandoc can read it ("" if nothing usable is left): no spaces,
    braces, commas or other syntax, starting with a letter, digit or underscore."""
    key = _KEY_DROP.sub("", unicodedata.normalize("NFC", key or ""))
    return key.lstrip(":.+/-")


def citekeys(papers: Iterable[BibPaper]) -> dict[str, str]:
    """doc_id -> citekey: the paper's own, else a made one, unique within these papers.
    An own key held by one paper only is kept as it is; one that several papers share gets
    a, b, ... on each of them (which paper is `dup2023` would be a guess)."""
    papers = _once(papers)
    own = {p.doc_id: clean_key(p.citekey) for p in papers}
    counts = Counter(k for k in own.values() if k)
    out = {d: k for d, k in own.items() if k and counts[k] == 1}
    taken = set(out.values())
    for paper in papers:  # shared own keys first, then made ones, in the order given
        if paper.doc_id not in out and own[paper.doc_id]:
            out[paper.doc_id] = _unique(own[paper.doc_id], taken, always=True)
    for paper in papers:
        if paper.doc_id not in out:
            out[paper.doc_id] = _unique(make_citekey(paper), taken)
    return out


def shared_keys(papers: Iterable[BibPaper], keys: dict[str, str]) -> str | None:
    """The one line telling that papers shared a citekey and what they are called here, or
    None: "citekey dup2023 is shared by 2 papers: written as dup2023a, dup2023b"."""
    by_key: dict[str, list[str]] = {}
    for paper in _once(papers):
        own = clean_key(paper.citekey)
        if own and keys.get(paper.doc_id) != own:
            by_key.setdefault(own, []).append(keys[paper.doc_id])
    if not by_key:
        return None
    parts = [f"{own} is shared by {len(new)} papers: written as {', '.join(new)}"
             for own, new in by_key.items()]
    return "citekey " + "; ".join(parts) + " (give each its own key in Zotero)"


def _once(papers: Iterable[BibPaper]) -> list[BibPaper]:
    """Each paper once (its first occurrence), in the order given."""
    seen: dict[str, BibPaper] = {}
    for paper in papers:
        seen.setdefault(paper.doc_id, paper)
    return list(seen.values())


def _unique(base: str, taken: set[str], *, always: bool = False) -> str:
    """`base`, or base + a, b, ... (always with a suffix if `always`), not in `taken`; taken."""
    n = 0
    key = base + _suffix(n) if always else base
    while key in taken:
        n += 1
        key = base + _suffix(n if always else n - 1)
    taken.add(key)
    return key


def _suffix(n: int) -> str:
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def bib_value(text: str) -> str:
    """A field value to put inside braces: one line, control characters dropped, and every
    character BibTeX or LaTeX reads as syntax written as text (braces always balance)."""
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return _LATEX_RE.sub(lambda m: _LATEX[m.group()], text)


def _name(author: str) -> str:
    """'Maria Keller' -> 'Keller, Maria'; a name with a comma is left as it is."""
    parts = author.split()
    if "," in author or len(parts) < 2:
        return author.strip()
    return f"{parts[-1]}, {' '.join(parts[:-1])}"


def entry(paper: BibPaper, key: str) -> str:
    """One BibTeX entry."""
    kind = ENTRY_TYPES.get(paper.item_type or "", "article" if paper.doi else "misc")
    fields = [("title", paper.title)]
    if paper.authors:
        fields.append(("author", " and ".join(_name(a) for a in paper.authors)))
    if paper.year:
        fields.append(("year", str(paper.year)))
    if paper.doi:
        fields.append(("doi", paper.doi))
    body = "".join(f"  {name} = {{{bib_value(value)}}},\n" for name, value in fields if value)
    return f"@{kind}{{{key},\n{body}}}\n"


def to_bibtex(papers: Sequence[BibPaper]) -> str:
    """Entries for these papers (each once, in the order given), keyed by citekeys()."""
    unique = _once(papers)
    keys = citekeys(unique)
    return "\n".join(entry(p, keys[p.doc_id]) for p in unique)


def pandoc_cite(key: str, page: int | None, page_end: int | None = None) -> str:
    """A Markdown (Pandoc) citation: [@key, p. 4], or [@key, pp. 4–5] for a quote that runs
    onto the next page."""
    return f"[@{key}, {page_label(page, page_end)}]" if page else f"[@{key}]"
