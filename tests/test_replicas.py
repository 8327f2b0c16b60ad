"""Replicas of one durable record in PostgreSQL, behind HAProxy: real `ppkg serve` processes, a
real PostgreSQL (tests/postgres.py starts one on 127.0.0.1) and HAProxy with the shipped
docs/haproxy.cfg.

Three replicas each hold their own in-memory store and follow the record. A change accepted
through one is visible on all within a second; `min-version` gives read-your-writes on any; one
replica killed under load costs no request beyond those in flight, and catches up when restarted;
two replicas deciding the same submission at once give one 200 and one 409; a snapshot lets a new
replica start without the compacted history; with PostgreSQL stopped reads go on, writes are 503
with Retry-After, and every acknowledged write is there after it restarts.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

import postgres
from archive_helpers import MAX_BODY, PUBLISHED, SUBMISSION_BASE, person_upload
from conftest import Server, clean_env, free_port, ppkg_command, start_server, stop_server

why_not = postgres.available() or postgres.haproxy_available()
pytestmark = pytest.mark.skipif(why_not is not None, reason=why_not or "")

JSON = {"Accept": "application/json"}


@dataclass
class Cluster:
    pg: postgres.Postgres
    tmp: Path
    replicas: list[Server]
    ports: list[int]
    balancer: postgres.Balancer
    tokens: dict[str, str]
    published: list[tuple[str, int]] = field(default_factory=list)  # (id, version) acknowledged

    def env(self, data_dir: Path) -> dict[str, str]:
        return {"PPKG_DATABASE_URL": self.pg.url, "PPKG_DATA_DIR": str(data_dir),
                "PPKG_MAX_LAG": "5"}

    def start(self, index: int, port: int | None = None) -> Server:
        return start_server([str(PUBLISHED), "--timeout", "10", "--max-body", str(MAX_BODY)],
                            self.tmp / f"replica{index}.log", workers=2, port=port,
                            env=self.env(self.tmp / f"data{index}"))

    def auth(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}


def ppkg(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(ppkg_command() + list(args), env=dict(clean_env(), **env),
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("replicas")
    pg = postgres.start_postgres()
    replicas, balancer = [], None
    try:
        env = {"PPKG_DATABASE_URL": pg.url, "PPKG_DATA_DIR": str(tmp / "cli")}
        tokens = {}
        for name, role in (("alice", "archivist"), ("bob", "archivist"), ("clara", "contributor")):
            done = ppkg(env, "token", "create", name, "--role", role)
            assert done.returncode == 0, done.stderr
            tokens[name] = done.stdout.strip()
        ports = [free_port() for _ in range(3)]
        cluster = Cluster(pg, tmp, [], ports, None, tokens)  # type: ignore[arg-type]
        replicas = cluster.replicas
        for i, port in enumerate(ports, 1):
            replicas.append(cluster.start(i, port))
        balancer = postgres.start_haproxy([f"127.0.0.1:{p}" for p in ports], tmp / "haproxy.log")
        cluster.balancer = balancer
        wait_until(lambda: all(requests.get(balancer.url + "/health", timeout=2).ok
                               for _ in range(3)), 10)
        yield cluster
    finally:
        if balancer is not None:
            balancer.stop()
        for server in replicas:
            stop_server(server)
        pg.remove()


def wait_until(check, seconds: float, step: float = 0.01) -> float:
    """Poll `check` until true; the seconds it took (fails past `seconds`)."""
    began = time.monotonic()
    while True:
        try:
            if check():
                return time.monotonic() - began
        except requests.RequestException:
            pass
        if time.monotonic() - began > seconds:
            pytest.fail(f"not true within {seconds} s")
        time.sleep(step)


def publish(cluster: Cluster, url: str, tag: str, token: str = "alice") -> tuple[str, int]:
    text, _ = person_upload(tag)
    answer = requests.post(url + "/submissions", data=text.encode(), params={"summary": tag},
                           headers={"Content-Type": "text/turtle", **JSON,
                                    **cluster.auth(token)}, timeout=60)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert int(answer.headers["X-PPKG-Version"]) == body["version"]
    cluster.published.append((body["id"], body["version"]))
    return body["id"], body["version"]


def has(url: str, submission_id: str, headers=None, **params) -> bool:
    answer = requests.get(url + "/sparql", timeout=10, headers={**JSON, **(headers or {})},
                          params={"query": f"ASK {{ GRAPH <{SUBMISSION_BASE}{submission_id}> "
                                           "{ ?s ?p ?o } }", **params})
    assert answer.status_code == 200, answer.text
    return answer.json()["boolean"]


def test_replicas_run_this_code_with_workers_that_cannot_reach_the_network(cluster):
    for server in cluster.replicas:
        health = requests.get(server.url + "/health", timeout=10).json()
        assert health["status"] == "ok" and "record_version" in health, health
        assert health["network"] == "forbidden"  # the record is reached through the relay


def test_a_change_accepted_through_one_replica_is_visible_on_all_within_a_second(cluster):
    first, *others = cluster.replicas
    for round_ in range(3):
        submission_id, version = publish(cluster, first.url, f"converge{round_}")
        assert has(first.url, submission_id)  # its own replica answers with it at once
        took = wait_until(lambda: all(has(s.url, submission_id) for s in others), 5)
        assert took < 1.0, f"visible on every replica after {took:.3f} s"
        for server in cluster.replicas:
            answer = requests.get(server.url + "/dataset", headers=JSON, timeout=10)
            assert int(answer.headers["X-PPKG-Version"]) >= version


def test_min_version_gives_read_your_writes_on_any_replica(cluster):
    first, second, third = cluster.replicas
    submission_id, version = publish(cluster, first.url, "ryw")
    assert has(second.url, submission_id, **{"min-version": str(version)})
    assert has(third.url, submission_id, headers={"X-PPKG-Min-Version": str(version)})
    future = requests.get(second.url + "/sparql", params={"query": "ASK {}",
                                                          "min-version": str(version + 1000)},
                          headers=JSON, timeout=10)
    assert future.status_code == 503 and future.headers["Retry-After"] == "1"
    assert int(future.headers["X-PPKG-Version"]) >= version
    bad = requests.get(second.url + "/queries", params={"min-version": "soon"}, headers=JSON,
                       timeout=10)
    assert bad.status_code == 400 and "min-version" in bad.json()["error"]


def test_two_replicas_deciding_one_submission_at_once_give_one_200_and_one_409(cluster):
    first, second, _ = cluster.replicas
    text, _ = person_upload("decide")
    queued = requests.post(first.url + "/submissions", data=text.encode(),
                           params={"summary": "decide"}, timeout=60,
                           headers={"Content-Type": "text/turtle", **JSON,
                                    **cluster.auth("clara")})
    assert queued.status_code == 202, queued.text
    submission_id = queued.json()["id"]
    review = requests.get(f"{second.url}/review/{submission_id}", headers={
        **JSON, **cluster.auth("bob")}, timeout=60).json()
    statuses, barrier = [], threading.Barrier(2)

    def accept(server: Server, name: str) -> None:
        barrier.wait()
        statuses.append(requests.post(
            f"{server.url}/review/{submission_id}/accept", timeout=60,
            json={"fingerprint": review["fingerprint"], "note": name},
            headers={**JSON, **cluster.auth(name)}).status_code)

    threads = [threading.Thread(target=accept, args=(s, n))
               for s, n in ((first, "alice"), (second, "bob"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 409]
    assert cluster.pg.psql(f"SELECT count(*) FROM ppkg.changes WHERE entry LIKE "
                           f"'%\"submission\":\"{submission_id}\"%'") == "1"
    version = int(cluster.pg.psql("SELECT version FROM ppkg.head"))
    cluster.published.append((submission_id, version))


def load(url: str, seconds: float, clients: int, outcomes: list) -> list[threading.Thread]:
    """`clients` threads sending lookups for `seconds` (at most 3,000 requests each)."""
    query = "SELECT ?s WHERE { ?s a <https://w3id.org/ppkg/ontology#Person> } LIMIT 5"

    def client() -> None:
        end = time.monotonic() + seconds
        with requests.Session() as session:
            for _ in range(3000):
                if time.monotonic() > end:
                    return
                try:
                    status = session.get(url + "/sparql", params={"query": query},
                                         headers=JSON, timeout=10).status_code
                except requests.RequestException as err:
                    status = type(err).__name__
                outcomes.append(status)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    return threads


def test_a_replica_killed_under_load_costs_no_request_beyond_those_in_flight(cluster):
    clients, outcomes = 4, []
    threads = load(cluster.balancer.url, 4.0, clients, outcomes)
    time.sleep(1.0)
    victim = cluster.replicas[2]
    os.killpg(victim.process.pid, signal.SIGKILL)
    victim.process.wait(timeout=10)
    wait_until(lambda: not _alive(victim.process.pid), 10)  # its workers too: a dying worker's
    # listening socket still takes connections, which then close unanswered (in flight)
    submission_id, version = publish(cluster, cluster.balancer.url, "while-down")
    for t in threads:
        t.join()
    failed = [o for o in outcomes if o != 200]
    assert len(outcomes) > 100, "the load did not run"
    assert len(failed) <= clients, f"{len(failed)} of {len(outcomes)} failed: {failed[:10]}"
    restarted = cluster.start(3, cluster.ports[2])
    cluster.replicas[2] = restarted
    assert has(restarted.url, submission_id)  # caught up at start
    after, _ = publish(cluster, cluster.replicas[0].url, "after-restart")
    wait_until(lambda: has(restarted.url, after), 5)  # and follows the record again
    health = requests.get(restarted.url + "/health", timeout=10).json()
    assert health["changes_applied"] >= version and health["status"] == "ok", health
    wait_until(lambda: "UP" in _server_states(cluster.balancer), 5)


def _alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def _server_states(balancer: postgres.Balancer) -> str:
    return balancer.log_path.read_text(errors="replace").rsplit("replica3", 1)[-1]


def test_a_snapshot_lets_a_new_replica_start_without_the_compacted_history(cluster):
    env = {"PPKG_DATABASE_URL": cluster.pg.url, "PPKG_DATA_DIR": str(cluster.tmp / "cli")}
    done = ppkg(env, "snapshot", str(PUBLISHED), "--keep", "1", "--compact")
    assert done.returncode == 0, done.stderr
    head = int(cluster.pg.psql("SELECT version FROM ppkg.head"))
    assert f"snapshot at version {head}" in done.stdout
    assert cluster.pg.psql("SELECT min(version) FROM ppkg.changes") == str(head)
    fresh = cluster.start(4)
    try:
        assert f"started from snapshot {head}" in fresh.log()
        for submission_id, _ in cluster.published:
            assert has(fresh.url, submission_id), submission_id
        etags = {requests.get(s.url + "/dataset", headers=JSON, timeout=10).headers["ETag"]
                 for s in (fresh, cluster.replicas[0])}
        assert len(etags) == 1  # the same data, the same version, the same validators
        later, _ = publish(cluster, cluster.replicas[0].url, "after-snapshot")
        wait_until(lambda: has(fresh.url, later), 5)
    finally:
        stop_server(fresh)


def test_servers_over_one_virtuoso_share_the_record_and_write_each_change_once(cluster, request):
    store = request.getfixturevalue("virtuoso_stores")("replicas", [str(PUBLISHED)])
    cluster.pg.psql("CREATE DATABASE virtuoso")
    url = cluster.pg.url.rsplit("/", 1)[0] + "/virtuoso"
    done = ppkg({"PPKG_DATABASE_URL": url, "PPKG_DATA_DIR": str(cluster.tmp / "cli")},
                "token", "create", "vera", "--role", "archivist")
    assert done.returncode == 0, done.stderr
    servers = [start_server(["--timeout", "10", "--max-body", str(MAX_BODY)],
                            cluster.tmp / f"virtuoso-{i}.log", workers=2,
                            env={**store.env(), "PPKG_DATABASE_URL": url,
                                 "PPKG_DATA_DIR": str(cluster.tmp / f"virtuoso-data{i}")})
               for i in (1, 2)]
    try:
        text, triples = person_upload("over-virtuoso")
        answer = requests.post(servers[0].url + "/submissions", data=text.encode(),
                               params={"summary": "over Virtuoso"}, timeout=60,
                               headers={"Content-Type": "text/turtle", **JSON,
                                        "Authorization": f"Bearer {done.stdout.strip()}"})
        assert answer.status_code == 201, answer.text
        body = answer.json()
        count = requests.get(servers[1].url + "/sparql", timeout=30, headers=JSON, params={
            "query": f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{SUBMISSION_BASE}{body['id']}> "
                     "{ ?s ?p ?o } }", "min-version": str(body["version"])})
        assert count.status_code == 200, count.text
        assert int(count.json()["results"]["bindings"][0]["n"]["value"]) == triples
    finally:
        for server in servers:
            stop_server(server)


def test_a_replica_that_cannot_follow_a_record_that_answers_is_taken_out(cluster):
    feed = cluster.tmp / "data2" / "replica" / "log"
    if subprocess.run(["chattr", "+i", str(feed)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i (to make the feed unwritable, even to root) is not available here")
    second = cluster.replicas[1]
    try:
        submission_id, _ = publish(cluster, cluster.replicas[0].url, "unfollowed")
        wait_until(lambda: requests.get(second.url + "/health", timeout=10).status_code == 503,
                   15, 0.2)
        health = requests.get(second.url + "/health", timeout=10).json()
        assert health["status"] == "lagging" and health["lag"] >= 1, health
        assert not has(second.url, submission_id)  # what it serves says its version
        # The balancer takes it out (two failed checks): then every read has the change.
        wait_until(lambda: all(has(cluster.balancer.url, submission_id) for _ in range(6)), 5)
        for _ in range(20):
            assert has(cluster.balancer.url, submission_id)
    finally:
        subprocess.run(["chattr", "-i", str(feed)], check=True)
    wait_until(lambda: requests.get(second.url + "/health", timeout=10).status_code == 200, 10)
    assert has(second.url, submission_id)


def test_a_streaming_standby_has_every_change_and_takes_over_when_promoted(cluster):
    standby = postgres.start_standby(cluster.pg)
    server = None
    try:
        submission_id, version = publish(cluster, cluster.replicas[0].url, "streamed")
        wait_until(lambda: int(standby.psql("SELECT version FROM ppkg.head")) >= version, 10, 0.05)
        standby.psql("SELECT pg_promote()")
        wait_until(lambda: standby.psql("SELECT pg_is_in_recovery()") == "f", 30, 0.1)
        server = start_server([str(PUBLISHED), "--timeout", "10"], cluster.tmp / "promoted.log",
                              workers=2, env={"PPKG_DATABASE_URL": standby.url,
                                              "PPKG_DATA_DIR": str(cluster.tmp / "promoted")})
        for known, _ in cluster.published:
            assert has(server.url, known), known
        text, _ = person_upload("on-the-promoted")
        answer = requests.post(server.url + "/submissions", data=text.encode(),
                               params={"summary": "after failover"}, timeout=60,
                               headers={"Content-Type": "text/turtle", **JSON,
                                        **cluster.auth("alice")})
        assert answer.status_code == 201 and answer.json()["version"] == version + 1, answer.text
    finally:
        if server is not None:
            stop_server(server)
        standby.remove()


def test_without_postgresql_reads_go_on_writes_are_503_and_no_acknowledged_write_is_lost(cluster):
    acknowledged = list(cluster.published)
    cluster.pg.stop()
    try:
        for _ in range(30):
            answer = requests.get(cluster.balancer.url + "/sparql", headers=JSON, timeout=10,
                                  params={"query": "ASK { ?s ?p ?o }"})
            assert answer.status_code == 200
        text, _ = person_upload("refused")
        for server in cluster.replicas:
            refused = requests.post(server.url + "/submissions", data=text.encode(),
                                    params={"summary": "refused"}, timeout=30,
                                    headers={"Content-Type": "text/turtle", **JSON,
                                             **cluster.auth("alice")})
            assert refused.status_code == 503, refused.text
            assert int(refused.headers["Retry-After"]) > 0
        health = requests.get(cluster.replicas[0].url + "/health", timeout=10)
        assert health.status_code == 200  # the balancer keeps every replica for reads
    finally:
        cluster.pg.start()
    wait_until(lambda: publish(cluster, cluster.replicas[1].url, "after-postgres"), 15, 0.5)
    rows = set(cluster.pg.psql("SELECT entry::json->>'submission' FROM ppkg.changes").split())
    head = int(cluster.pg.psql("SELECT version FROM ppkg.head"))
    for submission_id, version in acknowledged:
        assert version <= head
        for server in cluster.replicas:
            assert has(server.url, submission_id, **{"min-version": str(head)}), submission_id
    assert acknowledged[-1][0] in rows or acknowledged[-1][1] < int(
        cluster.pg.psql("SELECT min(version) FROM ppkg.changes"))
