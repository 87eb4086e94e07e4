"""The one place objects become plain dicts and back: answers (the CLI's JSON contract and
stored conversation turns), extraction cells (stored and exported), papers; and answers as
Markdown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from core.mdtext import md_text
from core.types import (
    Answer,
    Cell,
    CellStatus,
    Citation,
    Evidence,
    Paper,
    Sentence,
    Timings,
    page_label,
)

OCR_LABEL = " (OCR text)"  # after a page number whose text was recognised from its image


def paper_to_dict(p: Paper) -> dict[str, Any]:
    return {"doc_id": p.doc_id, "title": p.title, "authors": list(p.authors), "year": p.year,
            "doi": p.doi, "pages": p.pages, "chunks": p.chunks, "path": str(p.path)}


def cell_to_dict(cell: Cell) -> dict[str, Any]:
    return {**asdict(cell), "status": cell.status.value, "unsupported": list(cell.unsupported)}


def cell_from_dict(d: dict[str, Any]) -> Cell:
    return Cell(**{**d, "status": CellStatus(d["status"]),
                   "unsupported": tuple(d.get("unsupported", ()))})


def evidence_to_dict(e: Evidence) -> dict[str, Any]:
    return {
        "doc_id": e.doc_id,
        "title": e.title,
        "pdf_path": str(e.pdf_path),
        "page": e.page,
        "page_end": e.page_end,
        "section": e.section,
        "text": e.text,
        "score": e.score,
        "chunk_id": e.chunk_id,
    }


def answer_to_dict(a: Answer) -> dict[str, Any]:
    return {
        "question": a.question,
        "answer": a.answer,
        "abstained": a.abstained,
        "citations": [
            {"n": c.n, "doc_id": c.doc_id, "title": c.title, "pdf_path": str(c.pdf_path),
             "page": c.page, "quote": c.quote, "supported": c.supported, "ocr": c.ocr,
             **({"page_end": c.page_end} if c.page_end else {})}
            for c in a.citations
        ],
        "evidence": [evidence_to_dict(e) for e in a.evidence],
        "sentences": [
            {"text": s.text, "cites": list(s.cites), "supported": s.supported, "reason": s.reason}
            for s in a.sentences
        ],
        "model": a.model,
        "mode": a.mode,
        "draft": a.draft,
        "auto_scope": a.auto_scope,
        "keyword_only": a.keyword_only,
        "judged": a.judged,
        "judge": a.judge,
        "timings": {
            "retrieve_s": round(a.timings.retrieve_s, 4),
            "first_token_s": None if a.timings.first_token_s is None else round(a.timings.first_token_s, 4),
            "total_s": round(a.timings.total_s, 4),
            "prompt_tokens": a.timings.prompt_tokens,
            "completion_tokens": a.timings.completion_tokens,
            "judge_s": None if a.timings.judge_s is None else round(a.timings.judge_s, 4),
        },
    }


def answer_from_dict(d: dict[str, Any]) -> Answer:
    return Answer(
        question=d["question"],
        answer=d["answer"],
        abstained=d["abstained"],
        citations=tuple(
            Citation(c["n"], c["doc_id"], c["title"], Path(c["pdf_path"]), c["page"], c["quote"],
                     c["supported"], c.get("ocr", False), c.get("page_end"))
            for c in d["citations"]
        ),
        evidence=tuple(
            Evidence(e["chunk_id"], e["doc_id"], e["title"], Path(e["pdf_path"]), e["page"],
                     e["page_end"], e["section"], e["text"], e["score"])
            for e in d["evidence"]
        ),
        sentences=tuple(
            Sentence(s["text"], tuple(s["cites"]), s["supported"], s["reason"]) for s in d["sentences"]
        ),
        model=d["model"],
        timings=Timings(**d["timings"]),
        mode=d.get("mode", "generated"),
        draft=d.get("draft", ""),
        auto_scope=d.get("auto_scope", ""),
        keyword_only=d.get("keyword_only", 0),
        judged=d.get("judged", False),
        judge=d.get("judge"),
    )


def answer_to_markdown(a: Answer) -> str:
    """The answer with its sources, for pasting into notes. Text from the papers, the model
    and the question is escaped (core.mdtext): it is shown, never rendered as HTML or links."""
    md = md_text
    lines = [f"## {md(a.question)}", ""]
    if a.auto_scope:
        lines += [f"*Scope: {md(a.auto_scope)}, from the question.*", ""]
    if a.abstained:
        lines += [f"**{md(a.answer)}**", ""]
    else:
        # the verified finding first: what the papers say, with paper and page
        for c in a.citations:
            lines += [f"> \"{md(c.quote)}\" [{c.n}]", ""]
        if a.mode == "generated":
            checked = [f"{md(s.text)} {''.join(f'[{n}]' for n in s.cites)}".strip()
                       for s in a.sentences if s.supported]
            if checked:
                lines += [" ".join(checked), ""]
    if a.citations:
        lines += ["### Sources", ""]
        lines += [f"[{c.n}] *{md(c.title)}*, {c.pages}{OCR_LABEL if c.ocr else ''}"
                  for c in a.citations]
        lines.append("")
    drafted = a.sentences  # the draft's, as checked; a quoted answer's quotes are citations
    if any(not s.supported for s in drafted) or (a.mode == "quoted" and a.draft.strip()):
        # the model's draft, folded as the app shows it: unverified sentences struck through
        lines += ["<details><summary>The model's draft (not verified)</summary>", ""]
        for s in drafted:
            lines.append(md(s.text) if s.supported
                         else f"~~{md(s.text)}~~ *(unsupported: {md(s.reason)})*")
        if not drafted:
            lines.append(md(a.draft))
        lines += ["", "</details>", ""]
    if a.evidence:
        lines += ["### Closest passages" if a.abstained else "### Evidence", ""]
        for n, e in enumerate(a.evidence, start=1):
            snippet = md(" ".join(e.text.split())[:300])
            pages = page_label(e.page, e.page_end if e.page_end > e.page else None)
            lines.append(f"{n}. *{md(e.title)}*, {pages} ({md(e.section)}): {snippet}…")
        lines.append("")
    if a.model:
        lines.append(f"*Answered offline by Lantern with {md(a.model)}.*")
    return "\n".join(lines)


def conversation_to_markdown(answers: Sequence[Answer], provenance: dict | None = None) -> str:
    """Answers as one Markdown document; with `provenance` (core.provenance) first, as a
    front-matter block."""
    from core.provenance_io import front_matter

    body = "\n\n---\n\n".join(answer_to_markdown(a) for a in answers) + "\n"
    return (front_matter(provenance) if provenance is not None else "") + body
