"""Extraction tables as files: wide or long CSV (opens cleanly in a spreadsheet), JSON, Markdown."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path

from core.mdtext import md_text
from core.provenance_io import front_matter, sidecar_path
from core.questionsets import QuestionSet
from core.types import Cell, Row

FORMATS = {".csv": "csv", ".md": "md", ".markdown": "md", ".json": "json"}
LONG_FIELDS = ("doc_id", "title", "question_id", "label", "status", "answer", "quote", "page",
               "page_end", "supported", "grounding")
PAPER_FIELDS = ("doc_id", "title", "authors", "year", "file")
MD_QUOTE_CHARS = 160


def format_for(path: Path | str) -> str | None:
    """The export format a file name asks for ("csv", "md", "json"), or None."""
    return FORMATS.get(Path(path).suffix.lower())


def write_table(
    rows: Sequence[Row], qset: QuestionSet, path: Path | str, fmt: str | None = None, *,
    long: bool = False, citekeys: dict[str, str] | None = None,
    provenance: dict | None = None,
) -> Path:
    """Write the table atomically (a temp file renamed over the target); return the path.
    Markdown cells cite `[@citekey, p. N]` (`pp. N–M` for a quote that runs onto the next
    page), with `citekeys` (doc_id -> key, e.g. from Zotero) where given and keys made from
    the metadata elsewhere. `provenance` (core.provenance) goes into the JSON, a Markdown
    front-matter block, or TABLE.csv.provenance.json beside a CSV."""
    path = Path(path)
    fmt = fmt or format_for(path)
    if fmt == "csv":
        # UTF-8 with a BOM: spreadsheet programs otherwise guess a legacy encoding
        text, encoding = (long_csv(rows, qset) if long else wide_csv(rows, qset)), "utf-8-sig"
    elif fmt == "json":
        text, encoding = to_json(rows, qset), "utf-8"
        if provenance is not None:
            data = {"provenance": provenance, **json.loads(text)}
            text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    elif fmt == "md":
        text, encoding = to_markdown(rows, qset, citekeys), "utf-8"
        if provenance is not None:
            text = front_matter(provenance) + text
    else:
        raise ValueError(f"unknown export format {fmt!r}: use csv, md or json")
    if fmt == "csv" and provenance is not None:  # first: a table is never left without it
        write_atomic(sidecar_path(path),
                     json.dumps(provenance, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return write_atomic(path, text, encoding)


def write_atomic(path: Path, text: str, encoding: str) -> Path:
    """Write text to a temp file beside `path`, then rename it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with tmp.open("w", encoding=encoding, newline="") as fh:
            fh.write(text)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


# Cells a spreadsheet would run as a formula (=HYPERLINK(...) from a paper's text): OWASP's
# "CSV Injection" advice is to start them with a single quote, which shows them as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A CSV field that a spreadsheet shows as text, never evaluates."""
    text = "" if value is None else str(value)
    if text.lstrip(" ").startswith(_FORMULA_START):
        return "'" + text
    return text


def one_line(text: str) -> str:
    return " ".join(text.split())


def evidence_text(cell: Cell | None) -> str:
    """'p. N: quote' ('pp. N–M: quote' for a quote that runs onto the next page) for a
    reported cell, else ''."""
    if cell is None or not cell.reported:
        return ""
    return f"{cell.pages}: {one_line(cell.quote)}"


def answer_text(cell: Cell | None) -> str:
    if cell is None:
        return ""  # not extracted yet
    return one_line(cell.answer) if cell.reported else cell.status


def _paper_values(row: Row) -> list[str]:
    p = row.paper
    return [p.doc_id, one_line(p.title), "; ".join(p.authors), str(p.year or ""), p.path.name]


def long_records(rows: Sequence[Row], qset: QuestionSet) -> list[dict]:
    """One record per paper and question (LONG_FIELDS)."""
    out = []
    for row in rows:
        for q in qset.questions:
            cell = row.cells.get(q.id)
            out.append({
                "doc_id": row.paper.doc_id, "title": one_line(row.paper.title),
                "question_id": q.id, "label": q.label,
                "status": cell.status if cell else "",
                "answer": one_line(cell.answer) if cell else "",
                "quote": one_line(cell.quote) if cell else "",
                "page": cell.page if cell else None,
                "page_end": cell.page_end if cell else None,
                "supported": cell.supported if cell else None,
                "grounding": cell.grounding if cell else "",
            })
    return out


def wide_csv(rows: Sequence[Row], qset: QuestionSet) -> str:
    """One row per paper: its details, then per question `<label>` and `<label> evidence`."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    labels = [c for q in qset.questions for c in (q.label, f"{q.label} evidence")]
    writer.writerow([csv_cell(v) for v in (*PAPER_FIELDS, *labels)])
    for row in rows:
        cells = [row.cells.get(q.id) for q in qset.questions]
        values = [*_paper_values(row), *(v for c in cells for v in (answer_text(c), evidence_text(c)))]
        writer.writerow([csv_cell(v) for v in values])
    return buf.getvalue()


def long_csv(rows: Sequence[Row], qset: QuestionSet) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, LONG_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for record in long_records(rows, qset):
        writer.writerow({k: csv_cell(v) for k, v in record.items()})
    return buf.getvalue()


def to_json(rows: Sequence[Row], qset: QuestionSet) -> str:
    data = {
        "question_set": {
            "id": qset.id, "title": qset.title,
            "questions": [{"id": q.id, "label": q.label, "question": q.question}
                          for q in qset.questions],
        },
        "papers": [dict(zip(PAPER_FIELDS, _paper_values(r), strict=True)) for r in rows],
        "cells": long_records(rows, qset),
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def shorten(text: str, limit: int = MD_QUOTE_CHARS) -> str:
    """One line of at most `limit` characters, cut at a word boundary."""
    text = one_line(text)
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(",;:") + "…"


def _md(text: str) -> str:
    """Text from a paper or the user as a literal Markdown table cell (core.mdtext)."""
    return md_text(text)


def to_markdown(
    rows: Sequence[Row], qset: QuestionSet, citekeys: dict[str, str] | None = None
) -> str:
    """A summary of what was reported per question, then one table per paper; each reported
    cell's evidence is a Pandoc citation, [@citekey, p. N], and its quote."""
    from core.bibtex import BibPaper, pandoc_cite
    from core.bibtex import citekeys as make_keys

    keys = make_keys(BibPaper(r.paper.doc_id, r.paper.title, r.paper.authors, r.paper.year,
                              citekey=(citekeys or {}).get(r.paper.doc_id)) for r in rows)
    cells = [(row, q, row.cells.get(q.id)) for row in rows for q in qset.questions]
    missing = sum(c is not None and not c.reported for *_, c in cells)
    lines = [f"# {_md(qset.title)}", "",
             f"{len(rows)} papers × {len(qset.questions)} questions. "
             f"Not reported: {missing} of {len(cells)} cells.", "",
             "| Question | Reported | Not reported |", "|---|---:|---:|"]
    for q in qset.questions:
        got = [row.cells.get(q.id) for row in rows]
        yes = sum(c is not None and c.reported for c in got)
        no = sum(c is not None and not c.reported for c in got)
        lines.append(f"| {_md(q.label)} | {yes} | {no} |")
    for row in rows:
        p = row.paper
        year = f" ({p.year})" if p.year else ""
        lines += ["", f"## {_md(one_line(p.title) or p.path.name)}{year}", "",
                  f"`{p.doc_id}` {_md(p.path.name)} @{keys[p.doc_id]}", "",
                  "| Question | Answer | Evidence |", "|---|---|---|"]
        for q in qset.questions:
            cell = row.cells.get(q.id)
            if cell is None:
                answer, evidence = "—", ""
            elif not cell.reported:
                answer, evidence = "*not reported*", ""
            else:
                answer = shorten(cell.answer)
                # without a model the answer is the quote: show it once
                same = one_line(cell.answer) == one_line(cell.quote)
                # keys hold no Markdown syntax
                cite = pandoc_cite(keys[p.doc_id], cell.page, cell.page_end)
                evidence = cite + ("" if same else f': "{_md(shorten(cell.quote))}"')
                answer = _md(answer)
            lines.append(f"| {_md(q.label)} | {answer} | {evidence} |")
        not_reported = sum(c is not None and not c.reported for c in row.cells.values())
        lines += ["", f"Not reported: {not_reported} of {len(qset.questions)}."]
    return "\n".join(lines) + "\n"
