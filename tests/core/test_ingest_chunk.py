"""Chunking: sentence-aware, bounded, overlapping, section-pure, verbatim."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from core.ingest.chunk import chunk_document, sentence_spans
from core.ingest.sections import detect_sections
from core.settings import ChunkSettings
from core.types import Page, PaperMeta, ParsedDocument


def doc_of(texts: list[str]) -> ParsedDocument:
    sections = detect_sections(texts)
    pages = tuple(
        Page(number=i + 1, text=t, sections=s) for i, (t, s) in enumerate(zip(texts, sections, strict=False))
    )
    return ParsedDocument(path=Path("x.pdf"), pages=pages, meta=PaperMeta(title="x"))


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


def test_sentences_do_not_split_at_abbreviations_or_decimals():
    text = (
        "Smith et al. (2020) used Adam, e.g. with a rate of 0.001 as in Fig. 3 of J. Doe. "
        "Results improved, i.e. Table 2 shows it. A new sentence starts here!"
    )
    assert sentences(text) == [
        "Smith et al. (2020) used Adam, e.g. with a rate of 0.001 as in Fig. 3 of J. Doe.",
        "Results improved, i.e. Table 2 shows it.",
        "A new sentence starts here!",
    ]


def make_pages() -> list[str]:
    body = " ".join(
        f"Sentence number {i} reports that the fish count was {i}.{i} percent." for i in range(60)
    )
    return [
        "A Study of Fish Counts in Rivers\nAbstract\nWe count fish in rivers. It matters.\n1 Introduction\n"
        + body[:2500],
        body[2500:] + "\n2 Methods\nWe used nets with a mesh of 0.5 cm. " + "x" * 3000,
        "3 Results\nWe found 12 species.\nReferences\nSmith, J. (2020). Fish. Journal 1.",
    ]


def test_chunks_respect_limits_sections_and_verbatim_text():
    settings = ChunkSettings(max_chars=400, overlap_chars=100)
    pages = make_pages()
    doc = doc_of(pages)
    chunks = chunk_document(doc, settings)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    assert all(len(c.text) <= 400 for c in chunks)
    for chunk in chunks:
        joined = squash(" ".join(pages[chunk.page_start - 1 : chunk.page_end]))
        for sentence in sentences(chunk.text):
            assert squash(sentence) in joined
    sections = [c.section for c in chunks]
    assert sections[0] == "body" and "abstract" in sections and sections[-1] == "references"
    assert sections == sorted(
        sections, key=["body", "abstract", "introduction", "methods", "results", "references"].index
    )  # never interleaved
    assert any(c.page_start != c.page_end for c in chunks)  # the introduction crosses a page


def test_overlap_carries_whole_trailing_sentences():
    text = "1 Introduction\n" + " ".join(f"Fact {i} is stated here in full." for i in range(40))
    chunks = chunk_document(doc_of([text]), ChunkSettings(max_chars=300, overlap_chars=80))
    assert len(chunks) > 2
    for prev, nxt in itertools.pairwise(chunks):
        last = sentences(prev.text)[-1]
        assert nxt.text.startswith(last) or last in nxt.text[:120]


def test_new_chunk_at_each_heading_and_no_overlap_across_sections():
    text = "1 Introduction\nIntro one. Intro two.\n2 Methods\nMethod one.\n3 Results\nResult one is long enough."
    chunks = chunk_document(doc_of([text]), ChunkSettings(max_chars=1200, overlap_chars=200))
    assert [c.section for c in chunks] == ["introduction", "methods", "results"]
    assert "Intro" not in chunks[1].text and chunks[1].text.startswith("2 Methods")


def test_over_long_sentence_is_split_at_words():
    words = " ".join(f"word{i}" for i in range(400))
    chunks = chunk_document(doc_of([words]), ChunkSettings(max_chars=200, overlap_chars=0))
    assert all(len(c.text) <= 200 for c in chunks)
    assert squash(" ".join(c.text for c in chunks)) == words


def test_tiny_trailing_fragment_does_not_stand_alone():
    text = (
        "1 Introduction\n"
        + " ".join(f"Sentence {i} is of a moderate length here." for i in range(10))
        + " End."
    )
    settings = ChunkSettings(max_chars=400, overlap_chars=0)
    chunks = chunk_document(doc_of([text]), settings)
    assert len(chunks) == 2 and chunks[-1].text.endswith("End.")
    assert len(chunks[-1].text) >= settings.max_chars // 8


def test_prose_after_the_references_is_not_a_reference_list():
    references = " ".join(
        f"Author{i}, A. and Writer, B. 20{i:02d}. A study of rivers {i}. In Proceedings of the "
        f"Annual Meeting, pp. {i}-{i + 9}." for i in range(10, 22))
    details = (
        "All models use a batch size of 4 with 4 gradient accumulation steps for an effective "
        "batch size of 16. We follow the recommendations of the original authors, and our "
        "models are each trained on eight GPUs with 32GB of memory for three days. We found no "
        "difference between the two optimizers we tried on the development set.")
    doc = doc_of(["A Study of Fish\nAbstract\nWe count fish. It matters.\n1 Introduction\n"
                  "Fish are counted in rivers by nets.",
                  f"References\n{references}", details])
    chunks = chunk_document(doc, ChunkSettings(max_chars=450, overlap_chars=0))
    sections = {c.section for c in chunks if "Proceedings" in c.text}
    assert sections == {"references"}
    # under no heading of its own, still the paper's prose
    assert {c.section for c in chunks if "gradient accumulation" in c.text} == {"appendix"}


def test_a_short_appendix_right_after_the_last_reference_is_its_own_chunk():
    references = " ".join(
        f"Author{i}, A. and Writer, B. 20{i:02d}. Counting birds, part {i}. Journal of Field "
        f"Ornithology {i}: {i}0-{i}9." for i in range(10, 16))
    training = ("All networks were trained on two NVIDIA RTX 3090 cards for about six hours. We "
                "used a batch size of 64 and the Adam optimizer.")
    doc = doc_of(["A Study of Larks\nAbstract\nWe count larks. It matters.\n1 Introduction\n"
                  "Larks are counted by song.", f"References\n{references} {training}"])
    chunks = chunk_document(doc, ChunkSettings())
    assert [c.section for c in chunks if "RTX 3090" in c.text] == ["appendix"]
    assert all(c.section == "references" for c in chunks if "Ornithology" in c.text)
