"""Lantern's engine: an offline library of papers that answers questions with citations.

No Qt here: the desktop app and the `lantern` CLI are both thin front ends over this API.
"""

from __future__ import annotations

import core.offline  # noqa: F401  (offline switches before any model library is imported)
from core.answer import highlights
from core.errors import (
    IngestError,
    LanternError,
    LibraryDamagedError,
    LibraryLockedError,
    LibraryReadOnlyError,
    ModelError,
    PaperNotFoundError,
    QuestionTooLongError,
    SettingsError,
    as_damage,
)
from core.export import OCR_LABEL, answer_to_dict, answer_to_markdown, cell_to_dict, paper_to_dict
from core.extract import LONG_ESTIMATE_S
from core.extract_export import format_for, write_table
from core.library import Library
from core.models import find_models
from core.paths import printable, shown
from core.questionsets import Question, QuestionSet, QuestionSetError, load_question_set
from core.remote import RemoteGenerator
from core.samples import ensure_samples
from core.settings import RemoteSettings, Settings
from core.types import (
    Answer,
    AnswerDone,
    BatchFinished,
    BatchStarted,
    Cell,
    CellDone,
    CellStarted,
    CellStatus,
    Citation,
    Conversation,
    Evidence,
    ExtractEvent,
    ExtractFinished,
    ExtractStarted,
    FileProgress,
    FileResult,
    FileStarted,
    ModelInfo,
    Paper,
    Retrieved,
    Row,
    Sentence,
    Token,
)
from core.zotero import default_data_dir as default_zotero_dir

__all__ = [
    "default_zotero_dir",
    "OCR_LABEL",
    "LONG_ESTIMATE_S",
    "Answer",
    "AnswerDone",
    "BatchFinished",
    "BatchStarted",
    "Cell",
    "CellDone",
    "CellStarted",
    "CellStatus",
    "Citation",
    "Conversation",
    "Evidence",
    "ExtractEvent",
    "ExtractFinished",
    "ExtractStarted",
    "FileProgress",
    "FileResult",
    "FileStarted",
    "IngestError",
    "LanternError",
    "Library",
    "LibraryDamagedError",
    "LibraryLockedError",
    "LibraryReadOnlyError",
    "ModelError",
    "ModelInfo",
    "Paper",
    "PaperNotFoundError",
    "Question",
    "QuestionSet",
    "QuestionSetError",
    "QuestionTooLongError",
    "RemoteGenerator",
    "RemoteSettings",
    "Retrieved",
    "Row",
    "Sentence",
    "Settings",
    "SettingsError",
    "Token",
    "answer_to_dict",
    "answer_to_markdown",
    "as_damage",
    "cell_to_dict",
    "ensure_samples",
    "find_models",
    "highlights",
    "format_for",
    "load_question_set",
    "printable",
    "shown",
    "paper_to_dict",
    "write_table",
]
