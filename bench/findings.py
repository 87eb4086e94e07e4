"""The verified finding on every development question, without the chat model, in seconds.

With the default model almost every answer is the finding (mode "quoted": its draft fails the
check), and the finding depends only on the question and the evidence: this scores it as
bench/compare.py scores answers, on all cq questions, for work on sentence choice. It is not
the product's answer where a draft passes the check (mode "generated"); compare.py is.

    .venv/bin/python bench/findings.py --work DIR   # DIR/lantern: compare.py's index
    .venv/bin/python bench/findings.py --work DIR -v   # and each answerable miss
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from common import require_evalset
from compare import contains_all, lantern_settings, share

from core import Library
from core.answer import ground

# A draft that fails the check: the answer is what ground falls back to, the finding.
FAILING_DRAFT = "zzz."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, required=True,
                        help="folder holding compare.py's Lantern index (lantern/)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each answerable miss")
    args = parser.parse_args()
    if not (args.work / "lantern").is_dir():
        sys.exit(f"findings: {args.work / 'lantern'} not found: run bench/compare.py --work "
                 f"{args.work} once to build it")
    evalset = require_evalset()
    cq = [json.loads(line) for line in (evalset / "qa" / "cq_dev.jsonl").open()]
    answerable = [q for q in cq if q["answerable"]]
    subset = {id(q) for q in [q for q in cq if not q["answerable"]] + answerable[::4]}
    t0 = time.perf_counter()
    right: list[bool] = []
    right_subset: list[bool] = []
    abstain_ok: list[bool] = []
    false_abstain: list[bool] = []
    gold_page: list[bool] = []
    verbatim: list[bool] = []
    with Library(lantern_settings(args.work)) as lib:
        doc_ids = {p.path.name: p.doc_id for p in lib.papers()}
        for q in cq:
            evidence = lib.search(q["question"], papers=[doc_ids[q["pdf"]]])
            g = ground(FAILING_DRAFT, evidence, lib.page_text, q["question"])
            verbatim += [c.quote in (lib.page_text(c.doc_id, c.page) or "") for c in g.citations]
            if not q["answerable"]:
                abstain_ok.append(g.abstained)
                continue
            ok = not g.abstained and contains_all(g.text, q["must_contain"])
            right.append(ok)
            false_abstain.append(g.abstained)
            gold_page.append(any(e.page <= q["evidence_page"] <= e.page_end for e in evidence))
            if id(q) in subset:
                right_subset.append(ok)
            if args.verbose and not ok:
                print(f"- {q['pdf']}: {q['question']}\n  keys {q['must_contain']}; gold p. "
                      f"{q['evidence_page']} (in evidence: {gold_page[-1]})\n  answer: "
                      f"{' '.join(g.text.split())[:400]}\n")
    print("| measure (finding only, no chat model) | Lantern |")
    print("|---|---|")
    for name, flags in (
        ("finding holds every must_contain key (cq answerable)", right),
        ("  the same, compare.py's subset", right_subset),
        ("unanswerable answered 'not reported' (cq)", abstain_ok),
        ("answerable wrongly abstained (cq)", false_abstain),
        ("cited quotes verbatim", verbatim),
        ("gold page in the evidence (cq answerable)", gold_page),
    ):
        print(f"| {name} | {share(flags)} |")
    print(f"| wall time | {time.perf_counter() - t0:.0f} s |")


if __name__ == "__main__":
    main()
