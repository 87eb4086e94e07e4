"""add + ask with the real models while every network socket is blocked."""

from __future__ import annotations

import socket

import pytest

from core import AnswerDone, Library, Settings
from core.settings import PROJECT_ROOT

pytestmark = pytest.mark.e2e


def test_add_and_ask_with_network_blocked(tmp_path, monkeypatch, sample_pdfs):
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    def local_only(connect):
        """Unix sockets are inter-process calls on this machine (the PDF reader's forkserver),
        not the network: let those through."""

        def guarded(sock, address, *args):
            if sock.family == socket.AF_UNIX:
                return connect(sock, address, *args)
            return refuse(sock, address)

        return guarded

    monkeypatch.setattr(socket.socket, "connect", local_only(socket.socket.connect))
    monkeypatch.setattr(socket.socket, "connect_ex", local_only(socket.socket.connect_ex))
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)  # core must set it by itself

    settings = Settings(library=tmp_path / "lib", models_dirs=[PROJECT_ROOT / "models"])
    with Library(settings) as lib:  # real embedder and real GGUF, loaded here
        results = list(lib.add(sample_pdfs[:1]))
        assert results[-1].added == 1
        events = list(lib.ask("Which GPU was used for training?"))
        assert isinstance(events[-1], AnswerDone)
        assert events[-1].answer.evidence
