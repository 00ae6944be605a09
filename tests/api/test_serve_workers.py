"""`medal serve --workers 4` over a throw-away PostgreSQL and osmem-server (OpenSearch-compatible, through
MEDAL_ELASTICSEARCH_COMPAT=json), end to end: concurrent submissions, reviews and searches from many clients while
one worker process is killed; nothing acknowledged is lost, every write is found, no request gets a 5xx."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import yaml

from api.conftest import REVIEW, own_submission
from postgres_cluster import fresh_database, why_unavailable
from served import medal_serve_process

pytestmark = [pytest.mark.slow, pytest.mark.skipif(why_unavailable() is not None, reason=why_unavailable() or "")]

PEOPLE = {
    "c0": "contributor",
    "c1": "contributor",
    "c2": "contributor",
    "c3": "contributor",
    "rita": "reviewer",
    "remy": "reviewer",
    "chair": "admin",
}
SUBMITTERS, PER_SUBMITTER, REVIEWED, SEARCHERS = ("c0", "c1", "c2", "c3"), 10, 6, 3


def workers_of(pid: int) -> list[int]:
    """The uvicorn worker processes of a `medal serve --workers N` process (its multiprocessing children)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    found = []
    for child in map(int, children):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
        except FileNotFoundError:
            continue
        if b"multiprocessing" in command and b"resource_tracker" not in command:
            found.append(child)
    return found


def submission(tag: str, syntax: str) -> tuple[bytes, str]:
    """A task and its dataset under ids made from ``tag``, with ``tag`` in both titles; as JSON or YAML."""
    text = re.sub(r"^(    title: .*)$", rf"\1 {tag}", own_submission(tag), flags=re.MULTILINE)
    if syntax == "yaml":
        return text.encode(), "application/yaml"
    # YAML reads timestamps as datetimes; JSON writes them as the schema's YYYY-MM-DDThh:mm:ssZ.
    return (
        json.dumps(yaml.safe_load(text), default=lambda value: value.isoformat().replace("+00:00", "Z")).encode(),
        "application/json",
    )


class Log:
    """Every request's outcome, from every thread: (what, status or the transport error's class name, seconds)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rows: list[tuple[str, int | str, float]] = []
        self.refusals: list[tuple[str, str, int, str]] = []  # (what, url, status, body) of every answer not 2xx

    def call(self, client: httpx.Client, what: str, method: str, url: str, **kwargs) -> httpx.Response | None:
        start = time.perf_counter()
        try:
            response = client.request(method, url, **kwargs)
        except httpx.TransportError as err:
            with self.lock:
                self.rows.append((what, type(err).__name__, time.perf_counter() - start))
            return None
        with self.lock:
            self.rows.append((what, response.status_code, time.perf_counter() - start))
            if response.status_code >= 300:
                self.refusals.append((what, url, response.status_code, response.text[:500]))
        return response


@pytest.fixture(scope="module")
def services(postgresql_server):
    """A fresh database on the session's PostgreSQL and an osmem-server node; yields (catalog URL, index URL)."""
    from osmem_server import OsmemServer

    server = OsmemServer.start(japanese=False)
    try:
        yield fresh_database(postgresql_server), f"{server.url}/medal"
    finally:
        server.close()


def test_four_workers_lose_nothing_when_one_is_killed(services, tmp_path):
    """Four workers over PostgreSQL and an OpenSearch-compatible index answer concurrent submissions (JSON and
    YAML), reviews and searches; one worker is SIGKILLed mid-load and replaced; every 201 is in the store and found
    by search, every acknowledged review is listed, and no request got a 5xx."""
    catalog_url, index_url = services
    env = {"MEDAL_CATALOG": catalog_url, "MEDAL_INDEX": index_url, "MEDAL_ELASTICSEARCH_COMPAT": "json"}
    medal = str(Path(sys.executable).with_name("medal"))
    tokens = {}
    for name, role in PEOPLE.items():
        made = subprocess.run(
            [medal, "token", "create", "--role", role, "--name", name],
            cwd=tmp_path,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=True,
        )
        tokens[name] = {"Authorization": f"Bearer {made.stdout.strip()}"}

    log = Log()
    with medal_serve_process(tmp_path, env, ("--workers", "4")) as (base, process):
        deadline = time.monotonic() + 60
        while len(workers_of(process.pid)) < 4 and time.monotonic() < deadline:
            time.sleep(0.2)
        before = workers_of(process.pid)
        assert len(before) == 4, before

        # Tasks for the panel, submitted first so that the reviewers have something to review: all at once, the
        # catalog's first writes, so that several workers find the index without its alias together.
        reviewed = [f"wk-review-{n}" for n in range(REVIEWED)]

        def first(n: int, task: str) -> httpx.Response:
            body, media = submission(task, "yaml" if n % 2 else "json")
            with httpx.Client(base_url=base, timeout=60) as client:
                return client.post("/api/submissions", content=body, headers={**tokens["c0"], "Content-Type": media})

        with ThreadPoolExecutor(REVIEWED) as pool:
            for answer in pool.map(first, range(REVIEWED), reviewed):
                assert answer.status_code == 201, answer.text
                assert all(s["indexed"] for s in answer.json()["stored"]), answer.text

        acknowledged: list[str] = []  # tags of submissions answered 201
        reviews_done: list[tuple[str, str]] = []
        searches = Counter()
        stop = threading.Event()
        killed: dict[str, float | int] = {}
        started = time.perf_counter()

        def submitter(name: str) -> None:
            with httpx.Client(base_url=base, timeout=30) as client:
                for n in range(PER_SUBMITTER):
                    tag = f"wk-{name}-{n}"
                    body, media = submission(tag, "json" if n % 2 else "yaml")
                    answer = log.call(
                        client,
                        "submit",
                        "POST",
                        "/api/submissions",
                        content=body,
                        headers={**tokens[name], "Content-Type": media},
                    )
                    if answer is not None and answer.status_code == 201:
                        with log.lock:
                            acknowledged.append(tag)

        def reviewer(name: str) -> None:
            with httpx.Client(base_url=base, timeout=30) as client:
                for task in reviewed:
                    answer = log.call(
                        client, "review", "POST", f"/api/tasks/{task}/reviews", json=REVIEW, headers=tokens[name]
                    )
                    if answer is not None and answer.status_code == 201:
                        with log.lock:
                            reviews_done.append((task, name))

        def searcher(n: int) -> None:
            headers = tokens["chair"] if n % 2 else {}
            with httpx.Client(base_url=base, timeout=30) as client:
                while not stop.is_set():
                    answer = log.call(
                        client, "search", "GET", "/api/search", params={"q": "nodule", "facet": "type"}, headers=headers
                    )
                    if answer is not None:
                        searches[answer.status_code] += 1

        def killer() -> None:
            while len(log.rows) < 25 and not stop.is_set():
                time.sleep(0.02)
            victim = workers_of(process.pid)[0]
            os.kill(victim, signal.SIGKILL)
            killed.update(pid=victim, at=time.perf_counter() - started, after_requests=len(log.rows))

        writers = [threading.Thread(target=submitter, args=(name,)) for name in SUBMITTERS]
        writers += [threading.Thread(target=reviewer, args=(name,)) for name in ("rita", "remy")]
        others = [threading.Thread(target=searcher, args=(n,)) for n in range(SEARCHERS)]
        others.append(threading.Thread(target=killer))
        for thread in (*writers, *others):
            thread.start()
        for thread in writers:
            thread.join(timeout=600)
        stop.set()
        for thread in others:
            thread.join(timeout=60)
        elapsed = time.perf_counter() - started

        outcomes = Counter((what, status) for what, status, _ in log.rows)
        print(
            f"\n{len(log.rows)} requests in {elapsed:.1f} s; killed worker {killed}; outcomes "
            f"{sorted(outcomes.items(), key=str)}; load {os.getloadavg()}"
        )
        assert killed, "no worker was killed"
        server_errors = [row for row in log.rows if isinstance(row[1], int) and row[1] >= 500]
        assert not server_errors, (log.refusals, "".join(process.log)[-4000:])
        unexpected = [row for row in log.rows if isinstance(row[1], int) and row[1] not in (200, 201)]
        assert not unexpected, (log.refusals, "".join(process.log)[-4000:])

        # The supervisor replaces the killed worker.
        deadline = time.monotonic() + 60
        while (
            len(workers_of(process.pid)) < 4 or killed["pid"] in workers_of(process.pid)
        ) and time.monotonic() < deadline:
            time.sleep(0.2)
        after = workers_of(process.pid)
        assert len(after) == 4 and killed["pid"] not in after, after

        # Nothing acknowledged is lost: each 201'd submission's task and dataset are stored and found by search
        # (through any worker, the replacement included), without a reindex.
        missing_store, missing_search = [], []
        with httpx.Client(base_url=base, timeout=30, headers=tokens["chair"]) as client:
            for tag in acknowledged:
                for path, kind in (
                    (f"/api/tasks/{tag}", "BenchmarkTask"),
                    (f"/api/datasets/{tag}-data", "ImagingDataset"),
                ):
                    if client.get(path).status_code != 200:
                        missing_store.append(path)
                    hits = client.get("/api/search", params={"q": f'"{tag}"', "type": kind, "size": 50}).json()
                    if tag not in {h["id"].removesuffix("-data") for h in hits["hits"]}:
                        missing_search.append(path)
            listed = set()
            for task in reviewed:
                answer = client.get(f"/api/tasks/{task}/reviews")
                assert answer.status_code == 200, answer.text
                listed |= {(task, r["document"]["reviewer"]["name"]) for r in answer.json()["reviews"]}
        print(f"acknowledged: {len(acknowledged)} submissions, {len(reviews_done)} reviews; searches {dict(searches)}")
        node = index_url.rsplit("/", 1)[0]
        state = f"aliases {httpx.get(f'{node}/_alias/medal').text[:300]}; " + "".join(process.log)[-3000:]
        assert not missing_store, (missing_store, state)
        assert not missing_search, (missing_search, state)
        assert set(reviews_done) <= listed, set(reviews_done) - listed
        # `medal check` (another process, through the same setting) finds the index in step with the store.
        checked = subprocess.run(
            [medal, "check", "--json"], cwd=tmp_path, env={**os.environ, **env}, capture_output=True, text=True
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        # Most of the load got through: the kill costs only the requests in flight on the killed worker.
        assert len(acknowledged) >= len(SUBMITTERS) * PER_SUBMITTER - 4
