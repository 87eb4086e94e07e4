"""BibTeX entries for papers, keyed by their Zotero / Better BibTeX citekey when known.

A paper without a citekey gets one in Better BibTeX's spirit (first author's last name, year,
first significant title word: `keller2019otter`), made unique within the export with a, b, ...
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Zotero item type -> BibTeX entry type (as Zotero's own BibTeX export maps the common ones)
ENTRY_TYPES = {
    "journalArticle": "article", "magazineArticle": "article", "newspaperArticle": "article",
    "preprint": "article", "book": "book", "bookSection": "incollection",
    "conferencePaper": "inproceedings", "thesis": "phdthesis", "report": "techreport",
    "manuscript": "unpublished",
}
_SKIP_WORDS = {"a", "an", "the", "on", "of", "in", "for", "and", "to", "with", "from", "at", "by"}
_SPECIAL = re.compile(r"([&%#_$])")


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


def citekeys(papers: Iterable[BibPaper]) -> dict[str, str]:
    """doc_id -> citekey: the paper's own, else a made one, unique within these papers."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    papers = list(papers)
    for paper in papers:  # own keys first: they must not be the ones that change
        if paper.citekey:
            out[paper.doc_id] = paper.citekey
            taken.add(paper.citekey)
    for paper in papers:
        if paper.doc_id in out:
            continue
        base, n = make_citekey(paper), 0
        key = base
        while key in taken:
            key = base + _suffix(n)
            n += 1
        out[paper.doc_id] = key
        taken.add(key)
    return out


def _suffix(n: int) -> str:
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def _value(text: str) -> str:
    """A field value inside braces: LaTeX specials escaped, unbalanced braces dropped."""
    text = " ".join(text.split()).replace("\\", "")
    text = _SPECIAL.sub(r"\\\1", text)
    if text.count("{") != text.count("}"):
        text = text.replace("{", "").replace("}", "")
    return text


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
    body = "".join(f"  {name} = {{{_value(value)}}},\n" for name, value in fields if value)
    return f"@{kind}{{{key},\n{body}}}\n"


def to_bibtex(papers: Sequence[BibPaper]) -> str:
    """Entries for these papers (each once, in the order given)."""
    seen: dict[str, BibPaper] = {}
    for paper in papers:
        seen.setdefault(paper.doc_id, paper)
    keys = citekeys(seen.values())
    return "\n".join(entry(p, keys[p.doc_id]) for p in seen.values())


def pandoc_cite(key: str, page: int | None) -> str:
    """A Markdown (Pandoc) citation: [@key, p. 4]."""
    return f"[@{key}, p. {page}]" if page else f"[@{key}]"
