"""HTTP/1.1 over a plain socket, for what httpx hides: one kept-alive connection, chunked uploads.

`RawConnection(url)` opens one TCP connection; `request()` sends a request on it and
reads the whole answer (Content-Length or chunked). A second `request()` goes over the
same connection, so a server that dropped it shows as `ConnectionClosed`.
"""

from __future__ import annotations

import select
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["ConnectionClosed", "RawConnection", "Reply"]


class ConnectionClosed(ConnectionError):
    """The server closed (or reset) the connection before a whole answer came."""


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class RawConnection:
    def __init__(self, url: str, timeout: float = 15.0) -> None:
        parts = urlsplit(url)
        self.host = parts.netloc
        self.sock = socket.create_connection((parts.hostname, parts.port or 80), timeout=timeout)
        self.pending = b""

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> RawConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def head(self, method: str, path: str, headers: dict[str, str] | None = None) -> bytes:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> Reply:
        wanted = dict(headers or {})
        if body or method == "POST":
            wanted.setdefault("Content-Length", str(len(body)))
        self.sock.sendall(self.head(method, path, wanted) + body)
        return self.read_reply()

    def stream_chunks(self, chunk: bytes, up_to: int) -> int:
        """Send `chunk` as chunked-encoding chunks until the server answers or `up_to` bytes went;
        returns the body bytes sent. The caller sent the head (with Transfer-Encoding: chunked)."""
        frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        sent = 0
        while sent < up_to:
            readable, writable, _ = select.select([self.sock], [self.sock], [], 10)
            if readable:
                return sent  # an answer (or the close) is here
            if not writable:
                raise TimeoutError("the server neither reads nor answers")
            try:
                self.sock.sendall(frame)
            except (BrokenPipeError, ConnectionResetError):
                return sent
            sent += len(chunk)
        self.sock.sendall(b"0\r\n\r\n")
        return sent

    # -- reading ------------------------------------------------------------------------

    def _more(self) -> bytes:
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError as exc:
            raise ConnectionClosed("connection reset by the server") from exc
        if not data:
            raise ConnectionClosed("connection closed by the server")
        return data

    def _until(self, marker: bytes) -> bytes:
        while marker not in self.pending:
            self.pending += self._more()
        head, self.pending = self.pending.split(marker, 1)
        return head

    def _exactly(self, size: int) -> bytes:
        while len(self.pending) < size:
            self.pending += self._more()
        data, self.pending = self.pending[:size], self.pending[size:]
        return data

    def read_reply(self) -> Reply:
        head = self._until(b"\r\n\r\n").decode("latin-1")
        status_line, *header_lines = head.split("\r\n")
        headers: dict[str, str] = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        status = int(status_line.split()[1])
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self._until(b"\r\n").split(b";")[0], 16)
                if size == 0:
                    self._until(b"\r\n")
                    break
                body += self._exactly(size)
                self._exactly(2)
        else:
            body = self._exactly(int(headers.get("content-length", "0")))
        return Reply(status, headers, body)
