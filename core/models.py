"""Finding model files: GGUF chat models in the models folders, the embedding model."""

from __future__ import annotations

from pathlib import Path

from core.errors import ModelError
from core.settings import DEFAULT_GGUF, Settings
from core.types import ModelInfo


def gguf_files(settings: Settings) -> list[Path]:
    found: dict[Path, None] = {}
    for folder in settings.models_dirs:
        if folder.is_dir():
            for path in sorted(folder.glob("*.gguf")):
                found[path.resolve()] = None
    if settings.llm.model_path and settings.llm.model_path.is_file():
        found[settings.llm.model_path.resolve()] = None
    return list(found)


def default_gguf(settings: Settings) -> Path:
    """The chat model to use: the configured one, else the shipped default, else any GGUF."""
    if settings.llm.model_path is not None:
        return settings.llm.model_path
    files = gguf_files(settings)
    for path in files:
        if path.name == DEFAULT_GGUF:
            return path
    if files:
        return files[0]
    raise ModelError(
        "no GGUF chat model found: run `make setup` to place the default model in models/, "
        "or put any instruct .gguf file there (or pass --model FILE.gguf)"
    )


def find_models(settings: Settings) -> list[ModelInfo]:
    """Every model Lantern can use, the ones in use marked default."""
    try:
        current = default_gguf(settings).resolve()
    except ModelError:
        current = None
    models = [
        ModelInfo(p.name, p, "gguf", round(p.stat().st_size / 2**20, 1), p == current)
        for p in gguf_files(settings)
    ]
    try:
        from core.embed import resolve_embedding_model

        emb = resolve_embedding_model(settings.embedding.model)
        size = sum(f.stat().st_size for f in emb.rglob("*") if f.is_file())
        models.append(
            ModelInfo(settings.embedding.model, emb, "embedding", round(size / 2**20, 1), True)
        )
    except ModelError:
        pass
    return models
