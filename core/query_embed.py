"""A question's vector without torch: all-MiniLM-L6-v2's forward pass in numpy.

`import sentence_transformers` alone takes about 7 s on a cold 2-core machine (transformers'
configuration and backend loaders), only to embed one question of a few words. This module
reads the same model folder (safetensors weights, `tokenizers`' tokenizer.json) and computes
the same vector: BERT encoder, mean pooling over the attention mask, L2 normalisation, the
three modules of the sentence-transformers pipeline (equal within 1e-5; tests/core/
test_query_embed.py). Papers are still embedded by sentence-transformers (core.embed): batches
of hundreds of chunks are what torch is good at. bench/README.md, "Cold question", has the
measurements that chose this route over an ONNX export.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.embed import SentenceTransformerEmbedder, resolve_embedding_model
from core.errors import ModelError
from core.settings import EmbeddingSettings

if TYPE_CHECKING:
    import numpy as np

    from core.embed import Embedder

log = logging.getLogger(__name__)

WEIGHTS = "model.safetensors"
_MODULES = ["sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
            "sentence_transformers.models.Normalize"]


def supported(folder: Path) -> bool:
    """Whether `folder` is a sentence-transformers model this module computes exactly: a BERT
    encoder with safetensors weights and a fast tokenizer, mean pooling, then Normalize."""
    try:
        modules = json.loads((folder / "modules.json").read_text())
        config = json.loads((folder / "config.json").read_text())
        pooling = json.loads((folder / modules[1]["path"] / "config.json").read_text())
    except (OSError, ValueError, IndexError, KeyError, TypeError):
        return False
    modes = {k for k, v in pooling.items() if k.startswith("pooling_mode_") and v is True}
    return ([m.get("type") for m in modules] == _MODULES
            and config.get("model_type") == "bert" and config.get("hidden_act") == "gelu"
            and modes == {"pooling_mode_mean_tokens"}
            and (folder / WEIGHTS).is_file() and (folder / "tokenizer.json").is_file())


def _erf(x: np.ndarray) -> np.ndarray:
    """erf in numpy: Numerical Recipes' erfc (a Chebyshev fit, fractional error under 1.2e-7
    everywhere); scipy.special has one, but importing scipy costs more than this whole pass."""
    import numpy as np

    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (
            -0.82215223 + t * 0.17087277))))))))
    erfc = t * np.exp(poly)
    return np.where(x >= 0, 1.0 - erfc, erfc - 1.0)


class BertQueryEmbedder:
    """The Embedder of questions: same vectors as sentence-transformers, in numpy, loaded on
    first use (about 0.1 s: the weights are memory-mapped safetensors)."""

    def __init__(self, folder: Path, name: str) -> None:
        self.folder = folder
        self.name = name
        self._weights: dict[str, np.ndarray] | None = None
        self._tokenizer: Any = None
        self._config: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def dim(self) -> int:
        self._load()
        return int(self._config["hidden_size"])

    @property
    def loaded(self) -> bool:
        return self._weights is not None

    def _load(self) -> dict[str, np.ndarray]:
        with self._lock:
            if self._weights is None:
                import numpy as np
                from safetensors.numpy import load_file
                from tokenizers import Tokenizer

                try:
                    self._config = json.loads((self.folder / "config.json").read_text())
                    st = json.loads((self.folder / "sentence_bert_config.json").read_text())
                    tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
                    raw = load_file(str(self.folder / WEIGHTS))
                except Exception as exc:  # OSError, JSON or safetensors' own errors
                    raise ModelError(f"cannot load embedding model {self.folder}: {exc}") from exc
                # what sentence-transformers asks of the tokenizer: truncate to max_seq_length
                tokenizer.enable_truncation(int(st.get("max_seq_length", 256)))
                tokenizer.no_padding()
                self._tokenizer = tokenizer
                # "bert." prefixes appear in some exports; the encoder's names are the same
                self._weights = {k.removeprefix("bert."): np.asarray(v, dtype=np.float32)
                                 for k, v in raw.items()}
            return self._weights

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text (each text on its own: questions
        come one at a time, and no padding keeps the arithmetic exactly that of one text)."""
        import numpy as np
        from threadpoolctl import threadpool_limits

        w = self._load()
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # one BLAS thread: these products are small, and OpenBLAS's threads spinning on a busy
        # 2-core machine made them 7 to 14 times slower (bench/README.md, "Cold question")
        with threadpool_limits(limits=1, user_api="blas"):
            for row, text in enumerate(texts):
                ids = self._tokenizer.encode(text).ids
                out[row] = self._forward(w, np.asarray(ids, dtype=np.int64))
        return out

    def _forward(self, w: dict[str, np.ndarray], ids: np.ndarray) -> np.ndarray:
        import numpy as np

        c = self._config
        eps = float(c.get("layer_norm_eps", 1e-12))
        heads = int(c["num_attention_heads"])

        def norm(x: np.ndarray, p: str) -> np.ndarray:
            mean = x.mean(-1, keepdims=True)
            var = ((x - mean) ** 2).mean(-1, keepdims=True)
            return (x - mean) / np.sqrt(var + eps) * w[f"{p}.weight"] + w[f"{p}.bias"]

        def dense(x: np.ndarray, p: str) -> np.ndarray:
            return x @ w[f"{p}.weight"].T + w[f"{p}.bias"]

        n = len(ids)
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][:n]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = norm(x, "embeddings.LayerNorm")
        size = x.shape[-1] // heads
        for i in range(int(c["num_hidden_layers"])):
            p = f"encoder.layer.{i}"
            q, k, v = (dense(x, f"{p}.attention.self.{m}").reshape(n, heads, size).transpose(1, 0, 2)
                       for m in ("query", "key", "value"))
            scores = q @ k.transpose(0, 2, 1) / np.sqrt(size)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            context = (scores / scores.sum(-1, keepdims=True)) @ v
            x = norm(dense(context.transpose(1, 0, 2).reshape(n, -1), f"{p}.attention.output.dense")
                     + x, f"{p}.attention.output.LayerNorm")
            h = dense(x, f"{p}.intermediate.dense").astype(np.float64)
            h = (0.5 * h * (1.0 + _erf(h / np.sqrt(2.0)))).astype(np.float32)  # exact GELU
            x = norm(dense(h, f"{p}.output.dense") + x, f"{p}.output.LayerNorm")
        pooled = x.mean(0)
        return pooled / max(float(np.linalg.norm(pooled)), 1e-12)


def query_embedder(settings: EmbeddingSettings, papers: Embedder) -> Embedder:
    """What embeds questions: the numpy pass when the model allows it (all-MiniLM-L6-v2
    does), else `papers`, the embedder of the papers themselves (an injected one, as tests
    and other models use, is always used as it is)."""
    if not isinstance(papers, SentenceTransformerEmbedder):
        return papers
    try:
        folder = resolve_embedding_model(settings.model)
    except ModelError:
        return papers  # told when the papers' embedder loads
    if not supported(folder):
        log.info("questions are embedded by sentence-transformers: %s is not a BERT model "
                 "with mean pooling and safetensors weights", folder)
        return papers
    return BertQueryEmbedder(folder, settings.model)
