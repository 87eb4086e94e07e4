"""Find section headings in cleaned page text and name them with a small fixed vocabulary.

Retrieval uses the names (reference lists are down-weighted, methods questions prefer
"methods"), so a missed heading costs little and a false one in a table costs more:
when a paper numbers its headings, unnumbered body headings are not trusted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Heading words -> section name. Matched against the whole heading after numbering.
_NAMES: dict[str, tuple[str, ...]] = {
    "abstract": ("abstract", "summary"),
    "introduction": (
        "introduction",
        "related work",
        "related works",
        "related literature",
        "prior work",
        "previous work",
        "background",
        "literature review",
        "background and related work",
        "introduction and background",
        "motivation",
    ),
    "methods": (
        "methods",
        "method",
        "methodology",
        "materials and methods",
        "material and methods",
        "methods and materials",
        "data and methods",
        "methods and data",
        "experimental setup",
        "experimental set-up",
        "experimental settings",
        "experimental setting",
        "experimental design",
        "experimental procedures",
        "experiments",
        "experiment",
        "study area",
        "study design",
        "patients and methods",
    ),
    "results": (
        "results",
        "result",
        "experimental results",
        "results and discussion",
        "results and analysis",
        "evaluation",
        "findings",
    ),
    "discussion": (
        "discussion",
        "general discussion",
        "discussion and conclusion",
        "discussion and conclusions",
        "analysis and discussion",
    ),
    "conclusion": (
        "conclusion",
        "conclusions",
        "concluding remarks",
        "conclusion and future work",
        "conclusions and future work",
        "summary and conclusions",
        "summary and conclusion",
        "conclusions and outlook",
    ),
    "acknowledgements": (
        "acknowledgements",
        "acknowledgments",
        "acknowledgement",
        "acknowledgment",
        "funding",
    ),
    "references": (
        "references",
        "reference",
        "bibliography",
        "literature cited",
        "works cited",
        "cited literature",
        "references cited",
    ),
    "appendix": (
        "appendix",
        "appendices",
        "supplementary material",
        "supplementary materials",
        "supplemental material",
        "supplementary information",
        "supplementary",
        "supplementary data",
    ),
}
_LOOKUP = {phrase: name for name, phrases in _NAMES.items() for phrase in phrases}
# Names that papers leave unnumbered even when they number everything else.
_UNNUMBERED_OK = {"abstract", "acknowledgements", "references", "appendix"}

_NUMBER = r"(?:\d{1,2}(?:\.\d{1,2}){0,2}\.?|[IVX]{1,5}\.|[IVX]{1,5}(?=\s)|[A-H](?:\.\d{1,2})?\.?)"
_HEADING = re.compile(rf"^(?:(?P<num>{_NUMBER})\s+)?(?P<words>[^\W\d_][\w \-&]{{1,60}}?)\s*[:.]?$")
# Any top-level numbered heading ("3 BERT", "IV. PROPOSED MODEL"): trusted only in sequence.
_NUMBERED = re.compile(r"^(?P<num>\d{1,2}|[IVX]{1,5}\.)\.?\s+(?P<words>[A-Z][^\n.]{1,60})$")
# "Abstract— We present ...", "ABSTRACT. Our ..." open a paragraph.
_RUN_IN = re.compile(r"^abstract\s*[:.\u2014\u2013-]\s*\S", re.IGNORECASE)
# "Appendix A", "Appendix B: Proofs", "A Appendix", "Supplementary material S1".
_APPENDIX = re.compile(
    r"^(?:[A-H]\.?\s+)?(?:appendix|appendices|supplementary(?:\s+(?:materials?|information|data))?)"
    r"(?:\s+[A-Z\d]{1,2})?(?:\s*[:.\u2014\u2013-]?\s+[A-Z][^,;()]{0,50})?$",
    re.IGNORECASE,
)
_ROMAN = {
    "I": 1,
    "II": 2,
    "III": 3,
    "IV": 4,
    "V": 5,
    "VI": 6,
    "VII": 7,
    "VIII": 8,
    "IX": 9,
    "X": 10,
}
_MAX_HEADING = 70


def _top_number(num: str | None) -> int | None:
    """3 for "3", "3." or "III."; None for sub-sections ("3.1") and letters."""
    if not num:
        return None
    num = num.rstrip(".")
    if num.isdigit():
        return int(num)
    return _ROMAN.get(num)


def classify_heading(line: str) -> tuple[str | None, bool, int | None] | None:
    """(section name or None if unknown, numbered?, top-level number) for a heading-like line."""
    line = line.strip()
    if not line or len(line) > _MAX_HEADING or not (line[0].isupper() or line[0].isdigit()):
        return None
    if match := _HEADING.match(line):
        words = re.sub(r"\s+", " ", match.group("words")).strip().lower()
        num = match.group("num")
        if line.endswith(".") and not num:
            return None  # "Appendix." ending a sentence, not a heading
        if words == "summary":  # "Summary" opens a paper; "6 Summary" closes one
            return ("conclusion" if num else "abstract"), bool(num), _top_number(num)
        if name := _LOOKUP.get(words):
            return name, bool(num), _top_number(num)
    if _APPENDIX.match(line):
        return "appendix", False, None
    if _RUN_IN.match(line):
        return "abstract", False, None
    match = _NUMBERED.match(line)
    if (
        match
        and len(match.group("words").split()) <= 8
        and (top := _top_number(match.group("num")))
    ):
        return None, True, top
    return None


def heading_name(line: str) -> str | None:
    """The section name when the line is a recognised heading, else None."""
    found = classify_heading(line)
    return found[0] if found else None


def detect_sections(pages: Sequence[str]) -> list[tuple[tuple[int, str], ...]]:
    """For each page, (char offset, section name) of the headings found on it.

    When a paper numbers its headings, unnumbered body headings are ignored (they are
    table headers), and an unknown numbered heading ("3 BERT") that continues the
    numbering starts a "body" section. After "references" only an appendix heading ends
    the reference list, so titles such as "Results of ..." cannot reopen a section.
    """
    found: list[list[tuple[int, str | None, bool, int | None]]] = []
    for text in pages:
        hits = []
        offset = 0
        for line in text.split("\n"):
            if hit := classify_heading(line):
                hits.append((offset, *hit))
            offset += len(line) + 1
        found.append(hits)

    numbered = sum(
        1
        for hits in found
        for _, name, num, _ in hits
        if name and num and name not in _UNNUMBERED_OK
    )
    strict = numbered >= 2
    current, last_top = "body", 0
    seen: set[str] = set()
    out = []
    for hits in found:
        page_sections: list[tuple[int, str]] = []
        for offset, name, num, top in hits:
            if name is None:
                if not strict or top != last_top + 1 or current == "references":
                    continue
                name = "body"
            elif strict and not num and name not in _UNNUMBERED_OK:
                continue
            if current == "references" and name != "appendix":
                continue
            if name == "abstract" and seen - {"body"}:
                continue  # an "Abstract"/"Summary" deep inside a paper is not the abstract
            if top is not None:
                if strict and name != "body" and top <= last_top and top != 1:
                    continue  # out of sequence: a list item or a table row
                last_top = top
            if name != current:
                page_sections.append((offset, name))
                current = name
                seen.add(name)
        out.append(tuple(page_sections))
    return out


def section_at(sections: Sequence[tuple[int, str]], offset: int, carried: str) -> str:
    """The section in force at `offset` of a page whose headings are `sections`."""
    name = carried
    for start, section in sections:
        if start > offset:
            break
        name = section
    return name


def carried_sections(page_sections: Sequence[Sequence[tuple[int, str]]]) -> list[str]:
    """For each page, the section in force at its first character (carried from earlier pages)."""
    out, current = [], "body"
    for sections in page_sections:
        out.append(current)
        if sections:
            current = sections[-1][1]
    return out
