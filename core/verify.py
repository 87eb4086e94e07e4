"""`lantern verify`: re-check every reported cell of an exported table against the very PDFs it
cites (found by sha256), with no model and no network.

A cell holds when its quote is on its page: the page's text layer, read with pdfium (fast)
and, failing that, with pypdf (the reader that made the quote), or, for a page whose text was
recognised by OCR, the OCR text the library stored. A quote cited on "pp. 5–6" runs from page
5 onto page 6: its start must be on page 5 and the rest on page 6. Text is compared by its
letters and digits only, lower-cased: line breaks, hyphenation and spacing differ between
readers, words do not.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.filehash import sha256_file
from core.ingest.clean import clean_text, normalize_chars
from core.tables import Claim, Table, TableError, read_table
from core.types import page_label

if TYPE_CHECKING:
    from core.library import Library

log = logging.getLogger(__name__)

VERIFIED, NOT_REPORTED, FAILED = "verified", "not reported", "failed"


@dataclass(frozen=True)
class CellCheck:
    claim: Claim
    outcome: str  # VERIFIED, NOT_REPORTED or FAILED
    reason: str = ""  # why it failed

    def line(self) -> str:
        """One line naming the cell: paper, column, page, and what is wrong."""
        c = self.claim
        page = f", {page_label(c.page, c.page_end)}" if c.page else ""
        return f"{c.doc_id} ({c.title[:50]}) — {c.label}{page}: {self.reason}"


@dataclass(frozen=True)
class VerifyReport:
    table: Path
    checks: list[CellCheck]
    pdfs: dict[str, Path] = field(default_factory=dict)  # doc_id -> the PDF checked against

    def count(self, outcome: str) -> int:
        return sum(c.outcome == outcome for c in self.checks)

    @property
    def failures(self) -> list[CellCheck]:
        return [c for c in self.checks if c.outcome == FAILED]

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        return (f"{len(self.checks)} cells: {self.count(VERIFIED)} verified, "
                f"{self.count(NOT_REPORTED)} not reported, {self.count(FAILED)} failed")


def words(text: str) -> str:
    """The letters and digits of a text, lower-cased: what two readers of a page agree on."""
    return re.sub(r"[\W_]+", "", normalize_chars(text)).lower()


# ---------------------------------------------------------------- finding the PDFs
def pdfs_in(folder: Path) -> dict[str, Path]:
    """sha256 -> PDF for every PDF under a folder (hashes remembered per process)."""
    found: dict[str, Path] = {}
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() == ".pdf" and path.is_file():
            try:
                found.setdefault(sha256_file(path), path)
            except OSError as exc:
                log.debug("%s: %s", path, exc)
    return found


def _library_pdfs(library: Library, shas: Iterable[str]) -> dict[str, Path]:
    """sha256 -> the library's file of that paper, if the file on disk still has that hash."""
    found: dict[str, Path] = {}
    for sha in shas:
        paper = library.paper_by_sha(sha)
        if paper is None or not paper.path.is_file():
            continue
        try:
            if sha256_file(paper.path) == sha:
                found[sha] = paper.path
        except OSError as exc:
            log.debug("%s: %s", paper.path, exc)
    return found


# ---------------------------------------------------------------- reading pages
class PageTexts:
    """Page texts of one PDF, read on demand: pdfium first, pypdf when pdfium's words differ."""

    def __init__(self, path: Path, ocr_text: dict[int, str] | None = None) -> None:
        import pypdfium2 as pdfium

        self.path = path
        self._pdf = pdfium.PdfDocument(str(path))
        self.pages = len(self._pdf)
        self._fast: dict[int, str] = {}
        self._slow: dict[int, str] = {}
        self.ocr_text = ocr_text or {}

    def close(self) -> None:
        self._pdf.close()

    def fast(self, number: int) -> str:
        if number not in self._fast:
            page = self._pdf[number - 1]
            textpage = page.get_textpage()
            try:
                self._fast[number] = words(textpage.get_text_range())
            finally:
                textpage.close()
                page.close()
        return self._fast[number]

    @functools.cached_property
    def _reader(self) -> Any:
        from pypdf import PdfReader

        reader = PdfReader(self.path, strict=False)
        if reader.is_encrypted:
            reader.decrypt("")  # as ingestion opens it: the empty password or nothing
        return reader

    def slow(self, number: int) -> str:
        """The page as ingestion read it (pypdf, cleaned: manuscript line numbers go)."""
        from core.ingest.pdf import quiet_pypdf

        if number not in self._slow:
            with quiet_pypdf():
                try:
                    text = clean_text(self._reader.pages[number - 1].extract_text())
                except Exception as exc:  # noqa: BLE001 - a page pypdf cannot read holds nothing
                    log.debug("%s p. %d: %s", self.path, number, exc)
                    text = ""
            self._slow[number] = words(text)
        return self._slow[number]

    def holds(self, number: int, quote: str) -> bool:
        """Is the quote on this page: its text layer, else the OCR text stored for it?"""
        if not quote:
            return False
        if quote in self.fast(number) or quote in self.slow(number):
            return True
        return number in self.ocr_text and quote in words(self.ocr_text[number])

    def _readings(self, number: int) -> list[str]:
        """The page's text as each reader has it (the stored OCR text too, for a scan)."""
        out = [self.fast(number), self.slow(number)]
        if number in self.ocr_text:
            out.append(words(self.ocr_text[number]))
        return out

    def holds_across(self, number: int, quote: str) -> bool:
        """Does the quote run from page ``number`` onto the next: its start on this page, the
        rest on the next? Its longest start found here is tried: any shorter start leaves a
        longer rest, which the next page can only hold if it holds this one's rest too."""
        if not quote or number + 1 > self.pages:
            return False
        start = max(longest_prefix(quote, text) for text in self._readings(number))
        rest = quote[start:]
        return 0 < start < len(quote) and any(rest in t for t in self._readings(number + 1))


def longest_prefix(quote: str, text: str) -> int:
    """The length of the longest start of ``quote`` found in ``text`` (a start found there
    means every shorter start is found too: a binary search)."""
    lo, hi = 0, len(quote)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if quote[:mid] in text:
            lo = mid
        else:
            hi = mid - 1
    return lo


# ---------------------------------------------------------------- checking
def verify_table(
    path: Path | str, *, library: Library | None = None, papers_dir: Path | None = None,
) -> VerifyReport:
    """Check every cell of an exported table; the PDFs come from `papers_dir` (matched by
    sha256) or else from the library. Raises TableError when the table cannot be read."""
    table = read_table(path)
    shas = {p["doc_id"]: p.get("sha256", "") for p in table.provenance["papers"]}
    if papers_dir is not None:
        if not Path(papers_dir).is_dir():
            raise TableError(f"{papers_dir}: no such folder (--papers names the folder of PDFs)")
        by_sha = pdfs_in(Path(papers_dir))
    elif library is not None:
        by_sha = _library_pdfs(library, set(shas.values()))
    else:
        by_sha = {}
    checks = list(_check(table, shas, by_sha, library))
    pdfs = {d: by_sha[s] for d, s in shas.items() if s in by_sha}
    return VerifyReport(table.path, checks, pdfs)


def _ocr_texts(library: Library | None, sha: str) -> dict[int, str]:
    """The OCR text the library stored for the pages of this PDF that had no text layer."""
    if library is None:
        return {}
    paper = library.paper_by_sha(sha)
    if paper is None:
        return {}
    return {n: t for n in library.ocr_pages(paper.doc_id)
            if (t := library.page_text(paper.doc_id, n))}


def _check(table: Table, shas: dict[str, str], by_sha: dict[str, Path],
           library: Library | None) -> Iterator[CellCheck]:
    opened: dict[str, PageTexts | None] = {}
    try:
        for claim in table.claims:
            if not claim.reported:
                yield CellCheck(claim, NOT_REPORTED)
                continue
            sha = shas.get(claim.doc_id)
            if not sha:
                yield CellCheck(claim, FAILED, "paper not in the table's provenance")
                continue
            if sha not in by_sha:
                yield CellCheck(claim, FAILED, f"no PDF with sha256 {sha[:12]}… (the paper's "
                                "file is missing or was changed)")
                continue
            if sha not in opened:
                try:
                    opened[sha] = PageTexts(by_sha[sha], _ocr_texts(library, sha))
                except Exception as exc:  # noqa: BLE001 - pdfium raises PdfiumError and others
                    log.debug("%s: %s", by_sha[sha], exc)
                    opened[sha] = None
            texts = opened[sha]
            if texts is None:
                yield CellCheck(claim, FAILED, f"{by_sha[sha].name} cannot be opened")
                continue
            yield _check_cell(claim, texts)
    finally:
        for texts in opened.values():
            if texts is not None:
                texts.close()


def _check_cell(claim: Claim, texts: PageTexts) -> CellCheck:
    quote = words(claim.quote)
    if not quote:
        return CellCheck(claim, FAILED, "no quote")
    if claim.page is None:
        return CellCheck(claim, FAILED, "no page number")
    if not 1 <= claim.page <= texts.pages:
        pages = f"{texts.pages} page{'s' if texts.pages != 1 else ''}"
        return CellCheck(claim, FAILED, f"the PDF has only {pages}")
    if texts.holds(claim.page, quote):
        return CellCheck(claim, VERIFIED)
    across = claim.page_end == claim.page + 1
    if across and texts.holds_across(claim.page, quote):
        return CellCheck(claim, VERIFIED)
    if not texts.fast(claim.page) and not texts.slow(claim.page) and claim.page not in texts.ocr_text:
        return CellCheck(claim, FAILED, "the page has no text layer (a scan): verify it with the "
                         "library whose OCR read it")
    elsewhere = [n for n in range(1, texts.pages + 1) if n != claim.page and quote in texts.fast(n)]
    where = f" (it is on p. {elsewhere[0]})" if elsewhere else ""
    here = "these pages" if across else "this page"
    return CellCheck(claim, FAILED, f"quote not on {here}{where}: \"{claim.quote[:60]}\"")
