"""The store's evaluations on both backends: the limit checked in the write (failed ones not counted, parallel
writers not passing it), numbering per model, and the replicates returned only when asked for."""

from __future__ import annotations

import threading
import uuid

import numpy as np
import pytest

from medal_catalog.store import open_store


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


def _record(submitter: str = "bob", model: str = "m", split: str = "test_hidden") -> dict:
    return {
        "id": uuid.uuid4().hex,
        "task": "t1",
        "split": split,
        "submitter": submitter,
        "about": {"model_name": model, "model_version": "1", "code_url": None, "predictions_sha256": "0" * 64},
    }


def test_limit_numbering_and_replicates(store):
    """Two evaluations within the limit, the third refused; a failed one frees its place; versions count the
    submitter's evaluations of one model; replicates only with_replicates."""
    first = store.add_evaluation(_record(), 2, "")
    assert first.status == "queued" and first.version == 1
    second = store.add_evaluation(_record(), 2, "")
    assert second.version == 2 and store.add_evaluation(_record(), 2, "") is None
    store.finish_evaluation(second.id, "refused", error="does not fit the hidden references")
    assert store.add_evaluation(_record(), 2, "") is None  # a refusal against the hidden references counts
    store.finish_evaluation(second.id, "failed", error="bad file")
    third = store.add_evaluation(_record(model="other"), 2, "")
    assert third is not None and third.version == 1
    assert store.add_evaluation(_record(submitter="alice"), 2, "") is not None
    assert store.add_evaluation(_record(split="validation"), None, "") is not None
    store.finish_evaluation(first.id, "done", result={"metrics": []}, replicates=np.arange(3.0).tobytes())
    assert store.get_evaluation(first.id).replicates is None
    kept = store.get_evaluation(first.id, with_replicates=True)
    assert np.frombuffer(kept.replicates).tolist() == [0.0, 1.0, 2.0] and kept.result == {"metrics": []}
    assert kept.finished_at is not None
    assert [e.id for e in store.list_evaluations(task="t1", submitter="bob", status="done")] == [first.id]
    assert store.add_evaluation(_record(), 2, "9999") is not None  # none since that time


def test_parallel_writers_do_not_pass_the_limit(store):
    """Eight threads asking at once for a limit of 3: exactly 3 succeed."""
    results = []

    def ask() -> None:
        try:
            results.append(store.add_evaluation(_record(), 3, ""))
        except Exception as err:  # a writer that lost a lock race on SQLite fails, and is not counted
            results.append(err)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(store.list_evaluations(task="t1", submitter="bob")) == 3
    assert sum(1 for r in results if r is not None and not isinstance(r, Exception)) == 3
