"""BibTeX export: citekeys kept or made unique, entry types, escaping, Pandoc citations.
Hostile titles are checked with pybtex in strict mode (a syntax error raises)."""

from __future__ import annotations

import pybtex.errors
import pytest
from pybtex.database import parse_string

from core.bibtex import BibPaper, citekeys, pandoc_cite, shared_keys, to_bibtex

HOSTILE_TITLES = [
    "LLaMA} @misc{pwn, title={x}",
    "LLaMA}} @misc{pwn, title={x",
    "{{{{ unbalanced",
    "back\\slash \\} and \\{ braces",
    "% comment # hash ~ tilde ^ caret $ dollar _ under & amp",
    "ctrl\x1b[31m\x00 chars\nnew line\r",
    '"quoted" @string{x = "y"} @preamble{"\\evil"}',
]


def strict_parse(text: str):
    """pybtex in strict mode: any syntax error raises (bibtexparser would drop the entry)."""
    pybtex.errors.set_strict_mode(True)
    return parse_string(text, "bibtex")


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
    # braces in a title are text, written so that they always balance
    assert "  title = {Fish \\& Chips: 50\\% {\\textbraceleft}better{\\textbraceright}},\n" in text
    assert "  author = {Keller, Maria and Tanaka, Aiko},\n" in text
    assert "  doi = {10.1000/x\\_1},\n" in text and "  year = {2021},\n" in text
    assert "@techreport{anonreport,\n  title = {A Report},\n}\n" in text


def test_pandoc_cite():
    assert pandoc_cite("smith2020", 4) == "[@smith2020, p. 4]"
    assert pandoc_cite("smith2020", None) == "[@smith2020]"


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_hostile_titles_give_one_valid_entry_each(title):
    papers = [BibPaper("a", title, ("Ada Lovelace",), 2023, citekey="dup2023"),
              BibPaper("b", "Megatron-LM", ("Mohammad Shoeybi",), 2019, citekey="shoeybi2019")]
    data = strict_parse(to_bibtex(papers))
    assert list(data.entries) == ["dup2023", "shoeybi2019"]  # no entry added, none lost
    assert data.entries["shoeybi2019"].fields["title"] == "Megatron-LM"
    assert "pwn" not in data.entries


def test_shared_citekeys_are_made_unique_and_said_once():
    papers = [BibPaper("llama", "LLaMA", ("Hugo Touvron",), 2023, citekey="dup2023"),
              BibPaper("mega", "Megatron-LM", ("Mohammad Shoeybi",), 2019, citekey="dup2023"),
              BibPaper("own", "Other", (), 2023, citekey="dup2023a"),
              BibPaper("made", "Dup", ("X Dup",), 2023)]
    keys = citekeys(papers)
    assert keys == {"llama": "dup2023b", "mega": "dup2023c", "own": "dup2023a",
                    "made": "dup2023dup"}
    assert len(set(keys.values())) == 4
    assert shared_keys(papers, keys) == ("citekey dup2023 is shared by 2 papers: written as "
                                         "dup2023b, dup2023c (give each its own key in Zotero)")
    assert shared_keys(papers[2:], citekeys(papers[2:])) is None
    data = strict_parse(to_bibtex(papers))
    assert data.entries["dup2023b"].fields["title"] == "LLaMA"
    assert data.entries["dup2023c"].fields["title"] == "Megatron-LM"


def test_citekeys_hold_no_syntax():
    papers = [BibPaper("a", "T", (), 2020, citekey="bad key,}{@x"),
              BibPaper("b", "U", ("Ann Lee",), 2020, citekey=" ,{} ")]
    keys = citekeys(papers)
    assert keys == {"a": "badkeyx", "b": "lee2020u"}
    assert list(strict_parse(to_bibtex(papers)).entries) == ["badkeyx", "lee2020u"]
