"""A tiny dependency-free PDF writer: sample papers at run time, fixtures with known facts in tests.

Raw PDF syntax with the built-in Type1 fonts (no embedding), WinAnsi text plus an
/Encoding /Differences that maps two spare bytes to the /fi and /fl ligature glyphs, so
pypdf extracts U+FB01/U+FB02 exactly as it does from real LaTeX papers.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from pathlib import Path

PAGE_W, PAGE_H = 612.0, 792.0  # US Letter, points
MARGIN = 60.0

# Glyph widths (1/1000 em) of the printable ASCII range 32..126, from Adobe's AFM files.
_ASCII_WIDTHS = {
    "Helvetica": (
        "278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 556 556 556 556 556 556 "
        "556 556 556 556 278 278 584 584 584 556 1015 667 667 722 722 667 611 778 722 278 500 667 "
        "556 833 722 778 667 778 722 667 611 722 667 944 667 667 611 278 278 278 469 556 333 556 "
        "556 500 556 556 278 556 556 222 222 500 222 833 556 556 556 556 333 500 278 556 500 722 "
        "500 500 500 334 260 334 584"
    ),
    "Helvetica-Bold": (
        "278 333 474 556 556 889 722 238 333 333 389 584 278 333 278 278 556 556 556 556 556 556 "
        "556 556 556 556 333 333 584 584 584 611 975 722 722 722 722 667 611 778 722 278 556 722 "
        "611 833 722 778 667 778 722 667 611 722 667 944 667 667 611 333 278 333 584 556 333 556 "
        "611 556 611 556 333 611 611 278 278 556 278 889 611 611 611 611 389 556 333 611 556 778 "
        "556 556 500 389 280 389 584"
    ),
    "Times-Roman": (
        "250 333 408 500 500 833 778 180 333 333 500 564 250 333 250 278 500 500 500 500 500 500 "
        "500 500 500 500 278 278 564 564 564 444 921 722 667 667 722 611 556 722 722 333 389 722 "
        "611 889 722 722 556 722 667 556 611 722 722 944 722 722 611 333 278 333 469 500 333 444 "
        "500 444 500 444 333 500 500 278 278 500 278 778 500 500 500 500 333 389 278 500 500 722 "
        "500 500 444 480 200 480 541"
    ),
    "Times-Bold": (
        "250 333 555 500 500 1000 833 278 333 333 500 570 250 333 250 278 500 500 500 500 500 500 "
        "500 500 500 500 333 333 570 570 570 500 930 722 667 722 722 667 611 778 778 389 500 778 "
        "667 944 722 778 611 778 722 556 667 722 722 1000 722 722 667 333 278 333 581 500 333 500 "
        "556 444 556 444 333 500 556 278 333 556 278 833 556 500 556 556 444 389 333 556 500 722 "
        "500 500 444 394 220 394 520"
    ),
}
_WIDTHS = {name: [int(w) for w in s.split()] for name, s in _ASCII_WIDTHS.items()}
FONTS = tuple(_WIDTHS)  # resource names F1..F4 in this order
_FI, _FL = b"\x01", b"\x02"  # spare byte codes mapped to /fi and /fl by /Differences


def text_width(s: str, size: float, font: str = "Helvetica") -> float:
    """Width of `s` in points when set in one of the built-in fonts."""
    widths = _WIDTHS[font]
    fallback = widths[ord("n") - 32]
    total = sum(widths[ord(c) - 32] if 32 <= ord(c) <= 126 else fallback for c in s)
    return total * size / 1000.0


def _encode(s: str, ligatures: bool) -> bytes:
    """WinAnsi bytes for a PDF string literal, escaped; optional fi/fl ligature glyphs."""
    raw = s.encode("cp1252", errors="replace")
    if ligatures:
        raw = raw.replace(b"fi", _FI).replace(b"fl", _FL)
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _pdf_string(s: str) -> bytes:
    """A metadata string: PDFDocEncoding when possible, else UTF-16BE with BOM."""
    try:
        raw = s.encode("latin-1")
    except UnicodeEncodeError:
        return b"<feff" + s.encode("utf-16-be").hex().encode() + b">"
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


@dataclass
class _Page:
    ops: list[bytes] = field(default_factory=list)


class PdfBuilder:
    """Collects pages of positioned text and rectangles, then writes one PDF file.

    Coordinates are PDF points from the bottom-left corner.
    """

    def __init__(self, *, width: float = PAGE_W, height: float = PAGE_H) -> None:
        self.width, self.height = width, height
        self._pages: list[_Page] = []
        self.info: dict[str, str] = {}

    def add_page(self) -> int:
        """Start a new page; returns its 1-based number."""
        self._pages.append(_Page())
        return len(self._pages)

    def text(
        self,
        x: float,
        y: float,
        s: str,
        *,
        size: float = 10.0,
        font: str = "Helvetica",
        ligatures: bool = False,
    ) -> None:
        """Write one line of text on the current page."""
        if not self._pages:
            self.add_page()
        ref = FONTS.index(font) + 1
        self._pages[-1].ops.append(
            b"BT /F%d %.2f Tf %.2f %.2f Td (%s) Tj ET" % (ref, size, x, y, _encode(s, ligatures))
        )

    def rect(self, x: float, y: float, w: float, h: float, *, gray: float = 0.5) -> None:
        """Draw a filled rectangle (pictures without a text layer)."""
        if not self._pages:
            self.add_page()
        self._pages[-1].ops.append(b"%.2f g %.2f %.2f %.2f %.2f re f" % (gray, x, y, w, h))

    def to_bytes(self) -> bytes:
        """Serialise: catalog, page tree, fonts, pages, contents, info, xref, trailer."""
        objects: list[bytes] = []

        def add(body: bytes) -> int:
            objects.append(body)
            return len(objects)

        catalog = add(b"")  # filled in below, once the page tree number is known
        pages_ref = add(b"")
        encoding = add(
            b"<< /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [1 /fi /fl] >>"
        )
        font_refs = [
            add(
                b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding %d 0 R >>"
                % (name.encode(), encoding)
            )
            for name in FONTS
        ]
        fonts = b" ".join(b"/F%d %d 0 R" % (i + 1, ref) for i, ref in enumerate(font_refs))
        kids = []
        for page in self._pages:
            data = zlib.compress(b"\n".join(page.ops))
            content = add(
                b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(data), data)
            )
            kids.append(
                add(
                    b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.0f %.0f] "
                    b"/Resources << /Font << %s >> >> /Contents %d 0 R >>"
                    % (pages_ref, self.width, self.height, fonts, content)
                )
            )
        objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_ref
        objects[pages_ref - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
            b" ".join(b"%d 0 R" % k for k in kids),
            len(kids),
        )
        info_ref = None
        if self.info:
            entries = b" ".join(
                b"/%s %s" % (k.encode(), _pdf_string(v)) for k, v in self.info.items()
            )
            info_ref = add(b"<< " + entries + b" >>")

        return serialize(objects, root=catalog, info=info_ref)

    def save(self, path: Path) -> Path:
        path = Path(path)
        path.write_bytes(self.to_bytes())
        return path


def wrap(text: str, width: float, size: float, font: str, *, hyphenate: bool = False) -> list[str]:
    """Greedy word wrap to `width` points; with `hyphenate`, long words break with '-'."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, size, font) <= width or not line:
            line = candidate
            continue
        if hyphenate and word.isalpha() and len(word) >= 8:
            prefix = ""
            for cut in range(len(word) - 3, 2, -1):
                head = f"{line} {word[:cut]}-"
                if text_width(head, size, font) <= width:
                    prefix = word[:cut]
                    break
            if prefix:
                lines.append(f"{line} {prefix}-")
                line = word[len(prefix) :]
                continue
        lines.append(line)
        line = word
    if line:
        lines.append(line)
    return lines


def write_paper(
    path: Path,
    *,
    title: str,
    authors: list[str] | tuple[str, ...] = (),
    sections: list[tuple[str, list[str]]],
    info_title: str | None = None,
    info_author: str | None = None,
    creation_year: int | None = None,
    running_header: str | None = None,
    two_columns: bool = False,
    ligatures: bool = False,
    hyphenate: bool = False,
    page_numbers: bool = True,
    font: str = "Times-Roman",
    size: float = 10.0,
) -> Path:
    """Lay out a paper: title, authors, then (heading, paragraphs) sections, wrapped over pages.

    Two columns fill the left column then the right one, so pypdf reads them in that order.
    """
    bold = "Times-Bold" if font.startswith("Times") else "Helvetica-Bold"
    leading = size * 1.3
    gutter = 18.0
    columns = 2 if two_columns else 1
    col_w = (PAGE_W - 2 * MARGIN - gutter * (columns - 1)) / columns
    top, bottom = PAGE_H - MARGIN - 14, MARGIN + 10
    pdf = PdfBuilder()
    state = {"col": 0, "y": top, "col_top": top}

    def new_page() -> None:
        number = pdf.add_page()
        if running_header:
            pdf.text(MARGIN, PAGE_H - MARGIN + 8, running_header, size=8, font=font)
        if page_numbers:
            pdf.text(PAGE_W / 2 - 5, MARGIN - 20, str(number), size=9, font=font)
        state["col"], state["y"], state["col_top"] = 0, top, top

    def line(
        s: str, *, f: str = font, sz: float = size, x_off: float = 0.0, gap: float = 0.0
    ) -> None:
        if state["y"] - gap < bottom:
            if state["col"] + 1 < columns:
                state["col"], state["y"] = state["col"] + 1, state["col_top"]
            else:
                new_page()
        state["y"] -= gap
        x = MARGIN + state["col"] * (col_w + gutter) + x_off
        pdf.text(x, state["y"], s, size=sz, font=f, ligatures=ligatures)
        state["y"] -= sz * 1.3

    new_page()
    for title_line in wrap(title, PAGE_W - 2 * MARGIN, 17, bold):
        pdf.text(MARGIN, state["y"], title_line, size=17, font=bold, ligatures=ligatures)
        state["y"] -= 22
    if authors:
        for author_line in wrap(", ".join(authors), PAGE_W - 2 * MARGIN, 11, font):
            pdf.text(MARGIN, state["y"], author_line, size=11, font=font)
            state["y"] -= 15
    state["y"] -= 12
    state["col_top"] = state["y"]  # first page: columns start below the title block

    for heading, paragraphs in sections:
        line(heading, f=bold, sz=size + 2, gap=leading * 0.6)
        for paragraph in paragraphs:
            for i, text_line in enumerate(wrap(paragraph, col_w, size, font, hyphenate=hyphenate)):
                line(text_line, gap=leading * 0.4 if i == 0 else 0.0)
    if info_title is not None:
        pdf.info["Title"] = info_title
    if info_author is not None:
        pdf.info["Author"] = info_author
    if creation_year is not None:
        pdf.info["CreationDate"] = f"D:{creation_year}0101120000Z"
    pdf.info.setdefault("Producer", "Lantern pdfgen")
    return pdf.save(path)


def write_image_only_pdf(path: Path, *, pages: int = 1) -> Path:
    """Pages with drawn rectangles only and no text layer, like a scan."""
    pdf = PdfBuilder()
    for _ in range(pages):
        pdf.add_page()
        for i in range(12):
            pdf.rect(MARGIN, PAGE_H - MARGIN - 40 * (i + 1), 300 + 10 * i, 24, gray=0.2 + 0.05 * i)
    return pdf.save(path)


def write_empty_pdf(path: Path) -> Path:
    """A syntactically valid PDF with zero pages (/Kids [])."""
    return PdfBuilder().save(path)


def serialize(objects: list[bytes], *, root: int = 1, info: int | None = None) -> bytes:
    """A PDF file of objects 1..n (their bodies, in order) with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    trailer = b"/Size %d /Root %d 0 R" % (len(objects) + 1, root)
    if info:
        trailer += b" /Info %d 0 R" % info
    out += b"trailer\n<< %s >>\nstartxref\n%d\n%%%%EOF\n" % (trailer, xref)
    return bytes(out)
