"""A tiny OpenAI-compatible server on 127.0.0.1 for the tests of the model-server Generator:
it lists models and streams /v1/chat/completions as server-sent events, and can be told to
fail, stall, stream until the client hangs up (`forever`), and pad its stream with comment
lines of `filler` bytes. The real llama.cpp server is in tests/e2e."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class StubServer:
    """Start with ``with StubServer(...) as stub:``; ``stub.url`` is its /v1 address."""

    def __init__(
        self,
        *,
        models: tuple[str, ...] = ("stub-model",),
        reply: str = "NOT REPORTED",
        delay: float = 0.0,
        forever: bool = False,
        stall: float = 0.0,
        status: int = 200,
        error: dict | None = None,
        plain: bool = False,
        filler: int = 0,
        later: str | None = None,
    ) -> None:
        self.models, self.reply, self.delay = models, reply, delay
        self.forever, self.stall, self.status, self.error = forever, stall, status, error
        self.plain = plain  # answer with one JSON object, as a server that cannot stream
        self.filler = filler  # bytes of SSE comment before each chunk (a server that pads)
        self.later = later  # the reply to every chat request after the first (a judge's YES)
        self.sent = 0  # chunks of text sent to the client
        self.requests: list[dict] = []  # {"method", "path", "headers", "body"}
        self.hung_up = threading.Event()  # the client closed the stream before its end
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> StubServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _handler(stub: StubServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet test output
            pass

        def _record(self, body: dict | None) -> None:
            stub.requests.append(
                {"method": self.command, "path": self.path, "headers": dict(self.headers),
                 "body": body}
            )

        def _json(self, status: int, payload: dict) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self._record(None)
            if stub.stall:
                time.sleep(stub.stall)
            if self.path == "/v1/models":
                self._json(200, {"object": "list",
                                 "data": [{"id": m, "object": "model"} for m in stub.models]})
            else:
                self._json(404, {"detail": "Not Found"})

        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            self._record(body)
            if self.path != "/v1/chat/completions":
                return self._json(404, {"detail": "Not Found"})
            if stub.status != 200:
                return self._json(stub.status, stub.error or {"error": {"message": "no"}})
            chats = sum(r["method"] == "POST" for r in stub.requests)
            reply = stub.later if stub.later is not None and chats > 1 else stub.reply
            if stub.plain:
                message = {"role": "assistant", "content": reply}
                return self._json(200, {"choices": [{"index": 0, "message": message}]})
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()  # HTTP/1.0: the stream ends when the connection closes
            try:
                self.wfile.flush()
                if stub.stall:
                    time.sleep(stub.stall)
                self._send(": ping\n\n")  # a comment line, as sse-starlette sends
                words = re.findall(r"\S+\s*", reply)
                n = 0
                while n < len(words) or stub.forever:
                    word = words[n % len(words)] if words else "x "
                    chunk = {"choices": [{"index": 0, "delta": {"content": word}}]}
                    if stub.filler:
                        self._send(":" + "." * stub.filler + "\n")
                    self._send(f"data: {json.dumps(chunk)}\n\n")
                    n += 1
                    stub.sent = n
                    time.sleep(stub.delay)
                self._send("data: [DONE]\n\n")
            except OSError:  # BrokenPipe / ConnectionReset: the client hung up
                stub.hung_up.set()

        def _send(self, text: str) -> None:
            self.wfile.write(text.encode())
            self.wfile.flush()

    return Handler
