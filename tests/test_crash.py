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

from archive_helpers import (SUBMISSION_BASE, kill_during, person_upload, ppkg, select,
                             start_archive, start_archive_server, stop_archive)
from conftest import stop_server
from hardening_helpers import soft_checks

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


# --- a damaged change log (issue 11): served up to the damage, reported, repaired by an operator --

PER_SUBMISSION = person_upload("x", 2)[1]  # triples of each submission below


def _submit(archive, tag: str) -> requests.Response:
    text, _ = person_upload(tag, 2)
    return requests.post(archive.url + "/submissions", data=text.encode(), timeout=60,
                         params={"summary": f"log test {tag}"},
                         headers={"Content-Type": "text/turtle", **archive.auth("alice")})


def _triples_of(url: str, graph: str) -> int:
    return int(select(url, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
               [0]["n"])


def _health(url: str) -> dict:
    response = requests.get(url + "/health", timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def _restart(archive, name: str) -> None:
    stop_server(archive.server)
    archive.server = start_archive_server(archive.data_dir, archive.log_dir, workers=2, name=name)


def _log_names(archive) -> list[str]:
    return sorted(n for n in os.listdir(archive.data_dir / "log") if n.endswith(".json"))


def _serves_up_to(archive, graphs: list[str], applied: int, damage: str,
                  problems: list[str]) -> None:
    """/health says degraded and names the damage; the first `applied` submissions are served
    whole and none after them."""
    health = _health(archive.url)
    if health["status"] != "degraded" or damage not in health.get("problem", ""):
        problems.append(f"/health does not report the damage ({damage}): {health}")
    if health.get("changes_applied") != applied:
        problems.append(f"changes_applied {health.get('changes_applied')}, expected {applied}")
    served = [_triples_of(archive.url, g) for g in graphs]
    if served != [PER_SUBMISSION] * applied + [0] * (len(graphs) - applied):
        problems.append(f"triples served per submission: {served}, expected the first "
                        f"{applied} whole ({PER_SUBMISSION}), none of the others")


def _refused_while_damaged(archive, tag: str, problems: list[str]) -> None:
    """A new submission while the log is damaged is refused with a clear 503, and nothing is
    written: no entry takes the missing number, none goes after the damaged one."""
    names = _log_names(archive)
    response = _submit(archive, tag)
    if response.status_code != 503:
        problems.append(f"a submission while the log is damaged got {response.status_code} "
                        f"(expected 503): {response.text[:200]}")
    else:
        message = response.json().get("error", "")
        if "log" not in message.lower():
            problems.append(f"the 503 does not say the change log is the reason: {message}")
        if "Retry-After" not in response.headers and "ppkg log" not in message:
            problems.append("the 503 says neither when to retry nor what to run")
    if _log_names(archive) != names:
        problems.append(f"an entry was written while the log is damaged: "
                        f"{sorted(set(_log_names(archive)) - set(names))}")


def _repair(archive, keep: int, damaged: str, problems: list[str]) -> None:
    """`ppkg log check` names the damage (exit 1); `ppkg log truncate --after KEEP` moves the
    rest to the quarantine; after a restart the server is whole again and takes submissions."""
    check = ppkg(archive.data_dir, "log", "check")
    if check.returncode != 1:
        problems.append(f"`ppkg log check` exited {check.returncode}, expected 1")
    if damaged not in check.stdout:
        problems.append(f"`ppkg log check` does not name {damaged!r}: {check.stdout}")
    stop_server(archive.server)
    truncated = ppkg(archive.data_dir, "log", "truncate", "--after", str(keep))
    assert truncated.returncode == 0, truncated.stderr
    assert _log_names(archive) == [f"{i:08d}.json" for i in range(1, keep + 1)]
    quarantined = [n for d in (archive.data_dir / "quarantine").iterdir() for n in os.listdir(d)]
    assert quarantined and all(int(n[:8]) > keep for n in quarantined), quarantined
    assert ppkg(archive.data_dir, "log", "check").returncode == 0
    archive.server = start_archive_server(archive.data_dir, archive.log_dir, workers=2,
                                          name="repaired")
    health = _health(archive.url)
    assert health["status"] == "ok" and "problem" not in health, health
    assert health["changes_applied"] == keep
    response = _submit(archive, "after-repair")
    assert response.status_code == 201, response.text
    graph = response.json()["graph"]
    assert _triples_of(archive.url, graph) == PER_SUBMISSION
    assert _log_names(archive)[-1] == f"{keep + 1:08d}.json"


def test_a_truncated_last_entry(tmp_path):
    """The last entry cut by 7 bytes: the server starts, serves entries 1–4, /health is
    degraded naming entry 5; no new submission is accepted; `ppkg log check` names it (exit 1);
    `ppkg log truncate --after 4` repairs; after a restart /health is ok and submissions work."""
    archive = start_archive(tmp_path, tokens=(("alice", "archivist"),), workers=2)
    try:
        graphs = []
        for i in range(5):
            response = _submit(archive, f"trunc{i}")
            assert response.status_code == 201, response.text
            graphs.append(response.json()["graph"])
        stop_server(archive.server)
        last = archive.data_dir / "log" / "00000005.json"
        os.truncate(last, last.stat().st_size - 7)
        archive.server = start_archive_server(archive.data_dir, archive.log_dir, workers=2,
                                              name="truncated")
        with soft_checks() as problems:
            _serves_up_to(archive, graphs, 4, "00000005", problems)
            for path in ("/", "/id/person/trunc0-0", "/submissions"):
                status = requests.get(archive.url + path, timeout=30).status_code
                if status != 200:
                    problems.append(f"GET {path}: {status}")
            _refused_while_damaged(archive, "while-truncated", problems)
            _repair(archive, 4, "entry 5", problems)
    finally:
        stop_archive(archive)


def test_a_missing_middle_entry(tmp_path):
    """Entry 3 of 6 deleted: the server serves 1–2 only, /health names the gap, no submission
    takes number 3 (nor any other) until `ppkg log truncate --after 2`."""
    archive = start_archive(tmp_path, tokens=(("alice", "archivist"),), workers=2)
    try:
        graphs = []
        for i in range(6):
            response = _submit(archive, f"gap{i}")
            assert response.status_code == 201, response.text
            graphs.append(response.json()["graph"])
        stop_server(archive.server)
        os.unlink(archive.data_dir / "log" / "00000003.json")
        archive.server = start_archive_server(archive.data_dir, archive.log_dir, workers=2,
                                              name="gap")
        with soft_checks() as problems:
            _serves_up_to(archive, graphs, 2, "entry 3", problems)
            _refused_while_damaged(archive, "while-gap", problems)
            if (archive.data_dir / "log" / "00000003.json").exists():
                problems.append("a new submission took the missing number 3")
            _repair(archive, 2, "entry 3 is missing", problems)
    finally:
        stop_archive(archive)


def test_an_unreadable_entry_written_while_running(tmp_path):
    """An unreadable entry 3 appears while the server runs: every endpoint keeps answering,
    /health says degraded, and no submission is accepted behind it."""
    archive = start_archive(tmp_path, tokens=(("alice", "archivist"),), workers=2)
    try:
        for i in range(2):
            assert _submit(archive, f"live{i}").status_code == 201
        (archive.data_dir / "log" / "00000003.json").write_text('{"format": "ppkg-log/1", "se')
        with soft_checks() as problems:
            for path in ("/health", "/", "/submissions", "/id/person/live0-0",
                         "/sparql?query=ASK%7B%7D"):
                status = requests.get(archive.url + path, timeout=30).status_code
                if status != 200:
                    problems.append(f"GET {path}: {status}")
            for _ in range(3):  # whichever worker answers
                health = _health(archive.url)
                if health["status"] != "degraded" or "00000003" not in health.get("problem", ""):
                    problems.append(f"/health: {health}")
                    break
            _refused_while_damaged(archive, "behind-unreadable", problems)
            _repair(archive, 2, "entry 3", problems)
    finally:
        stop_archive(archive)


def test_dumps_after_a_truncation_are_current(tmp_path):
    """The dumps are cached under the data version (files + last log number). After
    `ppkg log truncate` and a new submission the number comes round again: the dump (and its
    ETag) must be of the data now served, not the cached one of the entries moved aside."""
    archive = start_archive(tmp_path, tokens=(("alice", "archivist"),), workers=2)
    try:
        for i in range(3):
            assert _submit(archive, f"dump-old{i}").status_code == 201
        before = requests.get(archive.url + "/dumps/ppkg.trig", timeout=60)
        assert before.status_code == 200 and "dump-old2" in before.text
        stop_server(archive.server)
        assert ppkg(archive.data_dir, "log", "truncate", "--after", "2").returncode == 0
        archive.server = start_archive_server(archive.data_dir, archive.log_dir, workers=2,
                                              name="after-truncate")
        assert _submit(archive, "dump-new").status_code == 201
        rows = select(archive.url, f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                                   f"FILTER(STRSTARTS(STR(?s), \"{PERSON}dump-\")) }}")
        served = sorted(r["s"][len(PERSON):] for r in rows)
        assert served == ["dump-new-0", "dump-new-1", "dump-old0-0", "dump-old0-1",
                          "dump-old1-0", "dump-old1-1"], served
        after = requests.get(archive.url + "/dumps/ppkg.trig", timeout=60)
        with soft_checks() as problems:
            if after.status_code != 200:
                problems.append(f"/dumps/ppkg.trig: {after.status_code}")
            if "dump-new" not in after.text:
                problems.append("the dump lacks the new submission")
            if "dump-old2" in after.text:
                problems.append("the dump still holds the submission moved to the quarantine")
            if after.headers.get("ETag") == before.headers.get("ETag"):
                problems.append(f"the dump of other data has the same ETag "
                                f"{after.headers.get('ETag')}")
            conditional = requests.get(archive.url + "/dumps/ppkg.trig", timeout=60,
                                       headers={"If-None-Match": before.headers.get("ETag", "")})
            if conditional.status_code == 304:
                problems.append("a client holding the old dump is told it is current (304)")
    finally:
        stop_archive(archive)
