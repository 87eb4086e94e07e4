"""Ingestion speed on the evalset papers, re-add cost, and the outcome for every robustness file.

    .venv/bin/python bench/ingest.py [--skip-robustness]
"""

from __future__ import annotations

import argparse
import collections
import tempfile
import time
from pathlib import Path

from common import peak_rss_mb, require_evalset

from core import BatchFinished, FileResult, Library, Settings
from core.settings import PROJECT_ROOT


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-robustness", action="store_true")
    args = parser.parse_args()
    evalset = require_evalset()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(library=Path(tmp) / "lib", models_dirs=[PROJECT_ROOT / "models"])
        with Library(settings) as lib:
            lib.embedder.embed(["warm up"])  # model load is not ingestion
            t0 = time.perf_counter()
            results = [e for e in lib.add([evalset / "papers"]) if isinstance(e, FileResult)]
            elapsed = time.perf_counter() - t0
            pages = sum(r.pages for r in results)
            chunks = sum(r.chunks for r in results)
            print(f"papers: {len(results)} files, {pages} pages, {chunks} chunks in {elapsed:.1f} s")
            print(f"ingestion: {pages / elapsed:.1f} pages/s, {chunks / elapsed:.1f} chunks/s")
            failed = [r for r in results if r.status == "failed"]
            for r in failed:
                print(f"  FAILED {r.path.name}: {r.error}")
            t0 = time.perf_counter()
            again = [e for e in lib.add([evalset / "papers"]) if isinstance(e, FileResult)]
            print(f"re-add unchanged: {time.perf_counter() - t0:.2f} s "
                  f"({collections.Counter(r.status for r in again)})")
            if not args.skip_robustness:
                robustness(lib, evalset / "robustness")
    print(f"peak memory: {peak_rss_mb():.0f} MiB (process), parser child included in max")


def robustness(lib: Library, folder: Path) -> None:
    print("\nrobustness (category: outcome per file)")
    t0 = time.perf_counter()
    slowest = (0.0, "")
    for category in sorted(p for p in folder.iterdir() if p.is_dir()):
        start = time.perf_counter()
        lines = []
        for event in lib.add([category]):
            if isinstance(event, FileResult):
                now = time.perf_counter()
                slowest = max(slowest, (now - start, event.path.name))
                start = now
                detail = event.error if event.status == "failed" else f"{event.pages} pages"
                lines.append(f"    {event.status:<9} {event.path.name}: {detail}")
            elif isinstance(event, BatchFinished):
                summary = (f"{event.added} added, {event.unchanged} unchanged, "
                           f"{event.failed} failed")
        print(f"  {category.name}: {summary}")
        print("\n".join(lines))
    print(f"robustness batch: {time.perf_counter() - t0:.1f} s, slowest file "
          f"{slowest[1]} {slowest[0]:.1f} s")


if __name__ == "__main__":
    main()
