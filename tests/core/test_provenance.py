"""Provenance in every export, the model-hash cache, and a re-run from the provenance alone
giving the same cells (fake models; --no-llm cells)."""

from __future__ import annotations

import json
import os
import shutil

from core import Library, Settings, settings_from_provenance
from core.filehash import HASH_CACHE, _memo, cached_sha256
from core.provenance_io import sidecar_path, split_front_matter

KEYS = {"format", "lantern", "created", "model", "judge", "embedding", "prompt_version", "settings",
        "question_set", "papers"}


def _extract(run, out, *extra):
    code, _, err = run("extract", "--questions", "builtin:dl-methods", "--out", str(out),
                       "--no-llm", *extra)
    assert code == 0, err


def test_every_table_format_carries_the_same_provenance(run, sample_pdfs, tmp_path):
    run("add", *map(str, sample_pdfs))
    _extract(run, tmp_path / "t.json")
    _extract(run, tmp_path / "t.md")
    _extract(run, tmp_path / "t.csv")
    from_json = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))["provenance"]
    from_md, body = split_front_matter((tmp_path / "t.md").read_text(encoding="utf-8"))
    from_csv = json.loads(sidecar_path(tmp_path / "t.csv").read_text(encoding="utf-8"))
    assert body.startswith("# ") and set(from_json) == KEYS
    for record in (from_md, from_csv):
        assert record is not None
        assert {k: v for k, v in record.items() if k != "created"} == {
            k: v for k, v in from_json.items() if k != "created"}
    # the CSV itself stays a plain table
    assert (tmp_path / "t.csv").read_text(encoding="utf-8-sig").startswith("doc_id,title,")
    assert from_json["lantern"]["version"] and from_json["lantern"]["commit"]
    assert from_json["model"] is None and from_json["settings"]["use_llm"] is False
    assert from_json["embedding"]["model"] == "all-MiniLM-L6-v2"
    assert len(from_json["embedding"]["sha256"]) == 64
    assert from_json["embedding"]["max_pieces"] == 128  # the library's own cut (a new one)
    qset = from_json["question_set"]
    assert qset["id"] == "dl-methods" and len(qset["questions"]) == 21 and len(qset["sha256"]) == 64
    papers = {p["doc_id"]: p for p in from_json["papers"]}
    with Library() as lib:
        for paper in lib.papers():
            record = papers[paper.doc_id]
            assert record["sha256"] == paper.sha256 and record["title"] == paper.title
            assert record["year"] == paper.year and record["citekey"]


def test_model_hashes_are_cached_by_path_size_and_mtime(tmp_path):
    model = tmp_path / "model.gguf"
    model.write_bytes(b"weights" * 1000)
    real = cached_sha256(model, tmp_path)
    cache = json.loads((tmp_path / HASH_CACHE).read_text(encoding="utf-8"))
    (key,) = cache
    assert cache[key] == real
    _memo.clear()
    (tmp_path / HASH_CACHE).write_text(json.dumps({key: "from-cache"}), encoding="utf-8")
    assert cached_sha256(model, tmp_path) == "from-cache"  # not read again
    stat = model.stat()
    os.utime(model, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert cached_sha256(model, tmp_path) == real  # changed mtime: hashed again
    assert len(json.loads((tmp_path / HASH_CACHE).read_text(encoding="utf-8"))) == 1


def test_the_provenance_alone_reproduces_the_table(run, sample_pdfs, tmp_path, fake_embedder):
    run("add", *map(str, sample_pdfs))
    first = tmp_path / "first.json"
    code, _, err = run("extract", "--questions", "builtin:dl-methods", "--out", str(first),
                       "--no-llm")
    assert code == 0, err
    data = json.loads(first.read_text(encoding="utf-8"))
    record = data["provenance"]
    # someone else: other defaults, the same PDFs (found by sha256), the recorded settings
    elsewhere = tmp_path / "elsewhere"
    papers = elsewhere / "papers"
    papers.mkdir(parents=True)
    for pdf in sample_pdfs:
        shutil.copy(pdf, papers / pdf.name)
    base = Settings(library=elsewhere / "library").replace(retrieval={"k": 3, "rrf_k": 60})
    settings = settings_from_provenance(record, base)
    assert settings.retrieval.model_dump(mode="json") == record["settings"]["retrieval"]
    from core import load_question_set

    qset = load_question_set(record["question_set"]["source"])
    with Library(settings, embedder=fake_embedder) as lib:
        assert list(lib.add([papers]))[-1].failed == 0
        assert {p.sha256 for p in lib.papers()} == {p["sha256"] for p in record["papers"]}
        list(lib.extract(qset, use_llm=record["settings"]["use_llm"]))
        rows = lib.extract_table(qset, use_llm=False)
    by_sha = {p["doc_id"]: p["sha256"] for p in record["papers"]}
    again = {(r.paper.sha256, q.id): r.cells[q.id] for r in rows for q in qset.questions}
    for cell in data["cells"]:
        now = again[(by_sha[cell["doc_id"]], cell["question_id"])]
        assert now is not None and now.status == cell["status"]
        assert (now.page, " ".join(now.quote.split())) == (cell["page"], cell["quote"])


def test_the_recorded_model_is_found_by_its_hash(tmp_path):
    import hashlib

    import pytest

    from core import SettingsError

    models = tmp_path / "models"
    models.mkdir()
    (models / "other.gguf").write_bytes(b"GGUF other weights")
    mine = models / "renamed-by-me.gguf"
    mine.write_bytes(b"GGUF the recorded weights")
    record = {"settings": {"use_llm": True, "llm": {"temperature": 0.0, "max_tokens": 64}},
              "model": {"file": "model.gguf", "sha256": hashlib.sha256(mine.read_bytes()).hexdigest()}}
    base = Settings(library=tmp_path / "library", models_dirs=[models])
    settings = settings_from_provenance(record, base)
    assert settings.llm.model_path == mine and settings.llm.temperature == 0.0
    assert not settings.remote.enabled
    mine.unlink()
    with pytest.raises(SettingsError, match="model.gguf .* is not among your GGUF files"):
        settings_from_provenance(record, base)
    served = {"model": {"endpoint": "http://lab:8000/v1", "model": "qwen"}, "settings": {}}
    remote = settings_from_provenance(served, base).remote
    assert remote.enabled and (remote.url, remote.model) == ("http://lab:8000/v1", "qwen")


def test_a_table_records_the_models_that_made_its_cells(run, sample_pdfs, tmp_path, fake_generator):
    run("add", str(sample_pdfs[0]))
    out = tmp_path / "t.json"
    code, _, err = run("extract", "--questions", "builtin:dl-methods", "--out", str(out))
    assert code == 0, err
    model = json.loads(out.read_text(encoding="utf-8"))["provenance"]["model"]
    assert model["cells_made_by"] == [fake_generator.name]
    assert set(model) >= {"file", "sha256"} or "error" in model
