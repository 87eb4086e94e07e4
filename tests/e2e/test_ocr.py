"""A sentence that exists only on a scanned page: found by `ask`, at the right page, offline."""

from __future__ import annotations

import shutil

import pytest

from core import AnswerDone, FileResult, Library, Settings
from core.settings import PROJECT_ROOT
from tests import pdfs
from tests.network import block_network

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract is not installed"),
]


def test_ask_finds_a_sentence_only_on_a_scanned_page(tmp_path, monkeypatch, real_embedder,
                                                     real_generator):
    block_network(monkeypatch)
    mixed = pdfs.mixed_paper(tmp_path)
    settings = Settings(library=tmp_path / "lib", models_dirs=[PROJECT_ROOT / "models"])
    with Library(settings, embedder=real_embedder, generator=real_generator) as lib:
        (added,) = [e for e in lib.add([mixed]) if isinstance(e, FileResult)]
        assert added.status == "added", added.error
        events = list(lib.ask("When and where were the otters counted?", papers=[added.doc_id]))
        answer = events[-1].answer
        assert isinstance(events[-1], AnswerDone)
        top = answer.evidence[0]
        assert top.page == added.pages  # the scanned appendix is the last page
        assert "otters were counted at dawn" in " ".join(top.text.split())
        for c in answer.citations:
            assert c.quote in lib.page_text(c.doc_id, c.page)
