"""Lantern answering through a real llama.cpp server (`python -m llama_cpp.server`) started
here on 127.0.0.1 with the default GGUF: only generation is remote, citations stay local."""

from __future__ import annotations

import http.client
import secrets
import subprocess
import sys
import threading
import time

import pytest

from core import AnswerDone, Library, ModelError, RemoteSettings, Settings, Token
from core.chat_models import default_gguf
from core.settings import PROJECT_ROOT
from tests.remote_stub import closed_port

pytestmark = pytest.mark.e2e
KEY = secrets.token_hex(8)  # the server wants it; Lantern reads it from LAB_SERVER_KEY


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    pytest.importorskip("llama_cpp.server.app", reason="needs the extras: pip install -e .[server]")
    gguf = default_gguf(Settings(models_dirs=[PROJECT_ROOT / "models"]))
    port = closed_port()
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--n_ctx", "4096",
             "--host", "127.0.0.1", "--port", str(port), "--api_key", KEY, "--n_threads", "2"],
            stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited ({proc.returncode}):\n{log.read_text()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/v1/models", headers={"Authorization": f"Bearer {KEY}"})
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            finally:
                conn.close()
            if time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server did not start in 120 s:\n{log.read_text()}")
            time.sleep(0.25)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def server_library(tmp_path_factory, llama_server, real_embedder, sample_pdfs):
    # a CPU server on two shared cores can take minutes over a prompt: the answer deadline
    # (120 s by default, for a lab server with a GPU) is not what these tests are about
    remote = RemoteSettings(enabled=True, url=llama_server, api_key_env="LAB_SERVER_KEY",
                            answer_deadline_s=900)
    settings = Settings(library=tmp_path_factory.mktemp("lib"), remote=remote,
                        models_dirs=[PROJECT_ROOT / "models"],
                        llm={"max_tokens": 96},  # shorter answers: the server shares two cores
                        # auto judges with every server; this one serves SmolLM2-135M, which
                        # judges poorly (bench/README.md, "A capable-model judge")
                        answers={"judge": "off"})
    with pytest.MonkeyPatch.context() as mp, Library(settings, embedder=real_embedder) as lib:
        mp.setenv("LAB_SERVER_KEY", KEY)
        assert list(lib.add(sample_pdfs))[-1].failed == 0  # the generator: the server's
        yield lib


def test_answers_through_the_server_with_citations(server_library):
    lib = server_library
    cam = next(p.doc_id for p in lib.papers() if "Camera" in p.title)
    events = list(lib.ask("Which GPU was used to train the model?", papers=[cam]))
    answer = events[-1].answer
    assert isinstance(events[-1], AnswerDone)
    assert sum(isinstance(e, Token) for e in events) > 1  # streamed, token by token
    assert answer.model.startswith("127.0.0.1/") and answer.model.endswith(".gguf")
    assert answer.evidence and answer.timings.first_token_s is not None
    assert answer.citations  # a grounded answer, or the paper's own sentence ("quoted")
    for c in answer.citations:  # whatever the tiny model says, every quote is real
        assert c.quote in lib.page_text(c.doc_id, c.page)
    assert "RTX 3090" in " ".join(c.quote for c in answer.citations) or answer.abstained


def test_cancel_hangs_up_at_once(server_library):
    cancel = threading.Event()
    for event in server_library.ask("Describe the methods of every paper.", cancel=cancel):
        if isinstance(event, Token) and not cancel.is_set():
            cancel.set()
            cancelled_at = time.monotonic()
    assert isinstance(event, AnswerDone)
    assert time.monotonic() - cancelled_at < 5
    assert server_library.generator.models()  # the server still answers


def test_a_wrong_key_is_refused_clearly(server_library, monkeypatch):
    monkeypatch.setenv("LAB_SERVER_KEY", "wrong")
    with pytest.raises(ModelError, match="HTTP 401 .*check the key in the environment variable"):
        server_library.generator.models()
