"""One client connection of the buffering front: bytes in, complete requests out, answers queued.

httptools (llhttp) parses the bytes as they arrive and calls back here; a request is complete
when its last body byte has come. Limits found while parsing (header size, body size, the
buffered total) become an answer that never reaches the app, and the connection closes after it.
"""

from __future__ import annotations

import json
import socket
import time
from collections import deque
from email.utils import formatdate
from typing import TYPE_CHECKING

import httptools

if TYPE_CHECKING:  # the worker owns its connections; a connection reads the worker's limits
    from ppkg.runtime.worker import FrontWorker

MAX_HEAD = 1024 * 1024 + 64 * 1024  # request line and headers: long GET queries are normal
MAX_HEADERS = 200
REQUEST_TIMEOUT = 30.0  # seconds from a request's first byte to its last
BUFFERED_BODIES = 512 * 1024 * 1024  # bytes of request bodies one worker holds at once
REASONS = {400: "Bad Request", 408: "Request Timeout", 413: "Content Too Large",
           414: "URI Too Long", 431: "Request Header Fields Too Large",
           503: "Service Unavailable", 500: "Internal Server Error"}


def plain_response(status: int, message: str, *, close: bool = True) -> bytes:
    """A whole HTTP answer with a JSON error body (for what never reaches the app)."""
    body = ('{"error": %s, "status": %d}\n' % (json.dumps(message), status)).encode()
    head = (f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\n"
            f"Date: {formatdate(usegmt=True)}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\n"
            + ("Connection: close\r\n" if close else "") + "\r\n")
    return head.encode("latin-1") + body




class FileBody:
    """wsgi.file_wrapper: a file the loop sends with sendfile(2) as the socket takes it."""

    def __init__(self, filelike, block_size: int = 8192):
        self.file = filelike
        self.offset = filelike.tell() if hasattr(filelike, "tell") else 0

    def close(self) -> None:
        self.file.close()

    def __iter__(self):  # only if something else iterates it; the loop never does
        while True:
            chunk = self.file.read(65536)
            if not chunk:
                return
            yield chunk


class Request:
    __slots__ = ("method", "url", "path", "query", "headers", "body", "keep_alive", "version",
                 "error")

    def __init__(self):
        self.url = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.body: list[bytes] = []
        self.error: tuple[int, str] | None = None


class Connection:
    """One client: the parser's callbacks fill `current`; complete requests wait in `ready`."""

    def __init__(self, worker: "FrontWorker", sock: socket.socket, addr):
        self.worker, self.sock, self.addr = worker, sock, addr
        self.parser = httptools.HttpRequestParser(self)
        self.current: Request | None = None
        self.ready: deque[Request] = deque()
        self.out: deque = deque()  # bytes, or FileBody
        self.head_bytes = 0  # bytes fed since the request began, until its headers ended
        self.in_head = True
        self.body_bytes = 0
        self.closing = False
        self.opened = time.monotonic()
        self.events = 0
        self.deadline = time.monotonic() + worker.keepalive  # idle, request or send deadline

    # -- httptools' callbacks ---------------------------------------------------------------

    def on_message_begin(self) -> None:
        self.current = Request()
        self.in_head = True
        self.deadline = time.monotonic() + REQUEST_TIMEOUT

    def on_url(self, url: bytes) -> None:
        self.current.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.current.headers.append((name, value))
        if len(self.current.headers) > MAX_HEADERS:
            raise _Refused(431, f"More than {MAX_HEADERS} header fields")

    def on_headers_complete(self) -> None:
        self.in_head = False
        self.head_bytes = 0
        request = self.current
        request.method = self.parser.get_method().decode("latin-1")
        request.version = self.parser.get_http_version()
        request.path, request.query = split_target(request.url)
        length = _header(request.headers, b"content-length")
        limit = self.worker.max_body
        if length is not None and length.isdigit() and int(length) > limit:
            raise _Refused(413, f"Request body too large (limit: {limit} bytes)")
        expect = _header(request.headers, b"expect")
        if expect is not None and expect.lower() == b"100-continue":
            self._send_now(b"HTTP/1.1 100 Continue\r\n\r\n")

    def on_body(self, chunk: bytes) -> None:
        self.body_bytes += len(chunk)
        self.worker.buffered += len(chunk)
        if self.body_bytes > self.worker.max_body:
            raise _Refused(413, f"Request body too large (limit: {self.worker.max_body} bytes)")
        if self.worker.buffered > BUFFERED_BODIES:
            raise _Refused(503, "The server holds too many unfinished uploads; try again")
        self.current.body.append(chunk)

    def on_message_complete(self) -> None:
        request, self.current = self.current, None
        request.keep_alive = self.parser.should_keep_alive()
        self.ready.append(request)
        self.in_head = True
        self.head_bytes = 0

    # -- I/O ----------------------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        if self.in_head:
            self.head_bytes += len(data)
        try:
            self.parser.feed_data(data)
        except _Refused as refused:
            self.refuse(refused.status, refused.message)
        except httptools.HttpParserUpgrade:
            self.refuse(400, "Protocol upgrades are not supported")
        except httptools.HttpParserError as err:
            refused = err.__context__  # what a callback raised, wrapped by llhttp
            if isinstance(refused, _Refused):
                self.refuse(refused.status, refused.message)
            else:
                self.refuse(400, f"Malformed HTTP request: {err}")
        else:
            if self.in_head and self.head_bytes > MAX_HEAD:
                status = 431 if self.current is not None and self.current.headers else 414
                self.refuse(status, f"The request line and headers exceed {MAX_HEAD} bytes")

    def refuse(self, status: int, message: str) -> None:
        """Answer an error that never reaches the app, then close."""
        self.ready.clear()
        self.out.append(plain_response(status, message))
        self.closing = True
        self.release_body()

    def release_body(self) -> None:
        self.worker.buffered -= self.body_bytes
        self.body_bytes = 0

    def _send_now(self, data: bytes) -> None:
        try:
            self.sock.send(data)
        except OSError:
            pass


class _Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def split_target(url: bytes) -> tuple[bytes, bytes]:
    """The path and query of a request target (origin form `/p?q`, absolute form
    `http://host/p?q`, or `*`), any length up to MAX_HEAD (httptools' parse_url stops at 64 KiB:
    a long GET query is normal here)."""
    if url == b"*":
        return b"*", b""
    if not url.startswith(b"/"):
        scheme, sep, rest = url.partition(b"://")
        if not sep or scheme.lower() not in (b"http", b"https"):
            raise _Refused(400, "The request target is neither a path nor an http(s) URL")
        url = b"/" + rest.partition(b"/")[2]
    url = url.partition(b"#")[0]
    path, _, query = url.partition(b"?")
    return path or b"/", query


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for key, value in headers:
        if key.lower() == name:
            return value.strip()
    return None
