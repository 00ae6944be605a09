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


@needs_shared
def test_the_shipped_counts_of_the_installed_index_are_its_counts(tmp_path):
    """A cold harvest takes the index's distinct series and studies from data/idc_index_counts.json instead of
    counting a million UIDs: the installed (pinned) version must be there, with the counts a fresh count gives.
    (When the pin moves: python scripts/idc_index_counts.py.)"""
    module = ix._module()
    shipped = ix.shipped_counts(module)
    assert shipped is not None, f"no counts for {ix.counts_key(module)}: run python scripts/idc_index_counts.py"
    assert shipped == ix.count_uids(ix.uid_columns(module))
    scanned = ix.ScannedIndex(module, tmp_path)
    assert not list(tmp_path.glob("*.counts.json")), "the shipped counts were counted again"
    assert scanned.describe()["series"] == shipped["SeriesInstanceUID"]


def test_the_scan_trims_a_column_exactly_when_a_value_needs_it():
    """The cold scan skips trimming (a 70 MB copy a column) only when no value starts or ends with whitespace;
    whenever trimming would change a value, it trims (slices of arrays included)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cases = [["1.2", "3.4"], ["1.2 ", "3"], [" 1.2"], ["1.2\t"], [None, "1.2"], ["", None], ["1.2\u00a0"]]
    cases += [["\u20031.2"], ["1.2", "x\n"]]
    arrays = [pa.array(c, pa.large_string()) for c in cases]
    arrays += [pa.array(["a", "b ", "c"], pa.large_string()).slice(2), pa.array(["a", "b ", "c"]).slice(1)]
    for array in arrays:
        array = array.cast(pa.large_string())
        changes = not pc.all(pc.equal(pc.utf8_trim_whitespace(array).fill_null(""), array.fill_null(""))).as_py()
        assert ix._padded(array) == changes, array.to_pylist()
