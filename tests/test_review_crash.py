"""kill -9 while archivists decide: after a restart on the same data dir, every decision that was
answered 200 is there, every accepted submission is wholly published, nothing else is.

A contributor queues submissions of different sizes (each under a tag of its own, in its
subjects' IRIs); threads accept or reject them — sometimes two at once on the same one — until
enough decisions have been answered; then the server's whole process group gets SIGKILL. After a
restart each submission is looked up: its status in the queue, and the triples under its tag in
the published graph, which must be all it sent, in its own submission graph, exactly when it is
accepted. Three rounds, each restart replaying the earlier ones. The figures are printed (-s).

And the one window a crash can hit between two writes — the log entry that publishes an
acceptance written, its decision file not yet — is made on purpose and recovered from.
"""

from __future__ import annotations

import os
import random
import signal
import threading

import requests

from archive_helpers import (SUBMISSION_BASE, kill_during, person_upload, post_turtle, select,
                             start_archive, start_archive_server, stop_archive)

PERSON = "https://w3id.org/ppkg/id/person/"
THREADS = 8
ROUNDS = 3
BATCH = 36  # submissions queued per round
SIZES = (1, 1, 3, 10, 40, 150, 600)  # people per submission
TOKENS = (("alice", "archivist"), ("bob", "archivist"), ("clara", "contributor"))


def queue(archive, tag: str, people: int) -> tuple[str, int]:
    text, triples = person_upload(tag, people)
    response = post_turtle(archive.url, "/submissions", text,
                           {**archive.auth("clara"), "Accept": "application/json"}, summary=tag)
    assert response.status_code == 202, response.text
    return response.json()["id"], triples


def review(archive, submission_id: str) -> dict:
    response = requests.get(f"{archive.url}/review/{submission_id}", timeout=60,
                            headers={**archive.auth("alice"), "Accept": "application/json"})
    assert response.status_code == 200, response.text
    return response.json()


def published(url: str) -> dict[str, tuple[str, int]]:
    """tag → (the submission graph holding it, triples in that graph)."""
    rows = select(url, f"""SELECT ?g (COUNT(*) AS ?n) (MIN(STR(?s)) AS ?x) WHERE {{
        GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{SUBMISSION_BASE}")) }} GROUP BY ?g""")
    out = {}
    for row in rows:
        tag = row["x"][len(PERSON):].rsplit("-", 1)[0]  # a person sorts before the source
        assert tag not in out, f"{tag} in two graphs"
        out[tag] = (row["g"], int(row["n"]))
    return out


def test_sigkill_while_decisions_are_in_flight(tmp_path):
    archive = start_archive(tmp_path, tokens=TOKENS, workers=4)
    rng = random.Random(20261129)
    submissions: dict[str, tuple[str, int]] = {}  # tag → (id, triples)
    acknowledged: dict[str, tuple[str, str]] = {}  # id → (decision, reviewer) answered 200
    figures, sent_total, conflicts_total, other = [], [0], [0], []
    try:
        for round_no in range(ROUNDS):
            batch = []
            for i in range(BATCH):
                tag = f"rc{round_no}n{i}"
                submission_id, triples = queue(archive, tag, rng.choice(SIZES))
                submissions[tag] = (submission_id, triples)
                batch.append((submission_id, review(archive, submission_id)["fingerprint"]))
            # each submission decided once, a fifth of them twice at the same time
            work = [(sid, fp) for sid, fp in batch for _ in range(2 if rng.random() < 0.2 else 1)]
            rng.shuffle(work)
            lock, stop = threading.Lock(), threading.Event()
            round_acks = [0]
            acks_before_kill = rng.randint(8, 20)

            def decider(n: int) -> None:
                reviewer = ("alice", "bob")[n % 2]
                while not stop.is_set():
                    with lock:
                        if not work:
                            return
                        submission_id, fingerprint = work.pop()
                        sent_total[0] += 1
                    accept = rng.random() < 0.7
                    fields = ({"fingerprint": fingerprint, "note": "crash test"} if accept
                              else {"note": "crash test rejection"})
                    try:
                        response = requests.post(
                            f"{archive.url}/review/{submission_id}/{'accept' if accept else 'reject'}",
                            json=fields, timeout=60,
                            headers={**archive.auth(reviewer), "Accept": "application/json"})
                    except requests.RequestException:
                        return  # the server is gone
                    with lock:
                        if response.status_code == 200:
                            acknowledged[submission_id] = (response.json()["status"], reviewer)
                            round_acks[0] += 1
                        elif response.status_code == 409:
                            conflicts_total[0] += 1
                        else:
                            other.append((response.status_code, response.text[:300]))

            pool = [threading.Thread(target=decider, args=(n,)) for n in range(THREADS)]
            kill_during(archive, pool, stop, round_acks, acks_before_kill, rng, 0.2)
            archive.server = start_archive_server(archive.data_dir, archive.log_dir, workers=4,
                                                  name=f"restart-{round_no}")
            for folder in ("log", "pending", "decisions", "reviews"):
                path = archive.data_dir / folder
                assert not [n for n in os.listdir(path) if n.startswith(".tmp-")], folder

            found = published(archive.url)
            statuses = {}
            for tag, (submission_id, triples) in submissions.items():
                status = review(archive, submission_id)
                statuses[submission_id] = status["status"]
                if status["status"] == "accepted":  # wholly published, in its own graph
                    assert found.get(tag) == (SUBMISSION_BASE + submission_id, triples), tag
                else:  # nothing of it published
                    assert tag not in found, tag
            for submission_id, (decision, reviewer) in acknowledged.items():  # every 200 survived
                assert statuses[submission_id] == decision, submission_id
                assert review(archive, submission_id)["decision"]["reviewedBy"] == reviewer
            assert len(found) == sum(1 for s in statuses.values() if s == "accepted")
            entries = sorted(n for n in os.listdir(archive.data_dir / "log") if n.endswith(".json"))
            assert entries == [f"{i:08d}.json" for i in range(1, len(entries) + 1)]
            assert len(entries) == len(found)
            decided = sum(1 for s in statuses.values() if s != "pending")
            figures.append((round_no + 1, len(submissions), sent_total[0], len(acknowledged),
                            conflicts_total[0], decided, decided - len(acknowledged), len(found)))
        assert other == []
    finally:
        stop_archive(archive)
    print("\nreview crash test (cumulative; SIGKILL to the process group during decisions, restart):")
    print("round  queued  decisions sent  answered 200  answered 409  decided after restart  "
          "decided without a 200  published")
    for row in figures:
        print("{:>5}  {:>6}  {:>14}  {:>12}  {:>12}  {:>21}  {:>21}  {:>9}".format(*row))
    print("every decision answered 200 found; every accepted submission wholly published, no other")


def test_an_acceptance_whose_decision_file_was_never_written_is_recovered(tmp_path):
    """The log entry that publishes an acceptance is written before its decision file: a crash
    between the two is the state made here. The decision is read from the entry, a second
    decision is refused, and the next writer writes the missing file."""
    archive = start_archive(tmp_path, tokens=TOKENS, workers=2)
    try:
        submission_id, triples = queue(archive, "orphan", 3)
        other_id, _ = queue(archive, "other", 1)
        fingerprint = review(archive, submission_id)["fingerprint"]
        accepted = requests.post(f"{archive.url}/review/{submission_id}/accept", timeout=60,
                                 json={"fingerprint": fingerprint, "note": "before the crash"},
                                 headers={**archive.auth("bob"), "Accept": "application/json"})
        assert accepted.status_code == 200
        decision_file = archive.data_dir / "decisions" / f"{submission_id}.json"
        written = decision_file.read_bytes()
        os.killpg(archive.server.process.pid, signal.SIGKILL)
        archive.server.process.wait(timeout=30)
        decision_file.unlink()

        archive.server = start_archive_server(archive.data_dir, archive.log_dir, workers=2,
                                              name="restart")
        for _ in range(4):  # every worker reads it from the log
            shown = review(archive, submission_id)
            assert shown["status"] == "accepted" and shown["decision"]["reviewedBy"] == "bob"
            assert shown["decision"]["note"] == "before the crash"
        assert published(archive.url)["orphan"] == (SUBMISSION_BASE + submission_id, triples)
        again = requests.post(f"{archive.url}/review/{submission_id}/reject", timeout=60,
                              json={"note": "too late"}, headers=archive.auth("alice"))
        assert again.status_code == 409 and again.json()["reason"] == "decided"
        assert decision_file.read_bytes() == written  # that writer repaired it first
        listed = requests.get(archive.url + "/review", headers=archive.auth("alice"), timeout=30)
        assert [s["id"] for s in listed.json()["submissions"]] == [other_id]
    finally:
        stop_archive(archive)
