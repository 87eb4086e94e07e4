"""Fixtures for the core tests that drive the CLI."""

from __future__ import annotations

import pytest

import core.cli as cli
from core import Library, Settings


@pytest.fixture
def run(monkeypatch, fake_embedder, fake_generator, capsys):
    """Run `lantern ...` in-process with the fake models injected."""
    real_init = Library.__init__

    def init(self, settings=None, **kw):
        # the fake chat model's answers stay as checked (the judge model is tested on its own)
        settings = (settings or Settings.load()).replace(answers={"judge": "off"})
        real_init(self, settings, embedder=fake_embedder, generator=fake_generator,
                  verbose=kw.get("verbose", False), repair=kw.get("repair", False))

    monkeypatch.setattr(Library, "__init__", init)

    def _run(*argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return _run
