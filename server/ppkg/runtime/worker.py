"""The HTTP front of a ppkg server process: a gunicorn worker that buffers, then answers.

- One thread runs an event loop over the listening sockets and the open connections. Bytes are
  fed to httptools (llhttp) as they arrive; nothing else happens until a request is complete,
  headers and body, so a slow or stalled client costs a buffer and a file descriptor, never the
  worker: the others are read and answered meanwhile.
- A complete request is handed to the WSGI app in the same thread, one at a time, under the
  request guard (ppkg.runtime.guard). The answer is built whole in memory (results are
  row-limited) or is a file (the dumps), and goes out as the socket takes it, while the loop
  goes on. So the status is known before the first byte leaves, and a guard that fires finds the
  socket untouched.
- While it answers, the worker accepts nothing: the kernel hands new connections to another
  worker that is waiting. A connection is closed after an answer once it is KEEPALIVE_LIFETIME
  old, so that clients spread over the workers again.
- Limits (answered, then the connection is closed): the request line and headers (414 / 431),
  the body (413, before it is read, or as soon as a chunked one passes the limit), malformed
  requests (400); a request must be complete within REQUEST_TIMEOUT of its first byte (408), a
  kept-alive connection idles at most the keep-alive time, and an answer the client does not
  read within SEND_TIMEOUT is dropped. The bodies buffered by one worker are capped too
  (BUFFERED_BODIES: 503 past it). With every connection slot taken (gunicorn's
  worker_connections), a new client takes the slot of the waiting connection nearest its
  deadline, so thousands of slow clients cannot lock the others out.
"""

from __future__ import annotations

import io
import logging
import os
import selectors
import socket
import sys
import time
from collections import deque
from email.utils import formatdate
from urllib.parse import unquote_to_bytes

from gunicorn.workers import base

from ppkg.runtime.connection import REQUEST_TIMEOUT, Connection, FileBody, Request, plain_response
from ppkg.runtime.guard import Guard, Overrun, install

log = logging.getLogger("ppkg.worker")

READ = selectors.EVENT_READ
WRITE = selectors.EVENT_WRITE
RECV_SIZE = 256 * 1024
SEND_TIMEOUT = 60.0  # seconds an answer may wait for a client that does not read
SWEEP = 0.5  # seconds between checks of the deadlines
# Seconds after which a connection is closed once its current answer is sent (nginx's
# keepalive_time). A worker keeps the connections it accepts, and the first worker to wake takes
# a burst of new ones nearly all (15 of 16, measured): clients that connect at once could stay on
# one worker while the other idles, at half the throughput. Reconnecting, a client goes to
# whichever worker is waiting to accept, the less busy one; a reconnection on 127.0.0.1 costs
# ~0.1 ms, twice a second.
KEEPALIVE_LIFETIME = 0.5


class FrontWorker(base.Worker):
    """gunicorn's worker interface around the loop described in the module docstring."""

    def init_process(self) -> None:
        settings = getattr(self.app, "front_settings", {})
        self.max_body = settings.get("max_body", 10 * 1024 * 1024)
        self.request_seconds = settings.get("request_seconds", 30.0)
        self.request_memory = settings.get("request_memory", 0)
        self.keepalive = max(1.0, float(self.cfg.keepalive))
        self.buffered = 0
        self.paused = False  # listeners unregistered: every slot taken, or stopping
        self.connections: dict[int, Connection] = {}
        self.pending: deque[Connection] = deque()  # connections with a request to answer
        self.guard = install(Guard(self._overrun))
        self._date = (0, "")
        super().init_process()

    # -- the loop --------------------------------------------------------------------------------

    def run(self) -> None:
        self.selector = selectors.DefaultSelector()
        for listener in self.sockets:
            listener.setblocking(False)
            self.selector.register(listener, READ, None)
        self.selector.register(self.PIPE[0], READ, "wakeup")
        last_sweep = last_notify = 0.0
        while self.alive or self.connections:
            now = time.monotonic()
            if now - last_notify >= 1.0:
                self.notify()
                last_notify = now
            if not self.alive:
                self._stop_accepting()
            for key, mask in self.selector.select(SWEEP):
                if key.data is None:
                    self._accept(key.fileobj)
                elif key.data == "wakeup":
                    _drain_pipe(self.PIPE[0])
                else:
                    conn = key.data
                    if mask & WRITE:
                        self._flush(conn)
                    if mask & READ and not conn.closing:
                        self._read(conn)
            while self.pending:
                conn = self.pending.popleft()
                if conn.ready and not conn.out and conn.sock.fileno() >= 0:
                    self._answer(conn)
            if now - last_sweep >= SWEEP:
                self._sweep(now)
                last_sweep = now
            if self.ppid != os.getppid():
                self.log.info("Parent changed, shutting down: %s", self)
                break
        for conn in list(self.connections.values()):
            self._close(conn)

    def _stop_accepting(self) -> None:
        self._pause_accepting()
        if not any(c.out or c.ready for c in self.connections.values()):
            for conn in list(self.connections.values()):
                self._close(conn)

    def _accept(self, listener) -> None:
        if len(self.connections) >= self.cfg.worker_connections and not self._make_room():
            self._pause_accepting()
            return
        try:
            sock, addr = listener.accept()
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return
        sock.setblocking(False)
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = Connection(self, sock, addr)
        self.connections[sock.fileno()] = conn
        self.selector.register(sock, READ, conn)
        conn.events = READ

    def _make_room(self) -> bool:
        """Every slot is taken and a client is waiting: drop the connection nearest to being
        dropped anyway (an idle kept-alive one, else the request that started first), unless
        each one has an answer on its way. Slow clients cannot starve new ones."""
        waiting = [c for c in self.connections.values() if not c.out and not c.ready]
        if not waiting:
            return False
        self._close(min(waiting, key=lambda c: c.deadline))
        return True

    def _pause_accepting(self) -> None:
        # until a connection closes (`_close`): a listener left registered would wake the loop
        # at once, again and again, with nothing it may do
        for listener in self.sockets:
            try:
                self.selector.unregister(listener)
            except (KeyError, ValueError):
                pass
        self.paused = True

    def _read(self, conn: Connection) -> None:
        try:
            data = conn.sock.recv(RECV_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._close(conn)
            return
        conn.feed(data)
        if conn.out:
            self._flush(conn)
        elif conn.ready:
            self.pending.append(conn)

    def _sweep(self, now: float) -> None:
        for conn in list(self.connections.values()):
            if now < conn.deadline:
                continue
            if conn.current is not None and not conn.out:
                conn.refuse(408, f"The request did not arrive within {REQUEST_TIMEOUT:g} s")
                self._flush(conn)
            else:
                self._close(conn)

    # -- answering -----------------------------------------------------------------------------

    def _answer(self, conn: Connection) -> None:
        request = conn.ready.popleft()
        body = b"".join(request.body)
        conn.release_body()
        environ = self._environ(conn, request, body)
        status_headers: list = []

        def start_response(status, headers, exc_info=None):
            status_headers[:] = [status, headers]

        self.guard.begin(self.request_seconds, self.request_memory, conn)
        try:
            result = self.wsgi(environ, start_response)
            if isinstance(result, FileBody):
                chunks = result
            else:
                try:
                    chunks = [c for c in result if c]
                finally:
                    if hasattr(result, "close"):
                        result.close()
        except Exception:  # the app answers its own errors; this is a bug of ours
            log.exception("unhandled error answering %s %s", request.method, request.url[:200])
            status_headers, chunks = ["500 Internal Server Error",
                                      [("Content-Type", "application/json")]], [
                b'{"error": "Internal server error (logged on the server)", "status": 500}\n']
        finally:
            self.guard.end()
        self.nr += 1
        keep = (request.keep_alive and self.alive and not conn.closing
                and time.monotonic() - conn.opened < KEEPALIVE_LIFETIME)
        head = self._head(status_headers, chunks, keep)
        if isinstance(chunks, FileBody):
            conn.out.append(head)
            conn.out.append(chunks)
        elif len(chunks) == 1 and len(chunks[0]) < 256 * 1024:
            conn.out.append(head + chunks[0])  # one send, one segment
        else:
            conn.out.append(head)
            conn.out.extend(chunks)
        if not keep:
            conn.closing = True
        conn.deadline = time.monotonic() + SEND_TIMEOUT
        self._flush(conn)

    def _head(self, status_headers: list, chunks, keep: bool) -> bytes:
        status, headers = status_headers
        lines = [f"HTTP/1.1 {status}\r\nDate: {self._http_date()}\r\n"]
        has_length = False
        for name, value in headers:
            lowered = name.lower()
            if lowered in ("connection", "transfer-encoding", "keep-alive"):
                continue
            has_length = has_length or lowered == "content-length"
            lines.append(f"{name}: {value}\r\n")
        if not has_length and not isinstance(chunks, FileBody):
            lines.append(f"Content-Length: {sum(len(c) for c in chunks)}\r\n")
        if not keep:
            lines.append("Connection: close\r\n")
        lines.append("\r\n")
        return "".join(lines).encode("latin-1")

    def _http_date(self) -> str:
        second = int(time.time())
        if self._date[0] != second:
            self._date = (second, formatdate(second, usegmt=True))
        return self._date[1]

    def _environ(self, conn: Connection, request: Request, body: bytes) -> dict:
        path, query = request.path, request.query
        server = conn.sock.getsockname()
        environ = {
            "REQUEST_METHOD": request.method,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
            "QUERY_STRING": query.decode("latin-1"),
            "RAW_URI": request.url.decode("latin-1"),
            "REQUEST_URI": request.url.decode("latin-1"),
            "SERVER_NAME": str(server[0]) if isinstance(server, tuple) else "localhost",
            "SERVER_PORT": str(server[1]) if isinstance(server, tuple) else "80",
            "SERVER_PROTOCOL": f"HTTP/{request.version}",
            "REMOTE_ADDR": conn.addr[0] if isinstance(conn.addr, tuple) else "",
            "REMOTE_PORT": str(conn.addr[1]) if isinstance(conn.addr, tuple) else "",
            "CONTENT_LENGTH": str(len(body)) if body or request.method in ("POST", "PUT") else "",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.input_terminated": True,
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "wsgi.file_wrapper": FileBody,
        }
        for name, value in request.headers:
            key = name.decode("latin-1").upper()
            if "_" in key:  # never let a header pose as another (HTTP_X_FORWARDED_FOR …)
                continue
            key = key.replace("-", "_")
            if key == "CONTENT_LENGTH":
                continue
            if key != "CONTENT_TYPE":
                key = "HTTP_" + key
            text = value.decode("latin-1")
            environ[key] = f"{environ[key]}, {text}" if key in environ else text
        return environ

    # -- sending -------------------------------------------------------------------------------

    def _flush(self, conn: Connection) -> None:
        while conn.out:
            item = conn.out[0]
            try:
                if isinstance(item, FileBody):
                    sent = os.sendfile(conn.sock.fileno(), item.file.fileno(), item.offset,
                                       1 << 20)
                    if sent == 0:
                        item.close()
                        conn.out.popleft()
                        continue
                    item.offset += sent
                    continue
                sent = conn.sock.send(item)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                self._close(conn)
                return
            if sent < len(item):
                conn.out[0] = item[sent:]
                break
            conn.out.popleft()
        if not conn.out:
            if conn.closing:
                self._close(conn)
                return
            conn.deadline = time.monotonic() + (REQUEST_TIMEOUT if conn.current is not None
                                                else self.keepalive)
            if conn.ready:  # pipelined: the next request is already here
                self.pending.append(conn)
        events = READ | (WRITE if conn.out else 0)
        if events != conn.events:
            self.selector.modify(conn.sock, events, conn)
            conn.events = events

    def _close(self, conn: Connection) -> None:
        if self.connections.pop(conn.sock.fileno(), None) is None:
            return
        try:
            self.selector.unregister(conn.sock)
        except (KeyError, ValueError):
            pass
        for item in conn.out:
            if isinstance(item, FileBody):
                item.close()
        conn.out.clear()
        conn.release_body()
        conn.sock.close()
        if self.paused and self.alive:
            self.paused = False
            for listener in self.sockets:
                self.selector.register(listener, READ, None)

    # -- the guard fired -----------------------------------------------------------------------

    def _overrun(self, overrun: Overrun) -> None:
        """Called by the guard's thread; the process is killed right after."""
        conn = overrun.context
        if isinstance(conn, Connection):
            try:
                conn.sock.setblocking(True)
                conn.sock.settimeout(1.0)
                conn.sock.sendall(plain_response(503, overrun.message())
                                  .replace(b"Cache-Control: no-store\r\n",
                                           b"Cache-Control: no-store\r\nRetry-After: 1\r\n"))
            except OSError:
                pass


def _drain_pipe(fd: int) -> None:
    try:
        while os.read(fd, 4096):
            pass
    except (BlockingIOError, OSError):
        pass
