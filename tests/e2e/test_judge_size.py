"""`answers.judge: auto` reads the real GGUF's size from the loaded model (llama-cpp-python)."""

from __future__ import annotations

import pytest

from core.answer.judge import MIN_PARAMS, judges

pytestmark = pytest.mark.e2e


def test_auto_leaves_the_bundled_smollm2_135m_off(real_generator):
    assert 100_000_000 < real_generator.n_params < MIN_PARAMS  # 134,515,008
    assert not judges("auto", real_generator) and judges("on", real_generator)
