"""Re-harvest (issue 29): unchanged files are never opened, and a changed, new or removed file, a new public-index
version and --force are each picked up. Opens are counted by an audit hook in the `medal harvest` process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pydicom
import pyarrow as pa
import pyarrow.parquet as pq
from dicom_samples import mr_dataset, write
from test_dicom import make_tree

from medal_catalog.catalog import Catalog

#: Runs `medal` with every 'open' audit event under COUNT_UNDER written to COUNT_LOG (the log is opened before
#: the hook is set, so its own writes are not counted).
COUNTING = r"""
import os, sys
under, log = os.environ["COUNT_UNDER"], os.open(os.environ["COUNT_LOG"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)

def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes)) and os.fsdecode(args[0]).startswith(under):
        os.write(log, os.fsencode(args[0]) + b"\n")

sys.addaudithook(hook)
from medal_catalog.cli import main
main(args=sys.argv[1:], prog_name="medal")
"""


def harvest(tmp_path: Path, tree: Path, *extra: str, env: dict[str, str] | None = None) -> tuple[dict, list[str]]:
    """`medal harvest TREE --json` (one reader: every read is in the counted process); its summary and the files
    under TREE it opened."""
    log = tmp_path / "opens.log"
    command = [
        sys.executable,
        "-c",
        COUNTING,
        "harvest",
        str(tree),
        "--dataset",
        "demo-set",
        "--jobs",
        "1",
        "--out",
        str(tmp_path / "out"),
        "--catalog",
        f"sqlite:///{tmp_path / 'catalog.db'}",
        "--json",
        "--nice",
        "0",
        *extra,
    ]
    run = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {}), "COUNT_UNDER": str(tree), "COUNT_LOG": str(log)},
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout), sorted(set(log.read_text().split()))


def images(tree: Path) -> Path:
    """Give every file of the tree an image of its own (the samples' are blank, and blank images are not hashed):
    its last pixel set to a number of its own, the size kept."""
    for number, path in enumerate(sorted(p for p in tree.rglob("*.dcm")), start=1):
        data = bytearray(path.read_bytes())
        data[-2:] = number.to_bytes(2, "little")
        path.write_bytes(bytes(data))
    return tree


def stored(tmp_path: Path, kind: str, entry_id: str) -> dict | None:
    with Catalog.open(f"sqlite:///{tmp_path / 'catalog.db'}") as catalog:
        found = catalog.get(kind, entry_id)
        return None if found is None or found.deleted else found.document


def test_reharvest_opens_no_unchanged_file_and_force_reads_all(tmp_path):
    """A re-harvest of an unchanged tree opens none of its files and writes nothing; --force reads every one."""
    tree = images(make_tree(tmp_path / "in"))
    first, opened = harvest(tmp_path, tree)
    assert first["read_now"] == 7 and len(opened) == 7
    again, opened = harvest(tmp_path, tree)
    assert opened == [] and again["read_now"] == 0 and again["reused_from_cache"] == 7
    assert again["catalog"]["changed"] == 0 and again["series"] == 3
    assert again["contamination"]["pixel_hashes"]["instances_hashed"] == 7
    forced, opened = harvest(tmp_path, tree, "--force")
    assert forced["read_now"] == 7 and len(opened) == 7 and forced["catalog"]["changed"] == 0


def test_changed_new_and_removed_files_are_picked_up_and_people_edits_kept(tmp_path):
    """A file replaced with the same size and mtime (another inode), a new file and a removed series are each
    read or retired, opening only what changed; a title a person gave the dataset stays."""
    tree = images(make_tree(tmp_path / "in"))
    harvest(tmp_path, tree)
    with Catalog.open(f"sqlite:///{tmp_path / 'catalog.db'}") as catalog:
        dataset = dict(catalog.get("ImagingDataset", "demo-set").document, title="Brain MR, curated by hand")
        catalog.put(dataset, author="alice", reason="a better title")
    digests_before = stored(tmp_path, "ImagingDataset", "demo-set")

    target = tree / "a" / "t1" / "0.dcm"
    before = target.stat()
    data = bytearray(target.read_bytes())
    data[-3] ^= 0xFF  # one pixel byte: same size
    twin = target.with_name("0.dcm.new")
    twin.write_bytes(bytes(data))
    os.utime(twin, ns=(before.st_atime_ns, before.st_mtime_ns))
    twin.replace(target)
    assert target.stat().st_size == before.st_size and target.stat().st_mtime_ns == before.st_mtime_ns
    changed, opened = harvest(tmp_path, tree)
    assert opened == [str(target)] and changed["read_now"] == 1 and changed["reused_from_cache"] == 6

    added = write(
        mr_dataset(
            subject="b",
            series="t1",
            number=1,
            instance=7,
            PatientSex="M",
            PatientAge="072Y",
            PatientID="B",
            PixelSpacing=[0.5, 0.5],
        ),
        tree / "b" / "7.dcm",
    )
    grown, opened = harvest(tmp_path, tree)
    assert opened == [str(added)] and grown["read_now"] == 1 and grown["instances"] == 8

    for path in (tree / "a" / "t2").iterdir():
        removed_uid = pydicom.dcmread(path, stop_before_pixels=True).SeriesInstanceUID
        path.unlink()
    shrunk, opened = harvest(tmp_path, tree)
    assert opened == [] and shrunk["read_now"] == 0 and shrunk["series"] == 2 and shrunk["instances"] == 6
    assert shrunk["catalog"]["series_retired"] == 1
    dataset = stored(tmp_path, "ImagingDataset", "demo-set")
    assert dataset["title"] == "Brain MR, curated by hand" and dataset["series_count"] == 2
    assert dataset["instance_count"] == 6 != digests_before["instance_count"]
    with Catalog.open(f"sqlite:///{tmp_path / 'catalog.db'}") as catalog:
        live = [v.document for v in catalog.store.iter_current(["ImagingSeries"])]
        assert len(live) == 2 and removed_uid not in json.dumps(live)
        assert sum(len(d) for d in catalog.store.pixel_hashes("demo-set").values()) == 5  # the new file is blank


def fake_index(folder: Path, series_uids: list[str], version: str) -> dict[str, str]:
    """An idc-index-data package (its parquet, real, with the given public series) on PYTHONPATH, in place of the
    installed one; the environment a `medal` process needs to use it."""
    package = folder / "idc_index_data"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text(
        f"from pathlib import Path\n__version__ = {version!r}\n"
        "IDC_INDEX_PARQUET_FILEPATH = Path(__file__).with_name('idc_index.parquet')\n"
    )
    rows = ["1.2.3.4.5.6.7.8.9", *series_uids]
    pq.write_table(
        pa.table(
            {
                "SeriesInstanceUID": rows,
                "StudyInstanceUID": [u + ".1" for u in rows],
                "collection_id": ["demo_collection"] * len(rows),
                "source_DOI": ["10.0/demo"] * len(rows),
                "license_short_name": ["CC BY 4.0"] * len(rows),
            }
        ),
        package / "idc_index.parquet",
    )
    return {
        "PYTHONPATH": os.pathsep.join([str(folder), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        "MEDAL_PUBLIC_INDEX_CACHE": str(folder / "cache"),
    }


def test_new_public_index_version_is_picked_up(tmp_path):
    """When the public index changes, the re-harvest reads the files again and finds what is now public."""
    tree = make_tree(tmp_path / "in")
    env = fake_index(tmp_path / "idc", [], "1.0")
    first, _ = harvest(tmp_path, tree, env=env)
    assert first["contamination"]["public_series"] == 0
    assert first["contamination"]["public_index"]["version"] == "1.0"
    again, opened = harvest(tmp_path, tree, env=env)
    assert opened == [] and again["contamination"]["public_index"]["version"] == "1.0"
    public = pydicom.dcmread(tree / "a" / "t2" / "0.dcm", stop_before_pixels=True).SeriesInstanceUID
    env = fake_index(tmp_path / "idc", [public], "2.0")
    newer, opened = harvest(tmp_path, tree, env=env)
    assert len(opened) == 7 and newer["read_now"] == 7
    assert newer["contamination"]["public_series"] == 1
    assert newer["contamination"]["public_index"]["version"] == "2.0"
    assert newer["contamination"]["collections"][0]["collection"] == "demo_collection"
