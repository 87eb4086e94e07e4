"""BibTeX export: citekeys kept or made unique, entry types, escaping, Pandoc citations."""

from __future__ import annotations

from core.bibtex import BibPaper, citekeys, pandoc_cite, to_bibtex


def test_keys_are_kept_made_and_unique():
    papers = [
        BibPaper("a", "The Otters of the Ruhr", ("Maria Keller",), 2019, citekey="keller2019otters"),
        BibPaper("b", "Otters again", ("Jan Keller",), 2019),
        BibPaper("c", "Otters, a third look", ("Ute Keller",), 2019),
        BibPaper("d", "Über Fische", ("Jürgen Müller",), None),
    ]
    keys = citekeys(papers)
    assert keys == {"a": "keller2019otters", "b": "keller2019otters" + "a",
                    "c": "keller2019otters" + "b", "d": "mulleruber"}


def test_entries():
    text = to_bibtex([
        BibPaper("a", "Fish & Chips: 50% {better}", ("Maria Keller", "Aiko Tanaka"), 2021,
                 "10.1000/x_1", "keller2021fish", "journalArticle"),
        BibPaper("b", "A Report", (), None, None, None, "report"),
        BibPaper("a", "duplicate is left out", (), None),
    ])
    assert text.count("@") == 2
    assert "@article{keller2021fish,\n" in text
    assert "  title = {Fish \\& Chips: 50\\% {better}},\n" in text
    assert "  author = {Keller, Maria and Tanaka, Aiko},\n" in text
    assert "  doi = {10.1000/x\\_1},\n" in text and "  year = {2021},\n" in text
    assert "@techreport{anonreport,\n  title = {A Report},\n}\n" in text


def test_pandoc_cite():
    assert pandoc_cite("smith2020", 4) == "[@smith2020, p. 4]"
    assert pandoc_cite("smith2020", None) == "[@smith2020]"
