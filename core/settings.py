"""One typed Settings object, loaded once per entry point and passed down."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core.errors import SettingsError

APP_NAME = "Lantern"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
# the model that judges a small chat model's answers (answers.judge; scripts/bootstrap.sh
# places it from PyPI): in a folder of its own, so it is not offered as a chat model
DEFAULT_JUDGE_GGUF = "judge/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
NEW_LIBRARY_PIECES = 128  # EmbeddingSettings.max_pieces of a library made by this version
OLD_LIBRARY_PIECES = 256  # ... of one made before (sentence-transformers' own cut for MiniLM)


class _Section(BaseModel):
    # Frozen: a change is a new Settings (`settings.model_copy(update=...)`, or `replace`
    # below), so whoever holds one never sees it change under them, e.g. mid-job.
    model_config = ConfigDict(extra="forbid", frozen=True)


class EmbeddingSettings(_Section):
    model: str = Field("all-MiniLM-L6-v2", description="sentence-transformers model name or folder")
    # 8, with each paper's chunks embedded in order of length: 1.6x the chunks/s of 32 on a
    # quiet 2-core machine (bench/embedding.py; bench/README.md, "Embedding batch size")
    batch_size: int = Field(8, ge=1, le=1024)
    # A text's first word pieces that are embedded (the model's own maximum, if lower).
    # all-MiniLM-L6-v2 was trained on texts of at most 128; sentence-transformers would read
    # 256. On the 23 evalset papers, 128 gave the same evidence as 256 on cq_dev and cq_dev2,
    # in 44% less embedding time (bench/truncation.py; bench/README.md). None: the library's
    # own (core.library.embedding_cut): NEW_LIBRARY_PIECES for a new library, 256 for one
    # whose papers came before the setting, so that their vectors are kept. Part of the
    # index's name: vectors cut otherwise are never mixed with these.
    max_pieces: int | None = Field(None, ge=16, le=8192,
                                   description="word pieces of a text embedded")


class ChunkSettings(_Section):
    # a chunk's vector is of its first EmbeddingSettings.max_pieces word pieces (128: ~500
    # characters); keyword search reads it whole
    max_chars: int = Field(800, ge=200, le=8000, description="upper bound of a chunk's length")
    overlap_chars: int = Field(150, ge=0, le=2000, description="sentences carried into the next chunk")


class IngestSettings(_Section):
    timeout_s: float = Field(90.0, gt=0, description="per-file time limit for reading a PDF")
    max_pages: int = Field(3000, ge=1, description="files with more pages are refused")
    max_file_mb: int = Field(512, ge=1, description="files larger than this are refused")
    memory_limit_mb: int = Field(4096, ge=128, description="address-space cap of the PDF reader")
    # 2: a batch is read in two processes, the next files ahead of the one being stored;
    # searchable in about half the time on 2 cores (bench/coldstart.py; bench/README.md)
    readers: int = Field(2, ge=1, le=16, description="PDF reader processes of a batch")


class OcrSettings(_Section):
    mode: Literal["auto", "force", "off"] = Field(
        "auto",
        description="auto: pages without a usable text layer; force: every page; off: never",
    )
    language: str = Field(
        "eng", pattern=r"^[A-Za-z_]+(\+[A-Za-z_]+)*$",
        description="Tesseract language code(s), e.g. 'eng' or 'eng+deu'",
    )
    # 200 dpi read noisy 150 and 300 dpi scans best (bench/README.md, "OCR")
    dpi: int = Field(200, ge=72, le=600, description="resolution pages are rendered at for OCR")
    page_timeout_s: float = Field(
        120.0, gt=0, description="OCR time limit per page (the reader's own limit covers the rest)"
    )
    tesseract: Path | None = Field(None, description="tesseract program; None finds it on PATH")


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
    # recorded in every export's provenance: the same model, settings and passages give the
    # same answer again (llama.cpp's sampler is seeded per request)
    seed: int = Field(42, ge=0, le=2**31 - 1, description="sampling seed of the chat model")
    # an answer is a sentence or two beside its quotes (~35 words); a longer draft only costs
    # time. 48 and 80 gave the same answers on both question sets, and 48 ends the answer
    # ~0.4 s sooner on 2 cores (bench/README.md, "The draft's length")
    max_tokens: int = Field(48, ge=16, le=4096, description="cap on the length of an answer")
    # 224: SmolLM2 reads ~7 ms/token of prompt on 2 cores, so the first token comes ~1.5 s
    # after the question (bench/README.md); a model on a lab server can be given more
    max_prompt_tokens: int = Field(
        224, ge=128, description="cap on the excerpts in the prompt: prompt length dominates CPU latency"
    )


class AnswerSettings(_Section):
    """How an answer is checked beyond grounding."""

    judge: Literal["auto", "on", "off"] = Field(
        "auto",
        description="a chat model judges whether each candidate sentence states what was asked "
                    "(YES/NO, after the draft); auto: a model server or a GGUF of 1B+ parameters "
                    "judges its own answers, and a smaller one's (the built-in SmolLM2-135M "
                    "judges poorly) are judged by the judge model when there is one",
    )
    judge_model: Path | None = Field(
        None, description="GGUF that judges a small chat model's answers; None: the bundled one "
                          f"(models/{DEFAULT_JUDGE_GGUF}) when it is there")


class RemoteSettings(_Section):
    """A model server on the local network (OpenAI-compatible: llama.cpp's server, vLLM,
    Ollama's /v1). Only generation goes there; retrieval and grounding stay on this computer."""

    enabled: bool = Field(False, description="answer with this server, not the built-in model")
    url: str | None = Field(None, description="e.g. http://lab-server:8000/v1")
    model: str = Field("", description="model name on the server; empty: the only one it lists")
    api_key_env: str | None = Field(
        None, description="NAME of the environment variable holding the key (never the key)"
    )
    connect_timeout_s: float = Field(5.0, gt=0, le=600)
    read_timeout_s: float = Field(120.0, gt=0, le=3600, description="longest wait for a token")
    answer_deadline_s: float = Field(
        120.0, gt=0, le=3600,
        description="longest time for a whole answer: the stream is stopped and closed then",
    )
    n_ctx: int = Field(4096, ge=512, le=1_048_576, description="the server model's context size")

    @field_validator("url")
    @classmethod
    def _base_url(cls, url: str | None) -> str | None:
        """http(s)://host[:port][/path]; a bare server address gets the usual /v1."""
        url = (url or "").strip().rstrip("/")
        if not url:
            return None
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"{url!r} is not a server address: write it as http://HOST:PORT/v1"
            )
        try:
            parts.port  # noqa: B018 - raises on a malformed port
        except ValueError as exc:
            raise ValueError(f"{url!r}: the port is not a number 1-65535") from exc
        if parts.query or parts.fragment or parts.username:
            raise ValueError(f"{url!r}: give the server address only, e.g. http://HOST:PORT/v1")
        return url if parts.path else url + "/v1"

    @model_validator(mode="after")
    def _address_if_enabled(self) -> RemoteSettings:
        if self.enabled and not self.url:
            raise ValueError("a model server is switched on but has no address (remote.url)")
        return self

    @field_validator("api_key_env")
    @classmethod
    def _env_name(cls, name: str | None) -> str | None:
        name = (name or "").strip()
        if name and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ValueError(
                f"{name!r} is not an environment variable name: give the variable's NAME "
                "(e.g. LAB_API_KEY), never the key itself"
            )
        return name or None


class Settings(_Section):
    library: Path = Field(default_factory=lambda: default_library_dir())
    models_dirs: list[Path] = Field(default_factory=lambda: default_models_dirs())
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chunking: ChunkSettings = Field(default_factory=ChunkSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    ocr: OcrSettings = Field(default_factory=OcrSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    remote: RemoteSettings = Field(default_factory=RemoteSettings)
    answers: AnswerSettings = Field(default_factory=AnswerSettings)

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

    def check_change_while_open(self, new: Settings) -> None:
        """Raise SettingsError if `new` changes what an open library keeps: its folder, and
        the embedding, chunking, ingest and OCR settings that shape what is stored (open the
        library again for those)."""
        fixed = ("library", "embedding", "chunking", "ingest", "ocr")
        if any(getattr(new, f) != getattr(self, f) for f in fixed):
            raise SettingsError(
                f"{', '.join(fixed)} settings cannot change while the library is open; "
                "save them and open the library again"
            )

    def index_key(self) -> str:
        """Name of the vector index: what built it, so a change never mixes vectors."""
        built_by = json.dumps(
            {"embedding": self.embedding.model, "chunking": self.chunking.model_dump()}
            | ({"max_pieces": pieces} if (pieces := self.embedding.max_pieces) not in (None, OLD_LIBRARY_PIECES)
               else {}),
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
