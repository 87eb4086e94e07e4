"""The title of a paper as printed on its first page: the largest lines near the top.

Text extraction joins a page's pieces by its own rules, and titles are where those rules
fail: a letter-spaced title comes out as "Pa per S e a rch", a small-caps one as
"T ASK 2V EC" (or loses its smaller letters to a largest-font filter: "T 2V: Task ...").
So this reads the glyphs of page 1 with their boxes (pdfium, via pypdfium2), builds lines
from where the glyphs sit, and puts a space only where the gap between two glyphs is wider
than the line's own letter spacing. A line's size is its largest glyph, so the smaller
capitals of a small-caps word stay in their line.

Only the upper part of the page counts, and lines that look like a table row or a caption
are skipped: a figure's big labels or a table's header are never a title.
"""

from __future__ import annotations

import ctypes
import logging
import math
import re
import statistics
from dataclasses import dataclass, field
from typing import NamedTuple

log = logging.getLogger(__name__)

TOP_SHARE = 0.6  # a title starts in the upper 60 % of page 1
MAX_CHARS = 6000  # a first page with more glyphs than this is read only this far
_CAPTION = re.compile(r"^(?:fig(?:ure)?|table|tab|algorithm|listing)\.?\s*\d", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_GLUE = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "is", "of", "on", "or", "the",
         "to", "via", "with"}  # a title in capitals still has these; a table row does not


class Glyph(NamedTuple):
    """One character as printed: its text (two for a ligature), left and right edges, size."""

    text: str
    left: float
    right: float
    size: float
    space_before: bool  # the PDF has a space character between it and the glyph before


@dataclass
class Line:
    """Glyphs on one baseline, left to right; ``size`` is the largest glyph's (points)."""

    base: float
    size: float
    glyphs: list[Glyph] = field(default_factory=list)

    @property
    def text(self) -> str:
        glyphs = self.glyphs
        # A manuscript's line number in the margin is not part of the line's text.
        while len(glyphs) > 1 and glyphs[0].text.isdigit() and glyphs[0].size < 0.85 * self.size:
            glyphs = glyphs[1:]
        return words_of(glyphs, self.size).strip()


def words_of(glyphs: list[Glyph], size: float) -> str:
    """The glyphs' text with a space where the gap is a word's, not the letter spacing.

    A space the PDF itself has is a word break; so is a gap wider than the line's usual gap
    between letters (its median) by a tenth of the font size. A space is about a quarter of
    the size; letter-spacing adds the same gap between every two letters, and the median
    takes it out.
    """
    gaps = [b.left - a.right for a, b in zip(glyphs, glyphs[1:], strict=False)]
    usual = max(statistics.median(gaps), 0.0) if len(gaps) >= 3 else 0.0
    out = glyphs[0].text if glyphs else ""
    for gap, glyph in zip(gaps, glyphs[1:], strict=False):
        if glyph.space_before or gap > usual + 0.1 * size:
            out += " "
        out += glyph.text
    return out


def table_like(text: str) -> bool:
    """A table's header or row, a figure's labels, a caption: not a title.

    Captions start with "Figure 2"/"Table 1"; a row of column names ("BoolQ PIQA SIQA
    HellaSwag WinoGrande") has four or more words, most of them acronyms or CamelCase, no
    lower-case word and no "of", "for", "the" (which a title in capitals has).
    """
    if _CAPTION.match(text.strip()):
        return True
    words = _WORD.findall(text)
    if len(words) < 4 or any(w.lower() in _GLUE for w in words):
        return False
    odd = sum(1 for w in words if w.isupper() or any(c.isupper() for c in w[1:]))
    plain_lower = any(w.islower() and len(w) > 1 for w in words)
    return not plain_lower and odd >= 0.5 * len(words)


def page_lines(data: bytes) -> tuple[list[Line], float]:
    """The horizontal lines of glyphs on page 1 (in the order printed) and the page height.

    A glyph's size is its font size times the scale of its text matrix (many PDFs set
    "1 Tf" and scale the matrix); its baseline is its origin; its edges are its loose box
    (the advance, not the ink), so the gap between two glyphs is the letter spacing.
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument(data)
    try:
        page = pdf[0]
        height = page.get_height()
        textpage = page.get_textpage()
        tp = textpage.raw
        matrix, x, y = raw.FS_MATRIX(), ctypes.c_double(), ctypes.c_double()
        lines: list[Line] = []
        line: Line | None = None
        space = False
        for i in range(min(textpage.count_chars(), MAX_CHARS)):
            char = chr(raw.FPDFText_GetUnicode(tp, i) or 32)
            if raw.FPDFText_IsGenerated(tp, i) == 1:
                continue  # pdfium's guess at a space or a line end: gaps are judged here
            if char.isspace() or not char.isprintable():
                space = True
                continue
            raw.FPDFText_GetMatrix(tp, i, ctypes.byref(matrix))
            if abs(matrix.b) > 1e-3 or matrix.a <= 0:  # rotated (arXiv's side stamp), mirrored
                continue
            size = raw.FPDFText_GetFontSize(tp, i) * math.sqrt(
                abs(matrix.a * matrix.d - matrix.b * matrix.c)
            )
            raw.FPDFText_GetCharOrigin(tp, i, ctypes.byref(x), ctypes.byref(y))
            left, _, right, _ = textpage.get_charbox(i, loose=True)
            if size < 1.0:
                continue
            last = line.glyphs[-1] if line is not None and line.glyphs else None
            if (
                line is not None and last is not None
                and abs(y.value - line.base) < 0.3 * max(size, line.size)
            ):
                if left >= last.left - 0.1 and right <= last.right + 0.1:  # a ligature's part
                    line.glyphs[-1] = last._replace(text=last.text + char)
                    continue
                if last.right - 0.3 * size <= left <= last.right + 3 * size:
                    line.glyphs.append(Glyph(char, left, right, size, space))
                    line.size = max(line.size, size)
                    space = False
                    continue
            line = Line(base=y.value, size=size, glyphs=[Glyph(char, left, right, size, False)])
            lines.append(line)
            space = False
        return lines, height
    finally:
        pdf.close()


def _body_size(lines: list[Line]) -> float:
    """The size most of the page's glyphs have (the body text)."""
    counts: dict[float, int] = {}
    for ln in lines:
        for g in ln.glyphs:
            counts[round(g.size * 2) / 2] = counts.get(round(g.size * 2) / 2, 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else 0.0


def title_from_layout(data: bytes) -> str | None:
    """The largest lines near the top of page 1, joined; None when none looks like a title.

    Lines count as one title when their size is within 8 % of the largest and each follows
    the one above closely; the next smaller size is tried when the largest is not a title
    (a journal's name, a single word).
    """
    try:
        lines, height = page_lines(data)
    except Exception as exc:  # noqa: BLE001 - the text-based title still works without it
        log.debug("title from layout: %s", exc)
        return None
    body = _body_size(lines)
    top_limit = height * (1 - TOP_SHARE)
    candidates = [
        ln for ln in lines
        if ln.base >= top_limit and ln.size > 1.05 * body
        and sum(c.isalpha() for c in ln.text) >= 3 and not table_like(ln.text)
    ]
    sizes = sorted({round(ln.size, 1) for ln in candidates}, reverse=True)
    tried: list[float] = []
    for size in sizes:
        if any(abs(size - t) < 0.08 * t for t in tried):
            continue
        tried.append(size)
        if len(tried) > 3:
            break
        chosen = [ln for ln in candidates if abs(ln.size - size) < 0.08 * size]
        chosen.sort(key=lambda ln: -ln.base)
        block = [chosen[0]]
        for ln in chosen[1:]:  # the lines that follow the first closely: one title
            if block[-1].base - ln.base > 1.7 * size:
                break
            block.append(ln)
        text = ""
        for ln in block:
            piece = ln.text
            text = f"{text}{piece}" if text.endswith("-") else f"{text} {piece}".strip()
        if len(text.split()) >= 2 and 10 <= len(text) <= 300 and not table_like(text):
            return text
    return None
