"""Library size sweep: how ingest, remove, recovery, open, retrieval and `list` scale with the
number of papers (bench/README.md, "Scale").

    .venv/bin/python bench/scale.py [--sizes 1000,5000,10000] [--window 40] [--queries 60]

STAND-IN MODELS, clearly not Lantern's: vectors come from a hashed bag of words in 384
dimensions (MiniLM's size, so index files and memory are realistic), and the bulk of each
library is "read" by a stand-in parser from small text files, not PDFs. What is measured for
real at every size: a window of synthetic papers written as PDFs by the project's own
generator (core.pdfgen) and added through the whole pipeline; remove, kill -9 recovery, `list`
and open as CLI processes; retrieval through Library.search with the query's embedding time
subtracted. Embedding time is excluded everywhere (it does not depend on library size).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
from common import ROOT

import core.ingest
import core.ingest.worker as worker
from core import FileResult, Library, Settings
from core.pdfgen import write_paper
from core.types import Page, PaperMeta, ParsedDocument

# 30,000 pseudo-words drawn by Zipf's law (s = 1.07, like English): posting lists as long as
# real text has, so full-text search costs what it would. The first 100 act as stopwords.
_SYL = ["ka", "lo", "mi", "nu", "pe", "ro", "su", "ti", "va", "ze", "bar", "cen", "dol", "fir",
        "gum", "hal", "jor", "kes", "lim", "mon", "nop", "pus", "quil", "rad", "sot", "tem",
        "urn", "vex", "wid", "yor", "ax", "eb"]
WORDS = [a + b + c for a in _SYL for b in _SYL for c in _SYL][:30_000]
_CUM = list(itertools.accumulate(1.0 / (r + 1) ** 1.07 for r in range(len(WORDS))))


def words(rng: random.Random, n: int, skip: int = 0) -> list[str]:
    return [w for w in rng.choices(WORDS, cum_weights=_CUM, k=n * 2) if WORDS.index(w) >= skip][:n] \
        if skip else rng.choices(WORDS, cum_weights=_CUM, k=n)


SYNTH = b"%LANTERN-BENCH-TEXT\n"
RealParser = worker.ParserProcess


class StandInEmbedder:
    """Hashed bag of words, 384 dims: instant and deterministic. NOT a language model."""

    name = "stand-in-hashed-words"
    dim = 384

    def __init__(self) -> None:
        self.seconds = 0.0

    def embed(self, texts):
        t0 = time.perf_counter()
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[row, int(hashlib.blake2b(word.encode(), digest_size=4).hexdigest(), 16) % self.dim] += 1
            out[row] /= np.linalg.norm(out[row]) or 1.0
        self.seconds += time.perf_counter() - t0
        return out


def paper_text(n: int) -> tuple[str, list[str]]:
    """Title and ~16 paragraphs (about 15 chunks) of paper n, drawn from its own topic words."""
    rng = random.Random(n)
    topic = rng.sample(WORDS[1000:20000], 12)
    paras = [" ".join(rng.choice(topic) if rng.random() < 0.1 else w for w in words(rng, 110)) + "."
             for _ in range(16)]
    return f"Synthetic study {n} of {' '.join(topic[:3])}", paras


class StandInParser(RealParser):
    """Reads the bench's text files directly; real PDFs go to the real reader process (read
    ahead as in Lantern)."""

    def read(self, path, cancel=None, meanwhile=None):
        """What the pipeline calls: yields (done, total) while reading, returns the document."""
        if not Path(path).read_bytes().startswith(SYNTH):
            return (yield from super().read(path, cancel, meanwhile))
        return self.parse(path)

    def parse(self, path: Path) -> ParsedDocument:
        raw = Path(path).read_bytes()
        if not raw.startswith(SYNTH):
            return super().parse(path)
        title, *pages = raw[len(SYNTH):].decode().split("\f")
        return ParsedDocument(Path(path), tuple(
            Page(i, text, ((0, "methods"),)) for i, text in enumerate(pages, start=1)
        ), PaperMeta(title=title, authors=("A. Author",)))

    def prefetch(self, path: Path) -> None:
        if not Path(path).read_bytes().startswith(SYNTH):
            super().prefetch(path)


def write_text_paper(folder: Path, n: int) -> Path:
    title, paras = paper_text(n)
    pages = ["\n\n".join(paras[i : i + 6]) for i in range(0, len(paras), 6)]
    path = folder / f"t{n:06d}.pdf"
    path.write_bytes(SYNTH + "\f".join([title, *pages]).encode())
    return path


def write_pdf_paper(folder: Path, n: int) -> Path:
    title, paras = paper_text(n)
    path = folder / f"p{n:06d}.pdf"
    write_paper(path, title=title, authors=["A. Author"],
                sections=[("Methods", paras[:8]), ("Results", paras[8:])])
    return path


def fill(lib_dir: Path, numbers: range) -> None:
    """Grow the library fast: each paper's chunks stored and its vectors journalled as `add`
    does, without reading a file (the windows measure the whole pipeline)."""
    from core.ingest.chunk import chunk_document

    settings = Settings(library=lib_dir)
    embedder = StandInEmbedder()
    with Library(settings, embedder=embedder) as lib, lib.writing():
        index = lib.index.get()
        for n in numbers:
            title, paras = paper_text(n)
            path = lib_dir.parent / "texts" / f"t{n:06d}.pdf"
            pages = tuple(Page(i + 1, "\n\n".join(paras[i * 6 : i * 6 + 6]), ((0, "methods"),))
                          for i in range(3))
            doc = ParsedDocument(path, pages, PaperMeta(title=title, authors=("A. Author",)))
            chunks = chunk_document(doc, settings.chunking)
            doc_id = f"{n:08x}fill"
            ids = lib._parts.store.insert_paper(doc_id, hashlib.sha256(title.encode()).hexdigest(), doc,
                                         chunks, settings.chunking_key())
            index.add(ids, embedder.embed([c.text for c in chunks]), paper=(doc_id, str(path)))
            lib._parts.store.mark_ready(doc_id)
            index.save()


def cli(lib_dir: Path, *args: str) -> tuple[float, float, str]:
    """(wall s, CPU s of the child, stdout) of one `lantern` command."""
    env = {**os.environ, "LANTERN_LIBRARY": str(lib_dir), "HF_HUB_OFFLINE": "1"}
    before = os.times()
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "core.cli", *args], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    after = os.times()
    return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system), out.stdout


CHILD = """
import os, signal, sys
sys.path[:0] = [{root!r}, {bench!r}]
import scale
from core import Library, Settings
from core.store import Store
Store.mark_ready = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)  # after the vectors
scale.install_stand_ins()
lib = Library(Settings(library={lib!r}), embedder=scale.StandInEmbedder())
for event in lib.add([{path!r}]):
    pass
"""


INDEX_SECONDS = [0.0]


def time_index_writes() -> None:
    """Count the seconds spent writing the vector index (journal, checkpoints)."""
    from core.vectors.index import VectorIndex

    for name in ("add", "delete", "save"):
        real = getattr(VectorIndex, name)

        def timed(self, *a, _real=real, **k):
            t0 = time.perf_counter()
            try:
                return _real(self, *a, **k)
            finally:
                INDEX_SECONDS[0] += time.perf_counter() - t0

        setattr(VectorIndex, name, timed)


def install_stand_ins() -> None:
    worker.ParserProcess = StandInParser  # type: ignore[misc,assignment]
    core.ingest.ParserProcess = StandInParser  # type: ignore[attr-defined]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def disk_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / (1 << 20)


def pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))] * 1000


def measure(lib_dir: Path, work: Path, size: int, window: list[Path], queries: int) -> dict:
    row: dict = {"papers": size}
    embedder = StandInEmbedder()
    settings = Settings(library=lib_dir)
    # ingest through the whole pipeline, real PDFs, embedding time subtracted
    with Library(settings, embedder=embedder) as lib:
        INDEX_SECONDS[0] = 0.0
        t0 = time.perf_counter()
        added = [e for e in lib.add(window) if isinstance(e, FileResult) and e.status == "added"]
        wall = time.perf_counter() - t0
        row["ingest_ms"] = (wall - embedder.seconds) / len(added) * 1000
        row["index_ms"] = INDEX_SECONDS[0] / len(added) * 1000
        row["vectors"] = len(lib._vectors()) if hasattr(lib, "_vectors") else len(lib.index.get())
    # retrieval in a fresh process-like state: open, first search loads the index
    rng = random.Random(size)
    questions = [" ".join(words(rng, 4, skip=100) + [paper_text(rng.randrange(size))[0].split()[4]])
                 for _ in range(queries)]  # four words of the language, one of a paper's topic
    t0 = time.perf_counter()
    lib = Library(settings, embedder=StandInEmbedder())
    row["open_ms"] = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    lib.search("warm up the index")
    row["first_search_ms"] = (time.perf_counter() - t0) * 1000
    papers = lib.papers()
    scopes = {"wide": None, "1 paper": 1, "300 papers": 300}
    for name, n in scopes.items():
        times = []
        for q in questions:
            scope = [p.doc_id for p in rng.sample(papers, min(n, len(papers)))] if n else None
            lib.embedder.seconds = 0.0
            t0 = time.perf_counter()
            lib.search(q, papers=scope)
            times.append(time.perf_counter() - t0 - lib.embedder.seconds)
        row[f"{name} p50"], row[f"{name} p95"] = pct(times, 0.5), pct(times, 0.95)
    # the papers a question names (catalog.scope: titles, then the passages' mentions), which
    # runs before retrieval on every question asked of "All papers"
    times = []
    for q in questions:
        t0 = time.perf_counter()
        lib.scope(q)
        times.append(time.perf_counter() - t0)
    row["scope p50"], row["scope p95"] = pct(times, 0.5), pct(times, 0.95)
    row["rss_mb"] = rss_mb()
    victim = added[0].doc_id
    lib.close()
    row["list_s"], row["list_cpu_s"], _ = cli(lib_dir, "list")
    row["remove_s"], row["remove_cpu_s"], _ = cli(lib_dir, "remove", victim)
    # kill -9 after a paper's vectors are written, before it is marked ready
    extra = write_text_paper(work, 10_000_000 + size)
    child = CHILD.format(root=str(ROOT), bench=str(ROOT / "bench"), lib=str(lib_dir), path=str(extra))
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(child)], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    row["recovery_s"], row["recovery_cpu_s"], _ = cli(lib_dir, "list")  # the open recovers
    row["doctor_s"], row["doctor_cpu_s"], _ = cli(lib_dir, "doctor")
    row["disk_mb"] = disk_mb(lib_dir)
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,5000,10000")
    parser.add_argument("--window", type=int, default=40, help="real PDFs added at each size")
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--keep", type=Path, help="build the library here and keep it")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    install_stand_ins()
    time_index_writes()
    work = Path(tempfile.mkdtemp(prefix="lantern-scale-"))
    lib_dir = args.keep or work / "library"
    texts, pdfs = work / "texts", work / "pdfs"
    texts.mkdir()
    pdfs.mkdir()
    rows, next_id = [], 0
    try:
        for size in sizes:
            with Library(Settings(library=lib_dir), embedder=StandInEmbedder()) as lib:
                have = len(lib.papers()) + len(lib.pending())
            todo = range(next_id, next_id + size - args.window - have)
            next_id += len(todo)
            t0 = time.perf_counter()
            fill(lib_dir, todo)
            print(f"filled to {size - args.window} papers in {time.perf_counter() - t0:.0f} s",
                  file=sys.stderr)
            # papers new to the library, also when --keep runs it again
            window = [write_pdf_paper(pdfs, 5_000_000 + size + have + i) for i in range(args.window)]
            rows.append(measure(lib_dir, work, size, window, args.queries))
            print(rows[-1], file=sys.stderr, flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print_table(rows)


def print_table(rows: list[dict]) -> None:
    print("| papers | vectors | ingest ms/paper (no embedding) | of which index | open ms "
          "| first search ms | wide p50/p95 ms | 1 paper p50/p95 ms | 300 papers p50/p95 ms "
          "| scope p50/p95 ms | list s (CPU) | remove s (CPU) | recovery s (CPU) | doctor s (CPU) "
          "| RSS MB | disk MB |")
    print("|" + "---|" * 16)
    for r in rows:
        print(f"| {r['papers']:,} | {r['vectors']:,} | {r['ingest_ms']:.0f} | {r['index_ms']:.1f} "
              f"| {r['open_ms']:.0f} "
              f"| {r['first_search_ms']:.0f} | {r['wide p50']:.1f} / {r['wide p95']:.1f} "
              f"| {r['1 paper p50']:.1f} / {r['1 paper p95']:.1f} "
              f"| {r['300 papers p50']:.1f} / {r['300 papers p95']:.1f} "
              f"| {r['scope p50']:.1f} / {r['scope p95']:.1f} "
              f"| {r['list_s']:.2f} ({r['list_cpu_s']:.2f}) | {r['remove_s']:.2f} ({r['remove_cpu_s']:.2f}) "
              f"| {r['recovery_s']:.2f} ({r['recovery_cpu_s']:.2f}) "
              f"| {r['doctor_s']:.2f} ({r['doctor_cpu_s']:.2f}) | {r['rss_mb']:.0f} | {r['disk_mb']:.0f} |")


if __name__ == "__main__":
    main()
