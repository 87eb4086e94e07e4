"""Take docs/screenshot.png of the real app answering a question about the sample papers.

Runs Lantern on a fresh temporary library (the built-in sample papers, the default model),
asks a question, waits for the answer, opens the first citation in the viewer, and grabs
the window. Needs a display; on a headless machine:

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python scripts/screenshot.py
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--size", default="1400x880", help="window size, WIDTHxHEIGHT")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="lantern-screenshot-"))
    os.environ["LANTERN_LIBRARY"] = str(tmp / "library")
    os.environ["LANTERN_SETTINGS"] = str(tmp / "settings.json")
    sys.path.insert(0, str(ROOT))
    from desktop.app import build

    app, window = build([sys.argv[0]])
    width, height = (int(v) for v in args.size.split("x"))
    window.resize(width, height)
    window.move(0, 0)
    window.show()
    window.start()  # adds the sample papers and loads the model, as on a first start
    wait_until(
        lambda: len(window.papers.papers) >= 3 and not window.backend.runner.busy,
        300,
        "the sample papers and the model",
    )

    panel = window.ask
    panel.question.setPlainText(args.question)
    panel.ask()
    wait_until(lambda: not panel.busy(), 300, "the answer")
    answer = panel.answers[-1]
    print(f"answer ({answer.model}, {answer.timings.total_s:.1f} s): {answer.answer}")
    if answer.citations:
        panel.open_citation(0, answer.citations[0].n)
        viewer = window.viewer
        wait_until(
            lambda: viewer.view.currentSearchResultIndex() >= 0 or not viewer.highlighted,
            20,
            "the highlighted quote",
        )
    else:
        print("screenshot: the answer has no citation; the viewer stays empty")
    wait_until(lambda: True, 0, "")
    end = time.monotonic() + 1.5  # let QPdfView render the page (it renders on a thread)
    wait_until(lambda: time.monotonic() > end, 10, "rendering")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(args.out)):
        raise SystemExit(f"screenshot: could not write {args.out}")
    print(f"wrote {args.out}")
    window.close()
    app.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
