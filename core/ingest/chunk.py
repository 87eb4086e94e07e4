"""Split a parsed document into sentence-aligned, overlapping chunks within sections.

Every chunk is made of spans copied from the cleaned page text (one span per page it
touches, joined with a newline), so a quote taken from a chunk can be found again in the
stored page text.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.ingest.sections import carried_sections
from core.settings import ChunkSettings
from core.text import reads_as_references, sentence_spans, starts_prose
from core.types import Chunk, ParsedDocument


@dataclass(frozen=True)
class _Unit:
    """A sentence (or a piece of an over-long one) on one page."""

    page: int
    start: int
    end: int
    section: str
    heading: bool  # the first sentence of a section: a chunk starts here


def _split_long(text: str, a: int, b: int, limit: int) -> list[tuple[int, int]]:
    """Cut an over-long span at line breaks or, failing that, spaces; words stay whole."""
    pieces = []
    while b - a > limit:
        window = text[a : a + limit + 1]
        cut = window.rfind("\n")
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit  # one enormous "word" (a URL, a base64 blob): cut it anyway
        pieces.append((a, a + cut))
        a += cut
        while a < b and text[a].isspace():
            a += 1
    if a < b:
        pieces.append((a, b))
    return [(x, y) for x, y in pieces if x < y]


def _units(doc: ParsedDocument, limit: int) -> list[_Unit]:
    """All sentences of the document in order, each with its page and section."""
    units = []
    prose = False  # the last sentence was prose in a reference list (chunk_document)
    carried = carried_sections([page.sections for page in doc.pages])
    for page, section in zip(doc.pages, carried, strict=False):
        text = page.text
        bounds = [(0, section, False)] + [(offset, name, True) for offset, name in page.sections]
        for i, (a, name, heading) in enumerate(bounds):
            b = bounds[i + 1][0] if i + 1 < len(bounds) else len(text)
            first = heading
            for x, y in sentence_spans(text, a, b):
                was_prose, prose = prose, name == "references" and starts_prose(text[x:y])
                if prose and not was_prose:
                    first = True  # prose after the entries starts a chunk of its own
                for px, py in _split_long(text, x, y, limit):
                    units.append(_Unit(page.number, px, py, name, first))
                    first = False
    return units


class _Builder:
    """Accumulates units into chunks, carrying trailing sentences over as overlap."""

    def __init__(self, doc: ParsedDocument, settings: ChunkSettings) -> None:
        self.pages = {page.number: page.text for page in doc.pages}
        self.max = settings.max_chars
        self.overlap = settings.overlap_chars
        self.tiny = settings.max_chars // 8
        self.done: list[tuple[list[_Unit], int]] = []  # (units, index of the first new unit)

    def text(self, units: list[_Unit]) -> str:
        parts: list[str] = []
        group: list[_Unit] = []
        for unit in units:
            if group and unit.page != group[0].page:
                parts.append(self.pages[group[0].page][group[0].start : group[-1].end])
                group = []
            group.append(unit)
        if group:
            parts.append(self.pages[group[0].page][group[0].start : group[-1].end])
        return "\n".join(parts)

    def emit(self, units: list[_Unit], new_from: int, *, last_of_section: bool) -> None:
        """Store a chunk; a tiny last piece of a section takes in more of the text before it."""
        fresh = units[new_from:]
        if (
            last_of_section
            and self.done
            and len(self.text(fresh)) < self.tiny
            and not fresh[0].heading
        ):
            prev = self.done[-1][0]
            if prev[-1].section == fresh[0].section:
                keep: list[_Unit] = []
                for unit in reversed(prev):
                    if len(self.text([unit, *keep, *fresh])) > self.max:
                        break
                    keep.insert(0, unit)
                units, new_from = [*keep, *fresh], len(keep)
        self.done.append((units, new_from))

    def runs_on(self, unit: _Unit, next_unit: _Unit) -> bool:
        """`unit` ends its page in mid-sentence and `next_unit`, on the next page, goes on
        with it (no full stop, colon or closing bracket before the break)."""
        if next_unit.page != unit.page + 1:
            return False
        end = self.pages[unit.page][unit.start : unit.end].rstrip()
        return bool(end) and end[-1] not in ".!?:;)]\"'”"

    def tail(self, units: list[_Unit], next_unit: _Unit) -> list[_Unit]:
        """Whole trailing sentences worth at most `overlap` chars that leave room for next_unit."""
        keep: list[_Unit] = []
        for unit in reversed(units):
            candidate = [unit, *keep]
            if (
                len(self.text(candidate)) > self.overlap
                or len(self.text([*candidate, next_unit])) > self.max
            ):
                break
            keep = candidate
        return keep if len(keep) < len(units) else keep[1:]


def chunk_document(doc: ParsedDocument, settings: ChunkSettings) -> list[Chunk]:
    """Sentence-aware chunks of at most settings.max_chars that never cross a section change."""
    builder = _Builder(doc, settings)
    current: list[_Unit] = []
    new_from = 0
    for unit in _units(doc, settings.max_chars):
        if current and (unit.heading or unit.section != current[-1].section):
            builder.emit(current, new_from, last_of_section=True)
            current, new_from = [unit], 0
        elif not current or len(builder.text([*current, unit])) <= settings.max_chars:
            current.append(unit)
        elif len(current) - 1 > new_from and builder.runs_on(current[-1], unit):
            # a sentence cut by the page break ("an effective batch size of" | "32."): its
            # start goes on with its end, so no chunk holds it without its value
            carried = current.pop()
            builder.emit(current, new_from, last_of_section=False)
            overlap = builder.tail(current, carried)
            if len(builder.text([*overlap, carried, unit])) > settings.max_chars:
                overlap = []
            current, new_from = [*overlap, carried, unit], len(overlap)
        else:
            builder.emit(current, new_from, last_of_section=False)
            overlap = builder.tail(current, unit)
            current, new_from = [*overlap, unit], len(overlap)
    if current:
        builder.emit(current, new_from, last_of_section=True)

    chunks: list[Chunk] = []
    for units, _ in builder.done:
        text = builder.text(units)
        if sum(c.isalnum() for c in text) < 12:
            continue  # a heading with nothing under it, a lone page number
        section = units[0].section
        if section == "references" and not reads_as_references(text):
            section = "appendix"  # prose after the references, under no heading found
        chunks.append(
            Chunk(
                ordinal=len(chunks),
                text=text,
                page_start=units[0].page,
                page_end=units[-1].page,
                section=section,
            )
        )
    return chunks
