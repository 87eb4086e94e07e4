"""`lantern`: the command-line front end. It calls the public API only and turns domain
errors into one readable line (exit 0 success, 1 some inputs failed, 2 usage error)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import threading
from pathlib import Path

from core import (
    AnswerDone,
    BatchFinished,
    CellDone,
    CellStarted,
    ExtractFinished,
    ExtractStarted,
    FileProgress,
    FileResult,
    FileStarted,
    LanternError,
    Library,
    Retrieved,
    Settings,
    Token,
    answer_to_dict,
    cell_to_dict,
    find_models,
    format_for,
    load_question_set,
    paper_to_dict,
    write_table,
)
from core.samples import SAMPLE_QUESTION, ensure_samples

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lantern", description="Ask questions about your papers, offline, with citations."
    )
    parser.add_argument("--library", type=Path, help="library folder (default: $LANTERN_LIBRARY "
                        "or the user data folder)")
    parser.add_argument("--verbose", "-v", action="store_true", help="show library and model logs")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("add", help="add PDF files or folders (recursive)")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("--json", action="store_true", help="one JSON object per file")

    p = sub.add_parser("list", help="list the papers in the library")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("show", help="show one paper")
    p.add_argument("doc_id", metavar="DOC_ID")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("remove", help="remove papers from the library")
    p.add_argument("doc_ids", nargs="+", metavar="DOC_ID")

    p = sub.add_parser("ask", help="ask a question; the answer cites paper, page and quote")
    p.add_argument("question")
    p.add_argument("--paper", action="append", dest="papers", metavar="DOC_ID",
                   help="only this paper (repeat for several)")
    p.add_argument("--k", type=int, help="passages to retrieve")
    p.add_argument("--model", type=Path, metavar="PATH.gguf", help="GGUF chat model to use")
    p.add_argument("--no-llm", action="store_true", help="evidence only, no generated answer")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("models", help="list the GGUF and embedding models found")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("doctor", help="check the library against its vector index and repair it")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("extract", help="answer a question set for each paper; write a table of "
                       "answers, each with its page and quote")
    p.add_argument("--questions", required=True, metavar="builtin:NAME|FILE",
                   help="question set: a TOML file, or builtin:dl-methods")
    p.add_argument("--paper", action="append", dest="papers", metavar="DOC_ID",
                   help="only this paper (repeat for several; default: all)")
    p.add_argument("--out", required=True, type=Path, metavar="FILE", help="table to write")
    p.add_argument("--format", choices=["csv", "md", "json"], help="default: from the --out suffix")
    p.add_argument("--long", action="store_true", help="CSV with one row per paper and question")
    p.add_argument("--model", type=Path, metavar="PATH.gguf", help="GGUF chat model to use")
    p.add_argument("--no-llm", action="store_true",
                   help="fill cells with the best evidence sentence, no model (fast)")
    p.add_argument("--force", action="store_true", help="answer again what earlier runs stored")
    p.add_argument("--json", action="store_true", help="one JSON object per cell on stdout")

    sub.add_parser("demo", help="build the sample library and answer a sample question")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _configure_logging(args.verbose)
    try:
        settings = Settings.load(library=args.library)
        if getattr(args, "model", None):
            settings = settings.replace(llm={"model_path": args.model.expanduser().absolute()})
        if args.command == "models":
            return cmd_models(settings, args)
        if args.command == "demo" and args.library is None and not os.environ.get("LANTERN_LIBRARY"):
            settings = settings.replace(library=settings.library.parent / "demo-library")
        with Library(settings, verbose=args.verbose) as lib:
            return COMMANDS[args.command](lib, args)
    except LanternError as exc:
        print(f"lantern: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("lantern: interrupted; run the same command again to continue", file=sys.stderr)
        return 130


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not verbose:  # third-party noise only when asked for
        for name in ("pypdf", "sentence_transformers", "transformers", "torch", "httpx"):
            logging.getLogger(name).setLevel(logging.ERROR)


# ---------------------------------------------------------------- commands
def cmd_add(lib: Library, args: argparse.Namespace) -> int:
    if pending := lib.pending():
        _note(f"resuming {len(pending)} file(s) of an interrupted run", args.json)
    return _run_ingest(lib.add(args.paths), as_json=args.json)


def _run_ingest(events, *, as_json: bool) -> int:
    bar = _ProgressBar(enabled=not as_json and sys.stderr.isatty())
    failed = 0
    for event in events:
        if isinstance(event, FileStarted):
            bar.show(event.index, event.total, event.path.name, "reading")
        elif isinstance(event, FileProgress):
            bar.show(
                None,
                None,
                event.path.name,
                f"{event.stage} {event.done}/{event.total}" if event.total else event.stage,
            )
        elif isinstance(event, FileResult):
            bar.clear()
            failed += event.status == "failed"
            if as_json:
                print(json.dumps({
                    "path": str(event.path), "status": event.status, "doc_id": event.doc_id,
                    "title": event.title, "pages": event.pages, "chunks": event.chunks,
                    "error": event.error,
                }), flush=True)
            else:
                print(_file_line(event), flush=True)
        elif isinstance(event, BatchFinished):
            bar.clear()
            if not as_json:
                print(f"{event.added} added, {event.replaced} replaced, {event.unchanged} unchanged, "
                      f"{event.failed} failed", file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK


def _file_line(e: FileResult) -> str:
    if e.status == "failed":
        return f"failed     {e.path}: {e.error}"
    return f"{e.status:<10} {e.path.name} [{e.doc_id}] {e.title} ({e.pages} pages, {e.chunks} chunks)"


def cmd_list(lib: Library, args: argparse.Namespace) -> int:
    papers = lib.papers()
    if args.json:
        print(json.dumps([paper_to_dict(p) for p in papers], indent=2))
        return EXIT_OK
    if not papers:
        print("The library is empty: `lantern add FOLDER` adds your PDFs.", file=sys.stderr)
    for p in papers:
        authors = ", ".join(p.authors[:2]) + (" et al." if len(p.authors) > 2 else "")
        print(f"{p.doc_id}  {p.year or '----'}  {p.pages:>4}p  {p.title[:70]}  {authors}")
    return EXIT_OK


def cmd_show(lib: Library, args: argparse.Namespace) -> int:
    p = lib.paper(args.doc_id)
    if args.json:
        print(json.dumps(paper_to_dict(p), indent=2))
    else:
        for key, value in paper_to_dict(p).items():
            value = ", ".join(value) if isinstance(value, list) else value
            print(f"{key:>8}: {value if value is not None else '-'}")
    return EXIT_OK


def cmd_remove(lib: Library, args: argparse.Namespace) -> int:
    for doc_id in lib.remove(args.doc_ids):
        print(f"removed {doc_id}")
    return EXIT_OK


def cmd_ask(lib: Library, args: argparse.Namespace) -> int:
    stream = sys.stdout.isatty() and not args.json
    answer = None
    cancel = threading.Event()
    for event in lib.ask(args.question, papers=args.papers, k=args.k, use_llm=not args.no_llm,
                         cancel=cancel):
        if isinstance(event, Retrieved) and stream:
            print(f"\033[2m{len(event.evidence)} passages found in {event.seconds:.2f} s\033[0m")
        elif isinstance(event, Token) and stream:
            print(event.text, end="", flush=True)
        elif isinstance(event, AnswerDone):
            answer = event.answer
    assert answer is not None
    if args.json:
        print(json.dumps(answer_to_dict(answer), indent=2, ensure_ascii=False))
    else:
        if stream and not args.no_llm:
            print("\n")
        _print_answer(answer, color=sys.stdout.isatty(), no_llm=args.no_llm)
    return EXIT_OK


def _print_answer(a, *, color: bool, no_llm: bool) -> None:
    bold, dim, warn, end = ("\033[1m", "\033[2m", "\033[33m", "\033[0m") if color else ("",) * 4
    if not no_llm:
        print(f"{bold}Answer{end} {dim}(checked against the cited text){end}")
        if a.abstained:
            print(f"  {bold}{a.answer}{end}")
        elif a.mode == "quoted":
            print(f"  {dim}The model's answer did not hold up against the sources; "
                  f"this is what the paper says:{end}")
        for s in a.sentences:
            if s.supported:
                print(f"  {s.text} [{', '.join(map(str, s.cites))}]")
            else:
                print(f"  {warn}unsupported (not shown as an answer): {s.text} ({s.reason}){end}")
        if a.citations:
            print(f"\n{bold}Sources{end}")
            for c in a.citations:
                print(f"  [{c.n}] {c.title}, p. {c.page}: \"{' '.join(c.quote.split())}\"")
    heading = "Closest passages" if a.abstained else "Evidence"
    print(f"\n{bold}{heading}{end}")
    if not a.evidence:
        print("  none: the library is empty or nothing matched")
    for n, e in enumerate(a.evidence, start=1):
        snippet = " ".join(e.text.split())
        snippet = snippet[:240] + ("…" if len(snippet) > 240 else "")
        print(f"  {n}. {e.title[:60]}, p. {e.page} ({e.section}, score {e.score:.2f})\n"
              f"     {dim}{snippet}{end}")
    t = a.timings
    first = f", first token {t.first_token_s:.1f} s" if t.first_token_s else ""
    print(f"\n{dim}{a.model or 'retrieval only'}: retrieval {t.retrieve_s:.2f} s{first}, "
          f"total {t.total_s:.1f} s{end}")


def cmd_models(settings: Settings, args: argparse.Namespace) -> int:
    models = find_models(settings)
    if args.json:
        print(json.dumps([{"name": m.name, "path": str(m.path), "kind": m.kind,
                           "size_mb": m.size_mb, "default": m.default} for m in models], indent=2))
        return EXIT_OK
    for m in models:
        mark = "*" if m.default else " "
        print(f"{mark} {m.kind:<9} {m.name:<45} {m.size_mb:>8.1f} MB  {m.path}")
    if not any(m.kind == "gguf" for m in models):
        print("no GGUF model found: run `make setup` or put a .gguf file in models/", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def cmd_doctor(lib: Library, args: argparse.Namespace) -> int:
    r = lib.doctor()
    if args.json:
        print(json.dumps({"papers": r.papers, "chunks": r.chunks, "vectors": r.vectors,
                          "problems": list(r.problems), "repaired": list(r.repaired),
                          "consistent": r.consistent}, indent=2))
    else:
        print(f"{r.papers} papers, {r.chunks} chunks, {r.vectors} vectors "
              "(reference lists are searched by keyword only)")
        for p in r.problems:
            print(f"problem:  {p}")
        for p in r.repaired:
            print(f"repaired: {p}")
        print("consistent" if r.consistent else "NOT consistent: see the problems above")
    return EXIT_OK if r.consistent else EXIT_FAILED


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
    bar = sys.stderr.isatty() and not args.json  # else one quiet line per computed cell
    finished = None
    try:
        for event in lib.extract(qset, args.papers, use_llm=use_llm, force=args.force):
            if isinstance(event, ExtractStarted):
                _note(f"{qset.title}: {event.total} cells, {event.cached} stored by earlier runs",
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
                    print(json.dumps({"index": event.index, "total": event.total,
                                      "doc_id": event.doc_id, "title": event.title,
                                      "question_id": event.question_id, "label": event.label,
                                      "cached": event.cached, **cell_to_dict(event.cell)},
                                     ensure_ascii=False), flush=True)
                elif not bar and not event.cached:
                    page = f" (p. {event.cell.page})" if event.cell.reported else ""
                    print(f"cell {event.index}/{event.total} {event.doc_id} {event.question_id}: "
                          f"{event.cell.status}{page}", file=sys.stderr)
            elif isinstance(event, ExtractFinished):
                finished = event
    finally:
        if bar:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
    assert finished is not None
    rows = lib.extract_table(qset, args.papers, use_llm=use_llm)
    path = write_table(rows, qset, args.out, fmt, long=args.long)
    _note(f"wrote {path}: {len(rows)} papers x {len(qset.questions)} questions, "
          f"{finished.reported} reported, {finished.not_reported} not reported", args.json)
    return EXIT_OK


def cmd_demo(lib: Library, args: argparse.Namespace) -> int:
    print(f"Sample library: {lib.root}", file=sys.stderr)
    _run_ingest(ensure_samples(lib), as_json=False)
    print(f"\nQuestion: {SAMPLE_QUESTION}\n")
    args.question, args.papers, args.k, args.no_llm, args.json = SAMPLE_QUESTION, None, None, False, False
    return cmd_ask(lib, args)


def _note(text: str, as_json: bool) -> None:
    if not as_json:
        print(text, file=sys.stderr)


class _ProgressBar:
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


COMMANDS = {
    "add": cmd_add,
    "list": cmd_list,
    "show": cmd_show,
    "remove": cmd_remove,
    "ask": cmd_ask,
    "doctor": cmd_doctor,
    "extract": cmd_extract,
    "demo": cmd_demo,
}

if __name__ == "__main__":
    sys.exit(main())
