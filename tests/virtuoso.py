"""A real Virtuoso (Debian's virtuoso-opensource 7) for the tests of the remote store.

`start_virtuoso(directory)` writes a virtuoso.ini into `directory` (database, logs and all), binds
the SQL and HTTP ports to 127.0.0.1 on free ports, starts `virtuoso-t +foreground`, waits until
its SPARQL endpoint answers, and sets a fresh dba password with isql-vt. Updates go through the
authenticated endpoint /sparql-auth (HTTP digest, as dba): the anonymous /sparql stays
read-only. `stop_virtuoso` shuts it down. Without virtuoso-t (not installed), `available()` is
False and the Virtuoso variants of the tests are skipped; `.ci/run` installs it.
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

VIRTUOSO = shutil.which("virtuoso-t") or "/usr/bin/virtuoso-t"
ISQL = shutil.which("isql-vt") or "/usr/bin/isql-vt"
QUERY_TIMEOUT_S = 5  # MaxQueryExecutionTime: the store's own ceiling, above ppkg's limits

INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
ServerThreads = 20
CheckpointInterval = 0
CaseMode = 2
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
DirsAllowed = {dir}
MaxQueryMem = 500M

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 20
MaxClientConnections = 20
KeepAliveTimeout = 10
MaxKeepAlives = 10
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = {max_time}
DeferInferenceRulesInit = 0
"""


@dataclass
class Virtuoso:
    directory: Path
    http_port: int
    sql_port: int
    process: subprocess.Popen
    password: str = field(repr=False, default="dba")

    @property
    def query_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def update_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql-auth"

    @property
    def gsp_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql-graph-crud-auth"

    def env(self, gsp: bool = False) -> dict[str, str]:
        """The PPKG_* settings of a ppkg server or `ppkg load` over this store."""
        env = {"PPKG_STORE": "sparql", "PPKG_SPARQL_QUERY_URL": self.query_url,
               "PPKG_SPARQL_UPDATE_URL": self.update_url, "PPKG_SPARQL_USER": "dba",
               "PPKG_SPARQL_PASSWORD": self.password, "PPKG_SPARQL_AUTH": "digest"}
        if gsp:
            env["PPKG_SPARQL_GSP_URL"] = self.gsp_url
        return env

    def log(self) -> str:
        try:
            return (self.directory / "virtuoso.log").read_text(errors="replace")
        except OSError:
            return ""


_running: list = []  # stopped at exit at the latest, whatever happened to the fixtures


@atexit.register
def _stop_all() -> None:
    for virtuoso in list(_running):
        stop_virtuoso(virtuoso)


def available() -> bool:
    return os.access(VIRTUOSO, os.X_OK) and os.access(ISQL, os.X_OK)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def isql(virtuoso: Virtuoso, statement: str, password: str | None = None) -> str:
    result = subprocess.run(
        [ISQL, f"127.0.0.1:{virtuoso.sql_port}", "dba", password or virtuoso.password,
         f"exec={statement}"], capture_output=True, text=True, timeout=60)
    if result.returncode != 0 or "*** Error" in result.stdout + result.stderr:
        raise RuntimeError(f"isql-vt {statement!r} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def start_virtuoso(directory: Path, max_time: int = QUERY_TIMEOUT_S) -> Virtuoso:
    directory = Path(directory).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = _free_port(), _free_port()
    (directory / "virtuoso.ini").write_text(INI.format(dir=directory, sql_port=sql_port,
                                                      http_port=http_port, max_time=max_time))
    out = open(directory / "virtuoso.out", "wb")
    process = subprocess.Popen(
        [VIRTUOSO, "+foreground", "+configfile", str(directory / "virtuoso.ini")],
        cwd=directory, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    out.close()
    virtuoso = Virtuoso(directory, http_port, sql_port, process)
    _running.append(virtuoso)
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"virtuoso-t exited with {process.returncode}:\n{virtuoso.log()}")
        try:
            if requests.get(virtuoso.query_url, params={"query": "ASK {}"},
                            timeout=2).status_code == 200:
                break
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            stop_virtuoso(virtuoso)
            raise RuntimeError(f"Virtuoso did not answer:\n{virtuoso.log()}")
        time.sleep(0.1)
    password = "pw" + secrets.token_hex(12)  # `SET PASSWORD old new`: no punctuation
    try:  # (CaseMode = 2 above, else isql upper-cases the unquoted old password "dba")
        isql(virtuoso, f"set password dba {password};", password="dba")
    except BaseException:
        stop_virtuoso(virtuoso)
        raise
    virtuoso.password = password
    return virtuoso


def stop_virtuoso(virtuoso: Virtuoso) -> None:
    process = virtuoso.process
    if virtuoso in _running:
        _running.remove(virtuoso)
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)  # virtuoso-t checkpoints and exits on SIGTERM
        process.wait(timeout=20)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
