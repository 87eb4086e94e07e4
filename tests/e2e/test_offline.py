"""add + ask with the real models while every network socket is blocked."""

from __future__ import annotations

import pytest

from core import AnswerDone, Library, Settings
from core.settings import PROJECT_ROOT
from tests.network import block_network

pytestmark = pytest.mark.e2e


def test_add_and_ask_with_network_blocked(tmp_path, monkeypatch, sample_pdfs):
    block_network(monkeypatch)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)  # core must set it by itself

    settings = Settings(library=tmp_path / "lib", models_dirs=[PROJECT_ROOT / "models"])
    with Library(settings) as lib:  # real embedder and real GGUF, loaded here
        results = list(lib.add(sample_pdfs[:1]))
        assert results[-1].added == 1
        events = list(lib.ask("Which GPU was used for training?"))
        assert isinstance(events[-1], AnswerDone)
        assert events[-1].answer.evidence
