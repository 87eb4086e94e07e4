"""Embedding, the bulk of ingestion: MiniLM's speed by batch size on Lantern's own chunks of the
evalset papers, and how close `Library.add` comes to the time of embedding those chunks alone
(the limit for this model on this CPU). Run it alone on a quiet machine.

    .venv/bin/python bench/embedding.py [--sizes 8,16,32,64] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from common import require_evalset

from core import FileResult, Library, Settings
from core.embed import SentenceTransformerEmbedder
from core.ingest.chunk import chunk_document
from core.ingest.pdf import read_pdf
from core.settings import NEW_LIBRARY_PIECES, PROJECT_ROOT
from core.store import KEYWORD_ONLY_SECTIONS


def cpu_s(who: int = resource.RUSAGE_SELF) -> float:
    use = resource.getrusage(who)
    return use.ru_utime + use.ru_stime


def tokens(embedder: SentenceTransformerEmbedder, texts: list[str]) -> int:
    """Word pieces MiniLM reads of these texts (at most its max_seq_length each)."""
    model = embedder._load()
    limit = model.max_seq_length
    return sum(min(limit, len(ids)) for ids in model.tokenizer(texts)["input_ids"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="8,16,32,64")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-add", action="store_true", help="batch sizes only")
    parser.add_argument("--by-length", action="store_true",
                        help="embed each paper's chunks in order of length (less padding)")
    parser.add_argument("--pieces", type=int, default=NEW_LIBRARY_PIECES,
                        help="word pieces of a chunk embedded (default: a new library's)")
    args = parser.parse_args()
    papers = sorted((require_evalset() / "papers").glob("*.pdf"))
    settings = Settings(models_dirs=[PROJECT_ROOT / "models"]).replace(
        embedding={"max_pieces": args.pieces})
    t0, c0 = time.perf_counter(), cpu_s()
    per_paper = []
    for path in papers:  # what the pipeline embeds: chunks outside the keyword-only sections
        chunks = chunk_document(read_pdf(path, ocr=None), settings.chunking)
        per_paper.append([c.text for c in chunks if c.section not in KEYWORD_ONLY_SECTIONS])
    read = (time.perf_counter() - t0, cpu_s() - c0)
    texts = [t for paper in per_paper for t in paper]
    embedder = SentenceTransformerEmbedder(settings.embedding)
    embedder.embed(["warm up"])
    import torch

    print(f"{len(papers)} papers, {len(texts)} chunks to embed, {tokens(embedder, texts):,} word "
          f"pieces (at most {args.pieces} each); torch threads {torch.get_num_threads()}, {os.cpu_count()} cores")
    print(f"reading + chunking in this process: {read[0]:.1f} s wall, {read[1]:.1f} CPU s\n")
    print("| batch size | chunks/s (wall) per round | CPU s per round |")
    print("|---|---|---|")
    best = {}
    for size in (int(s) for s in args.sizes.split(",")):
        embedder.settings = settings.embedding.model_copy(update={"batch_size": size})
        walls, cpus = [], []
        for _ in range(args.rounds):
            t0, c0 = time.perf_counter(), cpu_s()
            for paper in per_paper:  # one paper at a time, as the pipeline embeds
                texts_in_order = sorted(paper, key=len) if args.by_length else paper
                for start in range(0, len(paper), 32):
                    embedder.embed(texts_in_order[start : start + 32])
            walls.append(time.perf_counter() - t0)
            cpus.append(cpu_s() - c0)
        best[size] = min(walls)
        print(f"| {size} | {' / '.join(f'{len(texts) / w:.1f}' for w in walls)} "
              f"| {' / '.join(f'{c:.1f}' for c in cpus)} |")
    default = settings.embedding.batch_size
    embed_only = best.get(default, min(best.values()))
    if args.no_add:
        return
    with tempfile.TemporaryDirectory() as tmp, Library(
        settings.replace(library=Path(tmp) / "lib"),
        embedder=SentenceTransformerEmbedder(settings.embedding),
    ) as lib:
        lib.embedder.embed(["warm up"])  # model load is not ingestion
        t0, c0 = time.perf_counter(), cpu_s()
        added = [e for e in lib.add(papers) if isinstance(e, FileResult) and e.status == "added"]
        wall = time.perf_counter() - t0
    pages = sum(r.pages for r in added)
    print(f"\nLibrary.add: {len(added)} papers, {pages} pages in {wall:.1f} s ({pages / wall:.2f} "
          f"pages/s); {cpu_s() - c0:.1f} CPU s in this process (the PDF reader process besides)")
    print(f"embedding the same chunks alone (batch {default}, best round): {embed_only:.1f} s; "
          f"add / embedding alone = {wall / embed_only:.2f}")


if __name__ == "__main__":
    main()
