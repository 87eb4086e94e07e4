"""Plain data that crosses the core's public API (picklable, no behaviour)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


# ---------------------------------------------------------------- ingest data
@dataclass(frozen=True)
class PaperMeta:
    title: str = ""
    authors: tuple[str, ...] = ()
    year: int | None = None
    doi: str | None = None


@dataclass(frozen=True)
class Page:
    number: int  # 1-based, as pypdf counts
    text: str  # cleaned text
    sections: tuple[tuple[int, str], ...] = ()  # (char offset in text, section name) where a section starts


@dataclass(frozen=True)
class ParsedDocument:
    path: Path
    pages: tuple[Page, ...]
    meta: PaperMeta
    warnings: tuple[str, ...] = ()
    sha256: str = ""  # of the bytes that were parsed: the paper's identity


@dataclass(frozen=True)
class Chunk:
    ordinal: int  # position in the paper
    text: str
    page_start: int
    page_end: int
    section: str  # "abstract", "introduction", "methods", "results", "discussion", "references", "appendix", "body"


# ---------------------------------------------------------------- library data
@dataclass(frozen=True)
class Paper:
    doc_id: str
    title: str
    authors: tuple[str, ...]
    year: int | None
    doi: str | None
    pages: int
    chunks: int
    path: Path
    sha256: str
    added_at: float


@dataclass(frozen=True)
class Evidence:
    chunk_id: int
    doc_id: str
    title: str
    pdf_path: Path
    page: int  # page the passage starts on
    page_end: int
    section: str
    text: str
    score: float


@dataclass(frozen=True)
class Citation:
    n: int  # the [n] in the answer
    doc_id: str
    title: str
    pdf_path: Path
    page: int
    quote: str  # verbatim from the stored page text
    supported: bool  # the sentences citing it passed the grounding check


@dataclass(frozen=True)
class Sentence:
    text: str
    cites: tuple[int, ...]
    supported: bool
    reason: str = ""  # why unsupported: e.g. "'0.003' not in [2]"


@dataclass(frozen=True)
class Timings:
    retrieve_s: float = 0.0
    first_token_s: float | None = None
    total_s: float = 0.0


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    abstained: bool
    citations: tuple[Citation, ...]
    evidence: tuple[Evidence, ...]
    sentences: tuple[Sentence, ...]
    model: str | None
    timings: Timings = field(default_factory=Timings)
    # "generated": the model's sentences, checked; "quoted": the model's draft failed the check
    # and the answer is the best-matching verbatim sentence of the evidence; "evidence": no
    # model was asked; "not_reported": the evidence does not hold the answer.
    mode: str = "generated"


@dataclass(frozen=True)
class ModelInfo:
    name: str
    path: Path
    kind: str  # "gguf" or "embedding"
    size_mb: float
    default: bool


@dataclass(frozen=True)
class DoctorReport:
    papers: int
    chunks: int
    vectors: int
    problems: tuple[str, ...]
    repaired: tuple[str, ...]
    consistent: bool


# ---------------------------------------------------------------- events
@dataclass(frozen=True)
class BatchStarted:
    total: int  # files found


@dataclass(frozen=True)
class FileStarted:
    index: int  # 1-based
    total: int
    path: Path


@dataclass(frozen=True)
class FileProgress:
    path: Path
    stage: str  # "reading", "embedding", "indexing"
    done: int
    total: int


@dataclass(frozen=True)
class FileResult:
    index: int
    total: int
    path: Path
    status: str  # "added" | "unchanged" | "replaced" | "failed"
    doc_id: str | None = None
    title: str | None = None
    pages: int = 0
    chunks: int = 0
    error: str | None = None


@dataclass(frozen=True)
class BatchFinished:
    added: int
    unchanged: int
    replaced: int
    failed: int
    cancelled: bool


IngestEvent = BatchStarted | FileStarted | FileProgress | FileResult | BatchFinished


@dataclass(frozen=True)
class Retrieved:
    evidence: tuple[Evidence, ...]
    seconds: float


@dataclass(frozen=True)
class Token:
    text: str


@dataclass(frozen=True)
class AnswerDone:
    answer: Answer


AnswerEvent = Retrieved | Token | AnswerDone
