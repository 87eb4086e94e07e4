"""The window's answer times as a user sees them, on the development questions.

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python bench/desktop.py   # a real X server
    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/desktop.py                # no display at all
    .venv/bin/python bench/desktop.py --questions 30 --library /tmp/devlib     # keep the library

Drives the real MainWindow (default settings and chat model) over a library of the
development papers (those of evalset/qa/cq_dev.jsonl). Each question is asked as a user would: its paper selected in the
library, the question typed into the box, Ctrl+Enter. It prints, per question and as
medians:

- first word: from the Ctrl+Enter key press to the first paint of the answer area that
  shows a character of the answer (the dimmed draft as it streams in);
- full answer: from the key press to the checked answer shown (AskPanel.answered).

The library is built with core (not timed) in a temporary folder, or in --library and kept
for the next run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import require_evalset

QUESTIONS = "cq_dev.jsonl"


class PaintWatch:
    """Records when the answer area is first painted with answer text after a key press."""

    def __init__(self, window) -> None:  # noqa: ANN001 - a MainWindow
        from PySide6.QtCore import QObject

        self.window = window
        self.pressed = 0.0
        self.first: float | None = None
        watch = self

        class Filter(QObject):
            def eventFilter(self, obj, event) -> bool:  # noqa: N802, ANN001 - Qt override
                from PySide6.QtCore import QEvent

                pending = window.ask.transcript.pending
                if (event.type() == QEvent.Type.Paint and watch.first is None
                        and watch.pressed and pending is not None and pending.text.strip()):
                    watch.first = time.perf_counter()
                return False

        self._filter = Filter()
        window.ask.view.viewport().installEventFilter(self._filter)


def spread(questions: list[dict], n: int) -> list[dict]:
    """``n`` questions taken in turn from each paper (the first of each paper first)."""
    by_paper: dict[str, list[dict]] = {}
    for q in questions:
        by_paper.setdefault(q["pdf"], []).append(q)
    out: list[dict] = []
    while len(out) < n and any(by_paper.values()):
        for queue in by_paper.values():
            if queue and len(out) < n:
                out.append(queue.pop(0))
    return out


def build_library(folder: Path, papers: list[Path]) -> None:
    """Add the papers with core (the window then opens this library)."""
    from core import Library, Settings

    settings = Settings.load()
    with Library(settings) as lib:
        known = {p.path.name for p in lib.papers()}
        todo = [p for p in papers if p.name not in known]
        if todo:
            t0 = time.perf_counter()
            list(lib.add(todo))
            print(f"# library: added {len(todo)} papers in {time.perf_counter() - t0:.0f} s "
                  f"(not part of the figures below)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=15,
                        help="how many, one per paper in turn (default 15)")
    parser.add_argument("--library", type=Path, help="library folder to build and keep")
    parser.add_argument("--timeout", type=float, default=180.0, help="per question, seconds")
    args = parser.parse_args()
    evalset = require_evalset()
    every = [json.loads(line) for line in (evalset / "qa" / QUESTIONS).open()]
    papers = sorted({evalset / "papers" / q["pdf"] for q in every})
    rows = spread([q for q in every if q.get("answerable", True)], args.questions)

    tmp = tempfile.TemporaryDirectory()
    home = args.library or Path(tmp.name) / "library"
    os.environ["LANTERN_LIBRARY"] = str(home)
    os.environ["LANTERN_SETTINGS"] = str(Path(tmp.name) / "settings.json")  # defaults
    build_library(home, papers)

    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from desktop.app import build

    app, window = build([sys.argv[0]])
    window.show()
    window.start(samples=False, preload_model=True)
    watch = PaintWatch(window)

    def wait(condition, timeout: float) -> bool:  # noqa: ANN001
        end = time.perf_counter() + timeout
        while not condition():
            if time.perf_counter() > end:
                return False
            app.processEvents()
            time.sleep(0.002)
        return True

    ready: list[str] = []
    window.backend.modelState.connect(lambda state, text: ready.append(state))
    if not wait(lambda: "ready" in ready or "error" in ready, 600):
        sys.exit("bench: the model did not load in 10 minutes")
    if "error" in ready:
        sys.exit(f"bench: the model failed to load: {window.model_label.toolTip()}")
    if not wait(lambda: len(window.papers.papers) == len(papers), 60):
        sys.exit("bench: the window did not list the library's papers")
    by_file = {p.path.name: p.doc_id for p in window.papers.papers}
    done: list[object] = []
    window.ask.answered.connect(done.append)
    print(f"# {window.backend.model_name}, {len(papers)} papers, {len(rows)} questions, "
          f"platform {app.platformName()}, window {window.width()}x{window.height()}")
    firsts, fulls = [], []
    for n, q in enumerate(rows, start=1):
        window.library.select([by_file[q["pdf"]]])
        wait(lambda: not window.backend.runner.busy, 60)
        window.ask.question.setPlainText(q["question"])
        window.ask.question.setFocus()
        done.clear()
        watch.first = None
        watch.pressed = time.perf_counter()
        QTest.keyClick(window.ask.question, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        finished = wait(lambda: bool(done), args.timeout)
        end = time.perf_counter()
        wait(lambda: not window.ask.busy(), 30)
        first = (watch.first - watch.pressed) if watch.first else None
        full = end - watch.pressed if finished else None
        if first is not None:
            firsts.append(first)
        if full is not None:
            fulls.append(full)
        print(f"{n:>2}. first word {first if first is not None else float('nan'):6.2f} s  "
              f"full answer {full if full is not None else float('nan'):6.2f} s  "
              f"{q['pdf']}: {q['question'][:60]}", flush=True)
    load = os.getloadavg()[0]
    print(f"first word:  median {statistics.median(firsts):.2f} s  (n={len(firsts)})")
    print(f"full answer: median {statistics.median(fulls):.2f} s  (n={len(fulls)})")
    print(f"load average at the end: {load:.1f} (figures are for a quiet machine only when ~0)")
    window.close()
    tmp.cleanup()


if __name__ == "__main__":
    main()
