"""On a machine where the public-index lookup was never built, a harvest does not build it (issue 29): it scans the
index's UID columns while it reads, and finds exactly what the prepared lookup finds."""

from __future__ import annotations

from pathlib import Path

from test_contamination import copy_rewritten, first, needs_shared, public_series, DTI

from medal_catalog.config import Settings
from medal_catalog.config import get_settings
from medal_catalog.contamination import index as ix
from medal_catalog.harvesters.dicom import harvest_dicom


def harvest(tree: Path, cache: Path, monkeypatch) -> dict:
    monkeypatch.setenv("MEDAL_PUBLIC_INDEX_CACHE", str(cache))
    get_settings.cache_clear()
    section = harvest_dicom([tree], "cold-or-warm", jobs=1, settings=Settings()).summary["contamination"]
    section.pop("checked_at")
    return section


@needs_shared
def test_cold_harvest_scans_the_index_and_finds_what_the_lookup_finds(tmp_path, monkeypatch):
    """A public series and a private one: the cold harvest (no lookup built, none built by it) and the warm one
    (lookup prepared) give the same section, naming the public series' collection."""
    study, series, collection, _ = public_series()
    tree = tmp_path / "tree"
    copy_rewritten(first(DTI, 2), tree / "public", study, series)
    copy_rewritten(first(DTI, 2), tree / "private")
    cache = tmp_path / "fresh-cache"
    cold = harvest(tree, cache, monkeypatch)
    assert not list(cache.glob("*.npz")), "the harvest built the lookup"
    assert cold["public_series"] == 1 and cold["collections"][0]["collection"] == collection
    ix.load_index(cache)  # `medal check-public --prepare`
    warm = harvest(tree, cache, monkeypatch)
    assert warm == cold
