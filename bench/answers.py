"""Answer quality on one competency-question set, Lantern alone: the rows of issue 21.

Runs `--qa cq_dev.jsonl` (tune on it) or `--qa cq_dev2.jsonl` (the 8 `dev2__` papers: report
only, never pick constants on it). Every question is asked of its own paper; the questions
that name their paper are asked again of every paper; with `--extract` each paper's questions
also run as one Extract question set with the model. Scoring is compare.py's.

    .venv/bin/python bench/answers.py --qa cq_dev.jsonl --work /tmp/ans [--reuse] [--extract]

`--reword bench/questions/cq_dev_reworded.jsonl` asks cq_dev's questions in other words (plain
synonyms: "step size" for "learning rate", "computing equipment" for "hardware"), with the same
gold answers and keys: how much of the tuning set's score holds when a question does not use the
words its paper does. `--qa $PWD/bench/questions/cq_dev_unreported.jsonl` asks 29 tempting
questions the tuning papers do not answer (a version of R in a paper that names ProteoWizard's,
where the code is in a paper whose data are in Supporting Information, a dropout rate beside a
figure of layer sizes): how often a mechanism that finds more answers also finds wrong ones.
`--qa aragog_dev.jsonl` asks ARAGOG's 45 questions, all answerable and phrased by others ("What
specific challenges do the tasks in SuperGLUE address in natural language processing?"): how
often a check that makes "not reported" right also withholds a real answer.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

from common import require_evalset
from compare import PAPER_NAMES, contains_all, lantern_settings, quote_found, share

from core import AnswerDone, CellDone, FileResult, Library
from core.types import Answer, Citation

# compare.py's names for the first set; the names questions of the second set use.
NAMES = {**PAPER_NAMES, "dev2__contrastive_clustering.pdf": "Contrastive Clustering",
         "dev2__prelu_rectifiers_he2015.pdf": "PReLU"}
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?:\.\d+)?%?")


def names_its_paper(q: dict) -> bool:
    name = NAMES.get(q["pdf"])
    return bool(name and re.search(rf"(?<![\w-]){re.escape(name)}(?![a-z])", q["question"],
                                   re.IGNORECASE))


def ask(lib: Library, question: str, papers: list[str] | None) -> Answer:
    for event in lib.ask(question, papers=papers):
        if isinstance(event, AnswerDone):
            return event.answer
    raise RuntimeError("ask ended without an answer")


def page_text(lib: Library, c: Citation) -> str:
    """The stored text a citation quotes: its page, and the next one for a quote that runs
    onto it ("pp. 5-6"), joined as core.answer.grounding.locate_across joins them."""
    pages = [c.page] if c.page_end is None else [c.page, c.page_end]
    return "\n".join(lib.page_text(c.doc_id, p) or "" for p in pages)


def unsupported_value(answer: str, quote: str) -> bool:
    """The cell's text states a number its quote does not hold (thousands separators aside)."""
    have = {n.replace(",", "") for n in _NUMBER.findall(quote)}
    return any(n.replace(",", "") not in have for n in _NUMBER.findall(answer))


def extract_rows(lib: Library, qs: list[dict], doc_ids: dict[str, str]) -> list[tuple]:
    from extract import question_sets  # bench/extract.py

    cells = bad = right = answerable = 0
    for pdf, (qset, gold) in question_sets(qs).items():
        done = {e.question_id: e.cell for e in lib.extract(qset, papers=[doc_ids[pdf]],
                                                           use_llm=True, force=True)
                if isinstance(e, CellDone)}
        for q, g in zip(qset.questions, gold, strict=True):
            cell = done[q.id]
            if not cell.reported:
                continue
            cells += 1
            flagged = unsupported_value(cell.answer, cell.quote)
            bad += flagged
            if flagged:
                print(f"  extract: {pdf[:24]} {q.question[:60]!r}: {cell.answer[:120]!r} "
                      f"quote {cell.quote[:120]!r}", file=sys.stderr, flush=True)
            if g["answerable"]:
                answerable += 1
                right += contains_all(f"{cell.answer} {cell.quote}", g["must_contain"])
    return [("Extract cells stating a value absent from their quote", f"{bad}/{cells}", "0"),
            ("  Extract cells of answerable questions holding every key", f"{right}/{answerable}",
             "")]


def run(args: argparse.Namespace) -> None:
    evalset = require_evalset()
    qs = [json.loads(line) for line in (evalset / "qa" / args.qa).open()]
    for q in qs:  # ARAGOG's rows: every question answerable, no keys or gold page
        q.setdefault("answerable", True)
    if args.reword:  # the same papers, gold answers and keys, the questions asked in other words
        for line in args.reword.open():
            row = json.loads(line)
            qs[row["line"] - 1] = {**qs[row["line"] - 1], "question": row["question"]}
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    settings = lantern_settings(work)
    if args.judge:  # answers.judge: "on" makes even SmolLM2 judge (auto leaves it off)
        settings = settings.replace(answers={"judge": args.judge})
    if args.model:  # llm.model_path: another GGUF than the bundled SmolLM2
        settings = settings.replace(llm={"model_path": args.model})
    if args.k:  # retrieval.k: passages given to the model and shown
        settings = settings.replace(retrieval={"k": args.k})
    with Library(settings) as lib:
        if not args.reuse:
            t0 = time.perf_counter()
            added = [e for e in lib.add([evalset / "papers"]) if isinstance(e, FileResult)]
            print(f"ingested {len(added)} papers in {time.perf_counter() - t0:.0f} s",
                  file=sys.stderr)
        doc_ids = {p.path.name: p.doc_id for p in lib.papers()}
        lib.load_model()
        page, right, abstain_ok, false_abstain, verbatim = [], [], [], [], []
        first, total, judge = [], [], []
        details = []
        for i, q in enumerate(qs, 1):
            scope = [doc_ids[q["pdf"]]]
            a = ask(lib, q["question"], scope)
            verbatim += [c.quote in page_text(lib, c) for c in a.citations]
            if a.timings.first_token_s is not None:
                first.append(a.timings.first_token_s)
            total.append(a.timings.total_s)
            if a.timings.judge_s is not None:
                judge.append(a.timings.judge_s)
            if q["answerable"] and "must_contain" not in q:
                false_abstain.append(a.abstained)
                ok = not a.abstained
            elif q["answerable"]:
                page.append(any(e.page <= q["evidence_page"] <= e.page_end for e in a.evidence))
                right.append(not a.abstained and contains_all(a.answer, q["must_contain"]))
                false_abstain.append(a.abstained)
                ok = right[-1]
            else:
                abstain_ok.append(a.abstained)
                ok = a.abstained
            print(f"  {i}/{len(qs)} {'ok ' if ok else 'BAD'} {q['pdf'][:22]} "
                  f"answerable={q['answerable']} abstained={a.abstained} mode={a.mode} "
                  f"total={a.timings.total_s:.1f}s judged={a.judged} | {q['question'][:70]} | "
                  f"{' '.join(a.answer.split())[:160]}", file=sys.stderr, flush=True)
            details.append({"pdf": q["pdf"], "question": q["question"],
                            "answerable": q["answerable"], "ok": ok, "answer": a.answer,
                            "mode": a.mode, "gold": q["answer"],
                            "quote_in_evidence": bool(q.get("evidence_quote")) and quote_found(
                                q["evidence_quote"], [e.text for e in a.evidence])})
        named = [q for q in qs if names_its_paper(q)]
        foreign = 0
        for q in named:  # the whole library, as a user who picks no scope
            a = ask(lib, q["question"], None)
            foreign += any(c.doc_id != doc_ids[q["pdf"]] for c in a.citations)
        rows = [
            ("unanswerable answered 'not reported'", share(abstain_ok), ">= 90%"),
            ("answer holds every must_contain key (answerable)", share(right), ">= 65%"),
            ("gold page in the evidence (answerable)", share(page), ">= 90%"),
            ("answerable wrongly abstained", share(false_abstain), "<= 5%"),
            ("cited quotes verbatim in the page text", share(verbatim), "100%"),
            (f"cited paper other than the one named (all papers, n={len(named)})",
             f"{foreign}/{len(named)}", "0"),
            ("first token, median (loaded machine)",
             f"{statistics.median(first):.2f} s" if first else "n/a", ""),
            ("total per question, median", f"{statistics.median(total):.2f} s", ""),
        ]
        if judge:
            rows += [(f"judge per judged question, median (n={len(judge)})",
                      f"{statistics.median(judge):.2f} s", ""),
                     ("  judge per judged question, max", f"{max(judge):.2f} s", "")]
        if args.extract:
            rows += extract_rows(lib, qs, doc_ids)
    print(f"\n{args.qa}: {len(qs)} questions ({len(false_abstain)} answerable), "
          f"models {lib.settings.embedding.model}, {lib.model_name}")
    width = max(len(r[0]) for r in rows)
    for label, value, target in rows:
        print(f"| {label.ljust(width)} | {value:>14} | {target:>6} |")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "answers": details}, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--qa", default="cq_dev.jsonl",
                        help="question file in evalset/qa (cq_dev.jsonl or cq_dev2.jsonl), "
                             "or a path")
    parser.add_argument("--work", type=Path, required=True, help="folder of the library")
    parser.add_argument("--reuse", action="store_true", help="the library in --work is ready")
    parser.add_argument("--extract", action="store_true", help="also the Extract cell row")
    parser.add_argument("--json", type=Path, help="also write each answer here")
    parser.add_argument("--reword", type=Path,
                        help="the questions in other words, by line of --qa (bench/questions/)")
    parser.add_argument("--judge", choices=("auto", "on", "off"),
                        help="answers.judge (default: the settings', auto)")
    parser.add_argument("--model", type=Path, help="GGUF file (default: the bundled SmolLM2)")
    parser.add_argument("--k", type=int, help="retrieval.k (default: the settings', 6)")
    args = parser.parse_args()
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # see compare.py
    run(args)


if __name__ == "__main__":
    main()
