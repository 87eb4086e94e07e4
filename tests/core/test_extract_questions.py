"""Question sets: the TOML format, its error messages, and the built-in dl-methods set."""

from __future__ import annotations

import dataclasses
import textwrap

import pytest

from core.extract import QuestionSetError, builtin_sets, load_question_set, parse_question_set
from core.questionsets import SECTIONS

VALID = """\
id = "audit"
title = "Methods audit"
description = "A test set."

[[questions]]
id = "hardware"
label = "Hardware"
question = "Which hardware was used?"
keywords = ["GPU", "TPU"]
sections = ["methods"]

[[questions]]
id = "optimizer"
label = "Optimizer"
question = "Which   optimizer\\nwas used?"
"""


def parse(text: str):
    return parse_question_set(textwrap.dedent(text), "audit.toml")


def error(text: str) -> str:
    with pytest.raises(QuestionSetError) as exc:
        parse(text)
    message = str(exc.value)
    assert message.startswith("audit.toml: ") and "\n" not in message
    return message


def test_valid_set():
    qs = parse(VALID)
    assert (qs.id, qs.title, qs.description, qs.source) == ("audit", "Methods audit", "A test set.", "audit.toml")
    hw, opt = qs.questions
    assert (hw.id, hw.label, hw.keywords, hw.sections) == ("hardware", "Hardware", ("GPU", "TPU"), ("methods",))
    assert hw.query == "Which hardware was used? GPU TPU"
    assert opt.question == "Which optimizer was used?"  # whitespace collapsed
    assert opt.keywords == () and opt.sections == ()


def test_hash_follows_what_shapes_the_answer():
    hw = parse(VALID).questions[0]
    assert dataclasses.replace(hw, label="GPUs").hash == hw.hash
    for change in ({"question": "Which GPUs?"}, {"keywords": ("GPU",)}, {"sections": ()}):
        assert dataclasses.replace(hw, **change).hash != hw.hash


def test_syntax_error_names_the_line():
    assert "line 2" in error('id = "a"\ntitle = \n')


@pytest.mark.parametrize("text, expected", [
    ('title = "t"\n[[questions]]\nid="a"\nlabel="A"\nquestion="q?"', "missing 'id'"),
    ('id = "a"\n[[questions]]\nid="a"\nlabel="A"\nquestion="q?"', "missing 'title'"),
    ('id = "a"\ntitle = "t"', "needs at least one [[questions]] table"),
    ('id = "a b"\ntitle = "t"\n[[questions]]\nid="a"\nlabel="A"\nquestion="q?"', "may hold only"),
    ('id = 3\ntitle = "t"\n[[questions]]\nid="a"\nlabel="A"\nquestion="q?"', "'id' must be a string, not int"),
    ('id = "a"\ntitel = "t"\n[[questions]]\nid="a"\nlabel="A"\nquestion="q?"',
     "unknown key 'titel' (did you mean 'title'?)"),
])
def test_set_errors(text, expected):
    assert expected in error(text)


HEAD = 'id = "a"\ntitle = "t"\n\n[[questions]]\nid = "hw"\nlabel = "Hardware"\nquestion = "Which GPU?"\n'


@pytest.mark.parametrize("second, expected", [
    ('label = "B"\nquestion = "q?"', "line 9, question 2: missing 'id'"),
    ('id = "opt"\nquestion = "q?"', "line 9, question 2 ('opt'): missing 'label'"),
    ('id = "opt"\nlabel = "B"', "question 2 ('opt'): missing 'question'"),
    ('id = "opt"\nlabel = "B"\nquestion = "  "', "'question' is empty"),
    ('id = "hw"\nlabel = "B"\nquestion = "q?"', "duplicate id 'hw' (question 1 has it too)"),
    ('id = "opt"\nlabel = "hardware"\nquestion = "q?"', "duplicate label 'hardware'"),
    ('id = "opt"\nlabel = "B"\nquestion = "q?"\nkeyword = ["x"]', "unknown key 'keyword' (did you mean 'keywords'?)"),
    ('id = "opt"\nlabel = "B"\nquestion = "q?"\nkeywords = "Adam"', "'keywords' must be a list of non-empty strings"),
    ('id = "opt"\nlabel = "B"\nquestion = "q?"\nsections = ["method"]', "unknown section 'method'"),
    ('id = "o/p"\nlabel = "B"\nquestion = "q?"', "id 'o/p' may hold only letters"),
])
def test_question_errors_name_line_and_question(second, expected):
    assert expected in error(HEAD + "\n[[questions]]\n" + second + "\n")


def test_file_errors(tmp_path):
    with pytest.raises(QuestionSetError, match="not found"):
        load_question_set(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "a"\ntitle = "t"\n', encoding="utf-8")
    with pytest.raises(QuestionSetError, match=f"^{bad}: needs at least one"):
        load_question_set(bad)
    with pytest.raises(QuestionSetError, match="known: builtin:dl-methods"):
        load_question_set("builtin:nope")


def test_builtin_dl_methods():
    assert "dl-methods" in builtin_sets()
    qs = load_question_set("builtin:dl-methods")
    ids = [q.id for q in qs.questions]
    assert qs.id == "dl-methods" and qs.source == "builtin:dl-methods"
    assert 18 <= len(ids) <= 24 and len(set(ids)) == len(ids)
    assert len({q.label.casefold() for q in qs.questions}) == len(ids)
    assert {"hardware", "optimizer", "split", "code", "data-availability"} <= set(ids)


def test_sections_match_ingest():
    from core.ingest.sections import _NAMES

    assert set(_NAMES) | {"body"} == SECTIONS  # every name ingest gives, and only those


def test_a_deeply_nested_file_gives_one_line_not_a_recursion_error(tmp_path):
    deep = tmp_path / "deep.toml"
    deep.write_text('id = "x"\ntitle = "x"\nvalue = ' + "[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(QuestionSetError, match="nested too deeply"):
        load_question_set(deep)
    inline = 'id = "x"\ntitle = "x"\nv = ' + "{a = " * 50_000 + "1" + "}" * 50_000
    with pytest.raises(QuestionSetError, match="nested too deeply"):
        parse_question_set(inline)


def test_question_sets_are_limited_in_size(tmp_path):
    from core.asking import MAX_QUESTION_CHARS
    from core.questionsets import MAX_FILE_BYTES
    from core.questionsets import MAX_QUESTION_CHARS as SET_LIMIT

    assert SET_LIMIT == MAX_QUESTION_CHARS  # the same limit as `lantern ask`
    big = tmp_path / "big.toml"
    big.write_text(VALID + "# " + "x" * MAX_FILE_BYTES + "\n")
    with pytest.raises(QuestionSetError, match=r"too large for a question set .* the limit is"):
        load_question_set(big)
    long_question = VALID.replace("Which hardware was used?", "Which " + "word " * 2_000 + "?")
    with pytest.raises(QuestionSetError, match=r"question 1 \('hardware'\): 'question' is too "
                                               r"long \(10,\d+ characters; the limit is 2,000, as "
                                               r"for `lantern ask`\)"):
        parse_question_set(long_question)
    parse_question_set(VALID.replace("Which hardware was used?", "W" * MAX_QUESTION_CHARS))


def test_a_fifo_is_not_read(tmp_path):
    import os

    fifo = tmp_path / "set.toml"
    os.mkfifo(fifo)
    with pytest.raises(QuestionSetError, match="not a file"):
        load_question_set(fifo)
