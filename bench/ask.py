"""Retrieval latency, first-token latency and generation speed with the default models,
and the BERT hardware question from the issue.

    .venv/bin/python bench/ask.py
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from common import peak_rss_mb, require_evalset

from core import AnswerDone, Library, Settings, Token
from core.settings import PROJECT_ROOT


def main() -> None:
    evalset = require_evalset()
    questions = [json.loads(line) for line in (evalset / "qa" / "cq_dev.jsonl").open()]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(library=Path(tmp) / "lib", models_dirs=[PROJECT_ROOT / "models"])
        with Library(settings) as lib:
            list(lib.add([evalset / "papers"]))
            by_file = {p.path.name: p.doc_id for p in lib.papers()}
            retrieval = []
            hit = 0
            answerable = [q for q in questions if q.get("answerable", True)]
            for q in answerable:
                t0 = time.perf_counter()
                ev = lib.search(q["question"], papers=[by_file[q["pdf"]]])
                retrieval.append(time.perf_counter() - t0)
                hit += any(e.page <= q["evidence_page"] <= e.page_end for e in ev)
            print(f"retrieval: median {statistics.median(retrieval) * 1000:.0f} ms, "
                  f"p95 {sorted(retrieval)[int(0.95 * len(retrieval))] * 1000:.0f} ms "
                  f"over {len(retrieval)} scoped questions")
            print(f"evidence holds the gold page: {hit}/{len(answerable)} "
                  f"({100 * hit / len(answerable):.0f}%)")

            lib.load_model()
            first, rates, totals = [], [], []
            for q in answerable[:12]:
                t0 = time.perf_counter()
                tokens = 0
                t_first = None
                for event in lib.ask(q["question"], papers=[by_file[q["pdf"]]]):
                    if isinstance(event, Token):
                        tokens += 1
                        t_first = t_first or time.perf_counter()
                    elif isinstance(event, AnswerDone):
                        a = event.answer
                end = time.perf_counter()
                if t_first:
                    first.append(a.timings.first_token_s)
                    if tokens > 1:
                        rates.append((tokens - 1) / (end - t_first))
                totals.append(end - t0)
            print(f"model: {a.model}")
            print(f"first token: median {statistics.median(first):.2f} s; "
                  f"generation: median {statistics.median(rates):.0f} tokens/s; "
                  f"total per question: median {statistics.median(totals):.1f} s")

            bert = by_file["aragog__bert.pdf"]
            for event in lib.ask("Which hardware was used to train BERT?", papers=[bert]):
                if isinstance(event, AnswerDone):
                    a = event.answer
            print("\nQ: Which hardware was used to train BERT?")
            print(f"A: {a.answer}")
            for c in a.citations:
                print(f"   [{c.n}] p. {c.page}: {c.quote[:160]}")
            print("   evidence pages:", [e.page for e in a.evidence])
    print(f"peak memory: {peak_rss_mb():.0f} MiB")


if __name__ == "__main__":
    main()
