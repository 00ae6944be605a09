"""A catalog of real vendor series, as a contributor submits them and the panel accepts them: the GE DWI series
(14 files) in an open dataset, the Philips fMRI series (27 files) in a controlled one, each the only dataset of an
accepted task, so that an anonymous visitor finds both and may fetch only the open one's data.

Each series is first de-identified by the contributor's own tool (the Basic Profile under the contributor's key,
as tests/api/test_submit.py does): the originals carry identifying attributes that the harvest's audit flags and
would keep out of the catalog's served copy. The harvest then stores its own rewrite in each dataset's dicom.zip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from submission_fill import DICOM_ROOT, GE_SERIES, PHILIPS_SERIES, fill

#: (task id, dataset id, source series, access level)
SPECS = (
    ("ge-dwi-task", "ge-dwi", GE_SERIES, "open", "GE diffusion tensor series"),
    ("philips-fmri-task", "philips-fmri", PHILIPS_SERIES, "controlled", "Philips EPI series"),
)
DEID_SECRET = "medal vendor test secret 1"  # one that keeps every file of both series (see build)
REVIEWERS = {"rita": "reviewer", "remy": "reviewer", "chair": "admin", "amira": "contributor"}


@dataclass
class VendorCatalog:
    db: Path
    tokens: dict[str, str]


def deidentified_copy(source: Path, target: Path) -> Path:
    """The files of ``source`` as a contributor's de-identification tool leaves them, named 00001.dcm, ..."""
    from medal_catalog.dicom.deidentify import Deidentifier, plan, served_copy

    target.mkdir(parents=True)
    tool = Deidentifier(b"the contributor's own tool key", plan({"profile_options": ["basic_profile"]}))
    for n, path in enumerate(sorted(p for p in source.rglob("*") if p.is_file()), start=1):
        copy, why = served_copy(path.read_bytes(), "file.dcm", tool, "NO")  # (names with digits can meet a
        # digit run of a pseudonym: the audit would take it for an identifying path)
        assert copy is not None, why
        (target / f"{n:05d}.dcm").write_bytes(copy)
    return target


def build(folder: Path, specs: tuple = SPECS) -> VendorCatalog:
    """Harvest the vendor submissions (``specs``: task id, dataset id, series folder, access level, title) into
    ``folder``/catalog.db, accept their tasks, and make one token per name in REVIEWERS."""
    from fastapi.testclient import TestClient

    from api.conftest import accept_with_reviews
    from medal_catalog.api import create_app
    from medal_catalog.api.tokens import create_token
    from medal_catalog.config import Settings
    from medal_catalog.store import open_store

    medal = Path(sys.executable).with_name("medal")
    submissions = []
    for task_id, dataset_id, source, level, title in specs:
        sub = folder / task_id
        subprocess.run([str(medal), "init", "submission", str(sub)], check=True, capture_output=True)
        shutil.rmtree(sub / "dicom", ignore_errors=True)
        fill(sub, deidentified_copy(source, folder / "deidentified" / dataset_id / source.name), access_level=level)
        for name in ("task.yaml", "dataset.yaml"):
            text = (sub / name).read_text(encoding="utf-8")
            text = text.replace("my-dataset", dataset_id).replace("my-task", task_id)
            (sub / name).write_text(text.replace("title: Philips EPI series", f"title: {title}"), encoding="utf-8")
        submissions.append(str(sub))
    db = folder / "catalog.db"
    # A fixed secret: the catalog's pseudonyms (and so its rewrite) are then the same on every run. (With some
    # secrets the audit takes a digit run of the PatientID pseudonym, e.g. "15", for a token of the file that the
    # rewrite's own DeidentificationMethod "PS3.15" mentions, and leaves every file out.)
    env = {**os.environ, "MEDAL_DEID_SECRET": DEID_SECRET}
    done = subprocess.run(
        [str(medal), "harvest", *submissions, "--catalog", f"sqlite:///{db}", "--out", str(folder / "out")],
        cwd=folder,
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    store = open_store(f"sqlite:///{db}")
    try:
        for _, dataset_id, *_ in specs:
            assert store.get_file("ImagingDataset", dataset_id, "dicom.zip") is not None, done.stdout
        tokens = {name: create_token(store, name, role) for name, role in REVIEWERS.items()}
    finally:
        store.close()
    with TestClient(create_app(Settings(catalog=f"sqlite:///{db}"))) as client:
        for task_id, *_ in specs:
            answer = accept_with_reviews(client.post, task_id, lambda n: {"Authorization": f"Bearer {tokens[n]}"})
            assert answer.status_code == 200, answer.text
    return VendorCatalog(db, tokens)


__all__ = ["DICOM_ROOT", "SPECS", "VendorCatalog", "build", "deidentified_copy"]
