"""Searches never wait on a write lock (issue 32): while another process holds the SQLite catalog's write lock, as a
harvest does while it stores and indexes a folder of series, a search answers at once, through the Catalog and
through `medal serve`, even when the same process has a write of its own waiting for that lock.

Not timed: the writes below wait up to a minute for the lock (the busy timeout), and the lock is held until the
search has answered or failed, so a search queued behind a write would exceed its 20 s limit, however slow the
machine."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from medal_catalog.api.tokens import create_token
from medal_catalog.catalog import Catalog
from medal_catalog.config import Settings
from served import medal_server

#: How long a search may take before the test calls it blocked; the lock is held longer than that.
PATIENCE = 20.0
HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE search_meta SET value = value WHERE name = 'generation'")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
"""


def series(i: int) -> dict:
    return {
        "type": "ImagingSeries",
        "id": f"held.s{i}",
        "dataset": "held",
        "modality": "MR",
        "series_instance_uid": f"1.2.826.0.1.3680043.8.498.{i + 1}",
        "instance_count": 1,
    }


@contextmanager
def write_lock_held(db: Path) -> Iterator[subprocess.Popen]:
    """Another process holding the catalog's write lock (a write transaction left open) until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        if holder.poll() is None:
            assert holder.stdin is not None
            holder.stdin.write("\n")
            holder.stdin.flush()
        holder.wait(timeout=30)


def in_thread(target, *args) -> tuple[threading.Thread, list]:
    out: list = []
    thread = threading.Thread(target=lambda: out.append(target(*args)), daemon=True)
    thread.start()
    return thread, out


def test_a_search_answers_while_another_process_holds_the_write_lock_and_our_index_write_waits(tmp_path):
    """Catalog: with the lock held elsewhere and this catalog's own index update waiting for it, a search answers
    (from the last committed index) instead of queueing behind that update; the update lands once the lock goes."""
    db = tmp_path / "catalog.db"
    settings = Settings(catalog=f"sqlite:///{db}", busy_timeout=60)
    with Catalog.open(settings=settings) as catalog:
        catalog.put_many([series(i) for i in range(3)], "ada", "before")
        assert catalog.search("").total == 3
        assert catalog.store.put(series(3), "ada", "queued, not yet indexed").changed
        with write_lock_held(db):
            writing, synced = in_thread(catalog.sync_index)
            writing.join(timeout=1)
            assert writing.is_alive(), "the index update should be waiting for the write lock"
            searching, found = in_thread(catalog.search, "")
            searching.join(timeout=PATIENCE)
            assert not searching.is_alive(), "the search waited on the write lock"
            assert found[0].total == 3 and writing.is_alive()
        writing.join(timeout=60)
        assert synced == [True]
        assert catalog.search("").total == 4


def test_a_served_search_answers_while_a_harvest_holds_the_write_lock_and_a_submission_waits(tmp_path):
    """HTTP: `medal serve` answers a search at once while another process holds the write lock and a submission
    to the same server waits for it; the submission is stored once the lock is released."""
    db = tmp_path / "catalog.db"
    settings = Settings(catalog=f"sqlite:///{db}", busy_timeout=60)
    with Catalog.open(settings=settings) as catalog:
        catalog.put_many([series(i) for i in range(3)], "ada", "before")
        token = create_token(catalog.store, "ada", "admin")
    dataset = {
        "type": "ImagingDataset",
        "id": "held-submission",
        "title": "A small MR dataset",
        "description": "Submitted while the catalog's write lock is held.",
        "version": "1.0.0",
        "modalities": ["MR"],
        "body_parts": ["BRAIN"],
        "file_formats": ["application/dicom"],
        "subject_count": 3,
        "study_count": 3,
        "series_count": 3,
        "instance_count": 30,
        "publication_status": "unpublished",
        "access_level": "open",
        "license": {"spdx_id": "CC-BY-4.0"},
        "deidentification": {"patient_identity_removed": True, "profile_options": ["basic_profile"]},
    }
    headers = {"Authorization": f"Bearer {token}"}
    with medal_server(db, tmp_path, MEDAL_BUSY_TIMEOUT="60") as base:
        assert httpx.get(f"{base}/api/search", headers=headers, timeout=PATIENCE).json()["total"] == 3
        with write_lock_held(db):
            submitting, submitted = in_thread(
                lambda: httpx.post(f"{base}/api/submissions", json=dataset, headers=headers, timeout=120)
            )
            submitting.join(timeout=1)
            assert submitting.is_alive(), "the submission should be waiting for the write lock"
            found = httpx.get(
                f"{base}/api/search", params={"q": "", "facet": ["type", "modality"]}, headers=headers, timeout=PATIENCE
            )
            assert found.status_code == 200 and found.json()["total"] == 3
            assert submitting.is_alive()
        submitting.join(timeout=120)
        assert submitted[0].status_code == 201, submitted[0].text
        assert httpx.get(f"{base}/api/search", headers=headers, timeout=PATIENCE).json()["total"] == 4


def test_searches_at_once_during_writes_answer_consistently(tmp_path):
    """Searches from many threads at once (the pool of read connections and the shared column view), while
    another catalog on the file writes, each answer one generation whole: the type facet adds up to the total, and
    once writes stop every thread gets the answers one search at a time gives."""
    db = tmp_path / "catalog.db"
    settings = Settings(catalog=f"sqlite:///{db}", busy_timeout=60)
    queries = [("", ("type",)), ("mr", ("type", "modality")), ("", ("type", "modality")), ("held", ("type",))]
    problems: list[str] = []
    stop = threading.Event()
    with Catalog.open(settings=settings) as reader, Catalog.open(settings=settings) as writer:
        writer.put_many([series(i) for i in range(50)], "ada", "first")

        def search_loop() -> None:
            while not stop.is_set():
                for query, facets in queries:
                    try:
                        found = reader.search(query, facets=facets, size=5)
                        if sum(count for _, count in found.facets["type"]) != found.total:
                            problems.append(f"{query!r}: type counts {found.facets['type']} != {found.total}")
                    except Exception as err:  # noqa: BLE001 - any failure is the finding
                        problems.append(repr(err))
                        return

        threads = [threading.Thread(target=search_loop, daemon=True) for _ in range(8)]
        for thread in threads:
            thread.start()
        for batch in range(10):
            writer.put_many([series(50 + 10 * batch + i) for i in range(10)], "ada", f"batch {batch}")
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        assert problems == [] and not any(thread.is_alive() for thread in threads)
        serial = {q: reader.search(q[0], facets=q[1], size=5) for q in queries}
        assert serial[("", ("type",))].total == 150
        results: dict = {}

        def once(q) -> None:
            results[q] = reader.search(q[0], facets=q[1], size=5)

        at_once = [threading.Thread(target=once, args=(q,)) for q in queries]
        for thread in at_once:
            thread.start()
        for thread in at_once:
            thread.join(timeout=60)
        for q in queries:
            assert (results[q].total, [h.key for h in results[q].hits], results[q].facets) == (
                serial[q].total,
                [h.key for h in serial[q].hits],
                serial[q].facets,
            )
