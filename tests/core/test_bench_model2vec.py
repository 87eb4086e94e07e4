"""bench/model2vec.py without model2vec installed (it is not a Lantern dependency): one clear
line and exit status 2, not a traceback, and never its own file imported as the package."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(importlib.util.find_spec("model2vec") is not None,
                    reason="model2vec is installed here")
def test_without_model2vec_it_says_so_and_exits_2(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "model2vec.py"), "--static", str(tmp_path),
         "--work", str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 2
    assert "the model2vec package is not installed" in proc.stderr
    assert "Traceback" not in proc.stderr
