"""Replicas: every `ppkg serve` over a shared durable record (PostgreSQL) holds its own in-memory
store, starts from a snapshot or the shipped files, replays the record and then follows it.

- start.py     open a replica's store: snapshot or files, the record's changes after it, the feed
- follower.py  the master's thread that copies new changes into the feed (LISTEN, and polling)
- status.py    what the follower last heard from the record (for /health: version, lag)
- relay.py     the workers' only way to the database: a Unix socket in front of its TCP address

The feed is an ordinary change log in the data dir (DATA_DIR/replica/log/), rebuilt at every
start: workers and their query processes catch up from it as they do from the file log, so query
evaluation never needs a network socket (ppkg.runtime.sandbox).
"""
