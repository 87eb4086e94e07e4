"""Extraction quality and speed on the evalset: the competency questions of qa/cq_dev.jsonl,
asked as one question set per paper, with and without the model; then the built-in
dl-methods set over every paper (no model).

    .venv/bin/python bench/extract.py [--library DIR] [--no-llm-only]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from common import peak_rss_mb, require_evalset

from core import CellDone, Library, Question, QuestionSet, Settings, load_question_set
from core.answer import Focus
from core.settings import PROJECT_ROOT


def question_sets(questions: list[dict]) -> dict[str, tuple[QuestionSet, list[dict]]]:
    """One question set per paper: each evalset question becomes a question of it."""
    by_pdf: dict[str, list[dict]] = defaultdict(list)
    for q in questions:
        by_pdf[q["pdf"]].append(q)
    return {
        pdf: (QuestionSet(f"bench-{Path(pdf).stem}", pdf, tuple(
            Question(f"q{i}", f"Q{i}", q["question"]) for i, q in enumerate(qs, start=1))), qs)
        for pdf, qs in by_pdf.items()
    }


def score(lib: Library, sets, by_file: dict[str, str], use_llm: bool) -> None:
    page_hit = contains = false_nr = answerable = 0
    unanswerable = nr_right = 0
    cells = 0
    per_cell: list[float] = []
    asks_category = no_instance = 0  # reported cells of questions naming a category (Focus)
    t0 = time.perf_counter()
    for pdf, (qset, gold) in sets.items():
        events = lib.extract(qset, papers=[by_file[pdf]], use_llm=use_llm, force=True)
        done = {e.question_id: e.cell for e in events if isinstance(e, CellDone)}
        for q, g in zip(qset.questions, gold, strict=True):
            cell = done[q.id]
            cells += 1
            per_cell.append(cell.seconds)
            categories = Focus.of(q.question, ()).categories
            if cell.reported and categories:
                asks_category += 1
                said = set(re.findall(r"[a-z0-9+]+", cell.quote.lower()))
                no_instance += not any(names & said for names in categories)
            if not g["answerable"]:
                unanswerable += 1
                nr_right += not cell.reported
                continue
            answerable += 1
            false_nr += not cell.reported
            page_hit += cell.reported and cell.page == g["evidence_page"]
            text = f"{cell.answer} {cell.quote}".lower()
            contains += cell.reported and all(k.lower() in text for k in g["must_contain"])
    seconds = time.perf_counter() - t0

    def pct(n: int, d: int) -> str:
        return f"{n}/{d} ({100 * n / max(d, 1):.0f}%)"

    print(f"\nwith the model ({lib.model_name})" if use_llm else "\nno model (--no-llm)")
    print(f"  answerable, cell quotes the gold evidence page:   {pct(page_hit, answerable)}")
    print(f"  answerable, answer+quote hold every must_contain: {pct(contains, answerable)}")
    print(f"  unanswerable marked 'not reported':               {pct(nr_right, unanswerable)}")
    print(f"  answerable wrongly marked 'not reported':         {pct(false_nr, answerable)}")
    print(f"  reported cells of a category question (optimizer, hardware ...) whose quote names"
          f" no instance of it: {pct(no_instance, asks_category)}")
    print(f"  time per paper x question: {seconds / cells:.2f} s ({cells} cells, {seconds:.0f} s),"
          f" median {statistics.median(per_cell):.2f} s, slowest {max(per_cell):.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--library", type=Path, help="reuse (or build) the evalset library here")
    parser.add_argument("--no-llm-only", action="store_true")
    args = parser.parse_args()
    evalset = require_evalset()
    questions = [json.loads(line) for line in (evalset / "qa" / "cq_dev.jsonl").open()]
    with tempfile.TemporaryDirectory() as tmp:
        root = args.library or Path(tmp) / "lib"
        settings = Settings(library=root, models_dirs=[PROJECT_ROOT / "models"])
        with Library(settings) as lib:
            t0 = time.perf_counter()
            list(lib.add([evalset / "papers"]))
            papers = lib.papers()
            print(f"library: {len(papers)} papers ready in {time.perf_counter() - t0:.0f} s")
            by_file = {p.path.name: p.doc_id for p in papers}
            sets = question_sets(questions)
            print(f"{len(questions)} questions over {len(sets)} papers "
                  f"({sum(q['answerable'] for q in questions)} answerable)")
            score(lib, sets, by_file, use_llm=False)
            if not args.no_llm_only:
                lib.load_model()
                score(lib, sets, by_file, use_llm=True)

            dl = load_question_set("builtin:dl-methods")
            t0 = time.perf_counter()
            events = list(lib.extract(dl, use_llm=False, force=True))
            seconds = time.perf_counter() - t0
            finished = events[-1]
            per_cell = seconds / max(finished.computed, 1) * 1000
            print(f"\nbuiltin:dl-methods, no model: {len(papers)} papers x {len(dl.questions)} "
                  f"questions in {seconds:.1f} s ({per_cell:.0f} ms per cell); "
                  f"{finished.reported} reported, {finished.not_reported} not reported")
    print(f"peak memory: {peak_rss_mb():.0f} MiB")


if __name__ == "__main__":
    main()
