"""Plain data that crosses the core's public API (picklable, no behaviour)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Literal

# How an answer was made. "generated": the model's sentences, checked; "quoted": the model's
# draft failed the check and the answer is the best-matching verbatim sentence of the
# evidence; "evidence": no model was asked; "not_reported": the evidence does not hold it.
AnswerMode = Literal["generated", "quoted", "evidence", "not_reported"]
FileStatus = Literal["added", "unchanged", "replaced", "failed", "updated", "skipped"]
IngestStage = Literal["reading", "ocr", "loading the embedding model", "embedding", "indexing"]
ModelKind = Literal["gguf", "judge", "embedding"]
ExtractMode = Literal["llm", "no-llm"]
Progress = Callable[[int, int], None]  # (done, total) of a long job, e.g. compacting


class CellStatus(StrEnum):
    """Whether a paper reports what a question asks (the stored value is the string)."""

    REPORTED = "reported"
    NOT_REPORTED = "not reported"


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
    ocr: bool = False  # the text was recognised from the page image, not taken from a text layer


@dataclass(frozen=True)
class ParsedDocument:
    path: Path
    pages: tuple[Page, ...]
    meta: PaperMeta
    warnings: tuple[str, ...] = ()
    sha256: str = ""  # of the bytes that were parsed: the paper's identity
    ocr_language: str | None = None  # the Tesseract language its OCR pages were read with
    notice: str = ""  # what the `add` line must say (e.g. OCR text that looks unreadable)


def page_label(page: int | None, page_end: int | None = None) -> str:
    """"p. 5", or "pp. 5–6" for a quote that runs onto the next page; "" without a page."""
    if page is None:
        return ""
    return f"pp. {page}–{page_end}" if page_end else f"p. {page}"


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
    ocr: bool = False  # that page's text was recognised by OCR: the quote is "OCR text"
    page_end: int | None = None  # the quote runs onto this next page (its end is there)

    @property
    def pages(self) -> str:
        """"p. 5", or "pp. 5–6" for a quote that runs onto the next page."""
        return page_label(self.page, self.page_end)


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
    # as the model's tokenizer counts them: on a CPU the prompt's length is the wait for the
    # first token; None when no model was asked
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    judge_s: float | None = None  # the judge's calls, after the draft; None when it did not run


@dataclass(frozen=True, kw_only=True)
class Answer:
    question: str
    answer: str
    abstained: bool
    citations: tuple[Citation, ...]
    evidence: tuple[Evidence, ...]
    sentences: tuple[Sentence, ...]
    model: str | None
    timings: Timings = field(default_factory=Timings)
    mode: AnswerMode = "generated"
    # `answer` holds verified text only; the model's raw text is kept here, unchecked
    draft: str = ""
    # the paper name the question gave, by which it was asked of that paper only ("RoBERTa");
    # "" when the scope was all papers or the user's selection
    auto_scope: str = ""
    # papers of the scope searched by their words only: their vectors were not computed yet
    keyword_only: int = 0
    # a chat model judged whether the shown sentence states what was asked (answers.judge)
    judged: bool = False
    judge: str | None = None  # the name of the model that judged (the chat or the judge model)


@dataclass(frozen=True)
class Conversation:
    id: str
    title: str
    created_at: float
    turns: int


@dataclass(frozen=True)
class ModelInfo:
    name: str
    path: Path
    kind: ModelKind
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
    resumed: int = 0  # of them, files an interrupted run left queued (told once the lock is held)
    notes: tuple[str, ...] = ()  # what the user should know first (e.g. a newer Zotero schema)


@dataclass(frozen=True)
class FileStarted:
    index: int  # 1-based
    total: int
    path: Path


@dataclass(frozen=True)
class FileProgress:
    path: Path
    stage: IngestStage  # "ocr": done/total pages of a scan recognised
    done: int
    total: int


@dataclass(frozen=True)
class FileResult:
    index: int
    total: int
    path: Path
    # from Zotero also "updated" (its metadata changed, the file did not) and "skipped" (no
    # file to read; `error` says why)
    status: FileStatus
    doc_id: str | None = None
    title: str | None = None
    pages: int = 0
    chunks: int = 0
    error: str | None = None
    notice: str = ""  # said on the file's line: the paper was stored, but look at it


@dataclass(frozen=True)
class BatchFinished:
    added: int
    unchanged: int
    replaced: int
    failed: int
    cancelled: bool
    updated: int = 0  # Zotero imports only
    skipped: int = 0


@dataclass(frozen=True)
class Embedded:
    """A paper's vectors are saved: it was searchable by its words, now it is indexed."""

    doc_id: str
    title: str
    done: int  # papers embedded in this run, of
    total: int


IngestEvent = BatchStarted | FileStarted | FileProgress | FileResult | BatchFinished | Embedded


@dataclass(frozen=True)
class Retrieved:
    evidence: tuple[Evidence, ...]
    seconds: float
    auto_scope: str = ""  # as Answer.auto_scope, known before the model writes
    keyword_only: int = 0  # as Answer.keyword_only


@dataclass(frozen=True)
class Token:
    text: str


@dataclass(frozen=True)
class AnswerDone:
    answer: Answer


AnswerEvent = Retrieved | Token | AnswerDone


# ---------------------------------------------------------------- extraction
@dataclass(frozen=True, kw_only=True)
class Cell:
    """One paper's answer to one question, with the verbatim quote that supports it."""

    status: CellStatus
    answer: str = ""  # short answer; "" when not reported
    quote: str = ""  # verbatim from the stored page text
    page: int | None = None
    page_end: int | None = None  # the quote runs onto this next page (its end is there)
    supported: bool = False  # the answer passed the grounding check against the quote
    grounding: AnswerMode = "not_reported"  # how the answer was made (see AnswerMode)
    unsupported: tuple[str, ...] = ()  # the model's sentences that failed the check, with why
    model: str | None = None
    seconds: float = 0.0

    @property
    def reported(self) -> bool:
        return self.status == CellStatus.REPORTED

    @property
    def pages(self) -> str:
        """"p. 5", "pp. 5–6" for a quote that runs onto the next page, "" without a page."""
        return page_label(self.page, self.page_end)


NOT_REPORTED_CELL = Cell(status=CellStatus.NOT_REPORTED)


@dataclass(frozen=True)
class Row:
    """A paper and its cells by question id (None: not extracted yet, or the question changed)."""

    paper: Paper
    cells: dict[str, Cell | None]


@dataclass(frozen=True)
class ExtractStarted:
    set_id: str
    total: int  # cells: papers x questions
    cached: int  # of them already stored, not computed again


@dataclass(frozen=True)
class CellStarted:
    index: int  # 1-based over all cells
    total: int
    doc_id: str
    title: str
    question_id: str
    label: str
    eta_s: float | None = None  # time left for the cells still to compute; None until one is


@dataclass(frozen=True)
class CellDone:
    index: int
    total: int
    doc_id: str
    title: str
    question_id: str
    label: str
    cell: Cell
    cached: bool


@dataclass(frozen=True)
class ExtractFinished:
    computed: int
    cached: int
    reported: int
    not_reported: int
    cancelled: bool
    seconds: float


ExtractEvent = ExtractStarted | CellStarted | CellDone | ExtractFinished
