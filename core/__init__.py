"""Lantern's engine: an offline library of papers that answers questions with citations.

No Qt here: the desktop app and the `lantern` CLI are both thin front ends over this API.
"""

from __future__ import annotations

import core.offline  # noqa: F401  (offline switches before any model library is imported)
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
from core.export import answer_to_dict, answer_to_markdown
from core.extract import (
    Cell,
    CellDone,
    CellStarted,
    ExtractFinished,
    ExtractStarted,
    QuestionSet,
    QuestionSetError,
    Row,
    cell_to_dict,
    extract,
    extract_table,
    format_for,
    load_question_set,
    write_table,
)
from core.library import Conversation, Library
from core.models import find_models
from core.paths import printable, shown
from core.samples import ensure_samples
from core.settings import Settings
from core.types import (
    Answer,
    AnswerDone,
    BatchFinished,
    BatchStarted,
    Citation,
    Evidence,
    FileProgress,
    FileResult,
    FileStarted,
    ModelInfo,
    Paper,
    Retrieved,
    Sentence,
    Token,
)

__all__ = [
    "Answer",
    "AnswerDone",
    "BatchFinished",
    "BatchStarted",
    "Cell",
    "CellDone",
    "CellStarted",
    "Citation",
    "Conversation",
    "Evidence",
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
    "QuestionSet",
    "QuestionSetError",
    "QuestionTooLongError",
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
    "extract",
    "extract_table",
    "find_models",
    "format_for",
    "load_question_set",
    "printable",
    "shown",
    "write_table",
]
