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
from collections import OrderedDict
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
_RECENT = 16  # vectors kept of the texts embedded last
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


# Numerical Recipes' erfc(z) = t exp(-z^2 + P(t)), t = 1 / (1 + z/2): P's coefficients, highest first
_ERFC = (0.17087277, -0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806,
         0.09678418, 0.37409196, 1.00002368, -1.26551223)


def _erf(x: np.ndarray) -> np.ndarray:
    """erf in numpy: Numerical Recipes' erfc (a Chebyshev fit, fractional error under 1.2e-7
    everywhere), in place and in the array's own precision: it is half of the pass's time
    otherwise. scipy.special has one, but importing scipy costs more than this whole pass."""
    import numpy as np

    dtype = x.dtype.type
    z = np.abs(x)
    t = z * dtype(0.5)
    t += dtype(1.0)
    np.reciprocal(t, out=t)
    poly = t * dtype(_ERFC[0])
    for c in _ERFC[1:-1]:
        poly += dtype(c)
        poly *= t
    poly += dtype(_ERFC[-1])
    z *= z
    poly -= z
    np.exp(poly, out=poly)
    poly *= t  # erfc(|x|)
    np.subtract(dtype(1.0), poly, out=poly)
    return np.copysign(poly, x, out=poly)  # erf is odd


class BertQueryEmbedder:
    """The Embedder of questions: same vectors as sentence-transformers, in numpy, loaded on
    first use (about 0.1 s: the weights are memory-mapped safetensors)."""

    def __init__(self, folder: Path, name: str, max_pieces: int | None = None) -> None:
        self.folder = folder
        self.name = name
        self.max_pieces = max_pieces
        self._weights: dict[str, np.ndarray] | None = None
        self._tokenizer: Any = None
        self._config: dict[str, Any] = {}
        self._lock = threading.Lock()
        # the last texts embedded: a question is embedded for retrieval, then again beside
        # the candidate sentences it is compared with (core/answer/meaning.py)
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()

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
                limit = int(st.get("max_seq_length", 256))
                tokenizer.enable_truncation(min(limit, self.max_pieces or limit))
                tokenizer.no_padding()
                self._tokenizer = tokenizer
                # "bert." prefixes appear in some exports; the encoder's names are the same
                self._weights = {k.removeprefix("bert."): np.asarray(v, dtype=np.float32)
                                 for k, v in raw.items()}
            return self._weights

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text (each text on its own: questions
        come one at a time, and no padding keeps the arithmetic exactly that of one text)."""
        return self._embed(texts, together=False)

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of many short texts (answer.meaning's candidate sentences) in one padded
        pass: each text's rows are masked from the others', so a vector differs from embed()'s
        only by the order of float additions (~1e-7)."""
        return self._embed(texts, together=True)

    def _embed(self, texts: Sequence[str], *, together: bool) -> np.ndarray:
        import numpy as np
        from threadpoolctl import threadpool_limits

        w = self._load()
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        with self._lock:
            known = {row: self._recent.get(text) for row, text in enumerate(texts)}
        todo = [row for row, vector in known.items() if vector is None]
        for row, vector in known.items():
            if vector is not None:
                out[row] = vector
        ids = [np.asarray(self._tokenizer.encode(texts[row]).ids, dtype=np.int64) for row in todo]
        # one BLAS thread: these products are small, and OpenBLAS's threads spinning on a busy
        # 2-core machine made them 7 to 14 times slower (bench/README.md, "Cold question")
        with threadpool_limits(limits=1, user_api="blas"):
            vectors: list[np.ndarray] = [np.empty(0)] * len(ids)
            for batch in _batches([len(one) for one in ids]) if together else [[i] for i in
                                                                               range(len(ids))]:
                for i, vector in zip(batch, self._forward(w, [ids[i] for i in batch]),
                                     strict=True):
                    vectors[i] = vector
        with self._lock:
            for row, vector in zip(todo, vectors, strict=True):
                out[row] = self._recent[texts[row]] = vector
                self._recent.move_to_end(texts[row])
            while len(self._recent) > _RECENT:
                self._recent.popitem(last=False)
        return out

    def _forward(self, w: dict[str, np.ndarray], batch: list[np.ndarray]) -> np.ndarray:
        """The pooled, normalised vectors of a batch of token id sequences, padded to the
        longest: a padded position is masked out of every text's attention and pooling."""
        import numpy as np

        c = self._config
        eps = float(c.get("layer_norm_eps", 1e-12))
        heads = int(c["num_attention_heads"])

        def norm(x: np.ndarray, p: str) -> np.ndarray:
            mean = x.mean(-1, keepdims=True)
            var = ((x - mean) ** 2).mean(-1, keepdims=True)
            return (x - mean) / np.sqrt(var + eps) * w[f"{p}.weight"] + w[f"{p}.bias"]

        def dense(x: np.ndarray, p: str) -> np.ndarray:  # one BLAS product for the batch
            flat = x.reshape(-1, x.shape[-1]) @ w[f"{p}.weight"].T
            flat += w[f"{p}.bias"]
            return flat.reshape(*x.shape[:-1], -1)

        b, n = len(batch), max(len(ids) for ids in batch)
        ids = np.zeros((b, n), dtype=np.int64)
        valid = np.zeros((b, n), dtype=bool)
        for i, one in enumerate(batch):
            ids[i, : len(one)], valid[i, : len(one)] = one, True
        mask = np.where(valid, np.float32(0.0), np.float32(-1e9))[:, None, None, :]
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][:n]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = norm(x, "embeddings.LayerNorm")
        size = x.shape[-1] // heads
        for i in range(int(c["num_hidden_layers"])):
            p = f"encoder.layer.{i}"
            q, k, v = (dense(x, f"{p}.attention.self.{m}").reshape(b, n, heads, size)
                       .transpose(0, 2, 1, 3) for m in ("query", "key", "value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(size)
            if not valid.all():
                scores = scores + mask
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            context = (scores / scores.sum(-1, keepdims=True)) @ v
            x = norm(dense(context.transpose(0, 2, 1, 3).reshape(b, n, -1),
                           f"{p}.attention.output.dense") + x, f"{p}.attention.output.LayerNorm")
            h = dense(x, f"{p}.intermediate.dense")
            gelu = _erf(h * np.float32(0.5**0.5))  # exact GELU, h (1 + erf(h / sqrt 2)) / 2
            gelu += np.float32(1.0)
            gelu *= h
            gelu *= np.float32(0.5)
            h = gelu
            x = norm(dense(h, f"{p}.output.dense") + x, f"{p}.output.LayerNorm")
        pooled = (x * valid[..., None]).sum(1) / valid.sum(1, keepdims=True)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


def _batches(lengths: list[int], spread: float = 1.5) -> list[list[int]]:
    """Indexes grouped by length for padded passes: in order of length, a group's longest at
    most `spread` times its shortest, so padding costs a third at most."""
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    groups: list[list[int]] = []
    for i in order:
        if groups and lengths[i] <= spread * lengths[groups[-1][0]]:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


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
    return BertQueryEmbedder(folder, settings.model, settings.max_pieces)
