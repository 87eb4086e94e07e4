"""Section headings: recognition, normalisation and carry-over."""

from __future__ import annotations

import pytest

from core.ingest.sections import carried_sections, detect_sections, heading_name, section_at


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("Abstract", "abstract"),
        ("ABSTRACT", "abstract"),
        ("Abstract\u2014We present a method", "abstract"),
        ("1 Introduction", "introduction"),
        ("2. Related Work", "introduction"),
        ("Background", "introduction"),
        ("3 Methods", "methods"),
        ("3. Experimental Setup", "methods"),
        ("II. METHODS", "methods"),
        ("Materials and methods", "methods"),
        ("4 Experiments", "methods"),
        ("4.2 Results", "results"),
        ("5 Discussion", "discussion"),
        ("6 Conclusions", "conclusion"),
        ("Acknowledgments", "acknowledgements"),
        ("References", "references"),
        ("Literature Cited", "references"),
        ("Bibliography", "references"),
        ("A Appendix", "appendix"),
        ("Appendix B: Proofs", "appendix"),
        ("Supplementary Materials", "appendix"),
    ],
)
def test_headings_are_recognised(line, name):
    assert heading_name(line) == name


@pytest.mark.parametrize(
    "line",
    [
        "the results",
        "Appendix.",
        "Results of the survey show that fish were larger than expected in 2019.",
        "see Appendix 1, Section 4.5.5)",
        "Introductions were made",
    ],
)
def test_sentences_are_not_headings(line):
    assert heading_name(line) is None


def test_sections_carry_over_pages_and_references_stay_until_appendix():
    pages = [
        "Title\nAbstract\nWe study fish.\n1 Introduction\nFish matter.",
        "more intro\n2 Methods\nWe used nets.\n3 Results\nMany fish.",
        "Results continue\nReferences\nSmith 2020.",
        "Results in rivers. Journal 3.\nDiscussion of lakes, 2019.\nA Appendix\nExtra tables.",
    ]
    found = detect_sections(pages)
    assert [name for _, name in found[0]] == ["abstract", "introduction"]
    assert found[0][0][0] == pages[0].index("Abstract")
    assert [name for _, name in found[1]] == ["methods", "results"]
    assert [name for _, name in found[3]] == ["appendix"]  # "Discussion ..." ignored in references
    assert carried_sections(found) == ["body", "introduction", "results", "references"]
    assert section_at(found[1], 0, "introduction") == "introduction"
    assert section_at(found[1], pages[1].index("We used"), "introduction") == "methods"


def test_numbered_papers_ignore_unnumbered_table_headers():
    pages = [
        "1 Introduction\ntext\n2 Our Model\nWe describe it.\nMethod\nAcc\nResults\n3 Experiments\nrun",
        "4 Conclusion\ndone\nReferences\nX",
    ]
    found = detect_sections(pages)
    assert [name for _, name in found[0]] == ["introduction", "body", "methods"]
    assert [name for _, name in found[1]] == ["conclusion", "references"]
