"""The durable record in PostgreSQL (`PPKG_DATABASE_URL`), through psycopg 3.

- connection.py  one connection per process and thread; a write as one locked transaction;
                 the database's failures as RecordUnavailable (503)
- schema.py      the tables, created and migrated by ppkg (a numbered list of migrations)
- record.py      PgRecord: the change log, the review queue, the tokens
- snapshots.py   dumps of the store at a version; compaction of the log below them
"""
