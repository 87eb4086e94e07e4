"""Shared fixtures: every test gets its own library and settings; real models load once."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from core.settings import PROJECT_ROOT, Settings


class FakeEmbedder:
    """Bag-of-words hashed into 64 dims: deterministic, instant, similar texts stay close."""

    name = "fake-bow"
    dim = 64

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
            out[row] /= np.linalg.norm(out[row]) or 1.0
        return out


class FakeGenerator:
    """Replies with what a test enqueued (simonw/llm's MockModel.enqueue)."""

    name = "fake-model.gguf"
    n_ctx = 4096

    def __init__(self) -> None:
        self.replies: list[str] = []
        self.prompts: list[list[dict]] = []

    def enqueue(self, text: str) -> None:
        self.replies.append(text)

    def count_tokens(self, text: str) -> int:
        return len(text) // 4 + 1

    def stream_chat(self, messages, *, max_tokens: int, temperature: float) -> Iterator[str]:
        self.prompts.append(list(messages))
        reply = self.replies.pop(0) if self.replies else "NOT REPORTED"
        yield from re.findall(r"\S+\s*", reply)

    def close(self) -> None:
        pass


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANTERN_LIBRARY", str(tmp_path / "library"))
    monkeypatch.setenv("LANTERN_SETTINGS", str(tmp_path / "settings.json"))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # the fake chat model's answers stay as checked: the judge model has tests of its own
    # (tests/core/test_judge.py, tests/e2e/test_judge_model.py)
    return Settings(library=tmp_path / "library", models_dirs=[PROJECT_ROOT / "models"],
                    answers={"judge": "off"})


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def fake_generator() -> FakeGenerator:
    return FakeGenerator()


@pytest.fixture
def fake_library(settings, fake_embedder, fake_generator):
    from core import Library

    with Library(settings, embedder=fake_embedder, generator=fake_generator) as lib:
        yield lib


@pytest.fixture(scope="session")
def sample_pdfs(tmp_path_factory) -> list[Path]:
    from core.samples import write_samples

    return write_samples(tmp_path_factory.mktemp("samples"))


@pytest.fixture(scope="session")
def real_embedder():
    from core.embed import SentenceTransformerEmbedder
    from core.settings import EmbeddingSettings

    return SentenceTransformerEmbedder(EmbeddingSettings())


@pytest.fixture(scope="session")
def real_generator():
    from core.chat_models import default_gguf
    from core.llm import LlamaGenerator
    from core.settings import LLMSettings

    gen = LlamaGenerator(default_gguf(Settings(models_dirs=[PROJECT_ROOT / "models"])), LLMSettings())
    yield gen
    gen.close()


@pytest.fixture(scope="session")
def sample_library(tmp_path_factory, sample_pdfs, real_embedder, real_generator):
    """A library of the sample papers with the real small models (built once)."""
    from core import Library

    settings = Settings(library=tmp_path_factory.mktemp("sample-lib"),
                        models_dirs=[PROJECT_ROOT / "models"])
    lib = Library(settings, embedder=real_embedder, generator=real_generator)
    results = list(lib.add(sample_pdfs))
    assert results[-1].failed == 0
    yield lib
    lib._parts.store.close()
