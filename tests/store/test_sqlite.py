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

TASK = {"type": "BenchmarkTask", "id": "glioma-seg", "title": "Glioma segmentation",
        "clinical_question": "Where is the tumour?", "task_type": "segmentation", "modalities": ["MR"],
        "status": "submitted", "submitter": {"name": "Dr Ada Example"}}


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


def test_put_creates_version_one_and_get_returns_the_canonical_document(store):
    """A first write is version 1; get() returns the validated document, with its type designator."""
    result = store.put(TASK, author="ada", reason="submitted")
    assert (result.status, result.changed, result.version, result.key) == ("created", True, 1,
                                                                             "BenchmarkTask:glioma-seg")
    current = store.get("BenchmarkTask", "glioma-seg")
    assert current.document["title"] == "Glioma segmentation" and current.document["type"] == "BenchmarkTask"
    assert (current.author, current.reason) == ("ada", "submitted")


def test_writing_an_identical_document_is_a_no_op(store):
    """Re-writing the same content (keys in any order) adds no version: writes are idempotent."""
    store.put(TASK, "ada", "first")
    again = store.put(dict(reversed(list(TASK.items()))), "bob", "re-run")
    assert (again.status, again.changed, again.version) == ("unchanged", False, 1)
    assert len(store.history("BenchmarkTask", "glioma-seg")) == 1
    assert store.pending_count() == 1


def test_each_change_is_a_new_version_and_old_versions_stay_readable(store):
    """A change adds version 2 with its own author, time and reason; version 1 is still readable."""
    store.put(TASK, "ada", "submitted")
    result = store.put({**TASK, "title": "Glioma segmentation, revised"}, "bob", "typo in title")
    assert (result.status, result.version) == ("updated", 2)
    history = store.history("BenchmarkTask", "glioma-seg")
    assert [(v.version, v.author, v.reason) for v in history] == [(1, "ada", "submitted"), (2, "bob", "typo in title")]
    assert history[0].recorded_at < history[1].recorded_at
    assert store.get("BenchmarkTask", "glioma-seg", version=1).document["title"] == "Glioma segmentation"
    assert store.get("BenchmarkTask", "glioma-seg").document["title"] == "Glioma segmentation, revised"


def test_invalid_entries_are_reported_not_stored(store):
    """An invalid document comes back with its problems and leaves the store untouched."""
    result = store.put({**TASK, "modalities": ["XRAY"], "id": "Bad Id"}, "ada", "oops")
    assert result.status == "invalid" and not result.changed
    assert any(p.startswith("modalities.0") for p in result.problems)
    assert any(p.startswith("id") for p in result.problems)
    assert store.count() == 0 and store.pending_count() == 0
    assert store.put({"type": "Patient", "id": "x"}, "ada", "oops").problems[0].startswith("type:")


def test_delete_is_a_version_and_the_entry_can_come_back(store):
    """Deleting records a version without a document; a later write brings the entry back as a new version."""
    store.put(TASK, "ada", "submitted")
    assert store.delete("BenchmarkTask", "glioma-seg", "ada", "withdrawn").version == 2
    assert store.get("BenchmarkTask", "glioma-seg") is None and store.count() == 0
    assert store.get("BenchmarkTask", "glioma-seg", version=1) is not None
    assert store.delete("BenchmarkTask", "glioma-seg", "ada", "again").status == "unchanged"
    assert store.put(TASK, "ada", "resubmitted").version == 3


def test_ids_are_unique_within_a_kind_only(store):
    """A task and a dataset may share an id."""
    store.put(TASK, "ada", "t")
    dataset = {"type": "ImagingDataset", "id": "glioma-seg", "title": "Data", "access_level": "open",
               "license": {"spdx_id": "CC0-1.0"}}
    assert store.put(dataset, "ada", "d").status == "created"
    assert store.count() == 2 and store.count("ImagingDataset") == 1
    assert [v.key for v in store.iter_current()] == ["BenchmarkTask:glioma-seg", "ImagingDataset:glioma-seg"]


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
        assert [r.status for r in catalog.put_many([task(i) for i in range(6)], "harvester", "run 3")] == \
            ["unchanged"] * 6


def test_unreachable_index_queues_the_write_and_a_later_sync_drains_it(url):
    """With the index down the store write succeeds and is queued; a catalog with a live index catches up."""
    with Catalog.open(url, index_url="elasticsearch://127.0.0.1:9/medal") as offline:
        result = offline.put(TASK, "ada", "while the index was down")
        assert (result.changed, result.indexed) == (True, False)
        assert offline.put(task(2), "ada", "still down").indexed is False
        assert offline.store.pending_count() == 2
    with Catalog.open(url) as online:
        assert online.sync_index() is True
        assert online.store.pending_count() == 0
        assert online.search("glioma").total == 1


def test_reindex_rebuilds_from_the_store_and_clears_the_queue(url):
    """reindex() puts every current entry in the index, including queued ones, and empties the queue."""
    with Catalog.open(url, index_url="elasticsearch://127.0.0.1:9/medal") as offline:
        offline.put_many([task(i) for i in range(5)], "ada", "bulk")
    with Catalog.open(url) as catalog:
        report = catalog.reindex()
        assert report.indexed == 5 and report.problems == []
        assert catalog.store.pending_count() == 0
        assert catalog.search("", size=50).total == 5


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


def test_a_catalog_container_is_written_entry_by_entry(url):
    """iter_entries() turns a MedalCatalog file (lists without type) into entries put_many can write."""
    from medal_catalog.store import iter_entries

    container = {"tasks": [{k: v for k, v in TASK.items() if k != "type"}],
                 "datasets": [{"id": "brain-mr", "title": "Data", "access_level": "open",
                               "license": {"spdx_id": "CC0-1.0"}}]}
    with Catalog.open(url) as catalog:
        results = catalog.put_many(iter_entries(container), author="ada", reason="submission")
        assert [(r.key, r.status) for r in results] == [("BenchmarkTask:glioma-seg", "created"),
                                                        ("ImagingDataset:brain-mr", "created")]
    assert list(iter_entries(TASK)) == [TASK]


def test_files_kept_with_an_entry_are_replaced_as_a_set_and_read_back_exactly(store):
    """put_files replaces an entry's files in one go; listings carry digests and sizes, get_file the bytes."""
    import hashlib

    stored = store.put_files("ImagingDataset", "ds", {"labels.csv": (b"a,b\n1,2\n", "text/csv"),
                                                       "sub/x.bin": (bytes(range(256)), "application/octet-stream")})
    assert [f.path for f in stored] == ["labels.csv", "sub/x.bin"]
    listing = store.list_files("ImagingDataset", "ds")
    assert [(f.path, f.byte_size, f.data) for f in listing] == [("labels.csv", 8, None), ("sub/x.bin", 256, None)]
    got = store.get_file("ImagingDataset", "ds", "sub/x.bin")
    assert got.data == bytes(range(256)) and got.sha256 == hashlib.sha256(bytes(range(256))).hexdigest()
    assert store.get_file("ImagingDataset", "other", "labels.csv") is None
    store.put_files("ImagingDataset", "ds", {"labels.csv": (b"new\n", "text/csv")})
    assert [f.path for f in store.list_files("ImagingDataset", "ds")] == ["labels.csv"]
    assert store.get_file("ImagingDataset", "ds", "labels.csv").data == b"new\n"
    assert store.get_file("ImagingDataset", "ds", "sub/x.bin") is None


def test_keys_created_by_names_the_entries_whose_first_version_an_author_wrote(store):
    """Ownership is the first version's author: later editors own nothing, deleted entries stay owned."""
    store.put(task(1), "ada", "submitted")
    store.put(task(2), "ada", "submitted")
    store.put(task(3), "bob", "submitted")
    store.put({**task(3), "title": "edited by ada"}, "ada", "edit")
    store.delete("BenchmarkTask", "task-002", "ada", "withdrawn")
    assert store.keys_created_by("ada") == ["BenchmarkTask:task-001", "BenchmarkTask:task-002"]
    assert store.keys_created_by("bob") == ["BenchmarkTask:task-003"]
    assert store.keys_created_by("nobody") == []


def test_tokens_are_kept_listed_and_revoked_by_their_digest(store):
    """The store keeps a token's digest, holder and role as given; a revoked token has no holder."""
    from medal_catalog.store import StoredToken

    kept = store.put_token("a" * 64, "rita", "reviewer", "2025-01-02T00:00:00+00:00")
    store.put_token("b" * 64, "chair", "admin", "2025-01-01T00:00:00+00:00")
    assert kept == StoredToken("a" * 64, "rita", "reviewer", "2025-01-02T00:00:00+00:00")
    assert store.token_holder("a" * 64) == kept and store.token_holder("c" * 64) is None
    assert [t.name for t in store.list_tokens()] == ["chair", "rita"]
    with pytest.raises(StoreError):
        store.put_token("a" * 64, "someone", "admin", "2025-01-03T00:00:00+00:00")
    assert store.revoke_token("a" * 64) is True and store.revoke_token("a" * 64) is False
    assert store.token_holder("a" * 64) is None and [t.name for t in store.list_tokens()] == ["chair"]


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
        {"dataset": "one", "other": "two", "shared_images": 1, "images": 3, "other_images": 2}]
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
