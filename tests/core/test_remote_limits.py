"""A model server that never stops cannot hold Lantern: an answer is cut off at max_tokens
pieces, at a byte limit and at the answer deadline, each with one line, and the connection is
closed then (the stub server on 127.0.0.1 sees the hang-up)."""

from __future__ import annotations

import time

import pytest

from core import Library, ModelError, RemoteGenerator, RemoteSettings
from tests.remote_stub import StubServer

MESSAGES = [{"role": "user", "content": "Which GPU?"}]


def remote(url: str, **kw) -> RemoteSettings:
    return RemoteSettings(enabled=True, url=url, model="stub-model", **kw)


def read_all(gen: RemoteGenerator, max_tokens: int) -> str:
    return "".join(gen.stream_chat(MESSAGES, max_tokens=max_tokens, temperature=0.1))


def test_a_server_that_ignores_max_tokens_is_cut_off_there():
    with StubServer(reply="token ", forever=True) as stub:
        with pytest.raises(ModelError, match=r"went on past 32 tokens, the answer's limit "
                                             r"\(max_tokens\), and was cut off"):
            read_all(RemoteGenerator(remote(stub.url)), 32)
        assert stub.hung_up.wait(3), "the connection stayed open after the cap"
    assert stub.sent < 200  # stopped at the cap, not read to the end


def test_an_answer_over_the_byte_limit_is_cut_off():
    # 100 KB of padding per token: the bytes run out long before the tokens do
    with StubServer(reply="token ", forever=True, filler=100_000) as stub:
        with pytest.raises(ModelError, match=r"sent more than \d+ KB for one answer and was "
                                             r"cut off"):
            read_all(RemoteGenerator(remote(stub.url)), 64)
        assert stub.hung_up.wait(3)
    assert stub.sent < 10


def test_a_steady_stream_is_stopped_at_the_deadline():
    # a token every 50 ms: never silent for read_timeout_s, but never done either
    with StubServer(reply="token ", forever=True, delay=0.05) as stub:
        gen = RemoteGenerator(remote(stub.url, answer_deadline_s=1.0, read_timeout_s=30))
        t0 = time.monotonic()
        with pytest.raises(ModelError, match=r"did not finish its answer within 1 s and was "
                                             r"cut off; .* answer_deadline_s"):
            read_all(gen, 100_000)
        assert time.monotonic() - t0 < 3.0
        assert stub.hung_up.wait(3)


def test_a_server_that_sends_headers_and_then_nothing_meets_the_deadline():
    with StubServer(stall=5.0) as stub:
        gen = RemoteGenerator(remote(stub.url, answer_deadline_s=0.5, read_timeout_s=30))
        t0 = time.monotonic()
        with pytest.raises(ModelError, match="within 0.5 s"):
            read_all(gen, 32)
        assert time.monotonic() - t0 < 2.5


def test_ask_through_the_cli_gets_one_line(sample_pdfs, settings, fake_embedder,
                                           monkeypatch, capsys):
    import core.cli as cli

    with Library(settings, embedder=fake_embedder) as lib:
        list(lib.add(sample_pdfs[:1]))
    real_init = Library.__init__

    def init(self, settings=None, **kw):  # the real generator choice, a fake embedder
        real_init(self, settings, embedder=fake_embedder)

    monkeypatch.setattr(Library, "__init__", init)
    with StubServer(reply="word ", forever=True, delay=0.01) as stub:
        code = cli.main(["ask", "Which camera traps were used?", "--all-papers",
                         "--endpoint", stub.url])
        assert stub.hung_up.wait(3)
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("lantern: the model server at ")
    assert "was cut off" in err
