"""Page clean-up: pure functions over strings."""

from __future__ import annotations

from core.ingest.clean import (
    clean_pages,
    clean_text,
    dehyphenate,
    document_words,
    join_across_pages,
    normalize_chars,
    strip_document_line_numbers,
    strip_line_numbers,
    strip_running_lines,
)


def test_ligatures_and_fullwidth_forms_are_normalised():
    assert normalize_chars("\ufb01ne \ufb02ow e\ufb03cient \uff21") == "fine flow efficient A"


def test_junk_glyphs_are_removed_or_mapped():
    text = normalize_chars("\uf0b7 first item\nword(cid:12)s a\x00b\u200bc \ue001x")
    assert text.startswith("\u2022 first item")
    assert "words" in text and "abc" in text and "\ue001" not in text and "x" in text


def test_whitespace_collapses_but_line_breaks_stay():
    assert clean_text("a  \t b  \n\n\n\n c  ") == "a b\n\nc"


def test_words_broken_at_line_ends_are_rejoined():
    assert dehyphenate("the architec-\nture of") == "the architecture of"
    assert dehyphenate("soft\u00adhyphen and archi\u00ad\nval") == "softhyphen and archival"


def test_real_hyphens_survive():
    assert dehyphenate("a state-of-the-\nart model") == "a state-of-the-art model"
    assert dehyphenate("COVID-\n19 cases") == "COVID-\n19 cases"  # not lower-case: left alone
    vocab = document_words(["we use a pre-trained model"])
    assert dehyphenate("the pre-\ntrained net", vocab) == "the pre-trained net"
    assert (
        dehyphenate("the pre-\ntrained net", document_words(["pretrained"])) == "the pretrained net"
    )


WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]


def page_lines(i: int, n: int = 8) -> list[str]:
    return [f"line {k} {WORDS[(i + k) % 8]} {WORDS[(i * 3 + k) % 8]}" for k in range(n)]


def test_running_headers_and_page_numbers_are_removed():
    pages = [
        "\n".join([f"Journal of Ecology {2020 + i % 2}", *page_lines(i), f"Page {i} of 5"])
        for i in range(5)
    ]
    out = strip_running_lines(pages)
    assert all("Journal of Ecology" not in p and "Page" not in p for p in out)
    assert out[2] == "\n".join(page_lines(2))


def test_lines_repeated_in_the_body_are_kept():
    pages = [
        "\n".join(["Header", *page_lines(i)[:4], "middle body line", *page_lines(i)[4:]])
        for i in range(5)
    ]
    out = strip_running_lines(pages)
    assert all(
        "Header" not in p and "middle body line" in p for p in out
    )  # only edges are stripped


def test_manuscript_line_numbers_are_removed():
    page = "\n".join(f"line of text number {n} here {n}" for n in range(10, 30))
    assert strip_line_numbers(page).split("\n")[0] == "line of text number 10 here"
    table = "a 1\nb 7\nc 3\nd 9\ne 4\nf 12"
    assert strip_line_numbers(table) == table  # numbers without a running sequence


def test_line_numbers_glued_to_every_other_line_are_removed():
    # A preprint numbers every second line, and the extraction glues the number to the text:
    # "was subjected to50" must not become a fact ("subjected to 50").
    lines = [
        f"sentence {k} of the methods, which was subjected to" + (str(20 + k) if k % 2 else "")
        for k in range(1, 21)
    ]
    stripped = strip_line_numbers("\n".join(lines)).split("\n")
    assert all(line.endswith("subjected to") for line in stripped)
    # Values that end lines but count nothing are kept: decimals, a figure's axis, a table.
    axis = "\n".join(["Predicted", "0", "10", "20", "30", "40", "Observed"])
    assert strip_line_numbers(axis) == axis
    decimals = "\n".join(f"RMSE 2.3{k} 1.{k}{k}" for k in range(1, 8))
    assert strip_line_numbers(decimals) == decimals


def test_a_numbered_manuscript_loses_its_numbers_on_a_sparse_page_too():
    body = [
        "\n".join(f"line {n} of a numbered manuscript page{n}" for n in range(s, s + 30))
        for s in (1, 31)
    ]
    # The title page: few numbered lines among a long unnumbered title and author block.
    title = "\n".join(
        [f"Author {chr(65 + k)}, Institute of {chr(97 + k)}" for k in range(20)]
        + [f"abstract line{n}" for n in range(61, 67)]
    )
    pages = strip_document_line_numbers([title, *body])
    assert pages[0].split("\n")[-1] == "abstract line"
    assert pages[1].split("\n")[0] == "line 1 of a numbered manuscript page"
    assert strip_document_line_numbers([title]) == [title]  # alone, its run is too sparse


def test_clean_pages_end_to_end():
    body = [
        f"The e\ufb00ect of {WORDS[i]} architec-\nture {WORDS[i + 2]}.\n" + "\n".join(page_lines(i))
        for i in range(4)
    ]
    raw = [f"Running Title\n{text}\n{i + 1}" for i, text in enumerate(body)]
    assert clean_pages(raw)[0] == "The effect of alpha architecture gamma.\n" + "\n".join(
        page_lines(0)
    )


def test_word_broken_over_a_page_break_is_completed_on_the_first_page():
    assert join_across_pages(["it is ess-", "ential, he said."]) == ["it is essential,", "he said."]
    assert join_across_pages(["the end-", "To be"]) == ["the end-", "To be"]


def test_tex_epsilon_read_as_o_with_ogonek_becomes_epsilon():
    # U+01EB "ǫ" is what TeX's /epsilon1 glyph maps to in many PDFs (it reads as "ϱ").
    assert normalize_chars("with ǫ = 1e-6, ǫi and (ǫ)") == "with ε = 1e-6, εi and (ε)"
    assert normalize_chars("ϵ-greedy") == "ε-greedy"  # the lunate form, by NFKC
    assert normalize_chars("Old Norse hǫll") == "Old Norse hǫll"  # inside a word: a letter


def test_greek_letters_of_a_tex_pdf_survive_reading(tmp_path):
    from core.ingest.pdf import read_pdf
    from tests.pdfs import tex_greek_pdf

    text = read_pdf(tex_greek_pdf(tmp_path)).pages[0].text
    assert "β2 = 0.98 and ε = 1e-6" in text
    assert "εi is drawn" in text and "ǫ" not in text
