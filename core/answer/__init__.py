"""Answers a small model can be held to: the prompt (prompt.py), what a question asks for
(focus.py), the check of a draft against the passages it cites (grounding.py) and the one
path from question and evidence to a checked answer (generate.py)."""

from __future__ import annotations

from core.answer.finding import finding
from core.answer.focus import (
    Focus,
    best_sentence,
    examples,
    highlights,
    question_terms,
    restates,
    without_examples,
)
from core.answer.generate import draft, generate_grounded, prompt_budget
from core.answer.grounding import (
    NOT_REPORTED,
    UNANSWERED,
    Check,
    Grounded,
    best_quote,
    check_against,
    check_sentence,
    cite,
    ground,
    is_abstention,
    key_terms,
    locate,
)
from core.answer.prompt import SYSTEM_PROMPT, build_messages, excerpts, format_passage
from core.text import cites_of, passage_sentences, split_sentences, strip_cites

__all__ = [
    "NOT_REPORTED",
    "SYSTEM_PROMPT",
    "UNANSWERED",
    "Check",
    "Focus",
    "Grounded",
    "best_quote",
    "best_sentence",
    "build_messages",
    "check_against",
    "check_sentence",
    "cite",
    "cites_of",
    "draft",
    "examples",
    "excerpts",
    "finding",
    "format_passage",
    "generate_grounded",
    "ground",
    "highlights",
    "is_abstention",
    "key_terms",
    "locate",
    "passage_sentences",
    "prompt_budget",
    "question_terms",
    "restates",
    "split_sentences",
    "strip_cites",
    "without_examples",
]
