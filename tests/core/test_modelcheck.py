"""`lantern models --check`: each model tried once, a broken one named with its error."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from core import Settings, check_models
from core.chat_models import judge_gguf
from core.settings import PROJECT_ROOT

# the judge model is checked when set-up placed it (LANTERN_JUDGE=0 leaves it out)
JUDGE = ["judge model"] if judge_gguf(Settings(models_dirs=[PROJECT_ROOT / "models"])) else []


def test_a_broken_embedding_path_is_named(settings: Settings, monkeypatch):
    """What a frozen build that lost a package's data does on the first paper (issue 20)."""
    from core.embed import SentenceTransformerEmbedder

    def broken(self, texts):
        raise FileNotFoundError("Cannot load dependency data, is `kernels` correctly installed?")

    monkeypatch.setattr(SentenceTransformerEmbedder, "embed", broken)
    monkeypatch.setattr("core.modelcheck._chat", lambda settings: "not loaded here")
    monkeypatch.setattr("core.modelcheck._judge", lambda settings: "not loaded here")
    checks = check_models(settings)
    assert [c.what for c in checks] == ["embedding (papers)", "chat model", *JUDGE]
    assert not checks[0].ok
    assert checks[0].line() == ("FAIL embedding (papers): FileNotFoundError: Cannot load "
                                "dependency data, is `kernels` correctly installed?")


@pytest.mark.e2e
def test_every_model_works_and_both_embedding_paths_agree():
    out = subprocess.run([sys.executable, "-m", "core.cli", "models", "--check", "--json"],
                         capture_output=True, text=True, timeout=300, cwd=PROJECT_ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    checks = json.loads(out.stdout)
    assert [c["what"] for c in checks] == ["embedding (papers)", "embedding (questions)",
                                           "chat model", *JUDGE]
    assert all(c["ok"] for c in checks), checks
    assert "equal to the papers' vector" in checks[1]["detail"]


def test_a_configured_judge_model_that_is_gone_is_named(settings: Settings, monkeypatch, tmp_path):
    monkeypatch.setattr("core.modelcheck._chat", lambda settings: "not loaded here")
    gone = settings.replace(answers={"judge_model": tmp_path / "judge.gguf"})
    checks = check_models(gone)
    assert checks[-1].what == "judge model" and not checks[-1].ok
    assert "judge.gguf is not there" in checks[-1].detail
