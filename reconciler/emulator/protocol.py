"""Closing a connection without any answer, which ASGI itself cannot express.

An ASGI application can only answer: if it raises before answering, uvicorn sends a 500; if it
starts an answer and stops, the caller has seen a status line. To emulate a connection reset
or an answer lost after commit, the emulator runs uvicorn's h11 protocol with one addition:
each request's scope carries a ``ConnectionControl`` (under ``extensions``) that closes the
connection (FIN: httpx raises ``RemoteProtocolError``, "Server disconnected without sending a
response") or resets it (RST: httpx raises ``ReadError``, "Connection reset by peer"), with
nothing written.

After closing, the application waits for uvicorn's ``http.disconnect`` before it returns, so
that uvicorn sees a client gone rather than an application that never answered.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from typing import Any

from starlette.types import Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

CONNECTION_KEY = "braze_emulator.connection"


class ConnectionControl:
    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport

    def close(self) -> None:
        """Close the connection cleanly (FIN) without writing anything."""
        self._transport.close()

    def reset(self) -> None:
        """Reset the connection (RST): linger 0 makes the kernel drop it at once."""
        sock = self._transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self._transport.abort()


class EmulatorProtocol(H11Protocol):
    """uvicorn's h11 protocol, giving each request a ``ConnectionControl``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        inner = self.app

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            extensions = scope.setdefault("extensions", {})
            extensions[CONNECTION_KEY] = ConnectionControl(self.transport)
            await inner(scope, receive, send)

        self.app = app


async def wait_for_disconnect(receive: Receive) -> None:
    """Wait until the server reports the connection gone (the request body is already read)."""
    while (await receive())["type"] != "http.disconnect":
        pass
