"""The prompt's opening kept on disk: a new process restores it instead of reading it again,
answers exactly as it would have, and never trusts a file that does not match."""

from __future__ import annotations

import pytest

from core import prompt_state
from core.answer.prompt import SYSTEM_PROMPT
from core.chat_models import default_gguf
from core.llm import LlamaGenerator
from core.settings import PROJECT_ROOT, LLMSettings, Settings

pytestmark = pytest.mark.e2e

MESSAGES = [
    {"role": "system", "content": SYSTEM_PROMPT},
    {
        "role": "user",
        "content": "Excerpts:\n[1] The network was trained with Adam at a learning "
        "rate of 0.001 on one NVIDIA K40 GPU.\n\nQuestion: Which GPU was used?\nAnswer:",
    },
]


def generator(state_dir=None) -> LlamaGenerator:
    model = default_gguf(Settings(models_dirs=[PROJECT_ROOT / "models"]))
    return LlamaGenerator(model, LLMSettings(), state_dir)


def answer(gen: LlamaGenerator) -> str:
    try:
        return "".join(gen.stream_chat(MESSAGES, max_tokens=24, temperature=0.1))
    finally:
        gen.close()


def test_a_new_process_restores_the_opening_and_answers_the_same(tmp_path):
    plain = answer(generator())
    assert answer(generator(tmp_path)) == plain  # reads the opening, keeps its state
    (kept,) = tmp_path.glob("prompt-state-*.bin")
    gen = generator(tmp_path)
    llm = gen.load()
    assert prompt_state.restore_or_save(llm, gen.path, tmp_path, MESSAGES) == "restored"
    assert llm.n_tokens == len(prompt_state.opening(llm, MESSAGES)) > 16
    gen.close()
    assert answer(generator(tmp_path)) == plain  # restored, then the rest of the prompt read
    assert list(tmp_path.glob("prompt-state-*.bin")) == [kept]


def test_a_damaged_or_foreign_file_is_not_trusted(tmp_path):
    plain = answer(generator())
    answer(generator(tmp_path))
    (kept,) = tmp_path.glob("prompt-state-*.bin")
    good = kept.read_bytes()
    for bad in (b"", b"not a state", good[:200], good[:-1000] + b"\0" * 1000):
        kept.write_bytes(bad)
        gen = generator(tmp_path)
        llm = gen.load()
        assert prompt_state.restore_or_save(llm, gen.path, tmp_path, MESSAGES) == "saved"
        gen.close()
        assert kept.read_bytes() == good  # saved again in its place
        assert answer(generator(tmp_path)) == plain


def test_an_unwritable_folder_only_costs_the_saving(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder would be")
    assert answer(generator(blocked / "state")) == answer(generator())


def test_a_failing_restore_costs_no_answer(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("llama_state_set_data failed")

    monkeypatch.setattr(prompt_state, "restore_or_save", broken)
    assert answer(generator(tmp_path)) == answer(generator())
