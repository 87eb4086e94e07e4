"""What produced an exported table or answer, recorded beside it so that anyone can re-check it
(`lantern verify`) or re-run it (`settings_from_provenance`).

One dict serves every export: a `provenance` object in JSON, a front-matter block in
Markdown, and `TABLE.csv.provenance.json` beside a CSV (the CSV stays a plain table). Model
files are hashed once and the hash kept in the library folder by (path, size, mtime), so an
export never re-reads gigabytes of weights.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import subprocess
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import ModelError, SettingsError
from core.filehash import cached_sha256
from core.settings import PROJECT_ROOT, Settings

if TYPE_CHECKING:
    from core.library import Library
    from core.questionsets import QuestionSet

log = logging.getLogger(__name__)

FORMAT = 1  # of the provenance record; bumped when a field changes meaning


# ---------------------------------------------------------------- hashing
def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- the record
@functools.cache
def lantern_build() -> dict[str, str]:
    """Version and commit: the bundle's build record, else the checkout's git HEAD (asked
    once per process)."""
    from core.about import app_version, read_build_info

    build = read_build_info()
    commit = str(build.get("commit", "")) or _git_commit()
    return {"version": app_version(build), "commit": commit or "unknown"}


def _git_commit() -> str:
    try:
        done = subprocess.run(["git", "-C", str(PROJECT_ROOT), "rev-parse", "HEAD"],
                              capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def prompt_version() -> str:
    """A hash of the prompt the model answers from (its system prompt and excerpt rule)."""
    from core.answer import judge
    from core.answer.prompt import PER_PASSAGE, SYSTEM_PROMPT

    return text_sha256(json.dumps([SYSTEM_PROMPT, PER_PASSAGE,
                                   judge.messages("{question}", "{sentence}")]))[:16]


def chat_model(settings: Settings, cache_dir: Path) -> dict[str, Any]:
    """The model that wrote the answers: a GGUF file with its sha256, or a server's address
    and model name."""
    if settings.remote.enabled:
        return {"endpoint": settings.remote.url, "model": settings.remote.model or "(the only one)",
                "n_ctx": settings.remote.n_ctx}
    from core.chat_models import default_gguf

    try:
        gguf = default_gguf(settings)
        return {"file": gguf.name, "sha256": cached_sha256(gguf, cache_dir)}
    except (ModelError, OSError) as exc:
        return {"file": None, "error": str(exc)}


def judge_model(settings: Settings, cache_dir: Path) -> dict[str, Any] | None:
    """The judge model that judges a small chat model's answers (answers.judge), with its
    sha256; None when there is none or judging is off. A capable chat model judges its own."""
    if settings.answers.judge == "off" or settings.remote.enabled:
        return None
    from core.chat_models import judge_gguf

    try:
        gguf = judge_gguf(settings)
        return None if gguf is None else {"file": gguf.name, "sha256": cached_sha256(gguf, cache_dir)}
    except (ModelError, OSError) as exc:
        return {"file": None, "error": str(exc)}


def embedding_model(settings: Settings, cache_dir: Path) -> dict[str, Any]:
    from core.embed import embedding_weights, resolve_embedding_model

    name = settings.embedding.model
    try:
        folder = resolve_embedding_model(name)
        weights = embedding_weights(folder)
        return {"model": name, "file": weights.name, "sha256": cached_sha256(weights, cache_dir),
                "max_pieces": settings.embedding.max_pieces}
    except (ModelError, OSError) as exc:
        return {"model": name, "sha256": None, "error": str(exc),
                "max_pieces": settings.embedding.max_pieces}


def result_settings(settings: Settings, use_llm: bool) -> dict[str, Any]:
    """The settings that change which passages are found and what the answers say."""
    out: dict[str, Any] = {
        "use_llm": use_llm,
        "retrieval": settings.retrieval.model_dump(mode="json"),
        "chunking": settings.chunking.model_dump(mode="json"),
        "ocr": settings.ocr.model_dump(mode="json", include={"mode", "language", "dpi"}),
    }
    if use_llm:
        out["llm"] = settings.llm.model_dump(
            mode="json", include={"n_ctx", "temperature", "seed", "max_tokens", "max_prompt_tokens"})
        # the judge model is recorded by its sha256 (judge_model), not by this machine's path
        out["answers"] = settings.answers.model_dump(mode="json", exclude={"judge_model"})
    return out


def question_set_record(qset: QuestionSet) -> dict[str, Any]:
    questions = [{"id": q.id, "label": q.label, "question": q.question,
                  "keywords": list(q.keywords), "sections": list(q.sections)}
                 for q in qset.questions]
    return {"id": qset.id, "title": qset.title, "source": qset.source,
            "sha256": text_sha256(json.dumps(questions, sort_keys=True)), "questions": questions}


def papers_record(library: Library, doc_ids: Sequence[str]) -> list[dict[str, Any]]:
    ids = list(dict.fromkeys(doc_ids))
    keys = library.citekeys(ids)
    out = []
    for doc_id in ids:
        p = library.paper(doc_id)
        out.append({"doc_id": p.doc_id, "sha256": p.sha256, "title": p.title, "year": p.year,
                    "citekey": keys.get(doc_id), "file": p.path.name})
    return out


def build_provenance(
    library: Library, doc_ids: Sequence[str], *, use_llm: bool,
    qset: QuestionSet | None = None, question: str | Sequence[str] | None = None,
    cell_models: Iterable[str | None] = (),
) -> dict[str, Any]:
    """The provenance of a table (qset), an answer (question) or a conversation (its
    questions) over these papers. `cell_models`: the models that made a table's stored cells
    (earlier runs may have used another model than the one set now); recorded as
    model.cells_made_by."""
    settings = library.settings
    record: dict[str, Any] = {
        "format": FORMAT,
        "lantern": dict(lantern_build()),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "model": chat_model(settings, library.root) if use_llm else None,
        "judge": judge_model(settings, library.root) if use_llm else None,
        "embedding": embedding_model(settings, library.root),
        "prompt_version": prompt_version() if use_llm else None,
        "settings": result_settings(settings, use_llm),
    }
    made_by = sorted({m for m in cell_models if m})
    if made_by and record["model"] is not None:
        record["model"]["cells_made_by"] = made_by
    if qset is not None:
        record["question_set"] = question_set_record(qset)
    if isinstance(question, str):
        record["question"] = question
    elif question is not None:  # a conversation
        record["questions"] = list(question)
    record["papers"] = papers_record(library, doc_ids)
    return record


# ---------------------------------------------------------------- re-running
def settings_from_provenance(record: dict[str, Any], base: Settings) -> Settings:
    """`base` with the recorded settings that shape results, and the recorded chat model (found
    by its sha256 among the GGUF files Lantern knows), so a re-run gives the same cells."""
    from core.chat_models import gguf_files

    recorded = record.get("settings") or {}
    changes: dict[str, Any] = {
        name: recorded[name] for name in ("retrieval", "chunking", "ocr") if name in recorded
    }
    for name in ("llm", "answers"):
        if name in recorded:
            changes[name] = recorded[name]
    embedding = record.get("embedding") or {}
    if embedding.get("model"):
        # the word pieces embedded: recorded since they became the library's own (None before)
        changes["embedding"] = {"model": embedding["model"],
                                "max_pieces": embedding.get("max_pieces")}
    model = record.get("model") or {}
    if model.get("endpoint"):
        changes["remote"] = {"enabled": True, "url": model["endpoint"],
                             "model": "" if model.get("model") == "(the only one)" else model["model"]}
    elif model.get("sha256"):
        cache_dir = base.library
        match = next((p for p in gguf_files(base)
                      if p.stat().st_size and cached_sha256(p, cache_dir) == model["sha256"]), None)
        if match is None:
            raise SettingsError(f"the recorded model {model.get('file')} (sha256 "
                                f"{model['sha256'][:12]}…) is not among your GGUF files")
        changes["llm"] = {**changes.get("llm", {}), "model_path": match}
        changes["remote"] = {"enabled": False}
    return base.replace(**changes)
