"""Search: find people, organisations, events, statements, documents and sources by any name a
source gives them or by words of a quote, whatever the case and diacritics.

- `fold`: how texts and queries are made comparable (folding rules, name skeletons);
- `index`: the SQLite FTS5 index file every process of a server shares;
- `build`: filling it from the published graph through the query service, and keeping it current
  with each accepted change (StoreDataset.on_change).

The HTTP side is ppkg.web.search (/search).
"""
