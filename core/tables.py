"""Reading back what Lantern exported: the provenance and the cited cells of a table (JSON,
Markdown with its front matter, CSV with TABLE.csv.provenance.json) or of an answer
(`ask --json`), for `lantern verify` and for annotating PDFs."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import LanternError
from core.provenance_io import sidecar_path, split_front_matter

ELLIPSIS = "…"  # Markdown cells shorten long quotes and end them with this
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # as core.extract_export.csv_cell


class TableError(LanternError):
    """A table cannot be read back or checked: the message names the file and what is missing."""


@dataclass(frozen=True)
class Claim:
    """One cell as the table reports it: a quote on a page of a paper, or "not reported"."""

    doc_id: str
    label: str  # the question's label or column ("[1]" for an answer's citation)
    reported: bool
    page: int | None = None
    quote: str = ""
    answer: str = ""
    prefix: bool = False  # the quote was shortened (Markdown): its start is what is checked
    title: str = ""
    page_end: int | None = None  # the quote runs onto this next page ("pp. 5–6")


@dataclass(frozen=True)
class Table:
    path: Path
    provenance: dict[str, Any]
    claims: list[Claim]

    def paper(self, doc_id: str) -> dict[str, Any] | None:
        return next((p for p in self.provenance.get("papers", ()) if p.get("doc_id") == doc_id),
                    None)


def read_table(path: Path | str) -> Table:
    """The provenance and claims of an exported table or answer; TableError if it has none."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".csv", ".md", ".markdown"):
        raise TableError(f"{path.name}: a table is .csv (with its .provenance.json), .md or .json")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError(f"{path.name}: not a UTF-8 text file ({exc.reason})") from exc
    except OSError as exc:
        raise TableError(f"{path}: cannot read it ({exc.strerror or exc})") from exc
    if suffix == ".json":
        return _from_json(path, text)
    if suffix == ".csv":
        return _from_csv(path, text)
    return _from_markdown(path, text)


# A wide CSV's evidence cell: "p. 5: quote", or "pp. 5–6: quote" across a page break
_PAGES = re.compile(r"pp?\. (\d+)(?:–(\d+))?: (.*)\Z", re.DOTALL)


def _page(value: object) -> int | None:
    try:
        return int(str(value)) if value not in (None, "") else None
    except ValueError:
        return None


def _provenance_check(path: Path, record: object, where: str) -> dict[str, Any]:
    if not isinstance(record, dict) or not isinstance(record.get("papers"), list):
        raise TableError(f"{path.name}: no provenance {where}: export the table again with this "
                         "Lantern (it records each paper's PDF by sha256)")
    return record


# ---------------------------------------------------------------- JSON
def _from_json(path: Path, text: str) -> Table:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise TableError(f"{path.name}: not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise TableError(f"{path.name}: not a Lantern table or answer")
    record = _provenance_check(path, data.get("provenance"), "object")
    claims: list[Claim] = []
    if "citations" in data:  # an answer (ask --json, the app's answer export)
        for c in data["citations"]:
            claims.append(Claim(c["doc_id"], f"[{c['n']}]", True, _page(c.get("page")),
                                c.get("quote", ""), title=c.get("title", ""),
                                page_end=_page(c.get("page_end"))))
        return Table(path, record, claims)
    for c in data.get("cells", []):
        claims.append(Claim(c["doc_id"], c.get("label") or c.get("question_id", ""),
                            c.get("status") == "reported", _page(c.get("page")),
                            c.get("quote") or "", c.get("answer") or "", title=c.get("title", ""),
                            page_end=_page(c.get("page_end"))))
    return Table(path, record, claims)


# ---------------------------------------------------------------- CSV
def _uncell(value: str) -> str:
    """Undo csv_cell's guard: "'=..." was written for "=..."."""
    if value.startswith("'") and value[1:].lstrip(" ").startswith(_FORMULA_START):
        return value[1:]
    return value


def _from_csv(path: Path, text: str) -> Table:
    side = sidecar_path(path)
    try:
        record = json.loads(side.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TableError(f"{side.name} is missing: it names each paper's PDF by sha256; keep it "
                         f"beside {path.name}") from None
    except (OSError, ValueError) as exc:
        raise TableError(f"{side.name}: unreadable ({exc})") from exc
    record = _provenance_check(side, record, "in it")
    rows = [[_uncell(v) for v in row] for row in csv.reader(io.StringIO(text))]
    if not rows:
        raise TableError(f"{path.name}: empty")
    header, body = rows[0], rows[1:]
    claims: list[Claim] = []
    if "question_id" in header and "quote" in header:  # long: a row per paper and question
        for row in body:
            r = dict(zip(header, row, strict=False))
            claims.append(Claim(r["doc_id"], r.get("label") or r["question_id"],
                                r.get("status") == "reported", _page(r.get("page")),
                                r.get("quote", ""), r.get("answer", ""), title=r.get("title", ""),
                                page_end=_page(r.get("page_end"))))
        return Table(path, record, claims)
    if "doc_id" not in header:
        raise TableError(f"{path.name}: not a Lantern table (no doc_id column)")
    labels = [h for h in header if f"{h} evidence" in header]
    for row in body:
        r = dict(zip(header, row, strict=False))
        for label in labels:
            answer, evidence = r.get(label, ""), r.get(f"{label} evidence", "")
            found = _PAGES.match(evidence)
            if found:
                claims.append(Claim(r["doc_id"], label, True, int(found[1]), found[3], answer,
                                    title=r.get("title", ""), page_end=_page(found[2])))
            elif evidence:  # evidence that is not "p. N: quote": altered or broken
                claims.append(Claim(r["doc_id"], label, True, None, evidence, answer,
                                    title=r.get("title", "")))
            else:
                claims.append(Claim(r["doc_id"], label, False, answer=answer,
                                    title=r.get("title", "")))
    return Table(path, record, claims)


# ---------------------------------------------------------------- Markdown
_MD_PAPER = re.compile(r"^`([^`]+)` ")
_MD_CITE = re.compile(r'^\[@[^\]]*?, pp?\. (\d+)(?:–(\d+))?\](?:: "(.*)")?\Z', re.DOTALL)


def _md_cells(line: str) -> list[str]:
    inner = line.strip()[1:-1]
    parts = re.split(r"(?<!\\)\|", inner)
    return [re.sub(r"\\(.)", r"\1", p.strip()) for p in parts]


def _from_markdown(path: Path, text: str) -> Table:
    record, body = split_front_matter(text)
    record = _provenance_check(path, record, "front matter")
    claims: list[Claim] = []
    doc_id = title = ""
    for line in body.splitlines():
        if line.startswith("## "):
            title, doc_id = line[3:].strip(), ""
            continue
        if found := _MD_PAPER.match(line):
            doc_id = found[1]
            continue
        if not doc_id or not line.startswith("|") or line.startswith(("|---", "| Question |")):
            continue
        cells = _md_cells(line)
        if len(cells) < 3:
            continue
        label, answer, evidence = cells[0], cells[1], cells[2]
        cite = _MD_CITE.match(evidence)
        if cite:
            quote = cite[3] if cite[3] is not None else answer
            cut = quote.endswith(ELLIPSIS)
            claims.append(Claim(doc_id, label, True, int(cite[1]), quote.removesuffix(ELLIPSIS),
                                answer, prefix=cut, title=title, page_end=_page(cite[2])))
        elif evidence:
            claims.append(Claim(doc_id, label, True, None, evidence, answer, title=title))
        else:
            claims.append(Claim(doc_id, label, False, answer=answer, title=title))
    return Table(path, record, claims)
