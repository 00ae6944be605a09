"""What the catalog keeps and serves of a dataset's DICOM is its own rewrite (issue 15): no original identifying
value in the archive, UIDs replaced consistently, and a name a "clean" description carries appears nowhere."""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import pydicom
import pytest
from click.testing import CliRunner
from pydicom.sequence import Sequence

from conftest import EXAMPLES
from dicom_samples import code_item
from medal_catalog.catalog import Catalog
from medal_catalog.cli import main
from medal_catalog.dicom.annex_e import ANNEX_E
from medal_catalog.dicom.audit import audit_content

OPEN_EXAMPLES = {"ct-lung-nodule-malignancy": "ct-lung-screening-2019-2023"}
IDENTIFYING_KINDS = {"patient", "person", "identifier", "institution", "device", "uid", "date"}


def make_open(folder: Path) -> Path:
    text = (folder / "dataset.yaml").read_text()
    text = text.replace("access_level: controlled", "access_level: open")
    text = re.sub(r"license:\n(  .*\n)+?(?=data_use_conditions)", "license:\n  spdx_id: CC-BY-4.0\n", text)
    (folder / "dataset.yaml").write_text(text)
    return folder


def harvest(folder: Path, db: Path) -> dict:
    run = CliRunner().invoke(
        main,
        [
            "harvest",
            str(folder),
            "--catalog",
            f"sqlite:///{db}",
            "--json",
            "--out",
            str(db.parent / "out"),
            "--jobs",
            "1",
        ],
    )
    return json.loads(run.output)


def identifying_values(path: Path) -> set[str]:
    """Every value of an Annex E identifying attribute in the file (any depth), 6 characters or more."""
    found: set[str] = set()
    ds = pydicom.dcmread(path)
    for element in [*ds.file_meta, *ds.iterall()]:
        entry = ANNEX_E.get(int(element.tag))
        if entry is None or entry.kind not in IDENTIFYING_KINDS or element.VR == "SQ" or element.VR == "TM":
            continue
        if entry.kind == "uid" and str(element.value).startswith("1.2.840.10008."):
            continue
        for value in (
            element.value if isinstance(element.value, (list, pydicom.multival.MultiValue)) else [element.value]
        ):
            if len(str(value)) >= 6:
                found.add(str(value))
    return found


@pytest.mark.parametrize("example", sorted(OPEN_EXAMPLES))
def test_served_copies_of_an_open_example_hold_no_original_identifying_value(tmp_path, example):
    """Byte search of dicom.zip (and of each file in it) for every original identifying value finds none; each
    copy passes the audit; series and studies still group, with the series entries' UIDs."""
    folder = make_open(shutil.copytree(EXAMPLES / "valid" / example, tmp_path / "sub"))
    originals = sorted(p for p in (folder / "dicom").rglob("*.dcm"))
    values = set().union(*(identifying_values(p) for p in originals))
    assert len(values) > len(originals)  # UIDs and dates at least: the search has something to find
    harvest(folder, tmp_path / "cat.db")
    with Catalog.open(f"sqlite:///{tmp_path / 'cat.db'}") as catalog:
        archive = catalog.store.get_file("ImagingDataset", OPEN_EXAMPLES[example], "dicom.zip").data
        series = {v.document["id"]: v.document for v in catalog.store.iter_current(["ImagingSeries"])}
    members = zipfile.ZipFile(io.BytesIO(archive))
    names = members.namelist()
    assert len(names) == len(originals)
    contents = {name: members.read(name) for name in names}
    for value in values:
        assert value.encode() not in archive
        assert not any(value.encode() in data for data in contents.values())
    studies_of_original = {pydicom.dcmread(p).StudyInstanceUID for p in originals}
    served_studies = set()
    for name, data in contents.items():
        assert audit_content(data, name)[1] == []
        ds = pydicom.dcmread(io.BytesIO(data))
        assert ds.SeriesInstanceUID == series[name.split("/")[0]]["series_instance_uid"]
        assert ds.PatientIdentityRemoved == "YES" and not any(e.tag.is_private for e in ds)
        served_studies.add(ds.StudyInstanceUID)
    assert len(served_studies) == len(studies_of_original)


def test_an_injected_name_in_a_description_declared_clean_appears_in_no_output(tmp_path):
    """Clean Descriptors declared, the patient's surname in SeriesDescription, StudyDescription and ProtocolName:
    not in the stored entries, JSON, JSON-LD, Turtle, version history, Croissant export or dicom.zip."""
    import warnings

    folder = make_open(shutil.copytree(EXAMPLES / "valid" / "ct-lung-nodule-malignancy", tmp_path / "sub"))
    target = sorted((folder / "dicom").rglob("*.dcm"))[0]
    ds = pydicom.dcmread(target)
    ds.PatientName, ds.PatientID = "Zorblatt^Henrietta", "ZB778812"
    ds.SeriesDescription = ds.StudyDescription = "Zorblatt chest follow-up"
    ds.ProtocolName = "zorblatt low dose"
    ds.DeidentificationMethodCodeSequence = Sequence([code_item("113100"), code_item("113105")])
    ds.save_as(target)
    db = tmp_path / "cat.db"
    harvest(folder, db)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from medal_catalog.api import create_app
    from medal_catalog.config import Settings

    from medal_catalog.api.tokens import create_token
    from medal_catalog.store import open_store

    store = open_store(f"sqlite:///{db}")
    try:
        admin = {"Authorization": f"Bearer {create_token(store, 'ada', 'admin')}"}
    finally:
        store.close()
    dataset = OPEN_EXAMPLES["ct-lung-nodule-malignancy"]
    outputs = [db.read_bytes()]
    with TestClient(create_app(Settings(catalog=f"sqlite:///{db}")), headers=admin) as client:
        listing = client.get(f"/api/datasets/{dataset}/series").json()
        ids = [s["id"] for s in listing.get("items", listing.get("results", []))]
        assert ids
        for path in [f"/api/datasets/{dataset}", *[f"/api/series/{i}" for i in ids]]:
            for fmt in ("json", "jsonld", "ttl"):
                outputs.append(client.get(f"{path}?format={fmt}").content)
            outputs.append(client.get(f"{path}/versions").content)
            outputs.append(client.get(f"{path}/versions/1").content)
        outputs.append(client.get(f"/api/datasets/{dataset}/croissant").content)
        outputs.append(client.get(f"/api/datasets/{dataset}/files/dicom.zip").content)
    archive = zipfile.ZipFile(io.BytesIO(outputs[-1]))
    outputs += [archive.read(n) for n in archive.namelist()]
    out_dir = tmp_path / "out"
    outputs += [p.read_bytes() for p in out_dir.rglob("*") if p.is_file() and p.suffix != ".cache"]
    for output in outputs:
        assert b"zorblatt" not in output.lower()
        assert b"ZB778812" not in output


def test_validate_says_which_files_would_be_rewritten_and_how(tmp_path):
    """`medal validate` tells the contributor, as an info per dataset, how many DICOM files the catalog would
    rewrite, with which options, and which declared options it does not apply."""
    folder = make_open(shutil.copytree(EXAMPLES / "valid" / "ct-lung-nodule-malignancy", tmp_path / "sub"))
    text = (
        (folder / "dataset.yaml")
        .read_text()
        .replace("profile_options: [basic_profile,", "profile_options: [basic_profile, retain_device_identity,")
    )
    (folder / "dataset.yaml").write_text(text)
    run = CliRunner().invoke(main, ["validate", str(folder), "--json"])
    infos = [i for i in json.loads(run.output)["issues"] if i["code"] == "dicom.rewrite"]
    assert len(infos) == 1 and infos[0]["severity"] == "info"
    message = infos[0]["message"]
    count = len(list((folder / "dicom").rglob("*.dcm")))
    assert f"{count} DICOM files" in message and "retain_longitudinal_modified_dates" in message
    assert "declared but not applied: retain_device_identity" in message


def test_an_imported_croissant_zip_of_dicom_is_kept_as_the_catalogs_rewrite(tmp_path):
    """The DICOM zip a Croissant lists is kept rewritten (no original UID in it, the export's sha256 is the
    copy's); without medal:burnedInAnnotation NO it is an error naming each file, and nothing is kept."""
    from croissant_layouts import dicom_zip

    from medal_catalog.config import Settings
    from medal_catalog.harvesters.croissant import import_croissant

    path = dicom_zip(tmp_path / "a")
    original = zipfile.ZipFile(path.parent / "dicom.zip")
    uids = {str(pydicom.dcmread(io.BytesIO(original.read(n))).SOPInstanceUID) for n in original.namelist()}
    result = import_croissant(path, access_level="open", settings=Settings())
    assert result.ok, result.report.to_dict()
    kept = result.files["dicom.zip"][0]
    assert kept != (path.parent / "dicom.zip").read_bytes()
    copies = zipfile.ZipFile(io.BytesIO(kept))
    assert copies.namelist() == sorted(original.namelist())
    for name in copies.namelist():
        ds = pydicom.dcmread(io.BytesIO(copies.read(name)))
        assert ds.PatientIdentityRemoved == "YES" and str(ds.SOPInstanceUID) not in uids
    assert not any(uid.encode() in copies.read(n) for uid in uids for n in copies.namelist())

    undeclared = dicom_zip(tmp_path / "b", **{"medal:burnedInAnnotation": "UNKNOWN"})
    refused = import_croissant(undeclared, access_level="open", settings=Settings())
    errors = [i for i in refused.report.issues if i.code == "dicom.not-kept"]
    assert len(errors) == len(uids) and not refused.ok


def test_a_file_whose_path_reports_mask_is_still_served(tmp_path):
    """A file named like a patient (or a timestamped UID) is shown as 'file N' in reports and the manifest; its
    copy still goes into dicom.zip (the archive found files by their shown path, and lost this one)."""
    folder = make_open(shutil.copytree(EXAMPLES / "valid" / "ct-lung-nodule-malignancy", tmp_path / "sub"))
    originals = sorted((folder / "dicom").rglob("*.dcm"))
    originals[0].rename(originals[0].with_name("1.3.12.2.1107.5.2.32.35162.2012021516003437519.dcm"))
    summary = harvest(folder, tmp_path / "cat.db")
    assert not summary.get("files_not_kept"), summary.get("files_not_kept")
    with Catalog.open(f"sqlite:///{tmp_path / 'cat.db'}") as catalog:
        archive = catalog.store.get_file("ImagingDataset", OPEN_EXAMPLES["ct-lung-nodule-malignancy"], "dicom.zip").data
    assert len(zipfile.ZipFile(io.BytesIO(archive)).namelist()) == len(originals)
