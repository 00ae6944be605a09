"""Croissant import: the mapping of every field, what is refused (invalid Croissant, checksum mismatch, locations
outside the folder) with nothing stored, access levels, kept files, idempotence, and `medal harvest` on a
Croissant file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from croissant_layouts import ORCID, csv_joins, dicom_zip, json_path

from medal_catalog.config import Settings
from medal_catalog.harvesters.croissant import import_croissant
from medal_catalog.ingestion import ingest_croissant
from medal_catalog.catalog import Catalog
from medal_catalog.store.base import validate_entry


@pytest.fixture
def catalog(tmp_path):
    with Catalog.open(f"sqlite:///{tmp_path / 'catalog.db'}") as opened:
        yield opened


def _edit(path: Path, **changes) -> Path:
    doc = json.loads(path.read_text())
    for key, value in changes.items():
        if value is None:
            doc.pop(key, None)
        else:
            doc[key] = value
    path.write_text(json.dumps(doc))
    return path


def _codes(result) -> set[str]:
    return {i.code for i in result.report.issues if i.severity.value == "error"}


def test_maps_every_field(tmp_path):
    """Name, description, version, keywords, licence, creators (ORCID, organisation), dates, citation, links,
    DUO consent, distribution (kind, role, path, media type, size, sha256), record sets (keys, types, joins) and
    RAI fields land in their slots; the entry is a valid, non-imaging ImagingDataset."""
    path = csv_joins(tmp_path)
    original = json.loads(path.read_text())
    result = import_croissant(path, settings=Settings())
    assert result.ok, result.report.to_dict()
    ds = result.dataset
    assert ds["id"] == "titanic-mini" and ds["title"] == "titanic-mini"
    assert ds["description"] == original["description"] and ds["version"] == "1.2.0"
    assert ds["keywords"] == ["test", "titanic-mini"] and ds["citation"] == original["citeAs"]
    assert ds["license"] == {"spdx_id": "CC-BY-4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}
    assert ds["access_level"] == "open" and ds["created"] == "2025-03-01"
    assert ds["provenance"]["contributors"] == [{"name": "Ada Example", "orcid": ORCID}]
    assert ds["provenance"]["organizations"] == [{"name": "Example Lab", "url": "https://example.org/lab"}]
    assert ds["provenance"]["derived_from"] == ["https://example.org/titanic-mini"]
    assert ds["provenance"]["harvest_runs"][0]["source_kind"] == "croissant"
    assert ds["consent"]["duo_permission"] == "GRU" and ds["consent"]["duo_modifiers"] == ["PUB"]
    assert ds["consent"]["consent_type"] == "broad"
    by_name = {d["name"]: d for d in ds["distribution"]}
    passengers = next(d for d in original["distribution"] if d["name"] == "passengers.csv")
    assert by_name["passengers.csv"] == {
        "name": "passengers.csv",
        "distribution_kind": "file",
        "distribution_role": "other",
        "path": "passengers.csv",
        "media_type": "text/csv",
        "byte_size": int(passengers["contentSize"][:-2]),
        "sha256": passengers["sha256"],
    }
    assert by_name["genders.csv"]["path"] == "data/genders.csv"
    sets = {r["name"]: r for r in ds["record_sets"]}
    assert sets["genders"]["key_fields"] == ["genders/label"]
    fields = {f["name"]: f for f in sets["passengers"]["fields"]}
    assert fields["gender"] == {"name": "gender", "data_types": ["sc:Text"], "references": "genders/label"}
    assert fields["survived"]["data_types"] == ["sc:Integer"]
    rai = ds["responsible_ai"]
    assert rai["data_collection"] == original["rai:dataCollection"]
    assert rai["data_biases"] == original["rai:dataBiases"] and rai["use_cases"] == original["rai:dataUseCases"]
    assert rai["annotator_expertise"] == original["rai:annotatorDemographics"]
    assert rai["annotator_agreement"] == original["rai:dataAnnotationAnalysis"]
    assert rai["preprocessing"] == original["rai:dataPreprocessingProtocol"]
    assert rai["annotation_protocol"] == original["rai:dataAnnotationProtocol"]
    assert ds["collection_period"] == {"start_date": "2024-01-01", "end_date": "2024-06-30"}
    assert ds["source_document"] == path.name and "modalities" not in ds
    assert ds["file_formats"] == ["text/csv"]
    assert not validate_entry(ds).problems


@pytest.mark.parametrize(
    ("license_", "expected"),
    [
        ("https://spdx.org/licenses/MIT.html", {"spdx_id": "MIT"}),
        ("afl-3.0", {"spdx_id": "AFL-3.0"}),
        (
            "https://choosealicense.com/licenses/mit/",
            {"spdx_id": "MIT", "url": "https://choosealicense.com/licenses/mit/"},
        ),
        (
            "https://creativecommons.org/publicdomain/zero/1.0/",
            {"spdx_id": "CC0-1.0", "url": "https://creativecommons.org/publicdomain/zero/1.0/"},
        ),
        (
            {"@type": "sc:CreativeWork", "name": "Hospital Data Licence", "url": "https://example.org/licence"},
            {"spdx_id": "LicenseRef-Hospital-Data-Licence", "url": "https://example.org/licence"},
        ),
    ],
)
def test_licence_as_spdx(tmp_path, license_, expected):
    """A licence given as an SPDX URL or id, a known licence page, or anything else (LicenseRef + url)."""
    result = import_croissant(
        _edit(json_path(tmp_path), license=license_), access_level="registered", settings=Settings()
    )
    assert result.dataset and result.dataset["license"] == expected, result.report.to_dict()


def test_access_level_rules(tmp_path, catalog):
    """A non-open licence needs an access level from the caller (clear error, nothing stored); the document's
    medal:accessLevel wins; a non-open dataset keeps only its original, never its data files."""
    path = _edit(json_path(tmp_path), license="https://example.org/licence")
    refused = ingest_croissant(path, catalog).detail
    assert "croissant.access-level-required" in _codes(refused) and catalog.store.count() == 0
    result = ingest_croissant(path, catalog, access_level="registered").detail
    assert result.ok and result.dataset["access_level"] == "registered"
    assert [f.path for f in catalog.store.list_files("ImagingDataset", "json-items")] == [path.name]
    declared = import_croissant(
        _edit(path, **{"medal:accessLevel": "registered"}), access_level="open", settings=Settings()
    )
    assert declared.dataset["access_level"] == "registered"
    assert "croissant.access-level-conflict" in {i.code for i in declared.report.issues}


def test_open_dataset_keeps_original_and_files(tmp_path, catalog):
    """An open import keeps the original byte for byte and its local files; re-importing changes nothing."""
    path = csv_joins(tmp_path)
    first = ingest_croissant(path, catalog).detail
    assert first.stored.status == "created"
    kept = {f.path: f for f in catalog.store.list_files("ImagingDataset", "titanic-mini")}
    assert set(kept) == {path.name, "passengers.csv", "data/genders.csv", "data/embarkation_ports.csv"}
    assert catalog.store.get_file("ImagingDataset", "titanic-mini", path.name).data == path.read_bytes()
    again = ingest_croissant(path, catalog).detail
    assert again.stored.status == "unchanged" and len(catalog.history("ImagingDataset", "titanic-mini")) == 1
    hits = catalog.search("lookup tables")
    assert "ImagingDataset:titanic-mini" in [h.key for h in hits.hits]


def test_dataset_id_override_and_dicom_roles(tmp_path):
    """--dataset replaces the id made from the name; a DICOM zip is an archive whose file set holds images."""
    result = import_croissant(dicom_zip(tmp_path), dataset_id="head-mri-2025", settings=Settings())
    assert result.dataset["id"] == "head-mri-2025"
    roles = {d["name"]: (d["distribution_kind"], d["distribution_role"]) for d in result.dataset["distribution"]}
    assert roles == {"dicom.zip": ("file", "archive"), "dicom-files": ("file_set", "images")}
    assert next(d for d in result.dataset["distribution"] if d["name"] == "dicom-files")["contained_in"] == "dicom.zip"


def test_invalid_croissant_stores_nothing(tmp_path, catalog):
    """mlcroissant's errors come back as the report and nothing is stored."""
    path = json_path(tmp_path)
    doc = json.loads(path.read_text())
    doc["recordSet"][0]["field"][0]["source"]["fileObject"]["@id"] = "no-such-file"
    path.write_text(json.dumps(doc))
    result = ingest_croissant(path, catalog).detail
    assert not result.ok and "croissant.error" in _codes(result)
    assert catalog.store.count() == 0 and not catalog.store.list_files("ImagingDataset", "json-items")


def test_not_croissant(tmp_path):
    """A JSON file that is not a Croissant dataset is refused as such."""
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"type": "ImagingDataset", "id": "x"}))
    assert _codes(import_croissant(path, settings=Settings())) == {"croissant.not-croissant"}


def test_checksum_mismatch(tmp_path, catalog):
    """A local file whose sha256 differs from the declared one is an error; nothing is stored."""
    path = csv_joins(tmp_path)
    (tmp_path / "data" / "genders.csv").write_text("label,url\nother,https://example.org\n")
    result = ingest_croissant(path, catalog).detail
    assert "croissant.sha256-mismatch" in _codes(result)
    assert catalog.store.count() == 0


@pytest.mark.parametrize(
    "location", ["../outside.csv", "/etc/passwd", "file:///etc/passwd", "data/../../x.csv", "link.csv"]
)
def test_locations_outside_the_folder_are_refused(tmp_path, catalog, location):
    """A contentUrl that leaves the Croissant file's folder (.., absolute, file:, a symlink out) is refused before
    anything reads it; nothing is stored."""
    folder = tmp_path / "in"
    folder.mkdir()
    (tmp_path / "outside.csv").write_text("id,name,price\nsecret,x,1\n")
    os.symlink(tmp_path / "outside.csv", folder / "link.csv")
    path = json_path(folder)
    doc = json.loads(path.read_text())
    doc["distribution"][0]["contentUrl"] = location
    path.write_text(json.dumps(doc))
    result = ingest_croissant(path, catalog).detail
    assert not result.ok and catalog.store.count() == 0
    assert _codes(result) & {"croissant.unsafe-location"}, result.report.to_dict()


def test_file_set_pattern_outside_the_folder_is_refused(tmp_path):
    """A FileSet whose includes climbs out of the folder is refused."""
    path = json_path(tmp_path)
    doc = json.loads(path.read_text())
    doc["distribution"].append(
        {"@type": "cr:FileSet", "@id": "up", "name": "up", "encodingFormat": "text/csv", "includes": "../*.csv"}
    )
    path.write_text(json.dumps(doc))
    assert "croissant.unsafe-location" in _codes(import_croissant(path, settings=Settings()))


def _medal(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).with_name("medal")), *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow
def test_cli_harvest_croissant(tmp_path):
    """`medal harvest x.croissant.json --json` lists the stored dataset and kept files; --dataset and
    --access-level apply; an invalid file exits 1 with its report and stores nothing."""
    path = _edit(json_path(tmp_path), license="https://example.org/licence")
    db = f"sqlite:///{tmp_path / 'c.db'}"
    refused = _medal("harvest", str(path), "--catalog", db, cwd=tmp_path)
    assert refused.returncode == 1 and "croissant.access-level-required" in refused.stdout
    done = _medal(
        "harvest",
        str(path),
        "--catalog",
        db,
        "--json",
        "--access-level",
        "registered",
        "--dataset",
        "items-2025",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["dataset"] == "items-2025" and summary["stored"][0]["status"] == "created"
    assert [f["path"] for f in summary["files"]] == [path.name]


@pytest.mark.parametrize("layout", ["zip", "folder"])
def test_identifying_dicom_is_never_kept(tmp_path, catalog, layout):
    """An open Croissant whose DICOM (in its zip, or in a local file set) carries a patient's identity is refused:
    each such file is reported (dicom.phi, tag, no value) and nothing is stored, neither the dataset nor a file."""
    import hashlib
    import io
    import zipfile

    from croissant_layouts import dicom_folder
    from dicom_samples import PHI, mr_dataset, write

    if layout == "zip":
        path = dicom_zip(tmp_path)
        archive = tmp_path / "dicom.zip"
        data = io.BytesIO(archive.read_bytes())
        with zipfile.ZipFile(data, "a") as zipped:
            out = io.BytesIO()
            mr_dataset(series="se2", instance=3, phi=True).save_as(out, enforce_file_format=True)
            zipped.writestr("DICOM/se2/IM0003.dcm", out.getvalue())
        archive.write_bytes(data.getvalue())
        digest = hashlib.sha256(data.getvalue()).hexdigest()
        _edit(
            path,
            distribution=[
                {**d, "sha256": digest, "contentSize": f"{len(data.getvalue())} B"} if d["@id"] == "dicom.zip" else d
                for d in json.loads(path.read_text())["distribution"]
            ],
        )
        flagged = "dicom.zip!DICOM/se2/IM0003.dcm"
    else:
        path = dicom_folder(tmp_path)
        write(mr_dataset(series="se2", instance=4, phi=True), tmp_path / "dicom" / "se2" / "IM0004.dcm")
        flagged = "dicom/se2/IM0004.dcm"
    result = ingest_croissant(path, catalog).detail
    phi = [i for i in result.report.issues if i.code == "dicom.phi"]
    assert {i.file for i in phi} == {f"{tmp_path}/{flagged}"}
    assert "(0010,0010)" in {i.tag for i in phi}
    report = json.dumps(result.report.to_dict())
    assert not any(value in report for value in (PHI["PatientName"], PHI["PatientID"], PHI["InstitutionName"]))
    # The audit is part of the one verdict (validators/croissant.py), so the document is not even mapped.
    assert catalog.store.count() == 0 and result.dataset is None and result.stored is None


@pytest.mark.parametrize("layout", ["zip", "folder"])
def test_local_dicom_is_harvested_into_series(tmp_path, catalog, layout):
    """The DICOM a Croissant lists (in its zip, or in a local file set) is harvested as a submission's is: typed
    series entries, counts and modalities on the dataset, which stays findable by them; the Croissant's own
    distribution is kept as it describes it, and re-importing changes nothing."""
    from croissant_layouts import dicom_folder

    path = dicom_zip(tmp_path) if layout == "zip" else dicom_folder(tmp_path)
    result = ingest_croissant(path, catalog, access_level="registered").detail
    assert result.ok, result.report.to_dict()
    dataset_id = result.dataset["id"]
    stored = catalog.get("ImagingDataset", dataset_id).document
    instances = 4 if layout == "zip" else 6
    assert (stored["series_count"], stored["instance_count"], stored["modalities"]) == (2, instances, ["MR"])
    assert [d["name"] for d in stored["distribution"]] == [
        d["name"] for d in json.loads(path.read_text())["distribution"]
    ]
    series = [v.document for v in catalog.store.iter_current(["ImagingSeries"])]
    assert len(series) == 2 and {s["dataset"] for s in series} == {dataset_id}
    assert {s["instance_count"] for s in series} == {instances // 2}
    assert "ImagingDataset:" + dataset_id in [h.key for h in catalog.search("", filters={"modality": "MR"}).hits]
    again = ingest_croissant(path, catalog, access_level="registered").detail
    assert again.stored.status == "unchanged" and not any(s.changed for s in again.stored_series)
