"""The FTS5 index's column view catches up with writes by patching the rows they touched (no reload), and then
answers exactly as a view loaded from scratch: totals, facet counts, hit order, filters, ranges, sorts."""

from __future__ import annotations

import random

import pytest

from medal_catalog.search import SearchRequest, open_index
from medal_catalog.search import sqlite_fts
from medal_catalog.search.columns import ColumnView

WORDS = ["brain", "scan", "lung", "axial", "flair", "knee", "stroke", "glioma"]
REQUESTS = [
    SearchRequest.make("", facets=["type", "modality", "body_part", "manufacturer", "dataset"], size=15),
    SearchRequest.make("brain", facets=["modality", "body_part"], size=10),
    SearchRequest.make("scan", filters={"modality": "CT"}, facets=["body_part", "manufacturer"], size=10, page=2),
    SearchRequest.make('"brain scan" OR lung', facets=["modality"], size=8),
    SearchRequest.make(
        "", ranges={"slice_thickness": (2.0, None)}, facets=["modality"], sort="-slice_thickness", size=10
    ),
    SearchRequest.make("axi*", sort="key", size=12),
    SearchRequest.make("", filters={"manufacturer": ["ACME", "NEWCO"]}, sort="title", size=10),
    SearchRequest.make(
        "NOT knee",
        scope=[{"type": ["ImagingSeries"], "dataset": ["d1"]}, {"key": ["ImagingDataset:d2"]}],
        facets=["type"],
        size=10,
    ),
]


def doc(key: str, rng: random.Random, vendor_pool: list[str]) -> dict:
    kind, _, entry_id = key.partition(":")
    words = rng.sample(WORDS, 3)
    body = {
        "key": key,
        "id": entry_id,
        "type": kind,
        "label": " ".join(words),
        "title": [" ".join(words)],
        "series_description": [" ".join(rng.sample(WORDS, 2))],
        "modality": rng.sample(["MR", "CT", "PT"], rng.randint(1, 2)),
        "body_part": [rng.choice(["BRAIN", "CHEST", "KNEE"])],
        "manufacturer": [rng.choice(vendor_pool)],
        "dataset": [rng.choice(["d1", "d2", "d3"])],
    }
    if rng.random() < 0.7:
        body["slice_thickness"] = [rng.choice([1.0, 2.5, 3.0, 5.0])]
    return body


def answers(index, request):
    result = index.search(request)
    return result.total, result.facets, [(h.key, h.score) for h in result.hits]


def test_a_patched_view_answers_as_a_fresh_one_through_inserts_updates_and_deletes(tmp_path):
    """Writes of every kind (new keys before, between and after existing ones, changed facets with new values,
    deletions, a rowid reused) leave the long-lived reader's patched view equal to a freshly loaded view."""
    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    rng = random.Random(7)
    writer, reader = open_index(url), open_index(url)
    keys = [f"ImagingSeries:s{i:04d}" for i in range(0, 400, 2)]
    writer.bulk_index(doc(k, rng, ["ACME", "GE"]) for k in keys)
    for request in REQUESTS:
        reader.search(request)  # load the reader's view and fill its caches (leaves, ranges, sorts)
    loads = []
    original = ColumnView.__init__

    def counting(self, *args, **kwargs):
        loads.append(1)
        original(self, *args, **kwargs)

    ColumnView.__init__ = counting
    try:
        vendors = ["ACME", "GE", "NEWCO"]
        for step in range(12):
            live = list(keys)
            action = step % 4
            if action == 0:  # new keys in between, before and after the existing ones
                new = [f"ImagingSeries:s{rng.randrange(0, 400) * 2 + 1:04d}" for _ in range(15)]
                new += ["ImagingDataset:d2", f"ImagingSeries:z{step}", f"AAA:{step}".replace("AAA", "ImagingSeries")]
                new = [k for k in dict.fromkeys(new) if k not in keys]
                writer.bulk_index(doc(k, rng, vendors + [f"V{step}"]) for k in new)
                keys += new
            elif action == 1:  # changed documents, new facet values
                writer.bulk_index(doc(k, rng, vendors + [f"W{step}"]) for k in rng.sample(live, 20))
            elif action == 2:  # deletions, including the newest rowid (reused by the next insert)
                for k in rng.sample(live, 10) + [keys[-1]]:
                    if k in keys:
                        writer.delete(k)
                        keys.remove(k)
            else:  # several generations between two reads
                writer.bulk_index([doc(rng.choice(live), rng, vendors)])
                writer.bulk_index([doc(f"ImagingSeries:y{step}", rng, vendors)])
                keys.append(f"ImagingSeries:y{step}")
            fresh = open_index(url)
            try:
                for request in REQUESTS:
                    assert answers(reader, request) == answers(fresh, request), (step, request)
            finally:
                fresh.close()
            loads_by_reader = len(loads) - (step + 1)  # each fresh index loads once
            assert loads_by_reader == 0, f"the reader reloaded its view at step {step}"
    finally:
        ColumnView.__init__ = original
        writer.close()
        reader.close()


def test_a_view_older_than_the_change_log_or_a_rebuild_is_reloaded(tmp_path, monkeypatch):
    """When the log no longer covers a view's generation (trimmed, or the index rebuilt), the view reloads and
    still answers correctly."""
    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    rng = random.Random(3)
    writer, reader = open_index(url), open_index(url)
    writer.bulk_index(doc(f"ImagingSeries:s{i:03d}", rng, ["ACME"]) for i in range(50))
    request = REQUESTS[0]
    reader.search(request)
    old = reader._snapshot
    writer.rebuild(doc(f"ImagingSeries:r{i:03d}", rng, ["GE"]) for i in range(30))
    assert reader.search(request).total == 30 and reader._snapshot is not old
    monkeypatch.setattr(sqlite_fts, "KEEP_GENERATIONS", 1)
    kept = reader._snapshot
    for i in range(101):
        writer.bulk_index([doc(f"ImagingSeries:t{i:03d}", rng, ["GE"])])
    assert reader.search(request).total == 131 and reader._snapshot is not kept


@pytest.mark.parametrize("rows", [3, 60])
def test_too_many_changed_rows_reload_instead_of_patching(tmp_path, monkeypatch, rows):
    """Past PATCH_ROWS changed rows a reload is cheaper than a patch; either way the answers are right."""
    monkeypatch.setattr(sqlite_fts, "PATCH_ROWS", 10)
    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    rng = random.Random(5)
    writer, reader = open_index(url), open_index(url)
    writer.bulk_index(doc(f"ImagingSeries:s{i:03d}", rng, ["ACME"]) for i in range(200))
    reader.search(REQUESTS[0])
    before = reader._snapshot
    writer.bulk_index(doc(f"ImagingSeries:n{i:03d}", rng, ["ACME"]) for i in range(rows))
    assert reader.search(REQUESTS[0]).total == 200 + rows
    assert (reader._snapshot is before) == (rows < 20)
