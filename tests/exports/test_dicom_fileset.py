"""An open dataset's DICOM: the harvest keeps the files its audit found clean as a zip laid out by series, and the
Croissant export describes them as a DICOM FileSet whose `images` record set mlcroissant 1.1.1 loads (file paths,
series, modality; not pixel content, which it cannot cast), locally and over HTTP."""

from __future__ import annotations

import io
import json
import logging
import re
import shutil
import zipfile

import mlcroissant as mlc
import pydicom
import pytest
from click.testing import CliRunner

from medal_catalog.cli import main
from medal_catalog.catalog import Catalog

from conftest import EXAMPLES
from dicom_samples import mr_dataset, write

DATASET = "ct-lung-screening-2019-2023"


def open_submission(folder, burned_in: str = "NO"):
    """The CT lung example made open access under CC-BY-4.0."""
    shutil.copytree(EXAMPLES / "valid" / "ct-lung-nodule-malignancy", folder)
    text = (folder / "dataset.yaml").read_text()
    text = text.replace("access_level: controlled", "access_level: open")
    text = re.sub(r"license:\n(  .*\n)+?(?=data_use_conditions)", "license:\n  spdx_id: CC-BY-4.0\n", text)
    text = text.replace('burned_in_annotation: "NO"', f'burned_in_annotation: "{burned_in}"')
    (folder / "dataset.yaml").write_text(text)
    return folder


def harvest(folder, db):
    run = CliRunner().invoke(
        main, ["harvest", str(folder), "--catalog", f"sqlite:///{db}", "--json", "--out", str(db.parent / "out")]
    )
    return json.loads(run.output)


@pytest.fixture
def harvested(tmp_path):
    db = tmp_path / "cat.db"
    summary = harvest(open_submission(tmp_path / "sub"), db)
    return db, summary


def test_the_archive_holds_the_clean_files_by_series_without_their_names(harvested):
    db, summary = harvested
    assert summary["files_kept"][DATASET] == ["dicom.zip", "labels.csv"]
    with Catalog.open(f"sqlite:///{db}") as catalog:
        archive = catalog.store.get_file("ImagingDataset", DATASET, "dicom.zip")
        series = {v.id: v.document for v in catalog.store.iter_current(["ImagingSeries"])}
    names = zipfile.ZipFile(io.BytesIO(archive.data)).namelist()
    assert len(names) == sum(s["instance_count"] for s in series.values()) == 8
    assert {n.split("/")[0] for n in names} == set(series)
    assert all(re.fullmatch(r"[^/]+/\d{5}\.dcm", n) for n in names)
    with zipfile.ZipFile(io.BytesIO(archive.data)) as z:
        for name in names:
            uid = pydicom.dcmread(io.BytesIO(z.read(name))).SeriesInstanceUID
            assert uid == series[name.split("/")[0]]["series_instance_uid"]


def test_files_with_identifying_attributes_and_undeclared_burned_in_text_stay_out(tmp_path):
    folder = open_submission(tmp_path / "sub")
    flagged = mr_dataset(subject="lung-009")  # carries a patient name, among others
    write(flagged, folder / "dicom" / "lung-009" / "0001.dcm")
    summary = harvest(folder, tmp_path / "cat.db")
    assert [item["reason"] for item in summary["files_not_kept"]] == [
        "1 of 9 DICOM files left out of dicom.zip (identifying attributes or paths, or inside a zip)"
    ]
    with Catalog.open(f"sqlite:///{tmp_path / 'cat.db'}") as catalog:
        archive = catalog.store.get_file("ImagingDataset", DATASET, "dicom.zip").data
    assert len(zipfile.ZipFile(io.BytesIO(archive)).namelist()) == 8
    assert b"Quixwell" not in archive
    other = open_submission(tmp_path / "sub2", burned_in="UNKNOWN")
    summary = harvest(other, tmp_path / "cat2.db")
    assert summary["files_kept"][DATASET] == ["labels.csv"]
    assert "burned-in annotation" in summary["files_not_kept"][0]["reason"]


def _images(jsonld: str) -> list[dict]:
    logging.disable(logging.WARNING)
    try:
        dataset = mlc.Dataset(jsonld=jsonld)
        assert not dataset.metadata.ctx.issues.errors
        return [{k.split("/")[1]: v.decode() for k, v in r.items()} for r in dataset.records("images")]
    finally:
        logging.disable(logging.NOTSET)


@pytest.mark.slow
def test_exported_dicom_fileset_loads_in_mlcroissant_locally_and_over_http(harvested, tmp_path, monkeypatch):
    from medal_catalog.api.tokens import create_token
    from medal_catalog.store import open_store

    from served import medal_server

    db, _ = harvested
    run = CliRunner().invoke(main, ["export", DATASET, "--catalog", f"sqlite:///{db}", "--out", str(tmp_path / "x")])
    assert run.exit_code == 0, run.output
    with Catalog.open(f"sqlite:///{db}") as catalog:
        series = {v.id: v.document for v in catalog.store.iter_current(["ImagingSeries"])}
    local = _images(str(tmp_path / "x" / f"{DATASET}.croissant.json"))
    assert len(local) == 8 and {r["series_id"] for r in local} == set(series)
    for record in local:
        header = pydicom.dcmread(record["file"], stop_before_pixels=True)
        assert header.SeriesInstanceUID == series[record["series_id"]]["series_instance_uid"]
        assert record["modality"] == series[record["series_id"]]["modality"] == header.Modality

    store = open_store(f"sqlite:///{db}")
    token = create_token(store, "chair", "admin")
    store.close()
    with medal_server(db, tmp_path) as base:
        monkeypatch.setenv("CROISSANT_BASIC_AUTH_USERNAME", "chair")
        monkeypatch.setenv("CROISSANT_BASIC_AUTH_PASSWORD", token)
        netrc = tmp_path / "netrc"
        netrc.write_text(f"machine 127.0.0.1 login chair password {token}\n")
        netrc.chmod(0o600)
        monkeypatch.setenv("NETRC", str(netrc))  # requests (mlcroissant's JSON-LD fetch) reads it
        remote = _images(f"{base}/api/datasets/{DATASET}/croissant")
    assert sorted((r["series_id"], r["filename"]) for r in remote) == sorted(
        (r["series_id"], r["filename"]) for r in local
    )
