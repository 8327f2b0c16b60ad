"""The workers' way to the database: a Unix socket in front of its TCP address.

Workers on the embedded store evaluate anonymous queries and may open no network socket
(ppkg.runtime.sandbox: that closes SSRF whatever a query names). They still need the record:
tokens, the review queue, writes. So the gunicorn master, which is not sandboxed, listens on a
Unix socket named as libpq expects (`<dir>/.s.PGSQL.<port>`) and copies bytes between each
worker connection and a TCP connection of its own to the database; libpq in the worker connects
to `host=<dir>` and authenticates end to end. Only Unix sockets are reachable from a worker, and
only this one leads anywhere, to the database, which wants its credentials.

libpq does not use TLS over a Unix socket, so the relay does, towards the database, following
the URL's `sslmode` (prefer, the default, uses it when the server offers it; require and verify-*
insist, verify-* checking the certificate against `sslrootcert`). One host per URL: a database
failover is a change of address (DNS, a virtual IP), not a list.

Sockets the relay holds are closed in every forked child, so a worker never keeps a database
connection of the relay's alive.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import socket
import ssl
import struct
import tempfile
import threading

from psycopg.conninfo import conninfo_to_dict, make_conninfo


log = logging.getLogger("ppkg.replica")

SSL_REQUEST = struct.pack("!ii", 8, 80877103)  # the protocol's SSLRequest message
# Seconds to reach the database: short, so that /health, which asks it when the follower has
# lost it, answers a load balancer's check in time.
CONNECT_TIMEOUT = 1.0
VERIFIED = ("verify-ca", "verify-full")


def needs_relay(conninfo: str) -> bool:
    """Whether the database is reached over TCP (a Unix socket needs no relay)."""
    host = conninfo_to_dict(conninfo).get("host") or ""
    return not host.startswith("/")


class Relay:
    def __init__(self, conninfo: str):
        params = conninfo_to_dict(conninfo)
        self.host = (params.get("hostaddr") or params.get("host") or "localhost").split(",")[0]
        self.server_name = (params.get("host") or self.host).split(",")[0]
        self.port = int(str(params.get("port") or 5432).split(",")[0])
        self.sslmode = params.get("sslmode") or "prefer"
        self.rootcert = params.get("sslrootcert")
        self.dir = tempfile.mkdtemp(prefix="ppkg-db-")
        self.path = os.path.join(self.dir, f".s.PGSQL.{self.port}")
        # What a worker gives libpq: the same database, user and password, through the socket.
        self.conninfo = make_conninfo(conninfo, host=self.dir, hostaddr=None, port=str(self.port),
                                      sslmode="disable", sslrootcert=None, channel_binding=None)
        self._held: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        os.register_at_fork(after_in_child=self._close_in_child)

    def start(self) -> None:
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(self.path)
        os.chmod(self.path, 0o600)
        listener.listen(64)
        self._listener = listener
        owner = os.getpid()  # workers exit through atexit too: only the master removes it
        atexit.register(lambda: self.close() if os.getpid() == owner else None)
        threading.Thread(target=self._accept, name="ppkg-relay", daemon=True).start()

    def close(self) -> None:
        if self._listener is not None:
            self._listener.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _close_in_child(self) -> None:
        for sock in [self._listener, *self._held]:
            if sock is not None:
                try:
                    sock.close()  # this process's descriptor only: no TLS or protocol goodbye
                except OSError:
                    pass
        self._held.clear()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            upstream = self._connect()
        except (OSError, ssl.SSLError) as err:
            log.warning("relay: the database at %s:%s does not answer: %s", self.host,
                        self.port, err)
            client.close()
            return
        with self._lock:
            self._held.update((client, upstream))
        threading.Thread(target=_pump, args=(upstream, client), daemon=True).start()
        _pump(client, upstream)
        with self._lock:
            self._held.difference_update((client, upstream))
        for sock in (client, upstream):
            try:
                sock.close()
            except OSError:
                pass

    def _connect(self) -> socket.socket:
        sock = socket.create_connection((self.host, self.port), timeout=CONNECT_TIMEOUT)
        if self.sslmode in ("disable", "allow"):
            sock.settimeout(None)
            return sock
        sock.sendall(SSL_REQUEST)
        offered = sock.recv(1) == b"S"
        if not offered:
            if self.sslmode == "prefer":
                sock.settimeout(None)
                return sock
            sock.close()
            raise ssl.SSLError(f"sslmode={self.sslmode}, and the database offers no TLS")
        context = ssl.create_default_context(cafile=self.rootcert) if self.sslmode in VERIFIED \
            else ssl._create_unverified_context()  # noqa: S323 - what libpq's require means
        context.check_hostname = self.sslmode == "verify-full"
        wrapped = context.wrap_socket(sock, server_hostname=self.server_name)
        wrapped.settimeout(None)
        return wrapped


def _pump(source: socket.socket, target: socket.socket) -> None:
    """Copy bytes one way until either side closes; then end the other way too."""
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            target.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, target):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
