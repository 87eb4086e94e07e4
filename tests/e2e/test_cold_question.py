"""A question from a cold terminal: its vector without torch, equal to sentence-transformers'."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from core import Library, Settings
from core.embed import resolve_embedding_model
from core.query_embed import BertQueryEmbedder, query_embedder, supported
from core.settings import PROJECT_ROOT, EmbeddingSettings

pytestmark = pytest.mark.e2e

QUESTIONS = [
    "Which optimizer?",
    "What learning rate and batch size did they use when pre-training RoBERTa on 160GB of text?",
    "Größe der Lernrate — naïve café, 東京, 🙂?",
    "",
    # longer than the model's 256 word pieces: truncated as sentence-transformers truncates
    " ".join(f"word{i} camera traps and wildlife classifiers" for i in range(120)),
]


def test_question_vector_equals_sentence_transformers(real_embedder):
    folder = resolve_embedding_model("all-MiniLM-L6-v2")
    assert supported(folder)
    light = query_embedder(EmbeddingSettings(), real_embedder)
    assert isinstance(light, BertQueryEmbedder) and light.dim == real_embedder.dim
    got, want = light.embed(QUESTIONS), real_embedder.embed(QUESTIONS)
    assert got.dtype == np.float32 and got.shape == want.shape
    assert float(np.abs(got - want).max()) < 1e-5
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-6)


def test_a_batch_of_sentences_gives_each_its_own_vector(real_embedder):
    # answer.meaning embeds its candidate sentences in one padded pass: padding must not leak
    # into any text's vector (the texts here run from 0 to 256 word pieces)
    light = query_embedder(EmbeddingSettings(), real_embedder)
    alone = light.embed(QUESTIONS)
    light._recent.clear()
    together = light.embed_batch(QUESTIONS)
    assert float(np.abs(together - alone).max()) < 1e-5
    assert float(np.abs(together - real_embedder.embed(QUESTIONS)).max()) < 1e-5


HEAVY = ("torch", "sentence_transformers", "transformers")
CHILD = """
import json, sys
from core.cli import main
code = main({argv!r})
print(json.dumps({{"code": code, "heavy": [m for m in {heavy!r} if m in sys.modules]}}))
"""


def test_ask_no_llm_never_imports_torch(tmp_path, sample_pdfs, real_embedder):
    library = tmp_path / "library"
    settings = Settings(library=library, models_dirs=[PROJECT_ROOT / "models"])
    with Library(settings, embedder=real_embedder) as lib:
        list(lib.add(sample_pdfs[:1]))
        assert not lib.unindexed()
    argv = ["--library", str(library), "ask", "Which optimizer was used?", "--no-llm", "--json"]
    out = subprocess.run([sys.executable, "-c", CHILD.format(argv=argv, heavy=HEAVY)],
                         cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    *answer, last = out.stdout.strip().splitlines()
    result = json.loads(last)
    assert result == {"code": 0, "heavy": []}
    evidence = json.loads("\n".join(answer))["evidence"]
    # the same passages as a question embedded by sentence-transformers finds
    with Library(settings, embedder=real_embedder) as lib:
        assert [e["chunk_id"] for e in evidence] == [
            e.chunk_id for e in lib.search("Which optimizer was used?")]
