"""Offline metadata from /Info and first-page text."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.ingest.meta import doi_from, extract_meta, plausible_title, split_names, year_from

FIRST_PAGE = """arXiv:1810.04805v2 [cs.CL] 24 May 2019
BERT: Pre-training of Deep Bidirectional Transformers for
Language Understanding
Jacob Devlin, Ming-Wei Chang, Kenton Lee and Kristina Toutanova
Google AI Language
Abstract
We introduce a new language representation model."""


@pytest.mark.parametrize(
    "title",
    [
        "Microsoft Word - paper_v3.docx",
        "untitled",
        "main.tex",
        "paper_final_v2",
        "",
        "Slide 1",
        "e4faf2c1d76b9bf8f8b4524dfb8c5c6b93be5f35",
        "12345",
    ],
)
def test_junk_info_titles_are_rejected(title):
    assert not plausible_title(title, Path("paper_final_v2.pdf"))


def test_good_info_title_is_accepted():
    assert plausible_title("Large Language Models Struggle to Learn Long-Tail Knowledge")


def test_meta_from_first_page_text():
    meta = extract_meta(Path("x.pdf"), FIRST_PAGE, {"Title": "untitled"})
    assert (
        meta.title
        == "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"
    )
    assert meta.authors == ("Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova")
    assert meta.year == 2018  # from the arXiv id


def test_info_title_confirmed_by_page_wins_and_authors_come_from_info():
    page = "ICML\nLarge Language Models Struggle\nto Learn Long-Tail Knowledge\nNikhil Kandpal 1\nAbstract"
    meta = extract_meta(
        Path("x.pdf"),
        page,
        {
            "Title": "Large Language Models Struggle to Learn Long-Tail Knowledge",
            "Author": "Nikhil Kandpal; Colin Raffel",
            "CreationDate": "D:20230728011602Z",
        },
        title_hint="Figure 3: Number of documents",
    )
    assert meta.title.startswith("Large Language Models")
    assert meta.authors == ("Nikhil Kandpal", "Colin Raffel")
    assert meta.year is None  # only the file's CreationDate has one: that is not the paper's


def test_title_hint_is_used_and_spacing_fixed():
    meta = extract_meta(
        Path("x.pdf"),
        "HellaSwag: Can a Machine Really Finish Your Sentence?\nRowan Zellers",
        {},
        title_hint="HellaSwag : Can a Machine Really Finish Your Sentence?",
    )
    assert meta.title == "HellaSwag: Can a Machine Really Finish Your Sentence?"


def test_fallback_title_is_the_prettified_file_name():
    assert (
        extract_meta(Path("/tmp/deep_learning-fish_2021.pdf"), "", {}).title
        == "Deep learning fish 2021"
    )


def test_names_with_footnote_marks():
    assert split_names("Yinhan Liu\u2217\u00a7 Myle Ott\u2217\u00a7 Naman Goyal\u2020") == [
        "Yinhan Liu",
        "Myle Ott",
        "Naman Goyal",
    ]
    assert split_names("1 Department of Biology, University of Florida") == []


def test_year_and_doi():
    assert year_from("Proceedings of ACL 2020, pages 1-10") == 2020
    assert year_from("Copyright \u00a9 2017 Webb et al.") == 2017
    assert year_from("We study fish. It may rain in 2019 or not.") == 2019
    assert year_from("We study fish.") is None
    assert (
        doi_from(None, "see doi:10.1371/journal.pone.0197919. More")
        == "10.1371/journal.pone.0197919"
    )
