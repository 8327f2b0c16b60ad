"""The errors ppkg answers with: each carries the HTTP status that says why.

Raised by the stores, the query catalog and the uploads; the web layer turns any of them into a
short JSON / text / HTML answer (ppkg.web.errors) and the CLI into a one-line message. Nothing
here imports an engine, so every layer can raise and catch them.
"""

from __future__ import annotations


class QueryError(Exception):
    """A query that cannot be answered; `status` is the HTTP status that says why."""

    status = 400

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status

    def __reduce__(self):  # keep the status across a process boundary (pickle)
        return (_rebuild_error, (type(self), self.message, self.status, self.__dict__))


def _rebuild_error(cls, message, status, state):
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.__dict__.update(state)
    err.message, err.status = message, status
    return err


class QuerySyntaxError(QueryError):
    """The parser rejected the text; the message names the position."""


class QueryRefused(QueryError):
    """Something this endpoint never does: SERVICE or LOAD to a target not allowed, a query
    too deeply nested to be parsed safely."""


class ReadOnly(QueryError):
    """An update was sent: this endpoint only answers queries."""

    status = 403


class NotAcceptable(QueryError):
    """None of the formats the client accepts can carry this kind of result."""

    status = 406

    def __init__(self, message: str, available: list[str] | None = None):
        super().__init__(message)
        self.available = list(available or [])


class QueryTimeout(QueryError):
    """The query ran past its time limit and was stopped."""

    status = 503

    def __init__(self, message: str, limit: float = 0.0):
        super().__init__(message)
        self.limit = limit


class QueryFailed(QueryError):
    """The engine or the store failed; not the client's fault."""

    status = 500


class EngineDefect(QueryError):
    """A valid query the engine cannot answer because of a known defect of its own
    (docs/upstream-defects.md names each); the message says which and how to avoid it."""

    status = 422


class LoadError(ValueError):
    """A file could not be loaded; the message names the file and the position."""


class RecordUnavailable(RuntimeError):
    """The durable record (PostgreSQL) cannot be reached: nothing was written, and the same
    request may succeed later (503 with Retry-After). The message names the database: it is for
    the log and the shell, not for HTTP clients."""

    status = 503
    retry_after = 5
    public = False


class RecordBehind(RecordUnavailable):
    """This server has not applied the record's last change in time (a writer waits for it)."""

    retry_after = 1
    public = True
