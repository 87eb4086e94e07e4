"""A generated paper whose sentence, with its value, runs from the foot of page 1 onto page 2:
the fixture for "pp. 1–2" citations in core and in the viewer (core.pdfgen, no outside files)."""

from __future__ import annotations

from pathlib import Path

from core.pdfgen import PdfBuilder

# A sentence whose value is on the next page: "... an effective batch" / "size of" end page 1,
# "32 images per step ..." starts page 2. Cited whole, it reads "pp. 1–2".
PAGE_BREAK_QUOTE = ("The detector was trained with stochastic gradient descent and an effective "
                    "batch size of 32 images per step on the annotated survey frames.")
_WHO = ["The survey team", "Each camera", "A field assistant", "The river authority",
        "Local anglers", "The project office", "Every volunteer", "The regional council",
        "A visiting botanist", "The data manager", "Our partner school", "The ferry crew"]
_DID = ["walked the banks along", "recorded the otters near", "mapped the reed beds of",
        "cleaned the traps beside", "photographed the herons over", "sampled the mud under",
        "counted the eels below", "measured the currents around", "described the weirs on",
        "surveyed the bridges across", "noted the floods upstream of", "checked the nets past"]
_WHERE = ["the old mill.", "the northern meadows.", "the gravel islands.", "the city harbour.",
          "the beech forest.", "the quarry lakes.", "the fish ladder.", "the salt marsh.",
          "the county border.", "the chalk springs.", "the railway embankment.", "the dunes."]


def _filler(shift: int) -> list[str]:
    """Twelve plain sentences, none on both pages (a line on each page reads as a running
    head) and none about training: many passages, so a question's words are distinctive."""
    return [f"{w} {_DID[(i + shift) % 12]} {_WHERE[(i + 2 * shift) % 12]}"
            for i, w in enumerate(_WHO)]


def page_break_paper(folder: Path, name: str = "pagebreak.pdf", *,
                     page_numbers: bool = False) -> Path:
    """Two pages, laid out line by line, whose batch-size sentence runs from the foot of page 1
    onto the head of page 2 (with ``page_numbers``, a page number sits between the parts)."""
    pages = [
        ["Fish Species from Underwater Video", *_filler(0), *_filler(5),
         "The detector was trained with stochastic gradient descent and an effective batch",
         "size of"],
        ["32 images per step on the annotated survey frames.", *_filler(7), *_filler(3)],
    ]
    pdf = PdfBuilder()
    for number, lines in enumerate(pages, 1):
        pdf.add_page()
        for i, line in enumerate(lines):
            pdf.text(72, 720 - 14 * i, line, size=10, font="Times-Roman")
        if page_numbers:
            pdf.text(300, 40, str(number), size=9, font="Times-Roman")
    return pdf.save(folder / name)
