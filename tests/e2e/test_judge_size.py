"""`answers.judge: auto` reads the real GGUF's size from the loaded model (llama-cpp-python)."""

from __future__ import annotations

import pytest

from core.answer.judge import messages
from core.chat_models import MIN_PARAMS, judge_for

pytestmark = pytest.mark.e2e


def test_auto_leaves_the_bundled_smollm2_135m_off(real_generator):
    assert 100_000_000 < real_generator.n_params < MIN_PARAMS  # 134,515,008
    assert judge_for("auto", real_generator, None) is None
    assert judge_for("on", real_generator, None) is real_generator


def test_a_gguf_judge_replies_yes_or_no_and_nothing_else(real_generator):
    """SmolLM2 left free writes "The sentence does ..."; held by the logit bias it picks one."""
    asked = messages("Which GPU was used?", "We trained on one NVIDIA A100 GPU.")
    assert real_generator.choose(asked, ("YES", "NO")) in {"YES", "NO"}


def test_a_lean_moves_the_choice_by_that_much_of_a_logit(real_generator):
    """`lean` adds to one option's bias: a large one decides, whatever the model prefers."""
    asked = messages("Which GPU was used?", "We trained on one NVIDIA A100 GPU.")
    assert real_generator.choose(asked, ("YES", "NO"), lean={"YES": 50.0}) == "YES"
    assert real_generator.choose(asked, ("YES", "NO"), lean={"NO": 50.0}) == "NO"
