"""`ppkg query`: run a catalog query (or any SPARQL) on the embedded store or on an endpoint.

    ppkg query --list                                   the catalog
    ppkg query NAME [-p KEY=VALUE ...] [-f FORMAT]      a catalog query
    ppkg query --sparql 'SELECT ...'                    any query
    ppkg query --file q.rq [-p KEY=VALUE ...]           a query file (a '#+' header declares params)
    ... --endpoint URL                                  on any SPARQL endpoint
    ... --graph PATH                                    on these RDF files/folders, not the shipped graph
    ... --store sparql --sparql-query-url URL           on the configured store, as `ppkg serve`

Parameters are bound exactly as the HTTP API binds them (ppkg.catalog). A query runs through the
configured store's query service — the same checks, limits and union default graph as the
server; an endpoint is sent the same bound query text by the remote store's client. Formats: `table` (aligned columns, labels
instead of IRIs, long text cut), `csv`, `tsv` and `json` (SPARQL 1.1 results, byte-identical to
the HTTP API's). ASK answers true/false; CONSTRUCT and DESCRIBE print Turtle.

Errors (unknown query, bad parameter, syntax error, unreadable file) exit with status 2 and a
one-line message; a failing endpoint or query evaluation exits with 1.
"""

from __future__ import annotations

import dataclasses
import io
import json
import sys
from pathlib import Path
from typing import NoReturn

import click
import pyoxigraph as ox

from ppkg.catalog.columns import columns, compact
from ppkg.catalog.queries import (CatalogError, ParameterError, UnknownQuery, load_catalog, parse_query)
from ppkg.cli.options import store_options, with_flags
from ppkg.config import Config
from ppkg.errors import LoadError, QueryError, QuerySyntaxError
from ppkg.formats import rdf_format, results_format
from ppkg.linked_data.describe import UNLIMITED
from ppkg.sparql import results as serialize
from ppkg.sparql.scan import scan
from ppkg.store.configured import open_store
from ppkg.runtime.command import bound_command
from ppkg.store.remote.client import SparqlClient

FORMATS = ("table", "csv", "tsv", "json")


class Failure(Exception):
    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.message, self.code = message, code


def fail(message: str, code: int = 2) -> NoReturn:
    raise Failure(message, code)


@click.command("query")
@click.argument("name", required=False)
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A parameter of the query (repeatable).")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="table",
              show_default=True, help="Output format.")
@click.option("--sparql", "sparql_text", metavar="QUERY", help="Run this SPARQL text instead.")
@click.option("--file", "file_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="Run the query in this file (a '#+' header may declare parameters).")
@click.option("--list", "list_queries", is_flag=True, help="List the catalog's queries.")
@click.option("--graph", "graphs", multiple=True, type=click.Path(), metavar="PATH",
              help="Query these RDF files or folders instead of the shipped graph (repeatable).")
@click.option("--endpoint", metavar="URL", help="Run on this SPARQL endpoint (via SPARQLWrapper).")
@click.option("--queries", "queries_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="The folder of catalog .rq files (default: the shipped queries/).")
@click.option("--show-query", is_flag=True, help="Print the bound SPARQL instead of running it.")
@click.option("--width", type=click.IntRange(0), default=40, show_default=True,
              help="Widest table column, in characters (0: no limit).")
@click.option("--timeout", type=click.FloatRange(0, min_open=True), default=60.0,
              show_default=True, help="Seconds a query may run (here or on the endpoint).")
@store_options
@click.pass_obj
def query(config, name, params, fmt, sparql_text, file_path, list_queries, graphs, endpoint,
          queries_dir, show_query, width, timeout, **flags) -> None:
    """Answer a question from the query catalog, or run any SPARQL query."""
    config = with_flags(config, flags)
    chosen = [flag for flag, given in (("NAME", name), ("--sparql", sparql_text),
                                       ("--file", file_path), ("--list", list_queries)) if given]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of NAME, --sparql, --file or --list"
                               + (f" (got {', '.join(chosen)})" if chosen else ""))
    if endpoint and graphs:
        raise click.UsageError("--graph is for the embedded store; an --endpoint has its own data")
    try:
        if list_queries:
            _list(load_catalog(queries_dir), fmt)
            return
        values = _param_values(params)
        if name is not None:
            text = load_catalog(queries_dir).get(name).bind(values)
        elif file_path is not None:
            text = _file_query(Path(file_path), values)
        else:
            if values:
                fail("--param applies to catalog queries and --file, not to --sparql")
            text = sparql_text
        if show_query:
            click.echo(text)
            return
        if endpoint:
            result = _run_endpoint(endpoint, text, timeout)
        else:
            result = _run_local(config, text, graphs, timeout)
        _write(result, fmt, width)
    except Failure as err:
        _exit(err.message, err.code)
    except (CatalogError, UnknownQuery, ParameterError) as err:
        _exit(getattr(err, "message", None) or str(err), 2)
    except BrokenPipeError:  # `ppkg query ... | head`
        sys.stderr.close()
        sys.exit(0)


def _exit(message: str, code: int) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _param_values(params: tuple[str, ...]) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in params:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            fail(f"--param needs KEY=VALUE; got {item!r}")
        if key in values:
            fail(f"parameter {key!r} is given more than once")
        values[key] = value
    return values


def _file_query(path: Path, values: dict[str, str]) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        fail(f"{path}: cannot be read: {getattr(err, 'strerror', None) or err}")
    if text.lstrip().startswith("#+"):
        return parse_query(text, path.stem, path).bind(values)
    if values:
        fail(f"{path} has no '#+' header declaring parameters; --param cannot be used with it")
    return text


# --- running -----------------------------------------------------------------------------------

class Result:
    """What a query answered: rows (SELECT), a boolean (ASK) or Turtle bytes (graphs)."""

    def __init__(self, variables=None, rows=None, boolean=None, triples=None, turtle=None,
                 prefixes=None):
        self.variables, self.rows, self.prefixes = variables, rows, prefixes
        self.boolean, self.triples, self.turtle = boolean, triples, turtle


def _run_local(config: Config, text: str, graphs: tuple[str, ...], timeout: float) -> Result:
    """The query through the configured store's query service, as the server runs it."""
    if graphs:
        config = dataclasses.replace(config, graph_paths=tuple(graphs), store="embedded")
    try:
        dataset = open_store(config)
    except (LoadError, ValueError, OSError) as err:
        fail(str(err))
    service = dataset.query_service(config)
    bound_command(config, timeout)
    try:
        info = scan(text)
        if info.form == "ASK":
            return Result(boolean=service.ask(text, timeout=timeout))
        if info.form in ("CONSTRUCT", "DESCRIBE"):
            return Result(triples=list(service.construct(text, timeout=timeout, limit=UNLIMITED)),
                          prefixes=info.prefixes)
        variables, rows = service.select(text, timeout=timeout, limit=UNLIMITED)
        return Result(variables=variables, rows=rows)
    except QueryError as err:
        fail(err.message, 2 if err.status < 500 else 1)
    finally:
        service.close()


def _run_endpoint(url: str, text: str, timeout: float) -> Result:
    """The query sent to a SPARQL endpoint by the remote store's client."""
    info = scan(text)
    if info.update is not None:
        fail(f"SPARQL Update ({info.update}) is not run by `ppkg query`: it only answers queries")
    graph = info.form in ("CONSTRUCT", "DESCRIBE")
    client = SparqlClient(query_url=url)
    try:
        body = client.query(text, "text/turtle" if graph else "application/sparql-results+json",
                            timeout)
    except QuerySyntaxError as err:
        fail(f"the endpoint rejected the query: {err.message}")
    except QueryError as err:
        fail(f"cannot reach or query {url}: {err.message}", 1)
    if graph:
        return Result(turtle=body)
    try:
        results = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    except (SyntaxError, ValueError) as err:
        fail(f"{url} answered with malformed SPARQL JSON results ({err})", 1)
    if isinstance(results, ox.QueryBoolean):
        return Result(boolean=bool(results))
    return Result(variables=[v.value for v in results.variables],
                  rows=[tuple(solution) for solution in results])


# --- output ------------------------------------------------------------------------------------

def _write(result: Result, fmt: str, width: int) -> None:
    out = sys.stdout.buffer
    if result.turtle is not None or result.triples is not None:
        if result.turtle is not None:
            data = result.turtle
        else:
            buffer = io.BytesIO()
            serialize.write_graph(result.triples, rdf_format("turtle"), buffer,
                                  prefixes=result.prefixes or None)
            data = buffer.getvalue()
        out.write(data if not data or data.endswith(b"\n") else data + b"\n")
        out.flush()
        return
    if result.boolean is not None:
        if fmt == "table":
            click.echo("true" if result.boolean else "false")
        else:
            serialize.write_boolean(result.boolean, results_format(fmt), out)
            out.write(b"\n")
            out.flush()
        return
    if fmt == "table":
        click.echo(table(result.variables, result.rows, width))
        return
    serialize.write_solutions(result.rows, result.variables, results_format(fmt), out)
    if fmt == "json":
        out.write(b"\n")
    out.flush()


def table(variables: list[str], rows: list[tuple], width: int = 40) -> str:
    """Aligned columns for people: labels shown for IRIs (catalog.columns), long text cut."""
    shown = columns(variables)
    index = {v: i for i, v in enumerate(variables)}
    cells = []
    for row in rows:
        line = []
        for column in shown:
            value = row[index[column.value]]
            label = row[index[column.label]] if column.label else None
            if label is not None:
                text = label.value
            elif value is None:
                text = ""
            elif isinstance(value, ox.NamedNode):
                text = compact(value.value)
            elif isinstance(value, ox.BlankNode):
                text = "_:" + value.value
            else:
                text = value.value if isinstance(value, ox.Literal) else str(value)
            line.append(_cut(" ".join(text.split()), width))
        cells.append(line)
    headers = [_cut(c.header, width) for c in shown]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    def render(items):
        return "  ".join(item.ljust(w) for item, w in zip(items, widths)).rstrip()
    lines = [render(headers), "  ".join("-" * w for w in widths)]
    lines += [render(r) for r in cells]
    lines.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return "\n".join(lines)


def _cut(text: str, width: int) -> str:
    if width and len(text) > width:
        return text[:max(1, width - 1)].rstrip() + "…"
    return text


def _list(catalog, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps({"queries": catalog.describe()}, ensure_ascii=False, indent=2))
        return
    if fmt in ("csv", "tsv"):
        import csv
        writer = csv.writer(sys.stdout, delimiter="," if fmt == "csv" else "\t",
                            lineterminator="\n")
        writer.writerow(["name", "parameters", "title"])
        for q in catalog:
            writer.writerow([q.name, " ".join(f"{p.name}:{p.type}" for p in q.params.values()),
                             q.title])
        return
    name_width = max(len(q.name) for q in catalog) if len(catalog) else 4
    for q in catalog:
        params = " ".join(f"{p.name}={p.type}" for p in q.params.values())
        click.echo(f"{q.name.ljust(name_width)}  {q.title}")
        if params:
            click.echo(f"{'':{name_width}}  params: {params}")
    click.echo(f"\n{len(catalog)} queries. Run one with `ppkg query NAME`; "
               "`--param KEY=VALUE` sets a parameter.")


COMMANDS = [query]
