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
from typing import Any

from pydantic import ValidationError

from core import (
    OCR_LABEL,
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
    RemoteSettings,
    Retrieved,
    Settings,
    SettingsError,
    Token,
    answer_to_dict,
    as_damage,
    cell_to_dict,
    find_models,
    format_for,
    highlights,
    load_question_set,
    paper_to_dict,
    printable,
    shown,
    write_table,
)
from core.samples import SAMPLE_QUESTION, ensure_samples

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
MAX_K = 50  # RetrievalSettings.k's upper bound


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lantern", description="Ask questions about your papers, offline, with citations."
    )
    parser.add_argument("--library", type=Path, help="library folder (default: $LANTERN_LIBRARY "
                        "or the user data folder)")
    parser.add_argument("--verbose", "-v", action="store_true", help="show library and model logs")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("add", help="add PDF files or folders (recursive), or a Zotero library")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    p.add_argument("--zotero", nargs="?", const="", type=str, metavar="DIR",
                   help="import the PDFs of a Zotero library with its metadata and collections "
                   "(DIR: Zotero's data folder, default ~/Zotero); read-only")
    p.add_argument("--zotero-base", type=Path, metavar="DIR",
                   help="Zotero's base directory for linked files stored as relative paths")
    p.add_argument("--json", action="store_true", help="one JSON object per file")
    p.add_argument("--ocr", choices=["auto", "force", "off"],
                   help="recognise text from page images: auto (pages without a usable text "
                   "layer; the default), force (every page), off")
    p.add_argument("--ocr-language", metavar="LANG",
                   help="Tesseract language code(s), e.g. eng or eng+deu (default: eng)")

    p = sub.add_parser("list", help="list the papers in the library")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("show", help="show one paper")
    p.add_argument("doc_id", metavar="DOC_ID")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("remove", help="remove papers from the library")
    p.add_argument("doc_ids", nargs="*", metavar="DOC_ID")
    p.add_argument("--samples", action="store_true", help="remove the sample papers")

    p = sub.add_parser("ask", help="ask a question; the answer cites paper, page and quote")
    p.add_argument("question")
    p.add_argument("--paper", action="append", dest="papers", metavar="DOC_ID",
                   help="only this paper (repeat for several)")
    _scope_arguments(p)
    p.add_argument("--bib", type=Path, metavar="FILE.bib",
                   help="also write the cited papers as BibTeX (keyed by Zotero citekeys)")
    p.add_argument("--all-papers", action="store_true",
                   help="ask every paper even when the question names one (by default a "
                        "question naming a paper, e.g. 'RoBERTa', is asked of that paper)")
    p.add_argument("--k", type=_passages, help="passages to retrieve (1 to 50)")
    p.add_argument("--model", type=Path, metavar="PATH.gguf", help="GGUF chat model to use")
    _endpoint_options(p)
    p.add_argument("--no-llm", action="store_true", help="evidence only, no generated answer")
    p.add_argument("--json", action="store_true",
                   help="the answer as JSON: `answer` holds verified text only, `draft` the "
                        "model's own text")

    p = sub.add_parser("models", help="list the GGUF and embedding models found")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("doctor", help="check the library against its vector index and repair it")
    p.add_argument("--compact", action="store_true",
                   help="also rebuild the vector index without the slots of deleted papers")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("extract", help="answer a question set for each paper; write a table of "
                       "answers, each with its page and quote")
    p.add_argument("--questions", required=True, metavar="builtin:NAME|FILE",
                   help="question set: a TOML file, or builtin:dl-methods")
    p.add_argument("--paper", action="append", dest="papers", metavar="DOC_ID",
                   help="only this paper (repeat for several; default: all)")
    _scope_arguments(p)
    p.add_argument("--out", required=True, type=Path, metavar="FILE", help="table to write")
    p.add_argument("--bib", type=Path, metavar="FILE.bib",
                   help="also write the table's papers as BibTeX (keyed by Zotero citekeys)")
    p.add_argument("--format", choices=["csv", "md", "json"], help="default: from the --out suffix")
    p.add_argument("--long", action="store_true", help="CSV with one row per paper and question")
    p.add_argument("--model", type=Path, metavar="PATH.gguf", help="GGUF chat model to use")
    _endpoint_options(p)
    p.add_argument("--no-llm", action="store_true",
                   help="fill cells with the best evidence sentence, no model (fast)")
    p.add_argument("--force", action="store_true", help="answer again what earlier runs stored")
    p.add_argument("--json", action="store_true", help="one JSON object per cell on stdout")

    sub.add_parser("demo", help="build the sample library and answer a sample question")
    return parser


def _scope_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--collection", metavar="NAME",
                   help="only papers in this Zotero collection (path or name; sub-collections too)")
    p.add_argument("--year-from", type=int, metavar="YEAR", help="only papers published from YEAR")
    p.add_argument("--year-to", type=int, metavar="YEAR", help="only papers published up to YEAR")
    p.add_argument("--tag", action="append", dest="tags", default=[], metavar="TAG",
                   help="only papers with this Zotero tag (repeat: all of them)")


def _scope(lib: Library, args: argparse.Namespace) -> list[str] | None:
    return lib.select_papers(args.papers, collection=args.collection, year_from=args.year_from,
                     year_to=args.year_to, tags=args.tags)


def _write_bib(lib: Library, path: Path, doc_ids: list[str], quiet: bool) -> None:
    ids = list(dict.fromkeys(doc_ids))
    path.write_text(lib.bibtex(ids), encoding="utf-8")
    _note(f"wrote {path}: {len(ids)} BibTeX entr{'y' if len(ids) == 1 else 'ies'}", quiet)


def _endpoint_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--endpoint", metavar="URL", help="answer with the model on this "
                   "OpenAI-compatible server, e.g. http://lab-server:8000/v1 (passages are "
                   "sent there; retrieval and citations stay here)")
    p.add_argument("--endpoint-model", metavar="NAME",
                   help="model name on that server (default: the settings', or the only one)")


def _passages(text: str) -> int:
    """--k: a whole number of passages within the range the settings allow."""
    try:
        k = int(text)
    except ValueError:
        k = 0
    if not 1 <= k <= MAX_K:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MAX_K}, not {text!r}")
    return k


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _configure_logging(args.verbose)
    settings = None
    try:
        settings = Settings.load(library=args.library)
        if getattr(args, "model", None) and getattr(args, "endpoint", None):
            print("lantern: use --model or --endpoint, not both", file=sys.stderr)
            return EXIT_USAGE
        if getattr(args, "model", None):
            settings = settings.replace(
                llm={"model_path": args.model.expanduser().absolute()}, remote={"enabled": False}
            )
        if getattr(args, "ocr", None):
            settings = settings.replace(ocr={"mode": args.ocr})
        if getattr(args, "ocr_language", None):
            try:
                settings = settings.replace(ocr={"language": args.ocr_language})
            except SettingsError as exc:
                raise SettingsError(f"--ocr-language {args.ocr_language!r}: use Tesseract codes "
                                    "such as eng, deu or eng+deu") from exc
        if getattr(args, "endpoint", None) or getattr(args, "endpoint_model", None):
            settings = settings.replace(
                remote=_endpoint(settings.remote, args.endpoint, args.endpoint_model)
            )
        if args.command == "models":
            return cmd_models(settings, args)
        if args.command == "demo" and args.library is None and not os.environ.get("LANTERN_LIBRARY"):
            settings = settings.replace(library=settings.library.parent / "demo-library")
        # doctor opens a damaged library to rebuild it; every other command refuses it
        with Library(settings, verbose=args.verbose, repair=args.command == "doctor") as lib:
            for notice in lib.notices:  # what opening the library found and repaired
                print(f"lantern: {notice}", file=sys.stderr)
            return COMMANDS[args.command](lib, args)
    except LanternError as exc:
        print(f"lantern: {printable(str(exc))}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:
        where = settings.library if settings is not None else "the library"
        if (damage := as_damage(exc, where)) is None:
            raise
        print(f"lantern: {printable(str(damage))}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("lantern: interrupted; run the same command again to continue", file=sys.stderr)
        return 130


def _endpoint(remote: RemoteSettings, url: str | None, model: str | None) -> RemoteSettings:
    """The settings' model server with --endpoint/--endpoint-model applied; another address
    than the configured one takes neither its model name nor its key."""
    if url is None and not remote.url:
        raise SettingsError("--endpoint-model needs --endpoint URL (or a server in Settings)")
    try:
        changes: dict = {"enabled": True}
        if url is not None and (url := RemoteSettings(url=url).url) != remote.url:
            # another server: the configured model name and key are not for it
            changes.update(url=url, model="", api_key_env=None)
        if model is not None:
            changes["model"] = model
        return RemoteSettings.model_validate({**remote.model_dump(), **changes})
    except ValidationError as exc:
        raise SettingsError(f"--endpoint: {exc.errors()[0]['msg'].removeprefix('Value error, ')}"
                            ) from exc


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
    if args.zotero is None and not args.paths:
        print("lantern add: give PDF files or folders, or --zotero [DIR]", file=sys.stderr)
        return EXIT_USAGE
    code = EXIT_OK
    if args.paths:
        if pending := lib.pending():
            _note(f"resuming {len(pending)} file(s) of an interrupted run", args.json)
        code = _run_ingest(lib.add(args.paths), as_json=args.json)
    if args.zotero is not None:
        events = lib.add_zotero(args.zotero or None, base_dir=args.zotero_base)
        code = max(code, _run_ingest(events, as_json=args.json))
    return code


def _run_ingest(events, *, as_json: bool) -> int:
    bar = _ProgressBar(enabled=not as_json and sys.stderr.isatty())
    failed = 0
    for event in events:
        if isinstance(event, FileStarted):
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
                    "error": event.error,
                }), flush=True)
            else:
                print(_file_line(event), flush=True)
        elif isinstance(event, BatchFinished):
            bar.clear()
            if not as_json:
                zotero = (f", {event.updated} updated, {event.skipped} skipped"
                          if event.updated or event.skipped else "")
                print(f"{event.added} added, {event.replaced} replaced, {event.unchanged} unchanged, "
                      f"{event.failed} failed{zotero}", file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK


def _file_line(e: FileResult) -> str:
    """One line per file, whatever its name holds (newlines, ESC, bytes that are not UTF-8)."""
    if e.status == "failed":
        return f"failed     {shown(e.path)}: {printable(e.error or '')}"
    if e.status == "skipped":
        return f"skipped    {printable(e.title or '')}: {printable(e.error or '')}"
    return (f"{e.status:<10} {shown(e.path.name)} [{e.doc_id}] {printable(e.title or '')} "
            f"({e.pages} pages, {e.chunks} chunks)")


def cmd_list(lib: Library, args: argparse.Namespace) -> int:
    papers = lib.papers()
    if args.json:
        print(json.dumps([paper_to_dict(p) for p in papers], indent=2))
        return EXIT_OK
    if not papers:
        print("The library is empty: `lantern add FOLDER` adds your PDFs.", file=sys.stderr)
    for p in papers:
        authors = ", ".join(p.authors[:2]) + (" et al." if len(p.authors) > 2 else "")
        print(f"{p.doc_id}  {p.year or '----'}  {p.pages:>4}p  {printable(p.title[:70])}  "
              f"{printable(authors)}")
    return EXIT_OK


def cmd_show(lib: Library, args: argparse.Namespace) -> int:
    p = lib.paper(args.doc_id)
    if args.json:
        ocr = lib.ocr_pages(p.doc_id)
        info = {**paper_to_dict(p),
                "page_info": [{"number": n, "ocr": n in ocr} for n in range(1, p.pages + 1)]}
        if source := lib.sources.of(p.doc_id):
            info["zotero"] = {"key": source.zotero_key, "library_id": source.zotero_library,
                              "citekey": source.citekey, "collections": list(source.collections),
                              "tags": list(source.tags)}
        print(json.dumps(info, indent=2))
    else:
        for key, value in paper_to_dict(p).items():
            value = ", ".join(value) if isinstance(value, list) else value
            print(f"{key:>8}: {printable(str(value)) if value is not None else '-'}")
    return EXIT_OK


def cmd_remove(lib: Library, args: argparse.Namespace) -> int:
    if not args.doc_ids and not args.samples:
        print("lantern remove: give DOC_IDs (`lantern list` shows them) or --samples",
              file=sys.stderr)
        return EXIT_USAGE
    removed = lib.remove(args.doc_ids) if args.doc_ids else []
    if args.samples:
        removed += lib.remove_samples()
    for doc_id in removed:
        print(f"removed {doc_id}")
    return EXIT_OK


def cmd_ask(lib: Library, args: argparse.Namespace) -> int:
    stream = sys.stdout.isatty() and not args.json
    answer = None
    cancel = threading.Event()
    for event in lib.ask(args.question, papers=_scope(lib, args), k=args.k,
                         use_llm=not args.no_llm, auto_scope=not args.all_papers, cancel=cancel):
        if isinstance(event, Retrieved) and stream:
            scope = (f" in {event.auto_scope} (named in the question; --all-papers asks every "
                     "paper)" if event.auto_scope else "")
            print(f"\033[2m{len(event.evidence)} passages found{scope} in "
                  f"{event.seconds:.2f} s\033[0m")
        elif isinstance(event, Token) and stream:
            print(event.text, end="", flush=True)
        elif isinstance(event, AnswerDone):
            answer = event.answer
    assert answer is not None
    if args.json:
        print(_dumps(answer_to_dict(answer), indent=2))
    else:
        if stream and not args.no_llm:
            print("\n")
        _print_answer(answer, color=sys.stdout.isatty(), no_llm=args.no_llm)
    if args.bib:
        _write_bib(lib, args.bib, [c.doc_id for c in answer.citations], args.json)
    return EXIT_OK


def _print_answer(a, *, color: bool, no_llm: bool) -> None:
    """What the papers say first (verified quotes, answering words in bold), then the model's
    sentences that passed the check; the unverified draft only as a note."""
    bold, dim, warn, end = ("\033[1m", "\033[2m", "\033[33m", "\033[0m") if color else ("",) * 4
    if not no_llm:
        scope = f" {dim}(scope: {a.auto_scope}, from the question){end}" if a.auto_scope else ""
        print(f"{bold}Answer{end}{scope}")
        if a.abstained:
            print(f"  {bold}{a.answer}{end}")
        for c in a.citations:
            quote = " ".join(c.quote.split())
            shown, last = [], 0
            for start, stop in highlights(a.question, quote):
                shown += [quote[last:start], f"{bold}{quote[start:stop]}{end}"]
                last = stop
            label = OCR_LABEL if c.ocr else ""
            print(f"  \"{''.join(shown) + quote[last:]}\"\n    {dim}— [{c.n}] {c.title}, "
                  f"p. {c.page}{label}{end}")
        checked = [s for s in a.sentences if s.supported]
        if a.mode == "generated" and checked:
            said = " ".join(f"{s.text} [{', '.join(map(str, s.cites))}]" for s in checked)
            print(f"  {dim}In the model's words (checked):{end} {said}")
        if any(not s.supported for s in a.sentences):
            print(f"  {warn}The model's draft did not hold up against the papers and is not "
                  f"shown (`--json` has it as `draft`).{end}")
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
    bar = _ProgressBar(enabled=not args.json and sys.stderr.isatty())
    r = lib.doctor(compact=args.compact,
                   progress=lambda done, total: bar.show(done, total, "vector index", f"{done}/{total}"))
    bar.clear()
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
    scope = _scope(lib, args)
    if use_llm:  # say how long it will take before it starts, and the fast alternative
        todo, seconds = lib.extract_estimate(qset, scope, use_llm=True, force=args.force)
        if todo and seconds is not None and seconds > 60:
            _note(f"{todo} cells to answer with the model: about {_duration(seconds)} (the median "
                  "cell so far); --no-llm fills them from the evidence alone in seconds", args.json)
    bar = sys.stderr.isatty() and not args.json  # else one quiet line per computed cell
    finished = None
    try:
        for event in lib.extract(qset, scope, use_llm=use_llm, force=args.force):
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
                    print(_dumps({"index": event.index, "total": event.total,
                                  "doc_id": event.doc_id, "title": event.title,
                                  "question_id": event.question_id, "label": event.label,
                                  "cached": event.cached, **cell_to_dict(event.cell)}), flush=True)
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
    rows = lib.extract_table(qset, scope, use_llm=use_llm)
    path = write_table(rows, qset, args.out, fmt, long=args.long,
                       citekeys=lib.citekeys([row.paper.doc_id for row in rows]))
    _note(f"wrote {path}: {len(rows)} papers x {len(qset.questions)} questions, "
          f"{finished.reported} reported, {finished.not_reported} not reported", args.json)
    if args.bib:
        _write_bib(lib, args.bib, [row.paper.doc_id for row in rows], args.json)
    return EXIT_OK


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{max(minutes, 1)} min"


def cmd_demo(lib: Library, args: argparse.Namespace) -> int:
    print(f"Sample library: {lib.root}", file=sys.stderr)
    _run_ingest(ensure_samples(lib), as_json=False)
    print(f"\nQuestion: {SAMPLE_QUESTION}\n")
    args.question, args.papers, args.k, args.no_llm, args.json = SAMPLE_QUESTION, None, None, False, False
    args.all_papers = False
    return cmd_ask(lib, args)


def _dumps(obj: object, **kwargs: Any) -> str:
    """JSON with readable non-ASCII text; ASCII escapes only when the text holds something no
    UTF-8 output can carry (a file name that is not UTF-8 keeps its surrogate escapes)."""
    text = json.dumps(obj, ensure_ascii=False, **kwargs)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(obj, ensure_ascii=True, **kwargs)
    return text


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
