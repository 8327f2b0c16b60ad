"""Settings, read from PPKG_* environment variables; command-line flags override them."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "ppkg"


@dataclass
class Config:
    base_iri: str = "https://w3id.org/ppkg/"  # public IRI prefix that maps to this server's root
    # The URL clients reach this server's root at, for absolute links (OpenAPI, submissions);
    # empty: links are root-relative (the Host header is never reflected).
    public_url: str = ""
    data_dir: Path = field(default_factory=_default_data_dir)  # everything the server writes
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 0  # 0: one per core
    query_timeout: float = 10.0  # seconds; a request may ask for less, never more
    request_memory: int = 2 * 2**30  # bytes one request may grow its process by
    row_limit: int = 10_000  # results rows (or triples) per response
    max_body: int = 10 * 1024 * 1024  # bytes of request body
    service_allowlist: tuple[str, ...] = ()  # SERVICE / LOAD targets a query may name
    graph_paths: tuple[str, ...] = ()  # files or folders to serve; empty: the shipped graph
    # The store (ppkg.backend): "embedded" (pyoxigraph in this process) or "sparql" (a remote
    # SPARQL 1.1 store, ppkg.remote; see docs/deployment.md).
    store: str = "embedded"
    sparql_query_url: str = ""
    sparql_update_url: str = ""
    sparql_gsp_url: str = ""  # optional Graph Store Protocol endpoint (used by `ppkg load`)
    sparql_user: str = ""
    sparql_password: str = field(default="", repr=False)  # never logged nor shown
    sparql_auth: str = "basic"  # or "digest" (Virtuoso's /sparql-auth)
    # The durable record in PostgreSQL (ppkg.durable.postgres), shared by replicas; empty: the
    # data dir's files. A libpq URL or key=value string; it may hold a password: never logged.
    database_url: str = field(default="", repr=False)
    max_lag: float = 10.0  # seconds a replica may trail the record before /health answers 503

    @classmethod
    def from_env(cls, environ=None, **overrides) -> "Config":
        """PPKG_<FIELD> variables, then overrides that are not None (flags left unset)."""
        environ = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = environ.get(f"PPKG_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = _convert(f.name, f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None and v != ()})
        config = cls(**values)
        config.data_dir = Path(config.data_dir).expanduser()
        if not config.base_iri.endswith("/"):
            config.base_iri += "/"
        return config

    def to_env(self) -> dict[str, str]:
        """The same settings as environment variables, for a child process (gunicorn)."""
        env = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                value = " ".join(value)
            env[f"PPKG_{f.name.upper()}"] = str(value)
        return env


def _convert(name: str, type_: str, raw: str):
    try:
        if type_ == "int":
            return int(raw)
        if type_ == "float":
            return float(raw)
    except ValueError:
        raise ValueError(f"PPKG_{name.upper()}={raw!r} is not a number") from None
    if type_.startswith("tuple"):
        return tuple(raw.split())
    return raw
