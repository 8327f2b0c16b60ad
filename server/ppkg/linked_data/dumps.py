"""Dumps of the whole store — every named graph — shared by `ppkg export` and /dumps/.

The quads are read through the QueryService (so the query process's up-to-date copy of the store
is what gets written), sorted so the same data always gives the same bytes, and written as:

- trig     TriG, one block per named graph                      (/dumps/ppkg.trig)
- nquads   N-Quads; `ppkg.nq.gz` is the same bytes gzipped, with a fixed header (no name, mtime
           0), so its checksum changes only when the data does  (/dumps/ppkg.nq.gz)
- turtle   the union of all graphs as one graph (which source said what is lost)
- jsonld   compact JSON-LD, named graphs kept

Dumps keep the IRIs as stored (as the SPARQL endpoint does). The HTTP side writes each dump once
per data version into a cache directory (Config.data_dir / "cache" / "dumps" / <version>), with a
`.json` note of its size and SHA-256, and streams it from there.

Triples in the store's default graph (none in the shipped data) are read as the triples of the
union that no named graph holds.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import io
import json
import os
import shutil
import tempfile
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

import pyoxigraph as ox

from ppkg.formats import RDF_FORMATS, RdfFormat, rdf_format
from ppkg.linked_data.describe import UNLIMITED
from ppkg.linked_data.iris import IriMap
from ppkg.linked_data.rdf import serialize_quads
from ppkg.vocab import DATA_BASE

QUADS_QUERY = """
SELECT ?g ?s ?p ?o WHERE {
  { GRAPH ?g { ?s ?p ?o } }
  UNION
  { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?any { ?s ?p ?o } } }
}
"""

EXPORT_FORMATS = tuple(f.name for f in RDF_FORMATS)


@dataclass(frozen=True)
class DumpFile:
    """A dump served over HTTP: its file name, the export format, gzip or not, media type."""

    name: str
    format: str
    gzip: bool
    media_type: str
    encoding: str | None = None  # dcat:compressFormat / what the bytes are before gunzip


HTTP_DUMPS = (
    DumpFile("ppkg.trig", "trig", False, "application/trig"),
    DumpFile("ppkg.nq.gz", "nquads", True, "application/gzip", "application/n-quads"),
)
HTTP_DUMPS_BY_NAME = {d.name: d for d in HTTP_DUMPS}


def read_quads(service, timeout: float | None = None) -> list[ox.Quad]:
    """Every quad of the store, through the QueryService."""
    result = service.select(QUADS_QUERY, limit=UNLIMITED, timeout=timeout)
    quads = []
    for g, s, p, o in result.rows:
        quads.append(ox.Quad(s, p, o, g if g is not None else ox.DefaultGraph()))
    return quads


def write(quads: list[ox.Quad], fmt: str | RdfFormat, out: BinaryIO,
          compress: bool = False) -> None:
    """Write quads in an RDF format (the dataset formats keep every graph, the others merge
    them); `compress` gzips with a reproducible header."""
    chosen = rdf_format(fmt) if isinstance(fmt, str) else fmt
    if chosen is None:
        raise ValueError(f"unknown export format {fmt!r} (known: {', '.join(EXPORT_FORMATS)})")
    if compress:
        with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0) as gz:
            write(quads, chosen, gz)
        return
    out.write(serialize_quads(quads, chosen, IriMap(DATA_BASE), graphs=chosen.datasets))


def export(service, fmt: str, out: BinaryIO, compress: bool = False) -> None:
    write(read_quads(service), fmt, out, compress)


# --- the HTTP cache -----------------------------------------------------------------------------

@dataclass(frozen=True)
class CachedDump:
    path: Path
    size: int
    sha256: str  # hex
    media_type: str
    name: str


def _cache_root(data_dir: Path) -> Path:
    return Path(data_dir) / "cache" / "dumps"


def _safe_version(version: str) -> str:
    cleaned = "".join(c for c in version if c.isalnum() or c in "-_.")[:64]
    return cleaned or "unversioned"


def cached_dumps(service, data_dir: Path, version: str,
                 version_now: Callable[[], str] | None = None) -> dict[str, CachedDump]:
    """All HTTP dumps for this data version, written now if they are not in the cache yet.

    A lock file serialises writers across worker processes; each file appears atomically
    (written beside, then renamed), so a reader never sees half a dump. `version_now` reads the
    data's version again after the quads were read: when a change landed meanwhile, the quads
    may be newer than `version`, so they are not filed under it (the caller's version is stale;
    it gets dumps of the data as read, and nothing is cached).
    """
    root = _cache_root(data_dir)
    directory = root / _safe_version(version)
    found = _read_cached(directory)
    if found is not None:
        return found
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            found = _read_cached(directory)
            if found is not None:
                return found
            quads = read_quads(service)
            if version_now is not None and version_now() != version:
                directory = Path(tempfile.mkdtemp(prefix=".stale-", dir=root))
            directory.mkdir(parents=True, exist_ok=True)
            for dump in HTTP_DUMPS:
                _write_one(directory, dump, quads)
            if not directory.name.startswith(".stale-"):
                _remove_other_versions(root, directory)
            found = _read_cached(directory)
            if found is None:  # pragma: no cover - we have just written them
                raise OSError(f"dumps missing from {directory} after writing them")
            return found
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class _Hashing(io.RawIOBase):
    """A write-only stream that hashes and counts what passes through to a file."""

    def __init__(self, raw: BinaryIO):
        self.raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        data = bytes(data)
        self.raw.write(data)
        self.digest.update(data)
        self.size += len(data)
        return len(data)


@contextmanager
def replacing(target: Path) -> Iterator[BinaryIO]:
    """A binary file written under a temporary name beside `target` and renamed over it once
    complete, so a reader never sees half a dump; on failure the temporary file is removed."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp made it private; a dump is for sharing
        os.replace(tmp, target)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _write_one(directory: Path, dump: DumpFile, quads: list[ox.Quad]) -> None:
    with replacing(directory / dump.name) as raw:
        out = _Hashing(raw)
        write(quads, dump.format, out, compress=dump.gzip)
    meta = {"name": dump.name, "size": out.size, "sha256": out.digest.hexdigest(),
            "media_type": dump.media_type}
    with replacing(directory / (dump.name + ".json")) as note:
        note.write(json.dumps(meta).encode("utf-8"))


def _read_cached(directory: Path) -> dict[str, CachedDump] | None:
    out = {}
    for dump in HTTP_DUMPS:
        path = directory / dump.name
        note = directory / (dump.name + ".json")
        try:
            meta = json.loads(note.read_text(encoding="utf-8"))
            size = path.stat().st_size
        except (OSError, ValueError):
            return None
        if size != meta.get("size"):
            return None
        out[dump.name] = CachedDump(path, size, meta["sha256"], dump.media_type, dump.name)
    return out


def _remove_other_versions(root: Path, keep: Path) -> None:
    for child in root.iterdir():
        if child.is_dir() and child != keep:
            shutil.rmtree(child, ignore_errors=True)

