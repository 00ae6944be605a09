"""Settings enter at the edge and reach the harvest: two catalogs opened in one process with different settings
each harvest the same files with their own de-identification key and their own header limit, never the
environment's (issue 25)."""

from __future__ import annotations

from pathlib import Path

from dicom_samples import element, minimal_body, mr_dataset, part10, write

from medal_catalog.catalog import open_catalog
from medal_catalog.config import Settings
from medal_catalog.dicom.deidentify import dataset_key
from medal_catalog.harvesters.dicom_records import pseudonymous_uid
from medal_catalog.ingestion import ingest


def _tree(root: Path) -> tuple[Path, str]:
    """Two files of one MR series and one file whose header runs 3 MiB; returns the tree and the series' UID."""
    files = [mr_dataset(subject="a", series="t1", instance=i) for i in range(2)]
    for i, ds in enumerate(files):
        write(ds, root / "t1" / f"{i}.dcm")
    big = part10(
        minimal_body() + element(0x0009, 0x0010, b"LO", b"ACME ") + element(0x0009, 0x1001, b"OB", b"\x00" * (3 << 20))
    )
    (root / "big.dcm").write_bytes(big)
    return root, str(files[0].SeriesInstanceUID)


def test_two_settings_in_one_process_each_reach_the_harvest(tmp_path, monkeypatch):
    """The same DICOM tree ingested into two catalogs, opened side by side with different MEDAL_DEID_SECRETs and
    header limits (and an environment naming a third secret), gets each catalog's own pseudonymous UIDs, and the
    3 MiB header is refused only under the 1 MiB limit."""
    monkeypatch.setenv("MEDAL_DEID_SECRET", "the-environment-s-secret")
    tree, original = _tree(tmp_path / "in")
    limits = {"secret-a": 1 << 20, "secret-b": 64 << 20}
    catalogs = {
        secret: open_catalog(
            settings=Settings(
                catalog=f"sqlite:///{tmp_path / (secret + '.db')}", deid_secret=secret, dicom_max_header_bytes=limit
            )
        )
        for secret, limit in limits.items()
    }
    try:
        stored, refused = {}, {}
        for secret, catalog in catalogs.items():  # both open at once: nothing process-wide may carry the key
            [result] = ingest([tree], catalog, dataset_id="same-files", out_dir=tmp_path / f"out-{secret}", jobs=1)
            stored[secret] = {
                (v.document or {}).get("series_instance_uid") for v in catalog.iter_current(["ImagingSeries"])
            }
            refused[secret] = any("MEDAL_DICOM_MAX_HEADER_BYTES" in p.reason for p in result.detail.problems)
    finally:
        for catalog in catalogs.values():
            catalog.close()
    for secret in limits:
        assert pseudonymous_uid(dataset_key("same-files", secret)[:16], original) in stored[secret], secret
    assert stored["secret-a"].isdisjoint(stored["secret-b"])
    environment = pseudonymous_uid(dataset_key("same-files", "the-environment-s-secret")[:16], original)
    assert all(environment not in uids for uids in stored.values())
    assert refused == {"secret-a": True, "secret-b": False}
