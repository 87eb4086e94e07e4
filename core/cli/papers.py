"""`lantern add | list | show | remove | models | doctor`: the papers and the library."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator

from core import (
    FileResult,
    Library,
    LibraryLockedError,
    Settings,
    check_models,
    find_models,
    paper_to_dict,
    printable,
)
from core.cli.output import EXIT_FAILED, EXIT_OK, EXIT_USAGE, ProgressBar, note, run_ingest
from core.types import IngestEvent


def cmd_add(lib: Library, args: argparse.Namespace) -> int:
    if args.zotero is None and not args.paths:
        print("lantern add: give PDF files or folders, or --zotero [DIR]", file=sys.stderr)
        return EXIT_USAGE
    code = EXIT_OK
    # the background embedder builds its own embedder from the settings: one passed in (tests,
    # scripts) embeds here
    wait = args.wait or not lib.owns_embedder
    started: list[int] = []  # the background embedder, started once a first paper is stored
    if args.paths:  # files an interrupted run left are told once the lock is held (run_ingest)
        code = run_ingest(embed_after(lib.add(args.paths, wait=wait), lib, started, wait),
                          as_json=args.json)
    if args.zotero is not None:
        events = lib.add_zotero(args.zotero or None, base_dir=args.zotero_base, wait=wait)
        code = max(code, run_ingest(embed_after(events, lib, started, wait), as_json=args.json))
    if not wait and (waiting := lib.unindexed()):
        if not started:
            lib.embed_in_background()
        note(f"{len(waiting)} paper(s) are searchable by their words now; their vectors are "
             "being computed in the background (`lantern index` waits for them)", args.json)
    return code


def embed_after(
    events: Iterable[IngestEvent], lib: Library, started: list[int], wait: bool
) -> Iterator[IngestEvent]:
    """`events`, starting the background embedder once the first paper is stored (unless
    `wait`): it loads its model while the other files are read, and starts when this
    process ends."""
    for event in events:
        if (not wait and not started and isinstance(event, FileResult)
                and event.status in ("added", "replaced")):
            started.append(lib.embed_in_background(after_this=True))
        yield event


def cmd_index(lib: Library, args: argparse.Namespace) -> int:
    """Embed the papers searchable by their words only; --background: as the detached
    process `add` starts, which gives way to any other writer (--after PID: it loads the
    embedding model, then waits for that process to end)."""
    if args.background:
        try:
            for _ in lib.embed(background=True, after=args.after):
                pass
        except LibraryLockedError:  # another writer: it starts its own embedder when done
            return EXIT_OK
        return EXIT_OK
    code = run_ingest(lib.embed(), as_json=args.json, indexed_lines=True)
    if not args.json and not lib.unindexed():
        print("every paper is indexed", file=sys.stderr)
    return code


def cmd_list(lib: Library, args: argparse.Namespace) -> int:
    if args.json:
        print(json.dumps([paper_to_dict(p) for p in lib.papers()], indent=2))
        return EXIT_OK
    papers = lib.listing()
    if not papers:
        print("The library is empty: `lantern add FOLDER` adds your PDFs.", file=sys.stderr)
    lines = []
    for doc_id, year, pages, title, names in papers:
        authors = ", ".join(names[:2]) + (" et al." if len(names) > 2 else "")
        lines.append(f"{doc_id}  {year or '----'}  {pages:>4}p  {printable(title[:70])}  "
                     f"{printable(authors)}")
    if lines:
        print("\n".join(lines))
    return EXIT_OK


def cmd_show(lib: Library, args: argparse.Namespace) -> int:
    p = lib.paper(args.doc_id)
    if args.json:
        ocr = lib.ocr_pages(p.doc_id)
        info = {**paper_to_dict(p),
                "page_info": [{"number": n, "ocr": n in ocr} for n in range(1, p.pages + 1)]}
        if source := lib.source(p.doc_id):
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
    if lib.compaction() is not None:  # the process ends here: finish it now
        bar = ProgressBar(enabled=sys.stderr.isatty())
        compacted = lib.finish_compaction(
            lambda done, total: bar.show(done, total, "compacting the vector index",
                                         f"{done}/{total}"))
        bar.clear()
        if compacted:
            note("compacted the vector index (more than 30% of its slots were deleted)", False)
    return EXIT_OK


def cmd_models(settings: Settings, args: argparse.Namespace) -> int:
    if args.check:
        checks = check_models(settings)
        if args.json:
            print(json.dumps([{"what": c.what, "ok": c.ok, "detail": c.detail} for c in checks],
                             indent=2))
        else:
            print("\n".join(printable(c.line()) for c in checks))
        return EXIT_OK if all(c.ok for c in checks) else EXIT_FAILED
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
    bar = ProgressBar(enabled=not args.json and sys.stderr.isatty())
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
