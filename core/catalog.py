"""The library's papers as a catalogue: finding a paper by id (and its pages read by OCR), the
files an interrupted add left queued, choosing the papers a question is asked of (named in it,
picked by Zotero collection, years or tags, the samples left out), and the bibliography of a
selection. Reads only; the Library adds and removes."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from core.bibtex import BibPaper, citekeys, shared_keys, to_bibtex
from core.errors import PaperNotFoundError
from core.scope import (
    SAMPLES_FOLDER,
    default_scope,
    default_scope_of,
    is_sample,
    named_by_text,
    named_papers,
)
from core.store import Store
from core.store_sources import Sources
from core.types import Paper


class Catalog:
    """Papers in `store` with their Zotero data in `sources`; `root` is the library folder
    (the samples live under it)."""

    def __init__(self, store: Store, sources: Sources, root: Path) -> None:
        self.store = store
        self.sources = sources
        self.root = root

    def papers(self) -> list[Paper]:
        return self.store.papers()

    def listing(self) -> list[tuple[str, int | None, int, str, list[str]]]:
        """(doc_id, year, pages, title, first three authors) of each paper, in papers() order
        (quick: for a one-line listing)."""
        return self.store.listing()

    def paper(self, doc_id: str) -> Paper:
        """The paper with this id, or with this unique prefix of at least 4 characters."""
        paper = self.store.paper(doc_id)
        if paper is None:
            matches = [p for p in self.store.papers() if p.doc_id.startswith(doc_id)]
            if len(matches) == 1 and len(doc_id) >= 4:
                return matches[0]
            raise PaperNotFoundError(f"no paper with id {doc_id!r}; `lantern list` shows the ids")
        return paper

    def ocr_pages(self, doc_id: str) -> set[int]:
        """The paper's pages whose text was recognised by OCR (quotes from them are OCR text)."""
        return self.store.ocr_pages(doc_id)

    def pending(self) -> list[Path]:
        """Files of an interrupted batch that the next `add` will pick up again."""
        return self.store.pending()

    def ids(self, papers: Sequence[str]) -> list[str]:
        """The full ids of papers given by id or unique prefix."""
        return [self.paper(d).doc_id for d in papers]

    def select(
        self, papers: Sequence[str] | None = None, *, collection: str | None = None,
        year_from: int | None = None, year_to: int | None = None, tags: Sequence[str] = (),
    ) -> list[str] | None:
        """The doc ids a question is limited to: `papers` (ids or unique prefixes) narrowed by
        Zotero collection, publication years and tags; None when nothing limits it."""
        ids = self.ids(papers) if papers else None
        if not (collection or year_from is not None or year_to is not None or tags):
            return ids
        found = self.sources.scope(collection=collection, year_from=year_from,
                                   year_to=year_to, tags=tuple(tags))
        if ids is not None:
            found = [d for d in found if d in ids]
        if not found:
            what = ", ".join(f for f in (
                f"collection {collection!r}" if collection else "",
                f"from {year_from}" if year_from is not None else "",
                f"to {year_to}" if year_to is not None else "",
                f"tag(s) {', '.join(tags)}" if tags else "") if f)
            known = self.sources.collections()
            hint = f"; collections: {', '.join(known[:12])}" if collection and known else (
                "; collections come from Zotero (`lantern add --zotero`)" if collection else "")
            raise PaperNotFoundError(f"no paper matches {what}{hint}")
        return found

    def scope_options(self) -> dict[str, dict[str, Any]]:
        """What a scope picker and the exports need from Zotero, as plain data:
        {"collections": {path: doc_ids}, "tags": {tag: doc_ids}, "citekeys": {doc_id: key}},
        each id list the one `select` gives for it (a collection includes its
        sub-collections), each citekey Zotero's/Better BibTeX's own. Empty maps without Zotero."""
        paths = {"/".join(parts[:i]) for c in self.sources.collections()
                 for parts in [c.split("/")] for i in range(1, len(parts) + 1)}
        return {  # parents too: "Ecology" picks Ecology/Birds and Ecology/Mammals as the CLI does
            "collections": {c: self.sources.scope(collection=c) for c in sorted(paths)},
            "tags": {t: self.sources.scope(tags=(t,)) for t in self.sources.tags()},
            "citekeys": self.sources.citekeys(),
        }

    def scope(
        self, question: str, papers: Sequence[str] | None = None, *, auto_scope: bool = True
    ) -> tuple[list[str] | None, str]:
        """The papers a question is asked of (None: every paper) and, when the question named
        them, the name it used ("RoBERTa"). Papers given are kept as they are; otherwise a
        question naming a paper is asked of that paper (`auto_scope`), and "All papers" means
        the user's own once they have added any (the samples answer only when picked)."""
        if papers:
            return self.ids(papers), ""
        everything = self.papers()
        if auto_scope and (named := named_papers(question, everything))[0]:
            return [p.doc_id for p in named[0]], named[1]
        if auto_scope and (named := named_by_text(question, everything, self._mentions,
                                                   self._first_page))[0]:
            return [p.doc_id for p in named[0]], named[1]
        return default_scope(everything, self.root), ""

    def _mentions(self, name: str) -> dict[str, int]:
        """doc_id -> how often its passages hold `name` (found by the full-text index)."""
        words = re.findall(r"[A-Za-z0-9]+", name)
        if not words:
            return {}
        hits = self.store.fts_search('"' + " ".join(words) + '"', 500)
        pattern = re.compile(r"(?<![A-Za-z0-9])" + r"\W*".join(map(re.escape, words))
                             + r"(?![A-Za-z0-9])", re.IGNORECASE)
        counts: dict[str, int] = {}
        for row in self.store.chunks_by_id(cid for cid, _ in hits).values():
            counts[row["doc_id"]] = counts.get(row["doc_id"], 0) + len(pattern.findall(row["text"]))
        return counts

    def _first_page(self, doc_id: str) -> str:
        return self.store.page_text(doc_id, 1) or ""

    def search_scope(self, papers: Sequence[str] | None) -> list[str] | None:
        """The papers given, else "All papers" (the user's own, once there are any). Runs on
        every question: full ids are checked in one query and "All papers" is worked out from
        the papers' folders, without building a Paper per paper (bench/scale.py)."""
        if not papers:
            # Only a library holding the samples needs every paper's folder (~50 ms at 10,000
            # papers): without a path through a samples folder, "All papers" is everything.
            if not self.store.folders(containing=f"{os.sep}{SAMPLES_FOLDER}{os.sep}"):
                return None
            return default_scope_of(self.store.folders(), self.root)
        known = self.store.ready_among(papers)
        return [d if d in known else self.paper(d).doc_id for d in papers]

    def sample_ids(self) -> list[str]:
        """The sample papers the library added itself (core.samples)."""
        return [p.doc_id for p in self.papers() if is_sample(p, self.root)]

    def hidden_samples(self) -> list[str]:
        """The sample papers "All papers" leaves out: all of them once the user has added a
        paper of their own, else none."""
        papers = self.papers()
        return [] if default_scope(papers, self.root) is None else [
            p.doc_id for p in papers if is_sample(p, self.root)]

    def bibtex(self, doc_ids: Sequence[str]) -> str:
        """BibTeX entries of these papers, keyed by their Zotero/Better BibTeX citekey when
        known (else made from author, year and title), each key unique (bibtex.citekeys)."""
        return to_bibtex(self._bib_papers(doc_ids))

    def citekeys(self, doc_ids: Sequence[str]) -> dict[str, str]:
        """doc_id -> the citekey its BibTeX entry has in bibtex(doc_ids)."""
        return citekeys(self._bib_papers(doc_ids))

    def shared_citekeys(self, doc_ids: Sequence[str]) -> str | None:
        """The one line to tell when some of these papers share a Zotero citekey (they are
        then written as KEYa, KEYb, ...), else None."""
        papers = self._bib_papers(doc_ids)
        return shared_keys(papers, citekeys(papers))

    def _bib_papers(self, doc_ids: Sequence[str]) -> list[BibPaper]:
        out = []
        for doc_id in doc_ids:
            paper, source = self.paper(doc_id), self.sources.of(doc_id)
            out.append(BibPaper(paper.doc_id, paper.title, paper.authors, paper.year, paper.doi,
                                source.citekey if source else None,
                                source.item_type if source else None))
        return out
