"""Title, year and first author read from each development paper, one line per paper.

    .venv/bin/python bench/titles.py            # every PDF in ../shared/evalset/papers
    .venv/bin/python bench/titles.py --tsv      # file<TAB>year<TAB>title, for diffing runs

Reads each PDF as `lantern add` does (core.ingest.pdf.read_pdf, OCR off) and prints what the
library would show: no model, no library.
"""

from __future__ import annotations

import argparse
import time

from common import require_evalset

from core.ingest.pdf import read_pdf


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tsv", action="store_true", help="tab-separated output")
    args = parser.parse_args()
    papers = sorted((require_evalset() / "papers").glob("*.pdf"))
    start = time.perf_counter()
    for path in papers:
        try:
            meta = read_pdf(path).meta
        except Exception as exc:  # noqa: BLE001 - a bench line per file, whatever happens
            print(f"{path.name}\tERROR {exc}")
            continue
        year = str(meta.year or "-")
        author = meta.authors[0] if meta.authors else "-"
        if args.tsv:
            print(f"{path.name}\t{year}\t{meta.title}")
        else:
            print(f"{path.name:<44} {year:>4}  {meta.title}  [{author}]")
    print(f"# {len(papers)} papers in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
