"""Issue 26's waits, as a user meets them, each a new `lantern` process:

- a cold `lantern ask --no-llm` and `lantern ask` on a one-paper library (median of --runs);
- the 15 development papers: the time until `lantern add` returns (every paper searchable)
  and until its background process has embedded them all (every paper indexed).

    .venv/bin/python bench/coldstart.py                # ~5 min on 2 quiet cores
    .venv/bin/python bench/coldstart.py --runs 3 --no-ingest
    .venv/bin/python bench/coldstart.py --wait         # also `add --wait`, the one-process job
    .venv/bin/python bench/coldstart.py --recipe       # also the LangChain recipe's ingestion
                                                       # (needs the bench extras, see compare.py)
    .venv/bin/python bench/coldstart.py --recipe --recipe-python /tmp/bench-venv/bin/python
                                  # the recipe in a venv of its own: the lock plus the extras
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, require_evalset

from core import Library, Settings
from core.folder import EMBEDDER_MARK
from core.settings import PROJECT_ROOT

QUESTION = "What optimizer and learning rate were used for training?"
ONE_PAPER = "aragog__roberta.pdf"


def dev_papers(evalset: Path) -> list[Path]:
    """The 15 development papers (evalset/papers without the later dev2__ set)."""
    return sorted(p for p in (evalset / "papers").glob("*.pdf") if not p.name.startswith("dev2__"))


def lantern(library: Path, *args: str) -> tuple[float, subprocess.CompletedProcess]:
    """Run `lantern --library LIBRARY ARGS` as a new process; (wall seconds, the process)."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "core.cli", "--library", str(library), *args],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode:
        sys.exit(f"lantern {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return seconds, proc


def cold_asks(work: Path, evalset: Path, runs: int) -> None:
    library = work / "one"
    lantern(library, "add", "--wait", str(evalset / "papers" / ONE_PAPER))
    for label, extra in (("ask --no-llm", ["--no-llm"]), ("ask", [])):
        times = [lantern(library, "ask", QUESTION, "--json", *extra)[0] for _ in range(runs)]
        print(f"cold lantern {label:<12} one-paper library: median {statistics.median(times):.2f} s "
              f"(min {min(times):.2f}, max {max(times):.2f}, {runs} runs)", flush=True)


def ingest(work: Path, papers: list[Path], *, wait: bool) -> None:
    library = work / ("wait" if wait else "background")
    t0 = time.perf_counter()
    seconds, proc = lantern(library, "add", *(["--wait"] if wait else []), *map(str, papers))
    added = sum(line.startswith("added") for line in proc.stdout.splitlines())
    if wait:
        print(f"lantern add --wait, {added} papers: indexed after {seconds:.1f} s", flush=True)
        return
    mark = library / EMBEDDER_MARK
    deadline = time.perf_counter() + 60  # the background process marks itself once it starts
    while not mark.exists() and time.perf_counter() < deadline:
        time.sleep(0.05)
    while mark.exists():
        time.sleep(0.1)
    embedded = time.perf_counter() - t0
    with Library(Settings(library=library, models_dirs=[PROJECT_ROOT / "models"])) as lib:
        left = lib.unindexed()
    print(f"lantern add, {added} papers: all searchable after {seconds:.1f} s, all indexed after "
          f"{embedded:.1f} s (background embedding; {len(left)} left unindexed)", flush=True)


def recipe(work: Path, papers: list[Path], python: str) -> None:
    """The LangChain recipe's ingestion of the same papers (bench/compare.py), in a child run
    by `python` (a venv with the bench extras; the project's lock leaves them out)."""
    folder = work / "recipe-papers"
    folder.mkdir()
    for p in papers:
        (folder / p.name).symlink_to(p)
    code = ("import json, sys; from pathlib import Path; from compare import recipe_ingest; "
            f"print(json.dumps(recipe_ingest(Path({str(folder)!r}), Path({str(work)!r}))))")
    proc = subprocess.run([python, "-c", code], cwd=ROOT / "bench", capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if proc.returncode:
        print(f"recipe: not run ({proc.stderr.strip().splitlines()[-1]})")
        return
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"recipe ingestion (model loaded beforehand), {r['pages']} pages: {r['seconds']:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="cold runs of each ask (median)")
    parser.add_argument("--no-ingest", action="store_true", help="only the cold questions")
    parser.add_argument("--wait", action="store_true", help="also time `lantern add --wait`")
    parser.add_argument("--recipe", action="store_true", help="also the recipe's ingestion")
    parser.add_argument("--recipe-python", default=sys.executable, metavar="PYTHON",
                        help="the Python that runs the recipe: one whose venv has the bench "
                        "extras (default: this one)")
    args = parser.parse_args()
    evalset = require_evalset()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        cold_asks(work, evalset, args.runs)
        if not args.no_ingest:
            papers = dev_papers(evalset)
            ingest(work, papers, wait=False)
            if args.wait:
                ingest(work, papers, wait=True)
            if args.recipe:
                recipe(work, papers, args.recipe_python)


if __name__ == "__main__":
    main()
