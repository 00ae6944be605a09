"""The SQLite store: versions, idempotence, one transaction per entry, crash consistency, clear errors."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing

import pytest

from medal_catalog.errors import StoreError, StoreLockedError, StoreReadOnlyError, UnsupportedURLError
from medal_catalog.catalog import Catalog
from medal_catalog.store import open_store

TASK = {
    "type": "BenchmarkTask",
    "id": "glioma-seg",
    "title": "Glioma segmentation",
    "clinical_question": "Where is the tumour?",
    "task_type": "segmentation",
    "modalities": ["MR"],
    "status": "submitted",
    "submitter": {"name": "Dr Ada Example"},
}


def task(i: int, **changes) -> dict:
    return {**TASK, "id": f"task-{i:03d}", "title": f"Task number {i}", **changes}


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'catalog.db'}"


@pytest.fixture
def store(url):
    s = open_store(url)
    yield s
    s.close()


def test_a_crash_inside_a_write_leaves_the_store_consistent_and_a_rerun_completes(url, tmp_path):
    """A process killed in the middle of a put_many (a dataset with its series) loses the whole write: readers
    never see part of it; re-running finishes."""
    script = textwrap.dedent(f"""
        import os, sys
        from sqlalchemy import event
        sys.path.insert(0, {os.path.dirname(__file__)!r})
        from test_sqlite import task
        from medal_catalog.catalog import Catalog
        catalog = Catalog.open({url!r})
        seen = []
        def trace(statement):
            if statement.startswith("INSERT INTO entries"):
                seen.append(statement)
                if len(seen) == 4:
                    os._exit(9)  # die after the 4th entry's version row, before its commit
        event.listen(catalog.store.engine, "checkout", lambda conn, record, proxy: conn.set_trace_callback(trace))
        catalog.put_many([task(i) for i in range(6)], author="harvester", reason="run 1")
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 9, run.stderr
    raw = sqlite3.connect(tmp_path / "catalog.db")
    assert raw.execute("SELECT count(*) FROM entries").fetchone()[0] == 0
    assert raw.execute("SELECT count(*) FROM entry_versions").fetchone()[0] == 0
    raw.close()
    with Catalog.open(url) as catalog:
        results = catalog.put_many([task(i) for i in range(6)], author="harvester", reason="run 2")
        assert [r.status for r in results] == ["created"] * 6
        assert catalog.store.pending_count() == 0
        assert catalog.search("task number", size=20).total == 6
        assert [r.status for r in catalog.put_many([task(i) for i in range(6)], "harvester", "run 3")] == [
            "unchanged"
        ] * 6


def test_a_locked_database_gives_a_clear_error(url, tmp_path):
    """A write blocked by another process's lock fails after the busy timeout with StoreLockedError."""
    store = open_store(url, busy_timeout=0.2)
    holder = sqlite3.connect(tmp_path / "catalog.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreLockedError, match="locked by another process") as caught:
            store.put(TASK, "ada", "blocked")
        assert caught.value.http_status == 503
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.put(TASK, "ada", "after the lock").status == "created"
    store.close()


def test_a_read_only_database_can_be_read_but_not_written(url):
    """Opened with ?mode=ro, the catalog answers reads and refuses writes with StoreReadOnlyError."""
    with Catalog.open(url) as catalog:
        catalog.put(TASK, "ada", "submitted")
    with Catalog.open(url + "?mode=ro") as catalog:
        assert catalog.get("BenchmarkTask", "glioma-seg").version == 1
        assert catalog.search("glioma").total == 1
        with pytest.raises(StoreReadOnlyError, match="read-only"):
            catalog.put({**TASK, "title": "changed"}, "ada", "edit")


@pytest.mark.skipif(os.geteuid() == 0, reason="root bypasses file permissions")
def test_a_read_only_file_gives_a_clear_error(url, tmp_path):
    """A catalog file without write permission refuses writes with StoreReadOnlyError."""
    open_store(url).close()
    os.chmod(tmp_path / "catalog.db", 0o444)
    with pytest.raises(StoreReadOnlyError):
        open_store(url).put(TASK, "ada", "edit")


def test_bad_urls_and_missing_folders_are_clear_errors(tmp_path):
    """Unknown schemes, in-memory URLs and missing folders are refused with a message that says why."""
    with pytest.raises(UnsupportedURLError, match="no catalog store"):
        open_store("mongodb://localhost/x")
    with pytest.raises(UnsupportedURLError, match="file path"):
        open_store("sqlite://")
    with pytest.raises(StoreError, match="does not exist"):
        open_store(f"sqlite:///{tmp_path}/missing/catalog.db")


def test_catalog_url_defaults_to_the_environment(tmp_path, monkeypatch):
    """Catalog.open() without a URL uses MEDAL_CATALOG, read when called (not at import)."""
    from medal_catalog.config import get_settings

    monkeypatch.setenv("MEDAL_CATALOG", f"sqlite:///{tmp_path / 'env.db'}")
    get_settings.cache_clear()
    try:
        with Catalog.open() as catalog:
            catalog.put(TASK, "ada", "env")
        assert (tmp_path / "env.db").exists()
    finally:
        get_settings.cache_clear()


def test_a_catalog_file_from_before_the_token_table_opens_and_gains_it(url, tmp_path):
    """A catalog.db written without api_tokens reads as having no tokens read-only, and gains the table on its
    next writable open with its entries intact."""
    with closing(open_store(url)) as store:
        store.put(TASK, "ada", "submitted")
    raw = sqlite3.connect(tmp_path / "catalog.db")
    raw.execute("DROP TABLE api_tokens")
    raw.commit()
    raw.close()
    with closing(open_store(url + "?mode=ro")) as store:
        assert store.token_holder("a" * 64) is None and store.list_tokens() == []
        assert store.get("BenchmarkTask", "glioma-seg").version == 1
    with closing(open_store(url)) as store:
        store.put_token("a" * 64, "rita", "reviewer", "2025-01-02T00:00:00+00:00")
        assert store.token_holder("a" * 64).name == "rita"
        assert store.get("BenchmarkTask", "glioma-seg").version == 1


def test_pixel_digests_are_replaced_per_dataset_and_shared_ones_counted(store):
    """Digests per dataset and series, replaced as a set; the datasets sharing one come with both counts."""
    a, b, c = "a" * 32, "b" * 32, "c" * 32
    assert store.put_pixel_hashes("one", {"one.s1": {a: 2, b: 1}, "one.s2": {c: 1}}) == 3
    store.put_pixel_hashes("two", {"two.s1": {a: 1, "d" * 32: 1}})
    store.put_pixel_hashes("three", {"three.s1": {"e" * 32: 1}})
    assert store.pixel_hashes("one") == {"one.s1": {a, b}, "one.s2": {c}}
    assert [s.to_dict() for s in store.shared_pixel_hashes("one")] == [
        {"dataset": "one", "other": "two", "shared_images": 1, "images": 3, "other_images": 2}
    ]
    assert store.shared_pixel_hashes("three") == []
    store.put_pixel_hashes("one", {"one.s1": {b: 1}})  # a re-harvest without the shared image
    assert store.shared_pixel_hashes("two") == [] and store.pixel_hashes("one") == {"one.s1": {b}}


def test_the_last_contamination_check_is_kept_and_replaced(store):
    """One check per dataset, the newest replacing the last; none for a dataset never checked."""
    assert store.get_contamination("one") is None
    store.put_contamination("one", {"checked_at": "2026-01-01T00:00:00+00:00", "public_series": 2})
    store.put_contamination("one", {"checked_at": "2026-02-01T00:00:00+00:00", "public_series": 0})
    assert store.get_contamination("one") == {"checked_at": "2026-02-01T00:00:00+00:00", "public_series": 0}


def test_a_catalog_file_from_before_the_pixel_tables_reads_as_unchecked(url, tmp_path):
    """Without pixel_hashes and contamination_checks, a read-only open answers "nothing kept"."""
    with closing(open_store(url)) as store:
        store.put(TASK, "ada", "submitted")
    raw = sqlite3.connect(tmp_path / "catalog.db")
    raw.execute("DROP TABLE pixel_hashes")
    raw.execute("DROP TABLE contamination_checks")
    raw.commit()
    raw.close()
    with closing(open_store(url + "?mode=ro")) as store:
        assert store.pixel_hashes("x") == {} and store.shared_pixel_hashes("x") == []
        assert store.get_contamination("x") is None
