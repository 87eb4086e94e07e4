"""A Generator on an OpenAI-compatible model server on the local network.

llama.cpp's server (`python -m llama_cpp.server`, `llama-server`), vLLM and Ollama's /v1 all
stream `/chat/completions` as server-sent events. Only generation goes there: retrieval,
grounding and citations stay on this computer. Standard-library HTTP (http.client) on purpose:
unlike urllib it reads no proxy from the environment and follows no redirect, so nothing is
ever sent anywhere but the address in the settings, and there is no silent fallback.

A server is trusted with nothing that could hold Lantern: an answer is cut off (the stream
stopped, the connection closed, one ModelError) when it runs past `max_tokens` pieces of text
(sent to the server, but a server may ignore it), past MAX_BYTES_PER_TOKEN bytes a token on
the wire, or past the settings' `answer_deadline_s`, however steadily the bytes come.
"""

from __future__ import annotations

import http.client
import json
import logging
import math
import os
import socket
import ssl
import threading
import time
from collections.abc import Iterator, Sequence
from urllib.parse import urlsplit

from core.errors import ModelError
from core.settings import RemoteSettings

log = logging.getLogger(__name__)

ADVICE = "check it is running, or switch back to the built-in model in Settings"
_MAX_ERROR_BODY = 4096
# Bytes on the wire an answer may take per token asked for, and on top: vLLM's chunks, the
# most verbose, are about 300 bytes a token with usage and logprobs off.
MAX_BYTES_PER_TOKEN = 1024
MAX_BYTES_EXTRA = 64 * 1024


class _Deadline:
    """Hangs up a request's socket when the answer's time is up: unlike a socket timeout (the
    longest wait for one byte) it also stops a server that never stops sending."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = threading.Event()
        self._timer: threading.Timer | None = None

    def watch(self, sock: socket.socket) -> None:
        self._timer = threading.Timer(max(0.0, self.end - time.monotonic()), self._expire, (sock,))
        self._timer.daemon = True
        self._timer.start()

    def _expire(self, sock: socket.socket) -> None:
        self.expired.set()
        _shutdown(sock)

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


class RemoteGenerator:
    """Streams chat completions from ``settings.url``; one HTTP connection per request, closed
    when the answer ends, when the caller stops reading (cancel), or by close()."""

    # a lab server's model is taken as capable: answers.judge `auto` lets it judge (judge.py)
    remote = True

    def __init__(self, settings: RemoteSettings) -> None:
        if not settings.url:
            raise ModelError("no model server address is set: give one in Settings > Remote "
                             "model, or switch back to the built-in model there")
        self.settings = settings
        self.url = settings.url
        parts = urlsplit(settings.url)
        self._https = parts.scheme == "https"
        self.host = parts.hostname or ""
        self._port = parts.port or (443 if self._https else 80)
        self._path = parts.path
        self._model = settings.model
        self.name = self._name()
        self.n_ctx = settings.n_ctx
        # the socket of each open request: http.client hands it over to the response when the
        # server will close the connection (HTTP/1.0), and close() must reach it either way
        self._open: dict[http.client.HTTPConnection, socket.socket] = {}
        self._lock = threading.Lock()

    def _name(self) -> str:
        """Where answers are computed: "lab-server/llama-3.1-8b"."""
        return f"{self.host}/{self._model}" if self._model else self.host

    # ------------------------------------------------------------ the Generator protocol
    def count_tokens(self, text: str) -> int:
        """An upper estimate (a token is about 4 bytes of English for Llama-family tokenizers;
        3 is assumed), so the prompt always fits the server's context without a round trip."""
        return max(1, math.ceil(len(text.encode("utf-8")) / 3))

    def load(self) -> list[str]:
        """Ask the server which models it serves and check ours is one (an empty model name
        takes the only one); the desktop calls this at start-up. Returns the model ids."""
        models = self.models()
        if not self._model:
            if len(models) != 1:
                listed = ", ".join(models) or "none"
                raise ModelError(
                    f"the model server at {self.url} serves {len(models)} models ({listed}); "
                    "choose one in Settings (or pass --endpoint-model)"
                )
            self._model = models[0]
            self.name = self._name()
        elif self._model not in models:
            raise ModelError(
                f"the model server at {self.url} does not serve {self._model!r}; it lists: "
                f"{', '.join(models) or 'none'}. Choose one of those in Settings"
            )
        return models

    def models(self) -> list[str]:
        """The ids of the models the server lists (GET /models)."""
        conn, resp = self._request("GET", "/models", None)
        try:
            data = self._read_json(resp, "/models")
        finally:
            self._hang_up(conn, resp)
        try:
            return [str(m["id"]) for m in data["data"]]
        except (KeyError, TypeError) as exc:
            raise ModelError(
                f"{self.url}/models did not list models the OpenAI way ({exc!r} missing); "
                "is this the server's OpenAI-compatible address (usually ending in /v1)?"
            ) from exc

    def stream_chat(
        self, messages: Sequence[dict], *, max_tokens: int, temperature: float
    ) -> Iterator[str]:
        if not self._model:
            self.load()
        body = {
            "model": self._model,
            "messages": list(messages),
            "max_tokens": max_tokens,
            "temperature": temperature,
            "stream": True,
        }
        deadline = _Deadline(self.settings.answer_deadline_s)
        try:
            conn, resp = self._request("POST", "/chat/completions", body, deadline)
        except ModelError:
            deadline.cancel()
            if deadline.expired.is_set():
                raise self._overdue() from None
            raise
        limit = max_tokens * MAX_BYTES_PER_TOKEN + MAX_BYTES_EXTRA
        try:  # GeneratorExit here (the caller stopped reading) hangs up: the server stops too
            if "text/event-stream" not in (resp.getheader("Content-Type") or ""):
                # a server that cannot stream: one JSON object, read within the same limits
                whole = self._read_json(resp, "/chat/completions", limit)
                try:
                    text = whole["choices"][0]["message"].get("content")
                except (KeyError, IndexError, TypeError, AttributeError) as exc:
                    raise ModelError(f"the model server at {self.url} answered without a "
                                     f"message: {json.dumps(whole)[:200]}") from exc
                if text:
                    yield text
                return
            for n, text in enumerate(_deltas(self._events(resp, limit), self.url), start=1):
                if n > max_tokens:
                    raise ModelError(
                        f"the model server at {self.url} went on past {max_tokens} tokens, the "
                        "answer's limit (max_tokens), and was cut off: it ignores max_tokens; "
                        "check its settings")
                yield text
            if deadline.expired.is_set():  # hung up by the deadline: the stream just ended
                raise self._overdue()
        except ModelError:
            if deadline.expired.is_set():
                raise self._overdue() from None
            raise
        finally:
            deadline.cancel()
            self._hang_up(conn, resp)

    def close(self) -> None:
        """Hang up every open request (also from another thread: a blocked read wakes up)."""
        with self._lock:
            socks, self._open = list(self._open.values()), {}
        for sock in socks:
            _shutdown(sock)

    # ------------------------------------------------------------ HTTP
    def _request(
        self, method: str, path: str, body: dict | None, deadline: _Deadline | None = None
    ) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        headers = {"Accept": "text/event-stream" if body else "application/json"}
        if key := self._key():
            headers["Authorization"] = f"Bearer {key}"
        payload = None
        if body is not None:
            payload = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        conn = self._connect()
        if deadline is not None:
            assert conn.sock is not None  # connected
            deadline.watch(conn.sock)
        try:
            conn.request(method, self._path + path, body=payload, headers=headers)
            resp = conn.getresponse()
        except TimeoutError as exc:
            self._hang_up(conn)
            raise self._silent(exc) from exc
        except (OSError, http.client.HTTPException) as exc:
            self._hang_up(conn)
            raise ModelError(f"the connection to the model server at {self.url} broke off: "
                             f"{_reason(exc)}; {ADVICE}") from exc
        if resp.status >= 300:
            try:
                detail = _error_detail(resp)
            finally:
                self._hang_up(conn, resp)
            raise ModelError(_status_message(self.url, resp, path, detail,
                                             self.settings.api_key_env, self._model))
        return conn, resp

    def _connect(self) -> http.client.HTTPConnection:
        s = self.settings
        if self._https:
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                self.host, self._port, timeout=s.connect_timeout_s,
                context=ssl.create_default_context(),
            )
        else:
            conn = http.client.HTTPConnection(self.host, self._port, timeout=s.connect_timeout_s)
        try:
            conn.connect()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise ModelError(
                f"cannot reach the model server at {self.url}: {_reason(exc, s.connect_timeout_s)}"
                f"; {ADVICE}"
            ) from exc
        assert conn.sock is not None
        conn.sock.settimeout(s.read_timeout_s)  # from now on: the longest wait for a byte
        with self._lock:
            self._open[conn] = conn.sock
        return conn

    def _hang_up(
        self, conn: http.client.HTTPConnection, resp: http.client.HTTPResponse | None = None
    ) -> None:
        with self._lock:
            sock = self._open.pop(conn, None)
        if sock is not None:
            _shutdown(sock)
        if resp is not None:
            resp.close()
        conn.close()

    def _key(self) -> str | None:
        name = self.settings.api_key_env
        if not name:
            return None
        key = os.environ.get(name, "").strip()
        if not key:
            raise ModelError(
                f"the environment variable {name} (named in Settings as holding the model "
                f"server's key) is not set; set it before starting Lantern, or clear that setting"
            )
        return key

    def _events(self, resp: http.client.HTTPResponse, limit: int) -> Iterator[str]:
        """The data of each server-sent event; comments (": ping") and other fields are skipped.
        ModelError once the stream is over `limit` bytes."""
        data: list[str] = []
        left = limit
        while True:
            if left <= 0:
                raise self._too_long(limit)
            try:
                raw = resp.readline(min(left + 1, 1 << 20))
                left -= len(raw)
            except TimeoutError as exc:
                raise self._silent(exc) from exc
            except (OSError, http.client.HTTPException) as exc:
                raise ModelError(f"the connection to the model server at {self.url} broke off "
                                 f"while answering: {_reason(exc)}") from exc
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            if line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
            elif not line and data:
                yield "\n".join(data)
                data = []
            if not raw:
                return

    def _read_json(
        self, resp: http.client.HTTPResponse, path: str, limit: int = 16 << 20
    ) -> dict:
        """The response body as JSON; ModelError if it is over `limit` bytes or not JSON."""
        try:
            raw = resp.read(limit + 1)
            if len(raw) > limit:
                raise self._too_long(limit)
            return json.loads(raw)
        except TimeoutError as exc:
            raise self._silent(exc) from exc
        except (OSError, http.client.HTTPException) as exc:
            raise ModelError(f"the connection to the model server at {self.url} broke off: "
                             f"{_reason(exc)}") from exc
        except json.JSONDecodeError as exc:
            raise ModelError(f"{self.url}{path} did not answer with JSON; is this the server's "
                             "OpenAI-compatible address (usually ending in /v1)?") from exc

    def _too_long(self, limit: int) -> ModelError:
        return ModelError(
            f"the model server at {self.url} sent more than {limit // 1024:,} KB for one answer "
            "and was cut off: it ignores the answer's limit (max_tokens); check its settings")

    def _overdue(self) -> ModelError:
        return ModelError(
            f"the model server at {self.url} did not finish its answer within "
            f"{self.settings.answer_deadline_s:g} s and was cut off; try a shorter question, or "
            "raise the answer time limit (remote answer_deadline_s) in Settings")

    def _silent(self, exc: BaseException) -> ModelError:
        return ModelError(
            f"the model server at {self.url} sent nothing for {self.settings.read_timeout_s:g} s; "
            "it may be busy or stuck: try again, or raise the read timeout in Settings"
        )


def _deltas(events: Iterator[str], url: str) -> Iterator[str]:
    """The text of each streamed chat-completion chunk, until "[DONE]"; a chunk that is not
    JSON, or an error the server sends mid-answer, is a ModelError."""
    for data in events:
        if data.strip() == "[DONE]":
            return
        try:
            event = json.loads(data)
        except json.JSONDecodeError as exc:
            raise ModelError(f"the model server at {url} sent {data[:80]!r}, "
                             "which is not JSON") from exc
        if error := event.get("error"):
            raise ModelError(f"the model server at {url} failed while answering: "
                             f"{_detail(error)}")
        for choice in event.get("choices") or ():
            if text := (choice.get("delta") or {}).get("content"):
                yield text


def _error_detail(resp: http.client.HTTPResponse) -> str:
    """What an error response says, in a line (its JSON message, else its text)."""
    try:
        raw = resp.read(_MAX_ERROR_BODY)
    except (OSError, http.client.HTTPException):
        return ""
    try:
        return _detail(json.loads(raw))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return " ".join(raw.decode("utf-8", errors="replace").split())[:300]


def _status_message(
    url: str, resp: http.client.HTTPResponse, path: str, detail: str, key_env: str | None,
    model: str | None,
) -> str:
    """The ModelError message for an HTTP status >= 300, with what to check for the usual ones."""
    status = resp.status
    where = f"the model server at {url} answered HTTP {status} to {path}"
    if detail:
        where += f" ({detail})"
    if 300 <= status < 400:
        return (f"{where}: a redirect to {resp.getheader('Location') or '?'}; Lantern follows "
                "none, so put the final address in Settings if you trust it")
    if status in (401, 403):
        return where + (f": check the key in the environment variable {key_env}" if key_env else
                        ": it wants a key; name the environment variable holding it in Settings")
    if status == 404:
        return (f"{where}: check the address (usually ending in /v1) and the model name "
                f"({model!r}); Test connection in Settings lists the models it serves")
    return where


def _shutdown(sock: socket.socket) -> None:
    """Hang up now: unlike close(), shutdown() also wakes a read blocked in another thread."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # already closed by the server or by us
        pass


def _reason(exc: BaseException, connect_timeout: float | None = None) -> str:
    """A connection error in a few words: "connection refused", "unknown host name", ..."""
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return "unknown host name"
    if isinstance(exc, TimeoutError):
        return f"no answer within {connect_timeout:g} s" if connect_timeout else "timed out"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed ({exc.reason or exc})"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror[0].lower() + exc.strerror[1:]
    return str(exc) or type(exc).__name__


def _detail(error: object) -> str:
    """The message in an OpenAI-style error body ({"error": {"message": ...}}), FastAPI's
    {"detail": ...} or Ollama's {"error": "..."}."""
    if isinstance(error, dict):
        for key in ("error", "message", "detail"):
            if key in error:
                return _detail(error[key])
        return json.dumps(error)[:300]
    if isinstance(error, list):
        return "; ".join(_detail(e) for e in error[:3])
    return " ".join(str(error).split())[:300]
