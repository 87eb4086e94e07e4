"""One typed Settings object, loaded once per entry point and passed down."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.errors import SettingsError

APP_NAME = "Lantern"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


class _Section(BaseModel):
    # Frozen: a change is a new Settings (`settings.model_copy(update=...)`, or `replace`
    # below), so whoever holds one never sees it change under them, e.g. mid-job.
    model_config = ConfigDict(extra="forbid", frozen=True)


class EmbeddingSettings(_Section):
    model: str = Field("all-MiniLM-L6-v2", description="sentence-transformers model name or folder")
    # 8 is about 40% faster than 32 for MiniLM on a CPU (measured: bench/README.md)
    batch_size: int = Field(8, ge=1, le=1024)


class ChunkSettings(_Section):
    # all-MiniLM-L6-v2 reads 256 word pieces (~1,000 characters): longer chunks lose their tail
    max_chars: int = Field(800, ge=200, le=8000, description="upper bound of a chunk's length")
    overlap_chars: int = Field(150, ge=0, le=2000, description="sentences carried into the next chunk")


class IngestSettings(_Section):
    timeout_s: float = Field(90.0, gt=0, description="per-file time limit for reading a PDF")
    max_pages: int = Field(3000, ge=1, description="files with more pages are refused")
    max_file_mb: int = Field(512, ge=1, description="files larger than this are refused")
    memory_limit_mb: int = Field(4096, ge=256, description="address-space cap of the PDF reader")


class RetrievalSettings(_Section):
    k: int = Field(6, ge=1, le=50, description="passages given to the model and shown as evidence")
    candidates: int = Field(40, ge=5, le=500, description="candidates drawn from each retriever")
    # 5, not the customary 60: within one paper a retriever's top hit is often right while the
    # other misses it entirely (bench/compare.py: gold page 40 -> 44 of 47 answerable questions)
    rrf_k: int = Field(5, ge=1, description="reciprocal-rank-fusion constant")
    reference_weight: float = Field(0.15, ge=0, le=1, description="score factor for reference lists")
    max_per_page: int = Field(2, ge=1, description="diversity: passages from one page at most")


class LLMSettings(_Section):
    model_path: Path | None = Field(None, description="GGUF file; None picks the default model")
    n_ctx: int = Field(4096, ge=512, le=131072)
    n_threads: int | None = Field(None, ge=1, description="None uses every core")
    n_gpu_layers: int = Field(0, ge=-1, description="-1 offloads every layer to the GPU")
    temperature: float = Field(0.1, ge=0.0, le=2.0)
    max_tokens: int = Field(320, ge=16, le=4096)
    max_prompt_tokens: int = Field(
        1000, ge=256, description="cap on passages in the prompt: prompt length dominates CPU latency"
    )


class Settings(_Section):
    library: Path = Field(default_factory=lambda: default_library_dir())
    models_dirs: list[Path] = Field(default_factory=lambda: default_models_dirs())
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chunking: ChunkSettings = Field(default_factory=ChunkSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)

    def replace(self, **sections: object) -> Settings:
        """A copy with some fields of some sections changed, validated:
        ``settings.replace(llm={"n_ctx": 2048}, retrieval={"k": 4})``."""
        data = self.model_dump()
        for name, fields in sections.items():
            if isinstance(data.get(name), dict) and isinstance(fields, dict):
                data[name] = {**data[name], **fields}
            else:
                data[name] = fields
        try:
            return type(self).model_validate(data)
        except ValidationError as exc:
            raise SettingsError(f"invalid settings: {exc}") from exc

    def index_key(self) -> str:
        """Name of the vector index: what built it, so a change never mixes vectors."""
        built_by = json.dumps(
            {"embedding": self.embedding.model, "chunking": self.chunking.model_dump()},
            sort_keys=True,
        )
        return hashlib.sha256(built_by.encode()).hexdigest()[:12]

    def chunking_key(self) -> str:
        """What shaped a paper's chunks: a paper chunked otherwise is re-read on the next add."""
        return hashlib.sha256(self.chunking.model_dump_json().encode()).hexdigest()[:12]

    @classmethod
    def load(cls, path: Path | None = None, **overrides: object) -> Settings:
        """Settings from a JSON file (if it exists), then LANTERN_LIBRARY, then overrides."""
        data: dict = {}
        path = path or settings_file()
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise SettingsError(f"{path}: not valid JSON ({exc}); fix or delete it") from exc
        if env_library := os.environ.get("LANTERN_LIBRARY"):
            data["library"] = env_library
        data.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise SettingsError(f"{path}: {exc}") from exc

    def save(self, path: Path | None = None) -> None:
        """Atomically write the settings (temp file + rename)."""
        path = path or settings_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(self.model_dump_json(indent=2), encoding="utf-8")
        tmp.replace(path)


def default_library_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "library"


def default_models_dirs() -> list[Path]:
    return [
        PROJECT_ROOT / "models",
        Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "models",
    ]


def settings_file() -> Path:
    if env := os.environ.get("LANTERN_SETTINGS"):
        return Path(env)
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "settings.json"
