"""The model-server Generator against a stub server on 127.0.0.1: streaming, errors, cancel,
timeouts, keys, and that only the configured address is ever contacted."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest
from pydantic import ValidationError

import core.cli as cli
from core import AnswerDone, Library, ModelError, RemoteGenerator, RemoteSettings, Settings, Token
from core.answer.judge import JUDGE_TOKENS
from core.errors import SettingsError
from core.llm import LlamaGenerator
from tests.remote_stub import StubServer, closed_port

MESSAGES = [{"role": "user", "content": "Which GPU?"}]


@pytest.fixture(scope="module")
def library(tmp_path_factory, sample_pdfs):
    """The sample papers with the fake embedder, added once; each test sets its server."""
    from tests.conftest import FakeEmbedder

    settings = Settings(library=tmp_path_factory.mktemp("remote-lib"), models_dirs=[])
    with Library(settings, embedder=FakeEmbedder()) as lib:
        assert list(lib.add(sample_pdfs))[-1].failed == 0
        yield lib


def remote(url: str, **kw) -> RemoteSettings:
    return RemoteSettings(enabled=True, url=url, **kw)


def stream(gen: RemoteGenerator) -> str:
    return "".join(gen.stream_chat(MESSAGES, max_tokens=32, temperature=0.1))


def test_streams_the_answer_and_sends_an_openai_request():
    with StubServer(reply="Trained on an RTX 3090 GPU.") as stub:
        gen = RemoteGenerator(remote(stub.url, model="stub-model"))
        assert gen.name == "127.0.0.1/stub-model"
        assert stream(gen) == "Trained on an RTX 3090 GPU."
    (req,) = stub.requests
    assert req["method"] == "POST" and req["path"] == "/v1/chat/completions"
    assert req["body"] == {"model": "stub-model", "messages": MESSAGES, "max_tokens": 32,
                           "temperature": 0.1, "stream": True}
    assert "Authorization" not in req["headers"]


def test_a_server_that_cannot_stream_still_answers():
    with StubServer(reply="All at once.", plain=True) as stub:
        assert stream(RemoteGenerator(remote(stub.url, model="stub-model"))) == "All at once."


def test_the_key_comes_from_the_named_variable_and_is_never_stored(monkeypatch, tmp_path):
    monkeypatch.setenv("LAB_KEY", "s3cret-token")
    settings = Settings(library=tmp_path / "lib")
    with StubServer(reply="ok") as stub:
        settings = settings.replace(
            remote=remote(stub.url, model="stub-model", api_key_env="LAB_KEY")
        )
        stream(RemoteGenerator(settings.remote))
    assert stub.requests[0]["headers"]["Authorization"] == "Bearer s3cret-token"
    settings.save(tmp_path / "settings.json")
    saved = (tmp_path / "settings.json").read_text()
    assert "LAB_KEY" in saved and "s3cret" not in saved

    monkeypatch.delenv("LAB_KEY")
    with pytest.raises(ModelError, match="environment variable LAB_KEY .* is not set"):
        stream(RemoteGenerator(settings.remote))
    with pytest.raises(ValidationError, match="never the key itself"):
        RemoteSettings(api_key_env="sk-abc123")


def test_an_empty_model_name_takes_the_only_model_served():
    with StubServer(reply="ok") as stub:
        gen = RemoteGenerator(remote(stub.url))
        assert gen.name == "127.0.0.1"
        assert stream(gen) == "ok"
        assert gen.name == "127.0.0.1/stub-model"
    with StubServer(models=("a", "b")) as stub:
        with pytest.raises(ModelError, match=r"serves 2 models \(a, b\); choose one"):
            RemoteGenerator(remote(stub.url)).load()
        with pytest.raises(ModelError, match="does not serve 'c'; it lists: a, b"):
            RemoteGenerator(remote(stub.url, model="c")).load()


def test_an_unreachable_server_is_one_clear_error():
    url = f"http://127.0.0.1:{closed_port()}/v1"
    gen = RemoteGenerator(remote(url, model="m"))
    with pytest.raises(ModelError) as err:
        stream(gen)
    assert str(err.value) == (
        f"cannot reach the model server at {url}: connection refused; check it is running, "
        "or switch back to the built-in model in Settings"
    )


def test_an_unreachable_server_never_falls_back_to_the_built_in_model(library, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("the built-in model was used")

    monkeypatch.setattr(LlamaGenerator, "load", forbidden)
    monkeypatch.setattr(LlamaGenerator, "__init__", forbidden)
    library.set_remote(remote(f"http://127.0.0.1:{closed_port()}/v1", model="m"))
    with pytest.raises(ModelError, match="cannot reach the model server"):
        list(library.ask("Which GPU was used?"))
    with pytest.raises(ModelError, match="cannot reach the model server"):
        library.load_model()
    assert isinstance(library.generator, RemoteGenerator)


def test_a_silent_server_times_out():
    with StubServer(stall=3.0) as stub:
        gen = RemoteGenerator(remote(stub.url, model="stub-model", read_timeout_s=0.3))
        t0 = time.monotonic()
        with pytest.raises(ModelError, match=r"sent nothing for 0.3 s; it may be busy"):
            stream(gen)
        assert time.monotonic() - t0 < 2.0


@pytest.mark.parametrize("status, error, expected", [
    (401, {"error": {"message": "invalid api key"}},
     r"answered HTTP 401 to /chat/completions \(invalid api key\): it wants a key"),
    (404, {"detail": "model 'x' not found"},
     r"HTTP 404 .*\(model 'x' not found\): check the address .* and the model name \('x'\)"),
    (500, {"error": "out of memory"}, r"HTTP 500 to /chat/completions \(out of memory\)$"),
])
def test_http_errors_say_what_the_server_said(status, error, expected):
    with StubServer(status=status, error=error) as stub, pytest.raises(ModelError, match=expected):
        stream(RemoteGenerator(remote(stub.url, model="x")))


def test_cancel_hangs_up_and_the_server_sees_it(library):
    with StubServer(reply="The GPU was an RTX 3090.", forever=True, delay=0.02) as stub:
        library.set_remote(remote(stub.url, model="stub-model"))
        cancel = threading.Event()
        tokens = 0
        for event in library.ask("Which GPU was used?", cancel=cancel):
            if isinstance(event, Token):
                tokens += 1
                if tokens == 3:
                    cancel.set()
        assert isinstance(event, AnswerDone) and tokens == 3
        assert stub.hung_up.wait(3), "the connection stayed open after cancel"


def test_close_wakes_a_read_blocked_in_another_thread():
    with StubServer(stall=5.0) as stub:
        gen = RemoteGenerator(remote(stub.url, model="stub-model"))
        threading.Timer(0.3, gen.close).start()
        t0 = time.monotonic()
        assert stream(gen) == ""
        assert time.monotonic() - t0 < 2.0


def test_only_the_configured_address_is_contacted(monkeypatch):
    # urllib would send this through the proxy in the environment; http.client does not
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{closed_port()}")
    contacted = []
    real = socket.create_connection

    def spy(address, *args, **kwargs):
        contacted.append(address)
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", spy)
    with StubServer(reply="ok") as stub:
        gen = RemoteGenerator(remote(stub.url))
        gen.load()
        assert stream(gen) == "ok"
        port = int(stub.url.split(":")[2].split("/")[0])
    assert contacted == [("127.0.0.1", port)] * 2


def test_a_redirect_is_not_followed():
    with StubServer(status=307) as stub, pytest.raises(ModelError, match="Lantern follows none"):
        stream(RemoteGenerator(remote(stub.url, model="x")))
    assert len(stub.requests) == 1


def test_library_answers_through_the_server_with_citations(library):
    cam = next(p.doc_id for p in library.papers() if "Camera" in p.title)
    reply = "The model was trained on a single NVIDIA RTX 3090 GPU [1]."
    with StubServer(reply=reply, later="YES") as stub:  # the judge accepts what is shown
        library.set_remote(remote(stub.url, model="stub-model"))
        events = list(library.ask("Which GPU was used?", papers=[cam]))
    answer = events[-1].answer
    assert "".join(e.text for e in events if isinstance(e, Token)) == reply
    assert answer.model == "127.0.0.1/stub-model"
    assert not answer.abstained and answer.citations
    # answers.judge `auto` judges with a server: one short call, after the draft
    assert answer.judged and len(stub.requests) == 2
    assert stub.requests[1]["body"]["max_tokens"] == JUDGE_TOKENS
    for c in answer.citations:
        assert c.quote in library.page_text(c.doc_id, c.page)
    prompt = stub.requests[0]["body"]["messages"]
    assert "RTX 3090" in json.dumps(prompt)  # the evidence found here was sent with the question


def test_a_server_that_judges_the_sentence_no_answer_gives_not_reported(library):
    cam = next(p.doc_id for p in library.papers() if "Camera" in p.title)
    reply = "The model was trained on a single NVIDIA RTX 3090 GPU [1]."
    with StubServer(reply=reply, later="NO") as stub:
        library.set_remote(remote(stub.url, model="stub-model"))
        answer = list(library.ask("Which GPU was used?", papers=[cam]))[-1].answer
    assert answer.abstained and answer.judged and not answer.citations
    assert answer.evidence  # the closest passages stay


def test_default_settings_use_the_built_in_model_and_contact_nothing(
    settings, fake_embedder, monkeypatch
):
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "create_connection", refuse)
    assert not settings.remote.enabled
    with Library(settings, embedder=fake_embedder) as lib:
        assert isinstance(lib.generator, LlamaGenerator)
        assert lib.model_name == "SmolLM2-135M-Instruct.Q4_1.gguf"


def test_server_addresses_are_checked(tmp_path):
    assert RemoteSettings(url="http://lab:8000").url == "http://lab:8000/v1"
    assert RemoteSettings(url="https://lab/api/v1/").url == "https://lab/api/v1"
    for bad in ("lab-server:8000", "ftp://lab/v1", "http://lab:99999/v1", "http:///v1"):
        with pytest.raises(ValidationError):
            RemoteSettings(url=bad)
    with pytest.raises(ValidationError, match="switched on but has no address"):
        RemoteSettings(enabled=True)
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"remote": {"enabled": True, "url": "lab-server"}}))
    with pytest.raises(SettingsError, match="not a server address"):
        Settings.load(path)


def test_cli_endpoint(library, monkeypatch, capsys, fake_embedder):
    real_init = Library.__init__

    def init(self, settings=None, **kw):  # the real generator choice, a fake embedder
        real_init(self, settings, embedder=fake_embedder)

    monkeypatch.setattr(Library, "__init__", init)
    monkeypatch.setenv("LANTERN_LIBRARY", str(library.root))
    with StubServer(reply="The model was trained on a single NVIDIA RTX 3090 GPU [1].") as stub:
        code = cli.main(["ask", "Which GPU was used to train the model?", "--json",
                         "--endpoint", stub.url.removesuffix("/v1")])
    out, _ = capsys.readouterr()
    assert code == 0 and json.loads(out)["model"] == "127.0.0.1/stub-model"

    assert cli.main(["ask", "Which GPU?", "--endpoint", "lab-server:8000"]) == 1
    assert "lantern: --endpoint: 'lab-server:8000' is not a server address" in capsys.readouterr().err
    url = f"http://127.0.0.1:{closed_port()}/v1"
    assert cli.main(["ask", "Which GPU?", "--endpoint", url]) == 1
    assert f"lantern: cannot reach the model server at {url}: connection refused" in (
        capsys.readouterr().err)
    assert cli.main(["ask", "Which GPU?", "--endpoint", url, "--model", "x.gguf"]) == 2
