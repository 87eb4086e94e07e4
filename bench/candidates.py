"""Where the answer is among the sentences the finding chooses from: the ceiling of sentence
choice on one question set, without the chat model or the judge.

For each answerable question with keys, asked of its own paper: is the gold quote in one of the
passages shown, does the finding hold every key, and do the best sentences that pass the checks
(focus.ranked_sentences, strict, with their meaning as the pipeline scores it) hold every key:
the first alone, the first two or three read together, or any one of the first six. A finding
below "any of six" loses answers to its choice among the candidates; "any of six" below the
gold quote's row loses them to the checks or to answers spread over sentences; the gold quote's
row below 100% loses them to retrieval. For unanswerable questions: how many have no candidate
at all (the checks alone say "not reported"; the others are left to the judge).

    .venv/bin/python bench/candidates.py --qa cq_dev.jsonl --work /tmp/ans   # answers.py's library
    .venv/bin/python bench/candidates.py --qa cq_dev.jsonl --reword bench/questions/cq_dev_reworded.jsonl --work /tmp/ans
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from common import require_evalset
from compare import contains_all, lantern_settings, quote_found, share

from core import Library
from core.answer import finding
from core.answer.focus import ranked_sentences
from core.answer.meaning import embedder_similarity


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--qa", default="cq_dev.jsonl",
                        help="question file in evalset/qa, or a path")
    parser.add_argument("--work", type=Path, required=True,
                        help="folder of bench/answers.py's library")
    parser.add_argument("--reword", type=Path,
                        help="the questions in other words, by line of --qa (bench/questions/)")
    args = parser.parse_args()
    if not (args.work / "lantern").is_dir():
        sys.exit(f"candidates: no library in {args.work}: run bench/answers.py --work "
                 f"{args.work} once to build it")
    evalset = require_evalset()
    qs = [json.loads(line) for line in (evalset / "qa" / args.qa).open()]
    if args.reword:
        for line in args.reword.open():
            row = json.loads(line)
            qs[row["line"] - 1] = {**qs[row["line"] - 1], "question": row["question"]}
    rows: dict[str, list[bool]] = {name: [] for name in (
        "gold quote in the 6 passages shown", "finding holds every key",
        "best candidate holds every key", "best 2 together hold every key",
        "best 3 together hold every key", "one of the best 6 holds every key")}
    no_candidate: list[bool] = []
    with Library(lantern_settings(args.work)) as lib:
        doc_ids = {p.path.name: p.doc_id for p in lib.papers()}
        similarity = embedder_similarity(lib.embedder)
        for q in qs:
            scope = [doc_ids[q["pdf"]]]
            # the question as Library.ask searches and answers it (Asker.spelled_out)
            asked = lib._asker.spelled_out(q["question"], scope)
            evidence = lib.search(asked, papers=scope)
            ranked = [s for _, _, s in ranked_sentences(asked, evidence, strict=True,
                                                        similarity=similarity)]
            if not q.get("answerable", True):
                no_candidate.append(not ranked)
                continue
            keys = q.get("must_contain")
            if not keys:
                continue
            found = " ".join(s for _, s in finding(asked, evidence, similarity))
            quote = q.get("evidence_quote") or ""
            for name, ok in zip(rows, (
                bool(quote) and quote_found(quote, [e.text for e in evidence]),
                contains_all(found, keys),
                contains_all(" ".join(ranked[:1]), keys),
                contains_all(" ".join(ranked[:2]), keys),
                contains_all(" ".join(ranked[:3]), keys),
                any(contains_all(s, keys) for s in ranked[:6]),
            ), strict=True):
                rows[name].append(ok)
    print(f"\n{args.qa}{' reworded' if args.reword else ''}: answerable questions with keys")
    print("| measure | share |\n|---|---|")
    for name, flags in rows.items():
        print(f"| {name} | {share(flags)} |")
    print(f"| unanswerable: no candidate passes the checks | {share(no_candidate)} |")


if __name__ == "__main__":
    main()
