"""Settings are frozen: a change is a new, validated object, and the Library takes it whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from core import Library, Settings, SettingsError


def test_settings_are_frozen_and_replaced_whole(settings: Settings) -> None:
    with pytest.raises(ValidationError):
        settings.llm.n_ctx = 2048  # type: ignore[misc]
    new = settings.replace(llm={"n_ctx": 2048}, retrieval={"k": 4})
    assert (new.llm.n_ctx, new.retrieval.k) == (2048, 4)
    assert (settings.llm.n_ctx, settings.retrieval.k) == (4096, 6)  # the old one is unchanged
    assert new.llm.temperature == settings.llm.temperature and new.library == settings.library
    with pytest.raises(SettingsError, match="n_ctx"):
        settings.replace(llm={"n_ctx": 1})


def test_library_uses_new_settings_and_drops_the_model_only_when_its_settings_change(
    settings: Settings, fake_embedder, fake_generator, tmp_path: Path
) -> None:
    with Library(settings, embedder=fake_embedder, generator=fake_generator) as lib:
        lib.use_settings(settings.replace(retrieval={"k": 3}))
        assert lib.settings.retrieval.k == 3 and lib.generator is fake_generator
        lib.set_model(tmp_path / "other.gguf")
        assert lib.settings.llm.model_path == tmp_path / "other.gguf"
        assert lib.settings.retrieval.k == 3
        assert lib._chat.loaded is None  # the fake is let go; the next use loads other.gguf
        with pytest.raises(SettingsError, match="cannot change while the library is open"):
            lib.use_settings(settings.replace(library=tmp_path / "elsewhere"))
