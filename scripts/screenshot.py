"""Take the screenshots in docs/: the real app's Ask and Extract views at two window sizes.

Runs Lantern on a fresh temporary library (the built-in sample papers, the default model) as
on a first start, asks a question, opens its first citation in the viewer, and grabs the
window at each size; then fills the Extract table (evidence only: no model, quick), opens a
cell's quote and grabs it again. Needs a display; on a headless machine:

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshot.py

Writes docs/ask-WxH.png and docs/extract-WxH.png for each --sizes entry.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "Which optimizer and learning rate were used?"


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Run the event loop until ``condition`` holds (the app stays live meanwhile)."""
    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"screenshot: timed out waiting for {what}")
        loop = QEventLoop()
        QTimer.singleShot(50, loop.quit)
        loop.exec()


def settle(seconds: float = 1.5) -> None:
    """Let layouts settle and QPdfView render its pages (it renders on a thread)."""
    end = time.monotonic() + seconds
    wait_until(lambda: time.monotonic() > end, seconds + 5, "rendering")


def grab(window, size: tuple[int, int], out: Path) -> None:  # noqa: ANN001
    window.resize(*size)
    settle()
    if window.size().width() != size[0] or window.size().height() != size[1]:
        raise SystemExit(f"screenshot: the window is {window.size()}, not {size}")
    if not window.grab().save(str(out)):
        raise SystemExit(f"screenshot: could not write {out}")
    print(f"wrote {out}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--sizes", default="1366x768,1024x700", help="WIDTHxHEIGHT,…")
    args = parser.parse_args()
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]

    tmp = Path(tempfile.mkdtemp(prefix="lantern-screenshot-"))
    os.environ["LANTERN_LIBRARY"] = str(tmp / "library")
    os.environ["LANTERN_SETTINGS"] = str(tmp / "settings.json")
    sys.path.insert(0, str(ROOT))
    from desktop.app import build

    app, window = build([sys.argv[0]])
    window.resize(*sizes[0])
    window.move(0, 0)
    window.show()
    window.start()  # adds the sample papers and loads the model, as on a first start
    wait_until(
        lambda: len(window.papers.papers) >= 3 and not window.backend.runner.busy,
        600,
        "the sample papers and the model",
    )
    args.out.mkdir(parents=True, exist_ok=True)

    panel = window.ask
    panel.question.setPlainText(args.question)
    panel.ask()
    wait_until(lambda: not panel.busy(), 600, "the answer")
    answer = panel.answers[-1]
    print(f"answer ({answer.model}, {answer.timings.total_s:.1f} s): {answer.answer}")
    if answer.citations:
        panel.open_citation(0, answer.citations[0].n)
    else:
        print("screenshot: the answer has no citation; the viewer shows the first passage")
        if answer.evidence:
            panel.open_evidence(answer.evidence[0])
    for size in sizes:
        grab(window, size, args.out / f"ask-{size[0]}x{size[1]}.png")

    extract = window.extract
    window.tabs.setCurrentWidget(extract)
    extract.evidence_only.setChecked(True)
    settle(0.5)
    extract.start()
    wait_until(lambda: not extract.busy(), 600, "the Extract run")
    model = extract.model
    cell = next(
        (
            (r, c)
            for r in range(model.rowCount())
            for c in range(model.columnCount())
            if (x := model.cell_at(r, c)) is not None and x.reported and x.page
        ),
        None,
    )
    if cell is not None:
        paper, found = model.paper_at(cell[0]), model.cell_at(*cell)
        extract.openSource.emit(paper.path, found.page, found.quote, paper.title)
    for size in sizes:
        grab(window, size, args.out / f"extract-{size[0]}x{size[1]}.png")
    window.close()
    app.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
