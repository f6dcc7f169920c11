"""The listening socket and connection limits of `patientmsg serve`.

- The socket is bound before anything is printed, so a busy port is one line (and no banner), and
  `--port 0` binds a free port whose number the banner then shows (tests read it from there).
- A connection that sends no request within the idle time is closed. uvicorn's `timeout_keep_alive`
  only starts after a first response, so a socket that never speaks would hold a file descriptor
  for ever: the protocol below arms the same timer as soon as the connection is made.
- A request that is not HTTP gets a JSON 400 like every other error, not uvicorn's plain text.
- The soft file-descriptor limit is raised to the hard one, so idle clients exhaust it later.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
from typing import Any

from patientmsg.mockserver.vendor_errors import ApiError, error_body

__all__ = ["DEFAULT_IDLE_TIMEOUT", "bind_socket", "idle_closing_protocol", "raise_fd_limit"]

#: Seconds a connection may stay silent: before its first request, and between requests.
DEFAULT_IDLE_TIMEOUT = 5
_BACKLOG = 2048  # uvicorn's default


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (0: any free port), or ValueError in one line."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise ValueError(f"cannot listen on {host}: {exc.strerror}") from None
    sock = socket.socket(family, kind, proto)
    try:
        # As uvicorn does: a restart may rebind while old connections are in TIME_WAIT.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(_BACKLOG)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ValueError(
                f"port {port} on {host} is already in use: stop what listens there, or choose another --port"
            ) from None
        raise ValueError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.set_inheritable(True)  # uvicorn's worker processes, if any, accept on it too
    return sock


def idle_closing_protocol() -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol (httptools, else h11) with the idle timer armed from the first byte on."""
    base: Any
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as base
    except ImportError:  # httptools is optional in uvicorn
        from uvicorn.protocols.http.h11_impl import H11Protocol as base

    class IdleClosingProtocol(base):  # type: ignore[misc]
        def connection_made(self, transport: asyncio.Transport) -> None:
            super().connection_made(transport)
            # The keep-alive timer, armed before any request: data_received cancels it, as after
            # a response; otherwise it closes the connection after timeout_keep_alive seconds.
            self.timeout_keep_alive_task = self.loop.call_later(
                self.timeout_keep_alive, self.timeout_keep_alive_handler
            )

        def send_400_response(self, msg: str) -> None:
            # Bytes that are not HTTP never reach the app; uvicorn's own answer is text/plain. This one
            # is JSON in the neutral format of answers outside the mounts (the path may not be readable).
            error = ApiError(400, "Bad request.", detail=f"{msg} Send an HTTP/1.1 request.")
            body = error_body(None, error)
            head = [b"HTTP/1.1 400 Bad Request\r\n"]
            for name, value in self.server_state.default_headers:
                head += [name, b": ", value, b"\r\n"]
            head += [
                b"content-type: application/json\r\n",
                b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
                b"connection: close\r\n\r\n",
            ]
            self.transport.write(b"".join(head) + body)
            self.transport.close()

    return IdleClosingProtocol


def raise_fd_limit() -> None:
    """Raise this process's soft RLIMIT_NOFILE to its hard limit (never lower it); no-op where absent."""
    try:
        import resource
    except ImportError:  # not on Windows
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = 65536 if hard == resource.RLIM_INFINITY else hard
    if soft != resource.RLIM_INFINITY and soft < target:
        # e.g. macOS caps it below the hard limit it reports
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
