"""The remote store's HTTP client: queries through a keep-alive requests session, updates through
SPARQLWrapper, GSP through requests.

Credentials (basic or digest) are never logged nor put in a response or an error; the remote's
failures become QueryErrors with the status that fits (502 unreachable or failing, 504 timeout).
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import urllib.error
from dataclasses import dataclass, field

import requests

from ppkg.errors import QueryFailed, QuerySyntaxError, QueryTimeout
from ppkg.store.remote.dialect import query_form

CLIENT_GRACE = 0.5  # seconds the HTTP client waits beyond the remote's own time limit
META_TIMEOUT = 10.0  # seconds for registry reads and writes


class RemoteFailed(QueryFailed):
    """The remote store failed or could not be reached."""

    status = 502


class RemoteTimeout(QueryTimeout):
    """The remote store did not answer within the time limit."""

    status = 504


@dataclass
class SparqlClient:
    query_url: str
    update_url: str | None = None
    gsp_url: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    auth: str = "basic"  # or "digest" (Virtuoso's /sparql-auth)
    virtuoso: bool = False  # learnt from the Server header of its answers
    _sessions: tuple = field(default=(None, None), repr=False, compare=False)

    def _wrapper(self, url: str, timeout: float):
        from SPARQLWrapper import BASIC, DIGEST, POST, URLENCODED, SPARQLWrapper

        wrapper = SPARQLWrapper(url, updateEndpoint=url)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setOnlyConneg(True)  # no format=/output= parameters: the Accept header decides
        wrapper.setTimeout(max(1, int(timeout + 0.999)))
        wrapper.timeout = timeout  # setTimeout keeps whole seconds only; urllib takes a float
        if self.user:
            wrapper.setHTTPAuth(DIGEST if self.auth == "digest" else BASIC)
            wrapper.setCredentials(self.user, self.password or "")
        return wrapper

    def query(self, query: str, accept: str, timeout: float, *, default_graphs=None,
              named_graphs=None) -> bytes:
        """POST a query; returns the body. Raises QueryError subclasses (never with secrets)."""
        if self.virtuoso and query_form(query) == "DESCRIBE":
            # Virtuoso's DESCRIBE gives the resource's own triples only, not the blank nodes
            # they lead to (Oxigraph's and Jena's concise bounded description): ask for CBD.
            query = 'define sql:describe-mode "CBD" ' + query
        if self.virtuoso and (default_graphs or named_graphs):
            # Virtuoso answers every default-graph-uri / named-graph-uri parameter with a
            # response header of its own (X-SPARQL-default-graph: ...); past ~100 graphs Python's
            # http.client gives up ("got more than 100 headers"). Its `define input:...` pragmas
            # name the same dataset inside the query text instead.
            query = "".join(f"define input:default-graph-uri <{iri}> "
                            for iri in default_graphs or ()) + "".join(
                f"define input:named-graph-uri <{iri}> " for iri in named_graphs or ()) + query
            default_graphs = named_graphs = None
        # Virtuoso: the anytime-query limit, in milliseconds (other stores ignore it).
        form = [("query", query), ("timeout", str(max(1, int(timeout * 1000))))]
        form += [("default-graph-uri", iri) for iri in default_graphs or ()]
        form += [("named-graph-uri", iri) for iri in named_graphs or ()]
        try:
            response = self._session().post(self.query_url, data=form, timeout=timeout +
                                            CLIENT_GRACE, headers={"Accept": accept})
        except requests.Timeout:
            raise RemoteTimeout(f"Query cancelled: the remote store gave no answer within the time "
                                f"limit of {timeout:g} s", limit=timeout) from None
        except requests.RequestException as err:
            raise RemoteFailed(f"the remote store is unreachable ({type(err).__name__})") from None
        return self._answer(response.status_code, response.content, response.headers, timeout)

    def _session(self) -> requests.Session:
        """This process's keep-alive session for queries (a forked worker opens its own): a new
        connection and a new urllib opener for every query cost more than a lookup in the store
        (~4 ms of 9 for a one-resource lookup through Virtuoso)."""
        owner, session = self._sessions
        if owner != os.getpid():
            session = requests.Session()
            session.trust_env = False  # the store is reached directly: no proxy look-ups
            if self.user:
                session.auth = (requests.auth.HTTPDigestAuth(self.user, self.password or "")
                                if self.auth == "digest" else (self.user, self.password or ""))
            self._sessions = (os.getpid(), session)
        return session

    def _answer(self, status: int, body: bytes, headers, timeout: float) -> bytes:
        """A query's answer, or the QueryError its status means (as SPARQLWrapper's exceptions
        do for updates, in `_send`)."""
        text = body.decode("utf-8", "replace")
        if status == 400:
            # Virtuoso echoes the query after "SPARQL query:", with the dataset as `define`s.
            raise QuerySyntaxError(f"Syntax error, as the remote store reports it: "
                                   f"{_excerpt(text.split('SPARQL query:')[0])} (expected a "
                                   "valid SPARQL 1.1 query)")
        if status in (401, 403):
            raise RemoteFailed("the remote store refused ppkg's credentials for its query "
                               "endpoint")
        if status == 404:
            raise RemoteFailed("the remote store's query endpoint was not found (404)")
        if status == 414:
            raise RemoteFailed("the remote store's query endpoint refused a long request")
        if status == 500 and ("timeout" in text.lower() or "S1T00" in text):
            raise RemoteTimeout(f"Query cancelled by the remote store: it ran past the time "
                                f"limit of {timeout:g} s", limit=timeout)
        if status == 500:
            raise RemoteFailed(f"the remote store failed: {_excerpt(text)}")
        if status >= 300:
            raise RemoteFailed(f"the remote store's query endpoint answered {status}")
        return self._checked(body, headers, timeout)

    def update(self, update: str, timeout: float = META_TIMEOUT) -> None:
        if not self.update_url:
            raise RemoteFailed("the remote store has no update endpoint configured "
                               "(PPKG_SPARQL_UPDATE_URL)")
        wrapper = self._wrapper(self.update_url, timeout + CLIENT_GRACE)
        wrapper.setQuery(update)
        self._send(wrapper, timeout, "update")

    def put_graph(self, graph: str, ntriples: bytes, timeout: float = 300.0) -> None:
        """Graph Store Protocol PUT (replaces the graph). Needs gsp_url."""
        auth = None
        if self.user:
            auth = (requests.auth.HTTPDigestAuth(self.user, self.password or "")
                    if self.auth == "digest" else (self.user, self.password or ""))
        try:
            response = requests.put(self.gsp_url, params={"graph": graph}, data=ntriples,
                                    headers={"Content-Type": "application/n-triples"},
                                    auth=auth, timeout=timeout)
        except requests.Timeout:
            raise RemoteTimeout("the remote store's Graph Store endpoint timed out") from None
        except requests.RequestException as err:
            raise RemoteFailed(f"the remote store's Graph Store endpoint is unreachable "
                               f"({type(err).__name__})") from None
        if response.status_code >= 300:
            raise RemoteFailed(f"the remote store's Graph Store endpoint answered "
                               f"{response.status_code}: {_excerpt(response.text)}")

    def _send(self, wrapper, timeout: float, what: str) -> bytes:
        from SPARQLWrapper.SPARQLExceptions import (
            EndPointInternalError,
            EndPointNotFound,
            QueryBadFormed,
            SPARQLWrapperException,
            Unauthorized,
            URITooLong,
        )

        try:
            result = wrapper.query()
            body = result.response.read()
            headers = result.response.info()
        except QueryBadFormed as err:
            # Virtuoso echoes the query after "SPARQL query:", with the dataset as `define`s.
            message = _body_of(err).split("SPARQL query:")[0]
            raise QuerySyntaxError(f"Syntax error, as the remote store reports it: "
                                   f"{_excerpt(message)} (expected a valid SPARQL 1.1 {what})"
                                   ) from None
        except Unauthorized:
            raise RemoteFailed(f"the remote store refused ppkg's credentials for its {what} "
                               "endpoint") from None
        except EndPointNotFound:
            raise RemoteFailed(f"the remote store's {what} endpoint was not found (404)") from None
        except URITooLong:
            raise RemoteFailed(f"the remote store's {what} endpoint refused a long request") from None
        except EndPointInternalError as err:
            body = _body_of(err)
            if "timeout" in body.lower() or "S1T00" in body:
                raise RemoteTimeout(f"Query cancelled by the remote store: it ran past the time "
                                    f"limit of {timeout:g} s", limit=timeout) from None
            raise RemoteFailed(f"the remote store failed: {_excerpt(body)}") from None
        except SPARQLWrapperException as err:
            raise RemoteFailed(f"the remote store failed: {_excerpt(_body_of(err))}") from None
        except urllib.error.HTTPError as err:
            raise RemoteFailed(f"the remote store's {what} endpoint answered {err.code}") from None
        except (TimeoutError, socket.timeout):
            raise RemoteTimeout(f"Query cancelled: the remote store gave no answer within the time "
                                f"limit of {timeout:g} s", limit=timeout) from None
        except urllib.error.URLError as err:
            if isinstance(err.reason, (TimeoutError, socket.timeout)):
                raise RemoteTimeout(f"Query cancelled: the remote store gave no answer within the "
                                    f"time limit of {timeout:g} s", limit=timeout) from None
            raise RemoteFailed(f"the remote store is unreachable ({_reason(err)})") from None
        except http.client.HTTPException as err:
            raise RemoteFailed(f"the remote store sent a broken HTTP answer "
                               f"({type(err).__name__}: {_excerpt(str(err), 100)})") from None
        except (ConnectionError, OSError) as err:
            raise RemoteFailed(f"the remote store is unreachable ({type(err).__name__})") from None
        return self._checked(body, headers, timeout)

    def _checked(self, body: bytes, headers, timeout: float) -> bytes:
        if "virtuoso" in (headers.get("Server") or "").lower():
            self.virtuoso = True
        # Virtuoso deviation: when its `timeout` (anytime query) expires it answers 200 with
        # whatever it has so far, flagged only by the header X-SQL-State: S1TAT ("Returning
        # incomplete results, query interrupted by result timeout"). Partial results must never
        # pass for answers: that is a timeout.
        if headers.get("X-SQL-State") == "S1TAT":
            raise RemoteTimeout(f"Query cancelled by the remote store: it ran past the time limit "
                                f"of {timeout:g} s", limit=timeout)
        return body


def _body_of(err) -> str:
    text = str(err)
    match = re.search(r"Response:\s*\n?\s*b?['\"]?(.*)", text, re.DOTALL)
    text = match.group(1) if match else text
    return text.replace("\\n", " ").strip(" '\"")


def _excerpt(text: str, size: int = 400) -> str:
    text = " ".join(str(text).split())
    return text[:size] + ("…" if len(text) > size else "")


def _reason(err: urllib.error.URLError) -> str:
    reason = err.reason
    return type(reason).__name__ if isinstance(reason, BaseException) else str(reason)


def client_from_config(config) -> SparqlClient:
    return SparqlClient(query_url=config.sparql_query_url,
                        update_url=config.sparql_update_url or None,
                        gsp_url=config.sparql_gsp_url or None,
                        user=config.sparql_user or None,
                        password=config.sparql_password or None,
                        auth=config.sparql_auth or "basic")
