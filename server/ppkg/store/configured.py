"""The store the configuration names (Config.store, env PPKG_STORE, `--store`), opened.

- ``embedded`` (default): the files loaded into pyoxigraph in this process (ppkg.store.embedded);
- ``sparql``: a remote SPARQL 1.1 store spoken to through SPARQLWrapper (ppkg.store.remote).
"""

from __future__ import annotations

from ppkg.store import StoreDataset
from ppkg.store.embedded.dataset import load_dataset
from ppkg.store.remote.dataset import RemoteDataset

STORES = ("embedded", "sparql")


def open_store(config, paths=None) -> StoreDataset:
    """The configured store with the data dir's change log applied (raises LoadError, ValueError).

    embedded: loads `paths`, or Config.graph_paths, or the shipped graph, with the changes of the
    record in PostgreSQL when Config.database_url is set (ppkg.replica). sparql: connects to the
    remote store (which `ppkg load` has filled) and checks that it answers.
    """
    kind = getattr(config, "store", "embedded") or "embedded"
    if kind == "embedded" and config.database_url:
        from ppkg.replica.start import load_replica  # psycopg only when a database is configured

        return load_replica(config, paths).dataset
    if kind == "embedded":
        return load_dataset(paths or config.graph_paths or None, data_dir=config.data_dir)
    if kind == "sparql":
        dataset = RemoteDataset.from_config(config)
        dataset.check()
        dataset.open_log(config.data_dir)
        return dataset
    raise ValueError(f"unknown store {kind!r} (known: {', '.join(STORES)})")
