"""The remote store: ppkg over an external SPARQL 1.1 store (Virtuoso, GraphDB, Fuseki ...).

Modules: `client` (HTTP through SPARQLWrapper), `dialect` (pure rewriting and term fixes for
Virtuoso), `service` (the QueryBackend), `dataset` (the StoreDataset and the change log),
`registry` (the graph that lists ppkg's graphs), `writer` (`ppkg load`, changes, the union).

Implements the store interface (ppkg.backend) with SPARQLWrapper: a query endpoint, an update
endpoint, optionally a Graph Store Protocol endpoint (used by `ppkg load`), optionally
credentials (HTTP basic or digest; they are never logged nor put in a response or an error).

The endpoint's guarantees are kept on this side:

- every query is scanned first (ppkg.store.service.BaseQueryService.inspect): updates, SERVICE
  and LOAD never reach the remote store;
- results are fetched as SPARQL JSON (SELECT / ASK) or N-Triples (CONSTRUCT / DESCRIBE) and
  written by ppkg.sparql.results, so formats, headers and the row limit are the embedded store's;
- the time limit is passed to the remote (Virtuoso's `timeout` parameter, in ms) and enforced by
  the HTTP client a little later; a remote timeout is a 504, a remote failure or an unreachable
  store a 502 (RemoteTimeout, RemoteFailed);
- the default graph is the union of ppkg's graphs only. Symptom without this: Virtuoso's default
  dataset also holds its system graphs (virtrdf:, <http://www.w3.org/ns/ldp#>,
  <http://localuriqaserver/sparql>: ~2,500 triples of its own), which then showed up in
  `?s ?p ?o` and in `GRAPH ?g`. So every query without a dataset of its own is sent with one
  `default-graph-uri` and one `named-graph-uri` per ppkg graph. The list lives in the store, in the
  registry graph REGISTRY (written by `ppkg load` and by submissions), with the data's version —
  so all the ppkg servers in front of one store agree on both.

The union is kept as a graph of its own, UNION_GRAPH, and that one graph is the default graph.
Symptom without it: given the graphs as several default graphs, Virtuoso returns a triple once
per graph that holds it (bag semantics, like pyoxigraph's union default graph, oxigraph #1919):
the 48 facts both seed articles state came twice, `COUNT(*)` over `?s ?p ?o` said 1,422 instead
of 1,374, and a 3-hop join over restated facts multiplied its rows (10 s at 1 M quads, against
0.1 s over the one union graph). `ppkg load` builds it (a staging graph, then MOVE); each change
adds a new graph's triples to it, and a withdrawal first removes the triples no other graph
states.

Submissions (ppkg.submissions) append to the change log of the data dir; `catch_up` writes the
entries not yet in the remote store, in order, under a lock file of the data dir: the data into
a fresh staging graph, then MOVE to the submission's graph, then the provenance and the registry
(so provenance is never written before its data); a failure drops the staging graph and leaves
the entry pending, to be applied again by the next operation. Every step is idempotent (MOVE
replaces; INSERT DATA of the same triples changes nothing), so two servers applying the same
entry end with the same quads.
"""
