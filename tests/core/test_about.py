"""core/about.py: the facts --version and the About dialog show, from the files on disk."""

from __future__ import annotations

import hashlib
import json

from core import about
from core.settings import Settings


def _settings(tmp_path) -> Settings:
    models = tmp_path / "models"
    models.mkdir()
    (models / "tiny-chat.gguf").write_bytes(b"GGUF not really a model")
    embed = tmp_path / "minilm"
    embed.mkdir()
    (embed / "model.safetensors").write_bytes(b"weights")
    return Settings(library=tmp_path / "lib", models_dirs=[models],
                    embedding={"model": str(embed)})


def test_lines_name_version_llama_build_and_model_hashes(tmp_path, monkeypatch):
    monkeypatch.setattr(about, "BUILD_INFO", tmp_path / "none.json")
    lines = about.provenance(_settings(tmp_path)).lines()
    text = "\n".join(lines)
    assert lines[0] == f"Lantern {about.app_version({})}"
    assert "llama.cpp: llama-cpp-python " in text and "llama.cpp features: " in text
    chat = hashlib.sha256(b"GGUF not really a model").hexdigest()
    assert f"chat model: tiny-chat.gguf (tiny-chat.gguf) sha256 {chat}" in lines
    weights = hashlib.sha256(b"weights").hexdigest()
    assert any(line.endswith(f"(model.safetensors) sha256 {weights}") for line in lines)


def test_bundle_build_record_is_shown(tmp_path, monkeypatch):
    record = tmp_path / "build-info.json"
    record.write_text(json.dumps({"version": "9.9.9", "commit": "abc123", "built": "2026-12-01",
                                  "llama_cmake_args": "-DGGML_NATIVE=OFF -DGGML_AVX2=ON"}))
    monkeypatch.setattr(about, "BUILD_INFO", record)
    lines = about.provenance(_settings(tmp_path)).lines()
    assert lines[0] == "Lantern 9.9.9 (commit abc123, built 2026-12-01)"
    assert "CMake flags: -DGGML_NATIVE=OFF -DGGML_AVX2=ON" in lines[2]


def test_missing_models_are_named_not_fatal(tmp_path, monkeypatch):
    monkeypatch.setattr(about, "BUILD_INFO", tmp_path / "none.json")
    settings = Settings(library=tmp_path / "lib", models_dirs=[tmp_path / "empty"],
                        embedding={"model": str(tmp_path / "no-such-model")})
    prov = about.provenance(settings)
    assert prov.models == []
    assert [p.split(":")[0] for p in prov.problems] == ["chat model", "embedding model"]
    assert all("not available" in p for p in prov.problems)


def test_model_hashes_are_kept_in_the_library_cache(tmp_path, monkeypatch):
    """--version reads a model file once: its sha256 is kept in the library's hash cache by path,
    size and mtime (core.filehash.cached_sha256), and a changed file is read again."""
    monkeypatch.setattr(about, "BUILD_INFO", tmp_path / "none.json")
    settings = _settings(tmp_path)
    settings.library.mkdir()
    about.provenance(settings)
    cache = json.loads((settings.library / "file-hashes.json").read_text())
    gguf = (tmp_path / "models" / "tiny-chat.gguf").resolve()
    assert [v for k, v in cache.items() if k.startswith(f"{gguf}|")] == [
        hashlib.sha256(b"GGUF not really a model").hexdigest()]
    gguf.write_bytes(b"GGUF another model")
    chat = next(m for m in about.provenance(settings).models if m.role == "chat")
    assert chat.sha256 == hashlib.sha256(b"GGUF another model").hexdigest()
