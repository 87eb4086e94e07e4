"""Quotes that run onto the next page, on the real papers: every sentence a page break cuts in
the library's stored text (cited whole as "pp. 5–6", core.answer.grounding.locate_across) is
shown the three ways a citation is: checked by `lantern verify` (PageTexts.holds_across),
highlighted in an annotated PDF (annotate.quote_rects_across) and in the desktop viewer
(desktop.quotes.locate_split on QtPdf's text layer). As a control, the last whole sentence of
each such page must stay on its page: the viewer must not split it.

    .venv/bin/python bench/pagespan.py --work /tmp/ans   (a library bench/answers.py built)
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

from compare import lantern_settings, share

from core import Library
from core.annotate import quote_rects, quote_rects_across
from core.answer.grounding import locate_across
from core.verify import PageTexts, words

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# A sentence ends at . ! or ? (a closing bracket or quote may follow) before a capital letter.
_END = re.compile(r"[.!?][)\]\"”’]?\s+(?=[A-Z(\[])")


def split_sentence(text: str, following: str) -> tuple[str, str] | None:
    """(the sentence a page break cuts, the last whole sentence before it), or None: the
    page's words after its last sentence end, joined to the next page's words up to its first."""
    tail = text[-600:]
    ends = list(_END.finditer(tail))
    head = _END.search(following[:600])
    if len(ends) < 2 or head is None:
        return None
    first, second = tail[ends[-1].end():], following[: head.start() + 1]
    if len(words(first)) < 15 or len(words(second)) < 8:
        return None
    whole = tail[ends[-2].end(): ends[-1].start() + 1]
    return f"{first.rstrip()}\n{second.lstrip()}", whole


def main() -> None:
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtPdf import QPdfDocument

    from desktop.quotes import locate, locate_split

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--show", action="store_true", help="print each quote not shown whole")
    args = parser.parse_args()
    import pypdfium2 as pdfium

    app = QGuiApplication([])  # noqa: F841 - QtPdf wants an application object
    cited, verified, annotated, lit, whole_kept, whole_lit = [], [], [], [], [], []
    t0 = time.perf_counter()
    with Library(lantern_settings(args.work)) as lib:
        papers = lib.papers()
        for paper in papers:
            texts = PageTexts(paper.path)
            doc = pdfium.PdfDocument(str(paper.path))
            viewer = QPdfDocument()
            viewer.load(str(paper.path))
            try:
                for p in range(1, paper.pages):
                    page, following = lib.page_text(paper.doc_id, p), lib.page_text(paper.doc_id, p + 1)
                    found = page and following and split_sentence(page, following)
                    if not found:
                        continue
                    quote, whole = found
                    across = locate_across(quote, [(p, page), (p + 1, following)])
                    cited.append(across is not None)
                    if across is None:
                        continue
                    quote = across[1]
                    verified.append(texts.holds_across(p, words(quote)))
                    first, second = (doc[p - 1].get_textpage(), doc[p].get_textpage())
                    a, b = quote_rects_across(first, second, quote)
                    annotated.append(bool(a and b))
                    q1, q2 = viewer.getAllText(p - 1).text(), viewer.getAllText(p).text()
                    lit.append(locate_split(quote, q1, q2) is not None)
                    if args.show and not (verified[-1] and annotated[-1] and lit[-1]):
                        print(f"miss verify={verified[-1]} annotate={annotated[-1]} "
                              f"viewer={lit[-1]} {paper.path.name} p. {p}: {quote!r}",
                              file=sys.stderr)
                    if len(words(whole)) >= 30 and quote_rects(first, whole):
                        whole_kept.append(locate_split(whole, q1, q2) is None)
                        whole_lit.append(locate(whole, q1) is not None)
                    first.close()
                    second.close()
            finally:
                texts.close()
                doc.close()
                viewer.close()
    seconds = time.perf_counter() - t0
    n = sum(cited)
    print(f"\n{len(papers)} papers: {len(cited)} sentences cut by a page break, {n} cited "
          f"whole across it (locate_across), {seconds:.0f} s (loaded machine)")
    for label, values in (
        ("lantern verify holds it across the two pages", verified),
        ("annotated PDF: a highlight on each page", annotated),
        ("desktop viewer: both parts located", lit),
        ("control: whole sentence before it not split", whole_kept),
        ("control: whole sentence located on its page", whole_lit),
    ):
        print(f"| {label.ljust(46)} | {share(values):>14} |")


if __name__ == "__main__":
    main()
