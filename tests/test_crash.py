"""kill -9 while submissions are in flight: after a restart on the same data dir, every submission
that got a 201 is there, and every submission is wholly present or wholly absent.

Threads send valid submissions of different sizes (each under a tag of its own, in its subjects'
IRIs) until enough have been acknowledged; then the server's whole process group (gunicorn master,
workers, query processes) gets SIGKILL. The server is restarted on the same data dir and each
sent submission is looked up through /sparql: the triples found under its tag must be all it sent,
in one submission graph, or none. Three rounds, each restart replaying the earlier rounds too.
The figures are printed (run with -s to see them).
"""

from __future__ import annotations

import os
import random
import threading

import requests

from archive_helpers import (SUBMISSION_BASE, kill_during, person_upload, select, start_archive,
                             start_archive_server, stop_archive)

PERSON = "https://w3id.org/ppkg/id/person/"
THREADS = 8
ROUNDS = 3
SIZES = (1, 1, 3, 10, 40, 150, 600)  # people per upload (3 triples each, and a source)


def tag_of(subject: str) -> str:
    """person:TAG-i and src:TAG-report (archive_helpers.person_upload) → TAG."""
    return subject.rsplit("/", 1)[1].rsplit("-", 1)[0]


def submission_graphs(url: str) -> dict[str, tuple[str, int]]:
    """Submission graph → (tag of its subjects, triples)."""
    rows = select(url, f"""SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
        FILTER(STRSTARTS(STR(?g), "{SUBMISSION_BASE}")) }} GROUP BY ?g""")
    subjects = select(url, f"""SELECT DISTINCT ?g ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
        FILTER(STRSTARTS(STR(?g), "{SUBMISSION_BASE}")) }}""")
    tags: dict[str, set] = {}
    for row in subjects:
        tags.setdefault(row["g"], set()).add(tag_of(row["s"]))
    out = {}
    for row in rows:
        [tag] = tags[row["g"]]  # one submission per graph
        out[row["g"]] = (tag, int(row["n"]))
    return out


def tag_triples_outside_submissions(url: str) -> int:
    rows = select(url, f"""SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
        FILTER(STRSTARTS(STR(?s), "{PERSON}crash") && !STRSTARTS(STR(?g), "{SUBMISSION_BASE}")) }}""")
    return int(rows[0]["n"])


def test_sigkill_with_submissions_in_flight(tmp_path):
    archive = start_archive(tmp_path, tokens=(("alice", "archivist"),), workers=4)
    rng = random.Random(20260122)
    sent: dict[str, int] = {}  # tag → triples sent
    acknowledged: dict[str, str] = {}  # tag → graph named in the 201
    other_statuses: list[int] = []
    figures = []
    try:
        for round_no in range(ROUNDS):
            acks_before_kill = rng.randint(10, 40)
            lock = threading.Lock()
            stop = threading.Event()
            round_acks = [0]
            sizes = {n: [rng.choice(SIZES) for _ in range(1000)] for n in range(THREADS)}

            def client(n: int) -> None:
                for i in range(1000):
                    if stop.is_set():
                        return
                    tag = f"crash{round_no}t{n}n{i}"
                    text, triples = person_upload(tag, sizes[n][i])
                    with lock:
                        sent[tag] = triples
                    try:
                        response = requests.post(
                            archive.url + "/submissions", data=text.encode(), timeout=60,
                            params={"summary": f"crash test {tag}"},
                            headers={"Content-Type": "text/turtle", **archive.auth("alice")})
                    except requests.RequestException:
                        return  # the server is gone
                    with lock:
                        if response.status_code == 201:
                            acknowledged[tag] = response.json()["graph"]
                            round_acks[0] += 1
                        else:
                            other_statuses.append((response.status_code, response.text[:300]))

            pool = [threading.Thread(target=client, args=(n,)) for n in range(THREADS)]
            kill_during(archive, pool, stop, round_acks, acks_before_kill, rng, 0.3)
            stray = [n for n in os.listdir(archive.data_dir / "log") if n.startswith(".tmp-")]

            archive.server = start_archive_server(archive.data_dir, archive.log_dir, workers=4,
                                                  name=f"restart-{round_no}")
            assert not [n for n in os.listdir(archive.data_dir / "log") if n.startswith(".tmp-")]

            graphs = submission_graphs(archive.url)
            found = {tag: (graph, n) for graph, (tag, n) in graphs.items()}
            assert len(found) == len(graphs), "a tag in two submission graphs"
            assert tag_triples_outside_submissions(archive.url) == 0
            for tag, graph in acknowledged.items():  # every 201 survived, whole, in its graph
                assert tag in found, f"acknowledged submission {tag} lost"
                assert found[tag] == (graph, sent[tag]), tag
            for tag, (graph, n) in found.items():  # nothing half-written
                assert n == sent[tag], f"{tag}: {n} of {sent[tag]} triples"
            entries = sorted(n for n in os.listdir(archive.data_dir / "log") if n.endswith(".json"))
            assert entries == [f"{i:08d}.json" for i in range(1, len(entries) + 1)]
            assert len(entries) == len(graphs)
            in_flight = len(sent) - len(acknowledged) - len(other_statuses)
            figures.append((round_no + 1, len(sent), len(acknowledged), in_flight, len(found),
                            len(found) - len(acknowledged), len(stray)))
        assert other_statuses == []
    finally:
        stop_archive(archive)
    print("\ncrash test (cumulative over rounds; SIGKILL to the process group, then restart):")
    print("round  sent  acknowledged(201)  in flight at kill  found after restart  "
          "found without 201  stray temp files")
    for row in figures:
        print("{:>5}  {:>4}  {:>17}  {:>17}  {:>19}  {:>17}  {:>16}".format(*row))
    print("every acknowledged submission found whole; every submission wholly present or absent")
