"""Folders of new DICOM series for the stress scripts: the real vendor MR files of the shared data (GE and Philips,
about 25 kB each) copied with fresh Study, Series and SOP Instance UIDs, so that each folder harvests as that many
series the catalog has never seen.

Only UIDs change (pydicom writes the copies); the files' other attributes, pixel data included, are the vendors'.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

#: The shared real DICOM, next to the worktrees (``../shared/data/dicom`` from the repository).
DEFAULT_SOURCE = Path(os.environ.get("MEDAL_STRESS_DICOM", "/work/shared/data/dicom"))
#: Series per made-up study: a folder of 1,200 series holds 300 studies.
SERIES_PER_STUDY = 4


def source_files(root: Path) -> list[Path]:
    """The DICOM files under ``root`` (Part 10 files: 'DICM' at byte 128), in a stable order."""
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        with path.open("rb") as handle:
            handle.seek(128)
            if handle.read(4) == b"DICM":
                found.append(path)
    if not found:
        raise SystemExit(f"no DICOM files under {root}: pass --dicom FOLDER (the shared vendor series)")
    return found


def read_sources(paths: list[Path]) -> list:
    """The source files as pydicom datasets, read once (about 25 MB for the shared series)."""
    import pydicom

    return [pydicom.dcmread(path) for path in paths]


def make_folder(dest: Path, sources: list, series: int, files_per_series: int, seed: int) -> Path:
    """Write ``series`` new series of ``files_per_series`` files each under ``dest`` (made whole in a sibling
    folder, then renamed, so a folder that exists is complete)."""
    from pydicom.uid import generate_uid

    if dest.exists():
        return dest
    partial = dest.with_name(dest.name + ".partial")
    partial.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    study = ""
    for s in range(series):
        if s % SERIES_PER_STUDY == 0:
            study = generate_uid()
        series_uid = generate_uid()
        start = rng.randrange(len(sources))
        for i in range(files_per_series):
            ds = sources[(start + i) % len(sources)]  # every UID below is set anew
            sop = generate_uid()
            ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID = study, series_uid, sop
            ds.file_meta.MediaStorageSOPInstanceUID = sop
            ds.InstanceNumber = i + 1
            ds.save_as(partial / f"s{s:05d}_{i:03d}.dcm", enforce_file_format=True)
    partial.rename(dest)
    return dest
