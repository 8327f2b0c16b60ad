"""A real PostgreSQL (Debian's package) for the replica tests, and a real HAProxy in front of
ppkg servers.

`start_postgres(directory)` runs initdb and the server as the `postgres` system user (PostgreSQL
refuses root) in a folder that user owns, listening on 127.0.0.1 on a free port only, with a
password for the `ppkg` user (scram-sha-256 over TCP); `stop_postgres` / `restart` stop and start
the same cluster. `available()` is False without the binaries (.ci/run installs them), and the
tests are then skipped, saying so.

`start_haproxy(config, ports)` runs HAProxy with the project's shipped configuration
(docs/haproxy.cfg) on the given backend ports.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
PG_BIN = Path(BIN[-1]) if BIN else None
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
HAPROXY_CONFIG = Path(__file__).resolve().parent.parent / "docs" / "haproxy.cfg"


def available() -> str | None:
    """None when PostgreSQL can be run here, else why not."""
    if PG_BIN is None or not (PG_BIN / "postgres").exists():
        return "PostgreSQL is not installed (apt-get install postgresql)"
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return "there is no `postgres` system user to run PostgreSQL as"
    return None


def haproxy_available() -> str | None:
    return None if os.path.exists(HAPROXY) else "HAProxy is not installed (apt-get install haproxy)"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def as_postgres(*args: str, **kwargs) -> subprocess.CompletedProcess:
    command = list(args)
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, **kwargs)


@dataclass
class Postgres:
    dir: Path
    port: int
    password: str

    @property
    def url(self) -> str:
        return f"postgresql://ppkg:{self.password}@127.0.0.1:{self.port}/ppkg"

    def start(self) -> None:
        done = as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.dir / "data"), "-l",
                           str(self.dir / "postgres.log"), "-w", "-t", "60", "start")
        if done.returncode != 0:
            raise RuntimeError(f"PostgreSQL did not start: {done.stderr}\n{self.log()}")

    def stop(self, mode: str = "fast") -> None:
        as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.dir / "data"), "-m", mode, "-w",
                    "stop")

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)

    def log(self) -> str:
        try:
            return (self.dir / "postgres.log").read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def psql(self, sql: str) -> str:
        done = subprocess.run([str(PG_BIN / "psql"), self.url, "-At", "-c", sql],
                              capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(done.stderr)
        return done.stdout.strip()


def start_postgres() -> Postgres:
    """A new cluster in a folder of its own under the system's temporary folder (the postgres
    user must reach it: pytest's folders are root's alone); `remove` it when done."""
    directory = Path(tempfile.mkdtemp(prefix="ppkg-pg-"))
    pg = pwd.getpwnam("postgres")
    os.chown(directory, pg.pw_uid, pg.pw_gid)
    os.chmod(directory, 0o700)
    password = secrets.token_urlsafe(16)
    secret = directory / "pwfile"
    secret.write_text(password + "\n")
    os.chown(secret, pg.pw_uid, pg.pw_gid)
    done = as_postgres(str(PG_BIN / "initdb"), "-D", str(directory / "data"), "-U", "ppkg",
                       "--pwfile", str(secret), "--auth-local=trust", "--auth-host=scram-sha-256",
                       "-E", "UTF8", "--locale=C.UTF-8")
    secret.unlink()
    if done.returncode != 0:
        raise RuntimeError(f"initdb failed: {done.stderr}")
    port = free_port()
    with open(directory / "data" / "postgresql.conf", "a") as conf:
        conf.write(f"\nlisten_addresses = '127.0.0.1'\nport = {port}\n"
                   f"unix_socket_directories = '{directory}'\nfsync = on\n"
                   "max_connections = 100\nshared_buffers = 32MB\n")
    server = Postgres(directory, port, password)
    server.start()
    as_postgres(str(PG_BIN / "createdb"), "-h", str(directory), "-p", str(port), "-U", "ppkg",
                "ppkg")
    return server


def start_standby(primary: Postgres) -> Postgres:
    """A streaming standby of `primary`, as docs/deployment.md makes one: a replication role, a
    pg_hba line, `pg_basebackup -R -X stream -C -S standby`, its own port."""
    primary.psql(f"CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '{primary.password}'")
    with open(primary.dir / "data" / "pg_hba.conf", "a") as hba:
        hba.write("host replication replicator 127.0.0.1/32 scram-sha-256\n")
    primary.psql("SELECT pg_reload_conf()")
    directory = Path(tempfile.mkdtemp(prefix="ppkg-pg-standby-"))
    pg = pwd.getpwnam("postgres")
    os.chown(directory, pg.pw_uid, pg.pw_gid)
    os.chmod(directory, 0o700)
    done = as_postgres(str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port),
                       "-U", "replicator", "-D", str(directory / "data"), "-R", "-X", "stream",
                       "-C", "-S", "standby", "--checkpoint=fast",
                       env=dict(os.environ, PGPASSWORD=primary.password))
    if done.returncode != 0:
        raise RuntimeError(f"pg_basebackup failed: {done.stderr}")
    port = free_port()
    with open(directory / "data" / "postgresql.conf", "a") as conf:
        conf.write(f"\nport = {port}\nunix_socket_directories = '{directory}'\n")
    standby = Postgres(directory, port, primary.password)
    standby.start()
    return standby


@dataclass
class Balancer:
    process: subprocess.Popen
    url: str
    log_path: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


def start_haproxy(backends: list[str], log_path: Path) -> Balancer:
    """HAProxy with docs/haproxy.cfg on a free port, in front of `backends` (host:port each)."""
    port = free_port()
    env = dict(os.environ, PPKG_LISTEN=f"127.0.0.1:{port}",
               **{f"PPKG_REPLICA_{i}": b for i, b in enumerate(backends, 1)})
    log = open(log_path, "wb")
    process = subprocess.Popen([HAPROXY, "-db", "-f", str(HAPROXY_CONFIG)], env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    log.close()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"haproxy exited: {log_path.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return Balancer(process, f"http://127.0.0.1:{port}", log_path)
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("haproxy did not listen")
