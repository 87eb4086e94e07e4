"""`lantern ask` and `lantern demo`: an answer with its sources and evidence."""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading

from core import (
    OCR_LABEL,
    SAMPLE_QUESTION,
    AnswerDone,
    LanternError,
    Library,
    Retrieved,
    Token,
    answer_marks,
    answer_to_dict,
    build_provenance,
    highlights,
)
from core.cli.output import (
    EXIT_OK,
    dumps,
    note,
    paper_scope,
    run_ingest,
    write_annotated,
    write_bib,
)


def cmd_ask(lib: Library, args: argparse.Namespace) -> int:
    stream = sys.stdout.isatty() and not args.json
    answer = None
    cancel = threading.Event()
    papers = paper_scope(lib, args)
    # a new process: the model loads while the index opens and the passages are found
    loading = None if args.no_llm else _load_ahead(lib)
    try:
        for event in lib.ask(args.question, papers=papers, k=args.k, use_llm=not args.no_llm,
                             auto_scope=not args.all_papers, cancel=cancel):
            if isinstance(event, Retrieved) and stream:
                scope = (f" in {event.auto_scope} (named in the question; --all-papers asks "
                         "every paper)" if event.auto_scope else "")
                print(f"\033[2m{len(event.evidence)} passages found{scope} in "
                      f"{event.seconds:.2f} s\033[0m")
            elif isinstance(event, Token) and stream:
                print(event.text, end="", flush=True)
            elif isinstance(event, AnswerDone):
                answer = event.answer
    finally:
        if loading is not None:
            loading.join()  # never exit with llama.cpp half-loaded (e.g. nothing was found)
    assert answer is not None
    if n := answer.keyword_only:
        why = ("their vectors are being computed in the background" if lib.embedding_in_background
               else "they have no vectors yet (`lantern index` computes them)")
        note(f"{n} paper(s) searched by keyword only: {why}", args.json)
    if args.json:
        record = build_provenance(lib, [c.doc_id for c in answer.citations],
                                  use_llm=not args.no_llm, question=args.question)
        print(dumps({**answer_to_dict(answer), "provenance": record}, indent=2))
    else:
        if stream and not args.no_llm:
            print("\n")
        _print_answer(answer, color=sys.stdout.isatty(), no_llm=args.no_llm)
    if args.bib:
        write_bib(lib, args.bib, [c.doc_id for c in answer.citations], args.json)
    if getattr(args, "annotate", None):
        write_annotated(answer_marks(answer), {c.doc_id: c.pdf_path for c in answer.citations},
                        args.annotate, args.json)
    return EXIT_OK


def _load_ahead(lib: Library) -> threading.Thread:
    """Load the chat model on a thread of its own, while this one-shot process finds the
    passages (the model has a lock of its own: the answer waits for this load instead of
    starting another). Not Library.load_model, which holds the library's lock and would keep
    the search waiting. A load that fails here fails again, with its one-line message, where
    the answer needs the model."""
    load = getattr(lib.generator, "load", None)

    def run() -> None:
        with contextlib.suppress(LanternError):
            if load is not None:
                load()

    thread = threading.Thread(target=run, name="lantern-model-load", daemon=True)
    thread.start()
    return thread


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
                  f"{c.pages}{label}{end}")
        checked = [s for s in a.sentences if s.supported]
        if a.mode == "generated" and checked:
            said = " ".join(f"{s.text} [{', '.join(map(str, s.cites))}]" for s in checked)
            print(f"  {dim}In the model's words (checked):{end} {said}")
        if any(not s.supported for s in a.sentences):
            what = "The rest of the model's draft" if a.mode == "generated" and checked else (
                "The model's draft")
            print(f"  {warn}{what} did not hold up against the papers and is not "
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
    judged = (f", judged by {a.judge or 'the model'} in {t.judge_s:.1f} s"
              if t.judge_s is not None else "")
    print(f"\n{dim}{a.model or 'retrieval only'}: retrieval {t.retrieve_s:.2f} s{first}"
          f"{judged}, total {t.total_s:.1f} s{end}")


def cmd_demo(lib: Library, args: argparse.Namespace) -> int:
    print(f"Sample library: {lib.root}", file=sys.stderr)
    run_ingest(lib.add_samples(), as_json=False)
    print(f"\nQuestion: {SAMPLE_QUESTION}\n")
    args.question, args.papers, args.k, args.no_llm, args.json = SAMPLE_QUESTION, None, None, False, False
    args.all_papers = False
    args.collection = args.year_from = args.year_to = args.bib = None  # `ask`'s scope options
    args.tags = []
    return cmd_ask(lib, args)
