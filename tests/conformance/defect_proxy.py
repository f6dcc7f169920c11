"""A proxy that plants one defect in front of the sandbox: it rewrites requests or responses in flight."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host", "proxy-connection"}


@dataclass
class Request:
    method: str
    target: str  # path and query, as received
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.target).query, keep_blank_values=True)

    def with_query(self, query: dict[str, list[str]]) -> Request:
        target = self.path + ("?" + urlencode(query, doseq=True) if query else "")
        return Request(self.method, target, dict(self.headers), self.body)


@dataclass
class Response:
    status: int
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def with_json(
        self, data: Any, status: int | None = None, content_type: str = "application/json"
    ) -> Response:
        headers = {**self.headers, "content-type": content_type}
        return Response(self.status if status is None else status, headers, json.dumps(data).encode())


class DropConnection(Exception):
    """Raised by a defect: the proxy closes the connection without answering, like a crashed server."""


Forward = Callable[[Request], Response]
Defect = Callable[[Request, Forward], Response]


def passthrough(request: Request, forward: Forward) -> Response:
    return forward(request)


class DefectProxy:
    """`with DefectProxy(sandbox_url, defect) as proxy:` then point the kit at `proxy.url + "/athena"`."""

    def __init__(self, upstream: str, defect: Defect = passthrough) -> None:
        parts = urlsplit(upstream)
        self.upstream_host, self.upstream_port = parts.hostname or "127.0.0.1", parts.port or 80
        self.defect = defect
        # Every Authorization value that went through: the secrets a report must never show.
        self.authorizations: set[str] = set()
        # (method, path) of every request, in arrival order.
        self.seen: list[tuple[str, str]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def forward(self, request: Request) -> Response:
        connection = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=30)
        try:
            headers = {k: v for k, v in request.headers.items() if k not in HOP_BY_HOP}
            connection.request(request.method, request.target, body=request.body or None, headers=headers)
            answer = connection.getresponse()
            body = answer.read()
            kept = {k.lower(): v for k, v in answer.getheaders() if k.lower() not in HOP_BY_HOP}
            return Response(answer.status, kept, body)
        finally:
            connection.close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # Headers and body go out in two writes: without this, Nagle and delayed ACKs add 40 ms each.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                proxy.seen.append((self.command, urlsplit(self.path).path))
                if "authorization" in headers:
                    proxy.authorizations.add(headers["authorization"])
                try:
                    response = proxy.defect(Request(self.command, self.path, headers, body), proxy.forward)
                except DropConnection:
                    self.close_connection = True
                    return
                # The upstream's own Date and Server go out once: send_response would add a second
                # Date, and a client (the kit reads Date as the server's clock) would see both joined.
                self.send_response_only(response.status)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                if "date" not in response.headers:
                    self.send_header("Date", self.date_time_string())
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(response.body)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_HEAD = do_QUERY = (
                _serve
            )

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def __enter__(self) -> DefectProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
