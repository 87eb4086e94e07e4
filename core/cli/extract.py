"""`lantern extract`: a question set over the papers, written as a table."""

from __future__ import annotations

import argparse
import shutil
import sys

from core import (
    LONG_ESTIMATE_S,
    CellDone,
    CellStarted,
    ExtractFinished,
    ExtractStarted,
    Library,
    Row,
    build_provenance,
    cell_to_dict,
    format_for,
    load_question_set,
    table_marks,
    write_table,
)
from core.cli.output import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    dumps,
    duration,
    note,
    paper_scope,
    write_annotated,
    write_bib,
)


def cmd_extract(lib: Library, args: argparse.Namespace) -> int:
    fmt = args.format or format_for(args.out)
    if fmt is None:
        print(f"lantern: cannot tell the format of {args.out.name!r}: use --format csv, md or json",
              file=sys.stderr)
        return EXIT_USAGE
    qset = load_question_set(args.questions)
    if not lib.papers():
        print("lantern: the library is empty: `lantern add FOLDER` adds your PDFs", file=sys.stderr)
        return EXIT_FAILED
    use_llm = not args.no_llm
    scope = paper_scope(lib, args)
    if use_llm:  # say how long it will take before it starts, and the fast alternative
        todo, seconds = lib.extract_estimate(qset, scope, use_llm=True, force=args.force)
        if todo and seconds is not None and seconds > LONG_ESTIMATE_S:
            note(f"{todo} cells to answer with the model: about {duration(seconds)} (the median "
                  "cell so far); --no-llm fills them from the evidence alone in seconds", args.json)
    bar = sys.stderr.isatty() and not args.json  # else one quiet line per computed cell
    finished = None
    try:
        for event in lib.extract(qset, scope, use_llm=use_llm, force=args.force):
            if isinstance(event, ExtractStarted):
                note(f"{qset.title}: {event.total} cells, {event.cached} stored by earlier runs",
                      args.json)
            elif isinstance(event, CellStarted) and bar:
                eta = "--:--"
                if event.eta_s is not None:
                    left = int(event.eta_s)
                    eta = f"{left // 60:02d}:{left % 60:02d}"
                line = (f"cell {event.index}/{event.total} — {event.title[:40]} — {event.label}"
                        f" — ETA {eta}")
                width = shutil.get_terminal_size().columns - 1
                sys.stderr.write("\r\033[K" + line[:width])
                sys.stderr.flush()
            elif isinstance(event, CellDone):
                if args.json:
                    print(dumps({"index": event.index, "total": event.total,
                                  "doc_id": event.doc_id, "title": event.title,
                                  "question_id": event.question_id, "label": event.label,
                                  "cached": event.cached, **cell_to_dict(event.cell)}), flush=True)
                elif not bar and not event.cached:
                    page = f" ({event.cell.pages})" if event.cell.reported else ""
                    print(f"cell {event.index}/{event.total} {event.doc_id} {event.question_id}: "
                          f"{event.cell.status}{page}", file=sys.stderr)
            elif isinstance(event, ExtractFinished):
                finished = event
    finally:
        if bar:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
    assert finished is not None
    rows = lib.extract_table(qset, scope, use_llm=use_llm)
    ids = [row.paper.doc_id for row in rows]
    path = write_table(rows, qset, args.out, fmt, long=args.long,
                       citekeys=lib.citekeys(ids),
                       provenance=build_provenance(lib, ids, use_llm=use_llm, qset=qset,
                                                   cell_models=_models(rows)))
    note(f"wrote {path}: {len(rows)} papers x {len(qset.questions)} questions, "
          f"{finished.reported} reported, {finished.not_reported} not reported", args.json)
    shared = lib.shared_citekeys(ids) if fmt == "md" else None
    if shared:  # the table cites with these keys: said once, for the table and the .bib
        note(shared, args.json)
    if args.bib:
        write_bib(lib, args.bib, ids, args.json, say_keys=shared is None)
    if args.annotate:
        write_annotated(table_marks(rows, qset), {r.paper.doc_id: r.paper.path for r in rows},
                        args.annotate, args.json)
    return EXIT_OK


def _models(rows: list[Row]) -> list[str | None]:
    return [c.model for r in rows for c in r.cells.values() if c is not None]
