"""The CLI contract other tools rely on: JSON shapes and exit codes (fake models)."""

from __future__ import annotations

import json

import pytest

import core.cli as cli
from core import Library
from core.errors import ModelError


def test_add_json_lines(run, sample_pdfs, tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog")
    code, out, _ = run("add", "--json", str(sample_pdfs[0]), str(bad))
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 1  # some inputs failed
    assert set(lines[0]) == {"path", "status", "doc_id", "title", "pages", "chunks", "error",
                             "notice"}  # notice: e.g. OCR text that looks unreadable
    assert lines[0]["status"] == "added" and lines[0]["error"] is None
    assert lines[0]["notice"] is None
    assert lines[1]["status"] == "failed" and lines[1]["error"]
    code, out, _ = run("add", "--json", str(sample_pdfs[0]))
    assert code == 0 and json.loads(out)["status"] == "unchanged"


def test_list_show_remove(run, sample_pdfs):
    run("add", *map(str, sample_pdfs))
    code, out, _ = run("list", "--json")
    papers = json.loads(out)
    assert code == 0 and len(papers) == 3
    assert {"doc_id", "title", "authors", "year", "pages", "path"} <= set(papers[0])
    assert isinstance(papers[0]["authors"], list)
    doc_id = papers[0]["doc_id"]
    code, out, _ = run("show", doc_id, "--json")
    assert code == 0 and json.loads(out)["doc_id"] == doc_id
    code, out, _ = run("remove", doc_id)
    assert code == 0 and doc_id in out
    code, _, err = run("show", doc_id)
    assert code == 1 and "no paper with id" in err


def test_ask_json_shape(run, sample_pdfs, fake_generator):
    run("add", *map(str, sample_pdfs))
    fake_generator.enqueue("Training used the Adam optimizer with a learning rate of 0.0003 [1].")
    code, out, _ = run("ask", "Which optimizer and learning rate?", "--json")
    a = json.loads(out)
    assert code == 0
    assert set(a) >= {"question", "answer", "abstained", "citations", "evidence", "model",
                      "timings", "draft", "auto_scope", "judged"}
    assert set(a["timings"]) == {"retrieve_s", "first_token_s", "total_s", "prompt_tokens",
                                 "completion_tokens", "judge_s"}
    assert a["judged"] is False and a["timings"]["judge_s"] is None  # off (tests/core/conftest.py)
    assert not a["abstained"]
    c = a["citations"][0]
    assert set(c) == {"n", "doc_id", "title", "pdf_path", "page", "quote", "supported", "ocr"}
    assert {"doc_id", "pdf_path", "page", "section", "text", "score"} <= set(a["evidence"][0])


def test_ask_says_which_part_of_the_draft_is_not_shown(run, sample_pdfs, fake_generator):
    """The model's checked sentences are shown; the note about the rest does not say the whole
    draft failed."""
    run("add", *map(str, sample_pdfs))
    fake_generator.enqueue("The model was trained on a single NVIDIA RTX 3090 GPU [1]. "
                           "A second run used eight NVIDIA A100 GPUs [1].")
    code, out, _ = run("ask", "Which GPU was the camera-trap model trained on?")
    assert code == 0 and "In the model's words (checked):" in out and "RTX 3090" in out
    assert "The rest of the model's draft did not hold up" in out and "A100" not in out


def test_ask_no_llm_returns_evidence_only(run, sample_pdfs, fake_generator):
    run("add", *map(str, sample_pdfs))
    code, out, _ = run("ask", "Which GPU?", "--no-llm", "--json")
    a = json.loads(out)
    assert code == 0 and a["evidence"] and a["answer"] == "" and a["model"] is None
    assert fake_generator.prompts == []


def test_ask_unknown_paper_is_one_line(run, sample_pdfs):
    code, _, err = run("ask", "Which GPU?", "--paper", "nope")
    assert code == 1 and err.strip().count("\n") == 0 and "nope" in err


def test_usage_error_exits_2(run):
    with pytest.raises(SystemExit) as exc:
        cli.main(["frobnicate"])
    assert exc.value.code == 2


def test_doctor_json(run, sample_pdfs):
    run("add", str(sample_pdfs[0]))
    code, out, _ = run("doctor", "--json")
    report = json.loads(out)
    assert code == 0 and report["consistent"] and 0 < report["vectors"] <= report["chunks"]


def test_models_lists_default_gguf(run):
    code, out, _ = run("models", "--json")
    models = json.loads(out)
    assert code == 0
    assert any(m["kind"] == "gguf" and m["default"] for m in models)
    assert any(m["kind"] == "embedding" for m in models)


def test_add_ocr_options(run, tmp_path):
    from core.pdfgen import write_paper
    from tests.scangen import write_scan

    note = write_paper(tmp_path / "note.pdf", title="Note", sections=[("A", ["Some words here."])])
    scan = write_scan(note, tmp_path / "scan.pdf")
    code, out, _ = run("add", "--json", "--ocr", "off", str(scan))
    assert code == 1 and "--ocr auto" in json.loads(out)["error"]
    code, _, err = run("add", "--ocr-language", "eng; rm", str(scan))
    assert code == 1 and "--ocr-language" in err and "\n" not in err.strip()


def test_demo_adds_the_samples_once_and_answers_the_sample_question(run, fake_generator):
    fake_generator.enqueue("The model was trained on a single NVIDIA RTX 3090 GPU [1].")
    code, out, err = run("demo")
    assert code == 0, err
    assert "Question: Which GPU was used" in out and "RTX 3090" in out
    assert "3 added" in err
    code, _, err = run("demo")  # the samples are not added again
    assert code == 0 and "3 added" not in err


class _DamagedModel:
    """A GGUF that cannot be loaded, as llama.cpp reports it (ModelError on every load)."""

    name = "damaged.gguf"
    n_ctx = 4096

    def __init__(self) -> None:
        self.loads = 0

    def load(self):
        self.loads += 1
        raise ModelError("damaged.gguf is not a GGUF model file (llama.cpp needs .gguf)")

    def count_tokens(self, text: str) -> int:
        return self.load()

    def stream_chat(self, messages, *, max_tokens: int, temperature: float):
        self.load()
        yield ""

    def close(self) -> None:
        pass


def test_ask_loads_the_model_while_it_retrieves_and_a_failed_load_is_one_line(
    monkeypatch, fake_embedder, sample_pdfs, capsys
):
    model = _DamagedModel()
    real_init = Library.__init__
    monkeypatch.setattr(Library, "__init__", lambda self, settings=None, **kw: real_init(
        self, settings, embedder=fake_embedder, generator=model))
    assert cli.main(["add", str(sample_pdfs[0])]) == 0
    capsys.readouterr()
    code = cli.main(["ask", "What was measured?"])
    _, err = capsys.readouterr()
    assert code == 1
    assert err.strip().splitlines() == [
        "lantern: damaged.gguf is not a GGUF model file (llama.cpp needs .gguf)"]
    assert model.loads >= 2  # ahead, on its thread (quietly), then where the answer needs it
