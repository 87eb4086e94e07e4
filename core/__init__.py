"""Lantern's engine: an offline library of papers that answers questions with citations.

No Qt here: the desktop app and the `lantern` CLI are both thin front ends over this API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import core.offline  # noqa: F401  (offline switches before any model library is imported)
from core.lazy import lazy_names

if TYPE_CHECKING:  # the names below, imported on first use (a CLI command needs few of them)
    from core.about import provenance as app_provenance
    from core.about import version_text
    from core.annotate import AnnotateReport, Mark, annotate_pdfs, answer_marks, table_marks
    from core.answer import highlights
    from core.chat_models import find_models
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
    from core.extract import LONG_ESTIMATE_S
    from core.extract_export import format_for, write_table
    from core.library import Library
    from core.modelcheck import ModelCheck, check_models
    from core.paths import printable, shown
    from core.provenance import build_provenance, settings_from_provenance
    from core.questionsets import (
        BUILTIN_PREFIX,
        Question,
        QuestionSet,
        QuestionSetError,
        builtin_sets,
        load_question_set,
        parse_question_set,
    )
    from core.remote import RemoteGenerator
    from core.samples import SAMPLE_QUESTION
    from core.serialize import (
        OCR_LABEL,
        answer_to_dict,
        answer_to_markdown,
        cell_to_dict,
        conversation_to_markdown,
        paper_to_dict,
    )
    from core.settings import RemoteSettings, Settings, settings_file
    from core.tables import TableError
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
        Embedded,
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
    from core.verify import VerifyReport, verify_table
    from core.zotero import default_data_dir as default_zotero_dir

# The public names, listed once: name -> (module, name in it). `from core import Library` imports
# core.library and what it needs, not every room of the engine (start-up of `lantern list` and of
# the window). The imports above tell the type checker the same names; tests/core/test_public_api.py
# keeps the two in step.
_MODULES: dict[str, tuple[str, ...]] = {
    "core.about": ("version_text",),
    "core.annotate": ("AnnotateReport", "Mark", "annotate_pdfs", "answer_marks", "table_marks"),
    "core.answer": ("highlights",),
    "core.chat_models": ("find_models",),
    "core.modelcheck": ("ModelCheck", "check_models"),
    "core.errors": (
        "IngestError", "LanternError", "LibraryDamagedError", "LibraryLockedError",
        "LibraryReadOnlyError", "ModelError", "PaperNotFoundError", "QuestionTooLongError",
        "SettingsError", "as_damage",
    ),
    "core.extract": ("LONG_ESTIMATE_S",),
    "core.extract_export": ("format_for", "write_table"),
    "core.library": ("Library",),
    "core.paths": ("printable", "shown"),
    "core.provenance": ("build_provenance", "settings_from_provenance"),
    "core.questionsets": (
        "BUILTIN_PREFIX", "Question", "QuestionSet", "QuestionSetError", "builtin_sets",
        "load_question_set", "parse_question_set",
    ),
    "core.remote": ("RemoteGenerator",),
    "core.samples": ("SAMPLE_QUESTION",),
    "core.serialize": (
        "OCR_LABEL", "answer_to_dict", "answer_to_markdown", "cell_to_dict",
        "conversation_to_markdown", "paper_to_dict",
    ),
    "core.settings": ("RemoteSettings", "Settings", "settings_file"),
    "core.tables": ("TableError",),
    "core.types": (
        "Answer", "AnswerDone", "BatchFinished", "BatchStarted", "Cell", "CellDone", "CellStarted",
        "CellStatus", "Citation", "Conversation", "Embedded", "Evidence", "ExtractEvent",
        "ExtractFinished",
        "ExtractStarted", "FileProgress", "FileResult", "FileStarted", "ModelInfo", "Paper",
        "Retrieved", "Row", "Sentence", "Token",
    ),
    "core.verify": ("VerifyReport", "verify_table"),
}
_ALIASES = {
    "app_provenance": ("core.about", "provenance"),  # not core.provenance (exports' records)
    "default_zotero_dir": ("core.zotero", "default_data_dir"),
}
_LAZY: dict[str, tuple[str, str]] = {
    **{name: (module, name) for module, names in _MODULES.items() for name in names},
    **_ALIASES,
}
__getattr__, __dir__ = lazy_names(__name__, _LAZY)

__all__ = sorted(_LAZY)
