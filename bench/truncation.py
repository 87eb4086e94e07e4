"""Chunks embedded by their first N word pieces (issue 26): the evidence's gold page and the
embedding time, against the whole chunk (MiniLM's 256).

all-MiniLM-L6-v2 was trained on texts of at most 128 word pieces; sentence-transformers cuts at
256, and Lantern's chunks (800 characters) run to ~150-250. Cutting at 128 embeds fewer pieces.
For each N, a copy of the bench library's database (answers.py's `--work`, all 23 evalset
papers) gets an index of its own, built by Lantern's embedding pass (`Library.embed`) with the
paper embedder cut at N; every answerable question of cq_dev and cq_dev2 is then searched in
its paper (`Library.search`, k = 6) and scored as compare.py scores evidence: the gold page
among the passages. Questions are embedded as always (short: no question here is cut).

    .venv/bin/python bench/truncation.py --work /tmp/ans --pieces 256 128
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from common import require_evalset
from compare import lantern_settings, share

from core import Library, Settings
from core.embed import SentenceTransformerEmbedder, resolve_embedding_model
from core.settings import PROJECT_ROOT, EmbeddingSettings

SETS = ("cq_dev.jsonl", "cq_dev2.jsonl")


class CutEmbedder(SentenceTransformerEmbedder):
    """MiniLM through sentence-transformers, cut at `pieces` word pieces."""

    def __init__(self, settings: EmbeddingSettings, pieces: int) -> None:
        super().__init__(settings)
        self.pieces = pieces

    def _load(self):
        model = super()._load()
        model.max_seq_length = self.pieces
        return model


def cut_library(work: Path, pieces: int, tmp: Path) -> tuple[Library, float, float]:
    """A copy of the bench library's database with an index built at `pieces`; the library,
    and the embedding pass's wall and CPU seconds (this process; the pass runs in it)."""
    root = tmp / f"cut{pieces}" / "lantern"
    root.mkdir(parents=True)
    with sqlite3.connect(work / "lantern" / "library.sqlite3") as src, \
            sqlite3.connect(root / "library.sqlite3") as dst:
        src.backup(dst)
    # the model by its folder: another index name than the bench library's, so all is embedded
    folder = resolve_embedding_model("all-MiniLM-L6-v2")
    settings = Settings(library=root, models_dirs=[PROJECT_ROOT / "models"],
                        embedding=EmbeddingSettings(model=str(folder)))
    embedder = CutEmbedder(settings.embedding, pieces)
    embedder.embed(["warm up"])  # the load is not embedding
    lib = Library(settings, embedder=embedder)
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in lib.embed():
        pass
    return lib, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, required=True,
                        help="answers.py's --work: the bench library of the evalset papers")
    parser.add_argument("--pieces", type=int, nargs="+", default=[256, 128])
    args = parser.parse_args()
    evalset = require_evalset()
    sets = {name: [q for q in map(json.loads, (evalset / "qa" / name).open()) if q["answerable"]]
            for name in SETS}
    rows = []
    with Library(lantern_settings(args.work)) as bench, tempfile.TemporaryDirectory() as tmp:
        doc_ids = {p.path.name: p.doc_id for p in bench.papers()}
        for pieces in args.pieces:
            print(f"embedding at {pieces} word pieces ...", file=sys.stderr, flush=True)
            lib, wall, cpu = cut_library(args.work, pieces, Path(tmp))
            with lib:
                row = [f"{pieces}", f"{wall:.1f} s", f"{cpu:.1f} s"]
                for qs in sets.values():
                    row.append(share([any(
                        e.page <= q["evidence_page"] <= e.page_end
                        for e in lib.search(q["question"], papers=[doc_ids[q["pdf"]]]))
                        for q in qs]))
            rows.append(row)
    header = ["word pieces", "embedding, wall", "CPU (this process)",
              *(f"{n}: gold page (k=6)" for n in SETS)]
    print(f"\n{len(doc_ids)} papers, {os.cpu_count()} cores")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths], *rows]:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")


if __name__ == "__main__":
    main()
