"""What the commands share: exit codes, notes on stderr, the progress line, the
ingest report, the --paper/--collection scope and --bib."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core import (
    BatchFinished,
    BatchStarted,
    Embedded,
    FileProgress,
    FileResult,
    FileStarted,
    Library,
    printable,
    shown,
)

if TYPE_CHECKING:
    from core import Mark

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def paper_scope(lib: Library, args: argparse.Namespace) -> list[str] | None:
    return lib.select(args.papers, collection=args.collection, year_from=args.year_from,
                      year_to=args.year_to, tags=args.tags)


def write_bib(lib: Library, path: Path, doc_ids: list[str], quiet: bool, *,
              say_keys: bool = True) -> None:
    """Write the papers' BibTeX; say once if papers shared a citekey (`say_keys`: not said
    yet by the table written with the same keys)."""
    ids = list(dict.fromkeys(doc_ids))
    path.write_text(lib.bibtex(ids), encoding="utf-8")
    note(f"wrote {path}: {len(ids)} BibTeX entr{'y' if len(ids) == 1 else 'ies'}", quiet)
    if say_keys and (shared := lib.shared_citekeys(ids)):
        note(shared, quiet)


def write_annotated(marks: list[Mark], pdfs: dict[str, Path], out_dir: Path, quiet: bool) -> None:
    """Annotated copies of the papers in out_dir; one note line, and one per quote not found."""
    from core import annotate_pdfs  # imports pypdf and pdfium: only when asked for

    report = annotate_pdfs(marks, pdfs, out_dir)
    note(f"wrote {report.summary()} to {out_dir}", quiet)
    for mark in report.missed:
        note(f"  not highlighted: {mark.doc_id} {mark.pages}: "
             f"{printable(mark.quote[:60])}", quiet)


def run_ingest(events, *, as_json: bool, indexed_lines: bool = False) -> int:
    """Show ingest events as they come; the exit code. `indexed_lines`: a line for each paper
    embedded too (`lantern index`; `add` keeps one line per file, the bar shows the rest)."""
    bar = ProgressBar(enabled=not as_json and sys.stderr.isatty())
    failed = 0
    for event in events:
        if isinstance(event, BatchStarted):  # the write lock is held from here on
            for line in event.notes:
                note(f"lantern: {printable(line)}", as_json)
            if event.resumed:
                note(f"resuming {event.resumed} file(s) of an interrupted run", as_json)
        elif isinstance(event, FileStarted):
            bar.show(event.index, event.total, shown(event.path.name), "reading")
        elif isinstance(event, FileProgress):
            bar.show(
                None,
                None,
                shown(event.path.name),
                f"{event.stage} {event.done}/{event.total}" if event.total else event.stage,
            )
        elif isinstance(event, FileResult):
            bar.clear()
            failed += event.status == "failed"
            if as_json:
                print(json.dumps({
                    "path": str(event.path), "status": event.status, "doc_id": event.doc_id,
                    "title": event.title, "pages": event.pages, "chunks": event.chunks,
                    "error": event.error, "notice": event.notice or None,
                }), flush=True)
            else:
                print(file_line(event), flush=True)
        elif isinstance(event, Embedded):
            if not indexed_lines:
                bar.show(event.done, event.total, printable(event.title), "indexed")
            elif as_json:
                print(json.dumps({"doc_id": event.doc_id, "title": event.title,
                                  "status": "indexed"}), flush=True)
            else:
                bar.clear()
                print(f"indexed    [{event.doc_id}] {printable(event.title)} "
                      f"({event.done}/{event.total})", flush=True)
        elif isinstance(event, BatchFinished):
            bar.clear()
            if not as_json:
                zotero = (f", {event.updated} updated, {event.skipped} skipped"
                          if event.updated or event.skipped else "")
                print(f"{event.added} added, {event.replaced} replaced, {event.unchanged} unchanged, "
                      f"{event.failed} failed{zotero}", file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK


def file_line(e: FileResult) -> str:
    """One line per file, whatever its name holds (newlines, ESC, bytes that are not UTF-8)."""
    if e.status == "failed":
        return f"failed     {shown(e.path)}: {printable(e.error or '')}"
    if e.status == "skipped":
        return f"skipped    {printable(e.title or '')}: {printable(e.error or '')}"
    notice = f": {printable(e.notice)}" if e.notice else ""
    return (f"{e.status:<10} {shown(e.path.name)} [{e.doc_id}] {printable(e.title or '')} "
            f"({e.pages} pages, {e.chunks} chunks){notice}")


def duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{max(minutes, 1)} min"


def dumps(obj: object, **kwargs: Any) -> str:
    """JSON with readable non-ASCII text; ASCII escapes only when the text holds something no
    UTF-8 output can carry (a file name that is not UTF-8 keeps its surrogate escapes)."""
    text = json.dumps(obj, ensure_ascii=False, **kwargs)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(obj, ensure_ascii=True, **kwargs)
    return text


def note(text: str, as_json: bool) -> None:
    if not as_json:
        print(text, file=sys.stderr)


class ProgressBar:
    """One self-rewriting status line on a terminal; silent otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.index: int | None = None
        self.total: int | None = None

    def show(self, index: int | None, total: int | None, name: str, stage: str) -> None:
        if not self.enabled:
            return
        self.index, self.total = index or self.index, total or self.total
        width = 24
        filled = int(width * ((self.index or 1) - 1) / max(self.total or 1, 1))
        bar = "#" * filled + "-" * (width - filled)
        line = f"[{bar}] {self.index}/{self.total} {name[:40]} {stage}"
        sys.stderr.write("\r\033[K" + line)
        sys.stderr.flush()

    def clear(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
