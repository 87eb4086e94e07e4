"""Block the network for a test: any TCP/UDP connect fails loudly; Unix sockets (inter-process
calls on this machine, e.g. the PDF reader's forkserver) still work."""

from __future__ import annotations

import socket

import pytest


def block_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    def local_only(connect):  # noqa: ANN001, ANN202
        def guarded(sock: socket.socket, address: object, *args: object):  # noqa: ANN202
            if sock.family == socket.AF_UNIX:
                return connect(sock, address, *args)
            return refuse(sock, address)

        return guarded

    monkeypatch.setattr(socket.socket, "connect", local_only(socket.socket.connect))
    monkeypatch.setattr(socket.socket, "connect_ex", local_only(socket.socket.connect_ex))
    monkeypatch.setattr(socket, "create_connection", refuse)
