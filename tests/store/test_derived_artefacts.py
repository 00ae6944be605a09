"""Derived artefacts kept by the store on both backends (issue 29): bytes under a key with their inputs'
fingerprint, replaced and dropped by prefix; the fingerprints of entries and evaluations change with every write."""

from __future__ import annotations

import uuid

import pytest

from medal_catalog.store import StoredArtefact, open_store

TASK = {
    "type": "BenchmarkTask",
    "id": "t1",
    "title": "Glioma segmentation",
    "clinical_question": "Where is the tumour?",
    "task_type": "segmentation",
    "modalities": ["MR"],
    "status": "submitted",
    "submitter": {"name": "Dr Ada Example"},
}


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    url = (
        f"sqlite:///{tmp_path / 'catalog.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgresql_url")
    )
    s = open_store(url)
    yield s
    s.close()


def test_artefacts_are_kept_replaced_and_dropped_by_prefix(store):
    """Bytes come back as written with their fingerprint and media type; a second put replaces; a prefix drops
    only its own keys (``preview:a:`` not ``preview:ab:``)."""
    png = bytes(range(256)) * 4
    assert (
        store.put_artefacts(
            [
                StoredArtefact("preview:a:s1:0:view", "f1", "image/png", png),
                StoredArtefact("preview:ab:s2:0:view", "f1", "image/png", b"x"),
                StoredArtefact("campaign:anonymous", "c1", "application/json", b"{}"),
            ]
        )
        == 3
    )
    kept = store.get_artefacts(["preview:a:s1:0:view", "campaign:anonymous", "missing"])
    assert set(kept) == {"preview:a:s1:0:view", "campaign:anonymous"}
    assert kept["preview:a:s1:0:view"].data == png and kept["preview:a:s1:0:view"].fingerprint == "f1"
    assert kept["preview:a:s1:0:view"].media_type == "image/png" and kept["campaign:anonymous"].created_at
    store.put_artefacts([StoredArtefact("campaign:anonymous", "c2", "application/json", b'{"n":1}')])
    again = store.get_artefacts(["campaign:anonymous"])["campaign:anonymous"]
    assert (again.fingerprint, again.data) == ("c2", b'{"n":1}')
    assert store.artefact_fingerprints("preview:a:") == {"preview:a:s1:0:view": "f1"}
    assert store.drop_artefacts("preview:a:") == 1
    assert set(store.artefact_fingerprints("preview:")) == {"preview:ab:s2:0:view"}


def test_entries_version_changes_with_every_write_of_its_kinds_only(store):
    """An update, a deletion and a re-creation of a task each give a new fingerprint; an unchanged write does
    not, nor does a task's write change the datasets' fingerprint."""
    kinds = ["BenchmarkTask", "ImagingDataset"]
    datasets = store.entries_version(["ImagingDataset"])
    seen = [store.entries_version(kinds)]
    assert store.put(TASK, "alice", "new").status == "created"
    seen.append(store.entries_version(kinds))
    assert store.put(TASK, "alice", "same again").status == "unchanged"
    assert store.entries_version(kinds) == seen[-1]
    assert store.put({**TASK, "title": "Another title"}, "alice", "edit").status == "updated"
    seen.append(store.entries_version(kinds))
    assert store.delete("BenchmarkTask", "t1", "alice", "gone").status == "deleted"
    seen.append(store.entries_version(kinds))
    assert store.put(TASK, "alice", "back").status == "created"
    seen.append(store.entries_version(kinds))
    assert len(set(seen)) == len(seen)
    assert store.entries_version(["ImagingDataset"]) == datasets


def test_evaluations_version_changes_when_one_is_added_or_finished(store):
    """A queued evaluation and its finishing each change its task's fingerprint, not another task's."""
    other = store.evaluations_version("t2")
    first = store.evaluations_version("t1", "test")
    record = {"id": uuid.uuid4().hex, "task": "t1", "split": "test", "submitter": "bob", "about": {"model_name": "m"}}
    store.add_evaluation(record, None, "")
    queued = store.evaluations_version("t1", "test")
    store.finish_evaluation(record["id"], "done", result={"metrics": []})
    assert len({first, queued, store.evaluations_version("t1", "test")}) == 3
    assert store.evaluations_version("t2") == other
