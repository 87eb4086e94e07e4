"""The Library's reading side: its papers, their pages and Zotero data, the scopes a question is
asked of, and their bibliography (core.catalog over the store). A base class of Library, so
the one front door keeps one name while core/library.py stays about adding, asking and
repairing."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.types import Paper

if TYPE_CHECKING:
    from core.parts import Parts
    from core.store_sources import PaperSource


class LibraryPapers:
    """Papers and scopes, read through the library's parts (Library builds them)."""

    _parts: Parts

    def papers(self) -> list[Paper]:
        return self._parts.catalog.papers()

    def listing(self) -> list[tuple[str, int | None, int, str, list[str]]]:
        """(doc_id, year, pages, title, first three authors) of each paper, in papers() order
        (quick: for a one-line listing)."""
        return self._parts.catalog.listing()

    def paper(self, doc_id: str) -> Paper:
        """The paper with this id or unique prefix; PaperNotFoundError if none."""
        return self._parts.catalog.paper(doc_id)

    def page_text(self, doc_id: str, page: int) -> str | None:
        return self._parts.store.page_text(doc_id, page)

    def ocr_pages(self, doc_id: str) -> set[int]:
        """The paper's pages whose text was recognised by OCR (quotes from them are OCR text)."""
        return self._parts.catalog.ocr_pages(doc_id)

    def source(self, doc_id: str) -> PaperSource | None:
        """The paper's Zotero origin (key, citekey, collections, tags); None if not from Zotero."""
        return self._parts.sources.of(doc_id)

    def pending(self) -> list[Path]:
        """Files of an interrupted batch that the next `add` will pick up again."""
        return self._parts.catalog.pending()

    def scope(
        self, question: str, papers: Sequence[str] | None = None, *, auto_scope: bool = True
    ) -> tuple[list[str] | None, str]:
        """The papers a question is asked of and the name it used for them; see Catalog.scope."""
        return self._parts.catalog.scope(question, papers, auto_scope=auto_scope)

    def select(
        self, papers: Sequence[str] | None = None, *, collection: str | None = None,
        year_from: int | None = None, year_to: int | None = None, tags: Sequence[str] = (),
    ) -> list[str] | None:
        """Papers by id narrowed by Zotero collection, years and tags; see Catalog.select."""
        return self._parts.catalog.select(papers, collection=collection, year_from=year_from,
                                          year_to=year_to, tags=tags)

    def scope_options(self) -> dict[str, dict[str, Any]]:
        """Zotero's collections, tags and citekeys as plain data; see Catalog.scope_options."""
        return self._parts.catalog.scope_options()

    def hidden_samples(self) -> list[str]:
        """The sample papers "All papers" leaves out (all, once the user added their own)."""
        return self._parts.catalog.hidden_samples()

    def bibtex(self, doc_ids: Sequence[str]) -> str:
        """BibTeX entries of these papers, keyed by their Zotero citekey when known."""
        return self._parts.catalog.bibtex(doc_ids)

    def citekeys(self, doc_ids: Sequence[str]) -> dict[str, str]:
        """doc_id -> the citekey its entry has in bibtex(doc_ids)."""
        return self._parts.catalog.citekeys(doc_ids)

    def shared_citekeys(self, doc_ids: Sequence[str]) -> str | None:
        """The line to tell when some of these papers share a Zotero citekey, else None."""
        return self._parts.catalog.shared_citekeys(doc_ids)

    def paper_by_sha(self, sha256: str) -> Paper | None:
        """The ready paper with this content (a table's quotes are checked against it)."""
        return self._parts.store.find_by_sha(sha256)
