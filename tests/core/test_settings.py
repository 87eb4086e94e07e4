"""Settings are frozen: a change is a new, validated object, and the Library takes it whole."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from core import Library, Settings, SettingsError
from core.library import PIECES_KEY
from core.settings import NEW_LIBRARY_PIECES


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


def test_vectors_cut_otherwise_get_an_index_of_their_own(settings: Settings) -> None:
    # the cut at 256 word pieces (the model's own) keeps the name indexes had before the
    # setting existed; any other cut names a new index, never mixed with them
    old_name = hashlib.sha256(json.dumps(
        {"embedding": "all-MiniLM-L6-v2", "chunking": settings.chunking.model_dump()},
        sort_keys=True).encode()).hexdigest()[:12]
    assert settings.embedding.max_pieces is None and settings.index_key() == old_name
    assert settings.replace(embedding={"max_pieces": 256}).index_key() == old_name
    assert settings.replace(embedding={"max_pieces": 128}).index_key() != old_name


def test_a_new_library_cuts_at_128_and_an_older_one_keeps_its_vectors(
    settings: Settings, fake_embedder, sample_pdfs
) -> None:
    with Library(settings, embedder=fake_embedder) as lib:
        assert lib.settings.embedding.max_pieces == NEW_LIBRARY_PIECES == 128
        # settings that leave the cut to the library (as saved by the desktop) are no change
        lib.use_settings(settings.replace(retrieval={"k": 3}))
        assert lib.settings.embedding.max_pieces == 128

    older = settings.replace(library=settings.library.parent / "older")
    with Library(older.replace(embedding={"max_pieces": 256}), embedder=fake_embedder) as lib:
        list(lib.add(sample_pdfs[:1]))
        made = sorted(p.name for p in lib.root.glob("vectors-*"))
        lib._parts.store.db.execute("DELETE FROM meta WHERE key = ?", (PIECES_KEY,))
    with Library(older, embedder=fake_embedder) as lib:  # as a version before the setting left it
        assert lib.settings.embedding.max_pieces == 256
        assert lib.unindexed() == [] and sorted(p.name for p in lib.root.glob("vectors-*")) == made
        list(lib.add(sample_pdfs[1:2]))  # a paper added later is cut as the first ones were
        assert lib.unindexed() == [] and len(lib.papers()) == 2
    with Library(older.replace(embedding={"max_pieces": 200}), embedder=fake_embedder) as lib:
        assert lib.settings.embedding.max_pieces == 200  # a cut asked for is used
        assert lib.index.path.name not in made
