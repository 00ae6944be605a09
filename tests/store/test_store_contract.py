"""The store contract, run unchanged over every store: SQLite and a real PostgreSQL (a throw-away cluster, see
tests/postgres_cluster.py). Versions, idempotence, deletions, the index queue, kept files, tokens, secrets, batched
writes, and concurrent writers."""

from __future__ import annotations

import threading

import pytest

from medal_catalog.catalog import Catalog
from medal_catalog.errors import StoreError
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


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    """The URL of an empty store of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'catalog.db'}"
    return request.getfixturevalue("postgresql_url")


@pytest.fixture
def index_url(url, tmp_path):
    """The FTS5 index: inside a SQLite catalog's file, in a file of its own beside a PostgreSQL store."""
    return url if url.startswith("sqlite") else f"sqlite:///{tmp_path / 'index.db'}"


@pytest.fixture
def store(url):
    s = open_store(url)
    yield s
    s.close()


def test_put_creates_version_one_and_get_returns_the_canonical_document(store):
    """A first write is version 1; get() returns the validated document, with its type designator."""
    result = store.put(TASK, author="ada", reason="submitted")
    assert (result.status, result.changed, result.version, result.key) == (
        "created",
        True,
        1,
        "BenchmarkTask:glioma-seg",
    )
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


def test_deleted_ids_lists_entries_whose_current_version_is_a_deletion(store):
    """deleted_ids names the deleted entries of a kind (what OAI-PMH tells harvesters), not those brought back."""
    store.put(TASK, "ada", "submitted")
    assert store.deleted_ids("BenchmarkTask") == []
    store.delete("BenchmarkTask", "glioma-seg", "ada", "withdrawn")
    assert store.deleted_ids("BenchmarkTask") == ["glioma-seg"] and store.deleted_ids("ImagingDataset") == []
    store.put(TASK, "ada", "resubmitted")
    assert store.deleted_ids("BenchmarkTask") == []


def test_ids_are_unique_within_a_kind_only(store):
    """A task and a dataset may share an id."""
    store.put(TASK, "ada", "t")
    dataset = {
        "type": "ImagingDataset",
        "id": "glioma-seg",
        "title": "Data",
        "access_level": "open",
        "license": {"spdx_id": "CC0-1.0"},
    }
    assert store.put(dataset, "ada", "d").status == "created"
    assert store.count() == 2 and store.count("ImagingDataset") == 1
    assert [v.key for v in store.iter_current()] == ["BenchmarkTask:glioma-seg", "ImagingDataset:glioma-seg"]


def test_unreachable_index_queues_the_write_and_a_later_sync_drains_it(url, index_url):
    """With the index down the store write succeeds and is queued; a catalog with a live index catches up."""
    with Catalog.open(url, index_url="elasticsearch://127.0.0.1:9/medal") as offline:
        result = offline.put(TASK, "ada", "while the index was down")
        assert (result.changed, result.indexed) == (True, False)
        assert offline.put(task(2), "ada", "still down").indexed is False
        assert offline.store.pending_count() == 2
    with Catalog.open(url, index_url) as online:
        assert online.sync_index() is True
        assert online.store.pending_count() == 0
        assert online.search("glioma").total == 1


def test_reindex_rebuilds_from_the_store_and_clears_the_queue(url, index_url):
    """reindex() puts every current entry in the index, including queued ones, and empties the queue."""
    with Catalog.open(url, index_url="elasticsearch://127.0.0.1:9/medal") as offline:
        offline.put_many([task(i) for i in range(5)], "ada", "bulk")
    with Catalog.open(url, index_url) as catalog:
        report = catalog.reindex()
        assert report.indexed == 5 and report.problems == []
        assert catalog.store.pending_count() == 0
        assert catalog.search("", size=50).total == 5


def test_a_catalog_container_is_written_entry_by_entry(url, index_url):
    """iter_entries() turns a MedalCatalog file (lists without type) into entries put_many can write."""
    from medal_catalog.store import iter_entries

    container = {
        "tasks": [{k: v for k, v in TASK.items() if k != "type"}],
        "datasets": [{"id": "brain-mr", "title": "Data", "access_level": "open", "license": {"spdx_id": "CC0-1.0"}}],
    }
    with Catalog.open(url, index_url) as catalog:
        results = catalog.put_many(iter_entries(container), author="ada", reason="submission")
        assert [(r.key, r.status) for r in results] == [
            ("BenchmarkTask:glioma-seg", "created"),
            ("ImagingDataset:brain-mr", "created"),
        ]
    assert list(iter_entries(TASK)) == [TASK]


def test_files_kept_with_an_entry_are_replaced_as_a_set_and_read_back_exactly(store):
    """put_files replaces an entry's files in one go; listings carry digests and sizes, get_file the bytes."""
    import hashlib

    stored = store.put_files(
        "ImagingDataset",
        "ds",
        {"labels.csv": (b"a,b\n1,2\n", "text/csv"), "sub/x.bin": (bytes(range(256)), "application/octet-stream")},
    )
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


def test_files_at_names_every_entry_of_a_kind_keeping_a_file_at_a_path_with_its_digest(store):
    """files_at answers in one query which entries keep a file at a path (what a refresh of previews visits)."""
    import hashlib

    store.put_files("ImagingDataset", "a", {"data/x.zip": (b"a", "application/zip"), "other": (b"o", "text/plain")})
    store.put_files("ImagingDataset", "b", {"data/x.zip": (b"b", "application/zip")})
    store.put_files("BenchmarkTask", "c", {"data/x.zip": (b"c", "application/zip")})
    store.put_files("ImagingDataset", "d", {"other": (b"d", "text/plain")})
    assert store.files_at("ImagingDataset", "data/x.zip") == {
        "a": hashlib.sha256(b"a").hexdigest(),
        "b": hashlib.sha256(b"b").hexdigest(),
    }
    store.put_files("ImagingDataset", "a", {})
    assert set(store.files_at("ImagingDataset", "data/x.zip")) == {"b"}
    assert store.files_at("ImagingDataset", "missing") == {}


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


def test_put_batch_writes_many_entries_in_one_go_and_leaves_identical_ones_alone(store):
    """put_batch gives one result per document in order: created, invalid (with problems), unchanged on a re-run,
    updated when changed; versions and the index queue as put() would leave them."""
    docs = [task(i) for i in range(5)] + [{**task(9), "modalities": ["XRAY"]}]
    first = store.put_batch(docs, "harvester", "run 1")
    assert [r.status for r in first] == ["created"] * 5 + ["invalid"]
    assert first[-1].problems and store.count() == 5 and store.pending_count() == 5
    again = store.put_batch(docs[:5], "harvester", "run 2")
    assert [r.status for r in again] == ["unchanged"] * 5 and store.pending_count() == 5
    changed = store.put_batch([task(0, title="Renamed"), task(1), task(7)], "harvester", "run 3")
    assert [(r.status, r.version) for r in changed] == [("updated", 2), ("unchanged", 1), ("created", 1)]
    assert [v.reason for v in store.history("BenchmarkTask", "task-000")] == ["run 1", "run 3"]
    store.delete("BenchmarkTask", "task-002", "ada", "gone")
    assert store.put_batch([task(2)], "harvester", "back")[0].status == "created"


def test_ids_under_lists_the_live_ids_that_start_with_a_prefix(store):
    """ids_under is a prefix listing of one kind's live entries, in id order (deleted ones left out)."""
    store.put_batch([task(i) for i in (1, 2, 11, 30)] + [{**task(3), "id": "other-1"}], "ada", "x")
    store.delete("BenchmarkTask", "task-002", "ada", "gone")
    assert store.ids_under("BenchmarkTask", "task-0") == ["task-001", "task-011", "task-030"]
    assert store.ids_under("BenchmarkTask", "task_") == [] and store.ids_under("ImagingDataset", "task") == []


def test_a_secret_is_made_once_and_the_same_for_every_opener(url):
    """secret() keeps the first value made; a second store object on the same catalog reads the same one."""
    one = open_store(url)
    value = one.secret("signing", lambda: "first")
    one.close()
    other = open_store(url)
    try:
        assert value == "first" and other.secret("signing", lambda: "second") == "first"
    finally:
        other.close()


def test_concurrent_writers_of_the_same_entries_lose_no_version(url):
    """Four threads writing changes to the same five entries: every write is one version, numbered without gaps
    or duplicates (the store serialises writers of an entry)."""
    stores = [open_store(url, busy_timeout=30) for _ in range(4)]
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for round_ in range(10):
                for i in range(5):
                    stores[n].put(task(i, title=f"writer {n} round {round_}"), f"w{n}", "race")
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        for i in range(5):
            versions = [v.version for v in stores[0].history("BenchmarkTask", f"task-{i:03d}")]
            assert versions == list(range(1, len(versions) + 1)) and len(versions) == 40
    finally:
        for s in stores:
            s.close()


def test_an_unreachable_store_is_a_clear_error():
    """A PostgreSQL URL nobody answers is a StoreError that says so (and names no password)."""
    pytest.importorskip("psycopg")
    with pytest.raises(StoreError, match="cannot reach the catalog database") as caught:
        open_store("postgresql://medal:secret@127.0.0.1:9/nothing", busy_timeout=1)
    assert "secret" not in str(caught.value)


def test_dataset_series_are_those_naming_the_dataset_at_top_level(url):
    """dataset_series() answers a dataset's current series only: not another dataset's whose id it prefixes or
    matches as a LIKE pattern, not a deleted one."""
    store = open_store(url)
    for i, (series_id, dataset) in enumerate(
        [("a.s1", "ds_a"), ("a.s2", "ds_a"), ("b.s1", "ds_ab"), ("c.s1", "dsxa")]
    ):  # '_' is no wildcard
        series = {
            "type": "ImagingSeries",
            "id": series_id,
            "dataset": dataset,
            "modality": "MR",
            "series_instance_uid": f"1.2.3.{i}",
            "instance_count": 1,
        }
        assert store.put(series, "ada", "r").changed
    store.delete("ImagingSeries", "a.s2", "ada", "gone")
    assert [v.id for v in store.dataset_series("ds_a")] == ["a.s1"]
    assert [v.id for v in store.dataset_series("ds_ab")] == ["b.s1"]
    assert store.dataset_series("nothing") == []
    store.close()
