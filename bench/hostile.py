"""`lantern add` over the robustness files plus generated hostile ones, as a user runs it.

    .venv/bin/python bench/hostile.py

Adds evalset/robustness and a folder of generated cases (a lone surrogate in the text, names
that are not UTF-8 or hold a newline, CR or ESC, a FIFO, a broken link, an empty folder, a
sparse 20 GiB file, a file rewritten while it is read) with the real CLI and models. Prints
the outcome counts, whether every file got exactly one line and no traceback appeared, and
whether list / ask / doctor still work afterwards. Numbers only; never part of pass/fail.
"""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import ROOT, require_evalset

from core.pdfgen import write_paper
from tests import pdfs


def hostile_folder(folder: Path) -> tuple[Path, threading.Event]:
    """Write the generated cases; returns the folder and the event that stops the flipper."""
    folder.mkdir()
    pdfs.lone_surrogate_pdf(folder)
    names = [b"caf\xe9-latin1.pdf", b"new\nline.pdf", b"carriage\rreturn.pdf",
             b"esc\x1b[2J.pdf", b"<img width=3000>.pdf"]
    for n, name in enumerate(names):
        write_paper(Path(os.fsdecode(os.fsencode(folder) + b"/" + name)),
                    title=f"Odd name number {n}",
                    sections=[("Methods", [f"Plot {n} was sampled with a quadrat."] * 8)])
    os.mkfifo(folder / "pipe.pdf")
    (folder / "gone.pdf").symlink_to(folder / "nowhere.pdf")
    (folder / "empty").mkdir()
    with (folder / "huge.pdf").open("wb") as fh:  # sparse: takes no room
        fh.write(b"%PDF-1.4\n")
        fh.truncate(20 << 30)
    versions = [write_paper(folder.parent / f"v{i}.pdf", title=f"Version {i} of a flipping file",
                            sections=[("Methods", [f"Version {i} text."] * 40)]).read_bytes()
                for i in (1, 2)]
    flip = folder / "flip.pdf"
    flip.write_bytes(versions[0])
    stop = threading.Event()

    def flipper() -> None:
        i = 0
        while not stop.is_set():
            i += 1
            flip.write_bytes(versions[i % 2])
            time.sleep(0.002)

    threading.Thread(target=flipper, daemon=True).start()
    return folder, stop


def lantern(library: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core.cli", "--library", str(library), *args],
                          cwd=ROOT, capture_output=True, text=True, errors="backslashreplace",
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})


def main() -> None:
    evalset = require_evalset()
    with tempfile.TemporaryDirectory() as tmp:
        library = Path(tmp) / "lib"
        extras, stop = hostile_folder(Path(tmp) / "hostile")
        t0 = time.perf_counter()
        try:
            add = lantern(library, "add", str(evalset / "robustness"), str(extras))
        finally:
            stop.set()
        elapsed = time.perf_counter() - t0
        lines = add.stdout.splitlines()
        outcomes = collections.Counter(line.split()[0] for line in lines)
        robustness_files = sum(1 for p in (evalset / "robustness").rglob("*") if p.is_file())
        extra_entries = len(os.listdir(extras))  # each file, and the empty folder, get a line
        print(f"add: exit {add.returncode} in {elapsed:.0f} s; {len(lines)} lines for "
              f"{robustness_files} robustness files + {extra_entries} generated entries")
        print(f"outcomes: {dict(sorted(outcomes.items()))}")
        print(f"summary line: {add.stderr.strip().splitlines()[-1] if add.stderr.strip() else '-'}")
        print(f"tracebacks: {add.stderr.count('Traceback')}; raw ESC or CR in output: "
              f"{sum(c in add.stdout for c in (chr(27), chr(13)))}")
        generated = ("hostile", "surrogate", "Odd name", "flip", "Version", "empty")
        for line in lines:
            if any(word in line for word in generated):
                print(f"  {line[:150]}")
        listed = lantern(library, "list", "--json")
        ask = lantern(library, "ask", "What was sampled with a quadrat?", "--no-llm", "--json")
        doctor = lantern(library, "doctor")
        print(f"list: exit {listed.returncode}, {listed.stdout.count('doc_id')} papers; "
              f"ask --no-llm: exit {ask.returncode}; doctor: exit {doctor.returncode} "
              f"({doctor.stdout.strip().splitlines()[-1] if doctor.stdout.strip() else '-'})")


if __name__ == "__main__":
    main()
