"""Copies of the papers with every cited quote as a PDF highlight annotation, whose note names
the question (or column) and the value: the evidence back where the researcher reads, in any
viewer (Zotero imports them as its own annotations). The originals are never written.

Where a quote sits comes from pdfium's character boxes (core cannot use Qt); the quote is
matched by its letters and digits, as `lantern verify` matches it, so line breaks and
hyphenation in the PDF do not matter. pypdf writes `/Highlight` annotations with QuadPoints,
one quadrilateral per line of the quote. A quote that runs onto the next page ("pp. 5–6") gets
a highlight on each page, both with its note.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import LanternError
from core.types import page_label
from core.verify import longest_prefix, words

if TYPE_CHECKING:
    from core.questionsets import QuestionSet
    from core.types import Answer, Row

log = logging.getLogger(__name__)

Rect = tuple[float, float, float, float]  # left, bottom, right, top in PDF points
HIGHLIGHT = "ffd500"  # a marker yellow
AUTHOR = "Lantern"


class AnnotateError(LanternError):
    """Annotated copies cannot be written where asked (e.g. over the originals)."""


@dataclass(frozen=True)
class Mark:
    """One quote to highlight and the note it carries."""

    doc_id: str
    page: int  # 1-based
    quote: str
    note: str
    page_end: int | None = None  # the quote runs onto this next page: a highlight on each

    @property
    def pages(self) -> str:
        return page_label(self.page, self.page_end)


@dataclass(frozen=True)
class AnnotateReport:
    files: list[Path] = field(default_factory=list)
    placed: int = 0
    missed: list[Mark] = field(default_factory=list)  # quotes not found on their page

    def summary(self) -> str:
        missed = f"; {len(self.missed)} quotes not found on their page" if self.missed else ""
        return (f"{len(self.files)} annotated PDF{'s' if len(self.files) != 1 else ''}, "
                f"{self.placed} highlights{missed}")


def _char_words(ch: str) -> str:
    """What one character adds to `words()` of a text (NFKC: a ligature gives two letters)."""
    return "".join(c for c in unicodedata.normalize("NFKC", ch).lower() if c.isalnum())


# A manuscript's line number: digits alone at the start or the end of a line of the page text
_LINE_NUMBER = re.compile(r"(?:(?<=[\r\n])|^)\d{1,4}(?=[ \t])|(?<=[ \t])\d{1,4}(?=[ \t]*(?:[\r\n]|$))")


@dataclass(frozen=True)
class _Reading:
    """A page's letters and digits as `words()` has them, with the character each came from;
    `skip` holds the characters left out (a manuscript's line numbers)."""

    letters: str
    index: list[int]
    skip: frozenset[int]

    def rects(self, textpage: Any, chars: list[str], start: int, length: int) -> list[Rect]:
        """One rectangle per line of the letters [start, start + length)."""
        first, last = self.index[start], self.index[start + length - 1]
        return _lines([textpage.get_charbox(i) for i in range(first, last + 1)
                       if i not in self.skip and not chars[i].isspace()])


def _readings(textpage: Any) -> tuple[list[str], list[_Reading]]:
    """The page's characters, and its letters read as they are, then without line numbers."""
    import pypdfium2.raw as raw

    handle = textpage.raw
    chars = [chr(raw.FPDFText_GetUnicode(handle, i)) for i in range(raw.FPDFText_CountChars(handle))]
    numbers = {i for m in _LINE_NUMBER.finditer("".join(chars)) for i in range(m.start(), m.end())}
    out = []
    for skip in (frozenset(), frozenset(numbers)):
        letters: list[str] = []
        index: list[int] = []  # the char index of each letter in `letters`
        for i, ch in enumerate(chars):
            if i not in skip:
                for c in _char_words(ch):
                    letters.append(c)
                    index.append(i)
        out.append(_Reading("".join(letters), index, skip))
    return chars, out


def quote_rects(textpage: Any, quote: str) -> list[Rect]:
    """One rectangle per line of the quote on a pypdfium2 PdfTextPage; [] when it is not there.
    A quote from a line-numbered manuscript (ingestion dropped the numbers) is found with the
    page's line numbers left out."""
    target = words(quote)
    if not target:
        return []
    chars, readings = _readings(textpage)
    for reading in readings:
        start = reading.letters.find(target)
        if start >= 0:
            return reading.rects(textpage, chars, start, len(target))
    return []


def quote_rects_across(textpage: Any, next_textpage: Any, quote: str) -> tuple[list[Rect], list[Rect]]:
    """The lines of a quote that runs from one page onto the next: (on the first page, on the
    next); ([], []) unless its start is on the first page and all the rest on the next. The
    longest start found is taken, nearest the page's end (as `lantern verify` checks it)."""
    target = words(quote)
    chars, readings = _readings(textpage)
    next_chars, next_readings = _readings(next_textpage)
    for reading in readings:
        size = longest_prefix(target, reading.letters)
        if not 0 < size < len(target):
            continue
        for following in next_readings:
            rest = following.letters.find(target[size:])
            if rest >= 0:
                at = reading.letters.rfind(target[:size])
                return (reading.rects(textpage, chars, at, size),
                        following.rects(next_textpage, next_chars, rest, len(target) - size))
    return [], []


def _lines(boxes: Sequence[Rect]) -> list[Rect]:
    """Merge character boxes into one rectangle per line: a box that lies wholly above or
    below the current line (not a comma, which only dips below it), or that starts left of
    the character before it, opens a new line."""
    out: list[list[float]] = []
    last_left = 0.0  # of the previous character: a line that wraps starts left of it
    for left, bottom, right, top in boxes:
        if right <= left or top <= bottom:
            continue
        if out and top > out[-1][1] and bottom < out[-1][3] and left >= last_left - 1:
            line = out[-1]
            line[1], line[2], line[3] = min(line[1], bottom), max(line[2], right), max(line[3], top)
        else:
            out.append([left, bottom, right, top])
        last_left = left
    return [(a, b, c, d) for a, b, c, d in out]


def _highlight(rects: Sequence[Rect], note: str) -> Any:
    from pypdf.annotations import Highlight
    from pypdf.generic import ArrayObject, FloatObject, NameObject, TextStringObject

    quads: list[FloatObject] = []
    for left, bottom, right, top in rects:  # upper-left, upper-right, lower-left, lower-right
        quads += [FloatObject(v) for v in (left, top, right, top, left, bottom, right, bottom)]
    box = (min(r[0] for r in rects), min(r[1] for r in rects),
           max(r[2] for r in rects), max(r[3] for r in rects))
    annot = Highlight(rect=box, quad_points=ArrayObject(quads), highlight_color=HIGHLIGHT)
    annot[NameObject("/Contents")] = TextStringObject(note)
    annot[NameObject("/T")] = TextStringObject(AUTHOR)
    return annot


def annotated_name(pdf: Path) -> str:
    return f"{pdf.stem} (annotated).pdf"


def annotate_pdf(pdf: Path, marks: Iterable[Mark], out: Path) -> tuple[int, list[Mark]]:
    """Write a copy of `pdf` to `out` with a highlight per mark; (placed, missed)."""
    import pypdfium2 as pdfium
    from pypdf import PdfWriter

    from core.ingest.pdf import quiet_pypdf

    if out.resolve() == pdf.resolve():
        raise AnnotateError(f"{out}: that is the original PDF; choose another folder")
    placed: list[tuple[Mark, dict[int, list[Rect]]]] = []
    missed: list[Mark] = []
    doc = pdfium.PdfDocument(str(pdf))
    try:
        for mark in marks:
            parts = _mark_rects(doc, mark)
            if parts:
                placed.append((mark, parts))
            else:
                missed.append(mark)
    finally:
        doc.close()
    with quiet_pypdf():
        writer = PdfWriter(clone_from=str(pdf))
        for mark, parts in placed:
            for number, rects in parts.items():
                writer.add_annotation(page_number=number - 1,
                                      annotation=_highlight(rects, mark.note))
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.tmp")
        try:
            with tmp.open("wb") as fh:
                writer.write(fh)
            tmp.replace(out)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    return len(placed), missed


def _mark_rects(doc: Any, mark: Mark) -> dict[int, list[Rect]]:
    """The lines of a mark's quote by 1-based page: on its page, or, for a quote that runs
    onto the next page, its start there and its rest on the next; {} when not found."""
    if not 1 <= mark.page <= len(doc):
        return {}
    numbers = [mark.page]
    if mark.page_end == mark.page + 1 and mark.page_end <= len(doc):
        numbers.append(mark.page_end)
    pages = [doc[n - 1] for n in numbers]
    textpages = [p.get_textpage() for p in pages]
    try:
        if rects := quote_rects(textpages[0], mark.quote):
            return {mark.page: rects}
        if len(textpages) == 2:
            first, rest = quote_rects_across(textpages[0], textpages[1], mark.quote)
            if first and rest:
                return {mark.page: first, mark.page + 1: rest}
        return {}
    finally:
        for textpage, page in zip(textpages, pages, strict=True):
            textpage.close()
            page.close()


def annotate_pdfs(marks: Iterable[Mark], pdfs: dict[str, Path], out_dir: Path) -> AnnotateReport:
    """An annotated copy of each paper that has marks, in out_dir (doc_id -> PDF in `pdfs`)."""
    out_dir = Path(out_dir)
    by_paper: dict[str, list[Mark]] = {}
    for mark in marks:
        by_paper.setdefault(mark.doc_id, []).append(mark)
    files, placed, missed = [], 0, []
    for doc_id, paper_marks in by_paper.items():
        pdf = pdfs.get(doc_id)
        if pdf is None or not pdf.is_file():
            missed += paper_marks
            continue
        out = out_dir / annotated_name(pdf)
        n, lost = annotate_pdf(pdf, paper_marks, out)
        files.append(out)
        placed += n
        missed += lost
    return AnnotateReport(files, placed, missed)


# ---------------------------------------------------------------- what to mark
def table_marks(rows: Sequence[Row], qset: QuestionSet) -> list[Mark]:
    """A mark per reported cell of an extraction table: the note is 'label: answer'."""
    out = []
    for row in rows:
        for q in qset.questions:
            cell = row.cells.get(q.id)
            if cell is not None and cell.reported and cell.page:
                answer = " ".join(cell.answer.split())
                out.append(Mark(row.paper.doc_id, cell.page, cell.quote, f"{q.label}: {answer}",
                                cell.page_end))
    return out


def answer_marks(answer: Answer) -> list[Mark]:
    """A mark per citation of an answer: the note is the question and the answer."""
    text = " ".join(answer.answer.split())
    return [Mark(c.doc_id, c.page, c.quote, f"{answer.question} [{c.n}]: {text}", c.page_end)
            for c in answer.citations]
