"""How well a GGUF judge tells a sentence that answers a question from one that does not: the
measure by which the judge's prompt and lean (core/answer/judge.py) were chosen.

From an `answers.py --json` run on the tuning set (cq_dev.jsonl, judging off), each question
answered right gives one pair that should be accepted (the question, the text shown) and one
that should be rejected (the question, the text shown for the next question on the same paper:
a sentence of the same paper about something else). Each prompt wording is put to the judge
model and the margin between its YES and NO logits read; printed is how many of each it keeps
and rejects at each lean (the YES/NO it says when its YES is given that much more).

    .venv/bin/python bench/answers.py --qa cq_dev.jsonl --work /tmp/ans --reuse --judge off \
        --json /tmp/dev.json
    .venv/bin/python bench/judge.py --answers /tmp/dev.json [--model models/judge/....gguf]

`--answers` of a report-only set (cq_dev2, the heldout sets) measures instead the answers that
set got: right ones (to keep) against wrong ones to unanswerable questions (to reject).
`--copy` measures instead a judge that copies the words that answer (tried, not adopted).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.answer import judge  # noqa: E402
from core.settings import DEFAULT_JUDGE_GGUF, PROJECT_ROOT  # noqa: E402

READER = "You are a careful reader of research papers. Reply with one word: YES or NO."
WORDINGS = {
    "states, not mentions (before)": (
        "You check whether a sentence from a research paper answers a question. Reply with one "
        "word: YES or NO.",
        "Question: {q}\nSentence: {s}\n\nDoes the sentence itself state the answer to the "
        "question (or part of it), not just mention the same topic? Reply YES or NO."),
    "does it answer": ("Reply with one word: YES or NO.",
                       "Question: {q}\nSentence: {s}\n\nDoes the sentence answer the question?"),
    "contains the answer": (
        "You are a careful reader of research papers.",
        'Sentence from a paper: "{s}"\n\nQuestion: {q}\n\nDoes this sentence contain the answer '
        "to the question? Answer YES or NO."),
    "answered from the text alone (chosen)": (READER, judge.messages("{q}", "{s}")[1]["content"]),
    "from the paper asked about": (
        READER, "Text (from the paper the question asks about): {s}\n\nCan the question below "
                "be answered from the text above?\nQuestion: {q}"),
}
LEANS = (-0.5, 0.0, 0.5, 1.0, 2.0)


def pairs(answers: list[dict], tuning: bool) -> list[tuple[str, str, bool]]:
    shown = [(a, re.sub(r"\s*\[\d+\]", "", a["answer"]).strip()[:600]) for a in answers]
    if not tuning:
        return [(a["question"], text, a["ok"]) for a, text in shown
                if a["mode"] != "not_reported" and (a["ok"] or not a["answerable"])]
    out = []
    by_paper: dict[str, list[tuple[dict, str]]] = {}
    for a, text in shown:
        if a["mode"] != "not_reported":
            by_paper.setdefault(a["pdf"], []).append((a, text))
    for rows in by_paper.values():
        for i, (a, text) in enumerate(rows):
            if a["answerable"] and a["ok"] and len(rows) > 1:
                out.append((a["question"], text, True))
                out.append((a["question"], rows[(i + 1) % len(rows)][1], False))
    return out


def margins(model: Path, wording: tuple[str, str], items: list[tuple[str, str, bool]]) -> list[float]:
    import llama_cpp
    import numpy as np
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    llm = llama_cpp.Llama(str(model), n_ctx=2048, n_threads=None, verbose=False)
    form = Jinja2ChatFormatter(template=llm.metadata["tokenizer.chat_template"], eos_token="",
                               bos_token="")

    def first(words: tuple[str, ...]) -> set[int]:
        return {llm.tokenize(w.encode(), add_bos=False, special=False)[0] for w in words}

    yes, no = first(("YES", "Yes", "yes")), first(("NO", "No", "no"))
    out = []
    for q, s, _ in items:
        messages = [{"role": "system", "content": wording[0]},
                    {"role": "user", "content": wording[1].format(q=q, s=s)}]
        tokens = llm.tokenize(form(messages=messages).prompt.encode(), add_bos=False,
                              special=True)
        llm.reset()
        llm.eval(tokens)
        logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llm._ctx.ctx, -1),
                                       shape=(llm.n_vocab(),))
        out.append(float(max(logits[list(yes)]) - max(logits[list(no)])))
    llm.close()
    return out


COPY = ("You are a careful reader of research papers.",
        "Text: {s}\n\nQuestion: {q}\n\nCopy the words of the text that answer the question. If "
        "the text does not answer it, reply NONE.")
WORD = re.compile(r"\w+(?:[.,]\d+)*")


def copied(reply: str, sentence: str) -> bool:
    """The reply is words of the sentence (each word and number of it is the sentence's; a
    last word cut off by the token limit may be a prefix of one), and not NONE."""
    def plain(text: str) -> str:
        return unicodedata.normalize("NFKC", text).lower().replace("\u2212", "-")

    words, held = WORD.findall(plain(reply)), WORD.findall(plain(sentence))
    if not words or words[0] == "none":
        return False
    if words[-1] not in held and any(h.startswith(words[-1]) for h in held):
        words = words[:-1]
    return all(w in held for w in words)


def copy_judge(model: Path, items: list[tuple[str, str, bool]]) -> None:
    """The alternative tried in the eleventh session: the judge copies the words that answer
    (at most 32 tokens, temperature 0), and a reply of NONE or of words the sentence does not
    hold is a NO (bench/README.md, "Judging the answer whole")."""
    from core.llm import LlamaGenerator
    from core.settings import LLMSettings

    gen = LlamaGenerator(model, LLMSettings(model_path=model, n_ctx=2048))
    kept = rejected = 0
    times = []
    for q, s, ok in items:
        messages = [{"role": "system", "content": COPY[0]},
                    {"role": "user", "content": COPY[1].format(q=q, s=s)}]
        t0 = time.perf_counter()
        reply = "".join(gen.stream_chat(messages, max_tokens=32, temperature=0.0))
        times.append(time.perf_counter() - t0)
        said = copied(reply.strip().split("\n")[0], s)
        kept += ok and said
        rejected += not ok and not said
    gen.close()
    times.sort()
    print(f"| copy the words that answer, checked | kept {kept}/{sum(ok for *_, ok in items)}, "
          f"rejected {rejected}/{sum(not ok for *_, ok in items)} | median "
          f"{times[len(times) // 2]:.2f} s, max {times[-1]:.2f} s a sentence |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=Path, required=True, help="answers.py --json output")
    parser.add_argument("--model", type=Path, default=PROJECT_ROOT / "models" / DEFAULT_JUDGE_GGUF)
    parser.add_argument("--report", action="store_true",
                        help="a report-only set: its right answers against its wrong ones")
    parser.add_argument("--copy", action="store_true",
                        help="measure the copy-the-words judge instead of the YES/NO wordings")
    args = parser.parse_args()
    items = pairs(json.loads(args.answers.read_text())["answers"], tuning=not args.report)
    if args.copy:  # as the judge now reads an answer (judge.whole): spaces collapsed
        copy_judge(args.model, [(q, " ".join(s.split()), ok) for q, s, ok in items])
        return
    keep, reject = sum(ok for *_, ok in items), sum(not ok for *_, ok in items)
    print(f"{args.model.name}: {keep} sentences to keep, {reject} to reject")
    print("| wording | " + " | ".join(f"lean {x:+.1f}: kept, rejected" for x in LEANS) + " |")
    print("|---|" + "---|" * len(LEANS))
    for name, wording in WORDINGS.items():
        t0 = time.perf_counter()
        scored = list(zip(margins(args.model, wording, items), (ok for *_, ok in items),
                          strict=True))
        cells = [f"{sum(v > -x for v, ok in scored if ok)}/{keep}, "
                 f"{sum(v <= -x for v, ok in scored if not ok)}/{reject}" for x in LEANS]
        print(f"| {name} | " + " | ".join(cells) + " |"
              f"  ({(time.perf_counter() - t0) / len(items):.2f} s a sentence)")


if __name__ == "__main__":
    main()
