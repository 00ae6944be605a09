"""/dicomweb (PS3.18, read-only) against a real `medal serve` over real vendor series (tests/vendor_catalog.py),
driven by the stock `dicomweb-client`: QIDO-RS searches with matching, includefield, limit and offset; WADO-RS
retrieves an instance whose header holds no identifying value of the original files, its metadata, frames and a
rendering; and the data's access rules (open for anyone, controlled 401/403, hidden test never)."""

from __future__ import annotations

import shutil

import pydicom
import pytest
from requests import HTTPError

from served import medal_server
from submission_fill import GE_SERIES
from vendor_catalog import build

STUDY, SERIES, SOP, MODALITY = "0020000D", "0020000E", "00080018", "00080061"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dicomweb")
    vendor = build(folder / "build")
    db = folder / "catalog.db"
    shutil.copyfile(vendor.db, db)
    with medal_server(db, folder) as base:
        yield base, vendor.tokens, db


def _client(base: str, token: str | None = None):
    from dicomweb_client.api import DICOMwebClient

    return DICOMwebClient(url=f"{base}/dicomweb", headers={"Authorization": f"Bearer {token}"} if token else None)


def _uid(item: dict, tag: str) -> str:
    return item[tag]["Value"][0]


def _original_values() -> list[bytes]:
    """Identifying values of the original GE files: UIDs, names, IDs, places, device."""
    values: set[str] = set()
    for source in GE_SERIES.iterdir():
        header = pydicom.dcmread(source, stop_before_pixels=True)
        values |= {
            str(header.get(k, "")).strip()
            for k in (
                "PatientName",
                "PatientID",
                "SeriesInstanceUID",
                "StudyInstanceUID",
                "SOPInstanceUID",
                "FrameOfReferenceUID",
                "InstitutionName",
                "StationName",
                "DeviceSerialNumber",
                "AccessionNumber",
                "StudyID",
                "PerformedStationName",
                "PerformedLocation",
                "ProtocolName",
            )
        }
    return [v.encode() for v in sorted(values) if len(v) > 3]


def test_qido_finds_only_the_studies_the_caller_may_retrieve(served):
    """Anonymous: one study (the open GE one, MR, 1 series, 14 instances); the admin: both; the series and
    instance levels answer under it; ModalitiesInStudy and UID-list matching filter; limit/offset page;
    includefield adds an attribute."""
    base, tokens, _ = served
    anonymous = _client(base)
    studies = anonymous.search_for_studies()
    assert len(studies) == 1
    study = studies[0]
    assert study[MODALITY]["Value"] == ["MR"] and study["00201206"]["Value"] == [1]
    assert study["00201208"]["Value"] == [14]
    assert len(_client(base, tokens["chair"]).search_for_studies()) == 2
    assert anonymous.search_for_studies(search_filters={"ModalitiesInStudy": "CT"}) == []
    uid = _uid(study, STUDY)
    assert len(anonymous.search_for_studies(search_filters={"StudyInstanceUID": f"1.2.3,{uid}"})) == 1
    assert len(anonymous.search_for_studies(search_filters={"0020000D": "1.2.3"})) == 0
    series = anonymous.search_for_series(uid)
    assert len(series) == 1 and series[0]["00201209"]["Value"] == [14]
    assert series[0]["00080060"]["Value"] == ["MR"]
    series_uid = _uid(series[0], SERIES)
    instances = anonymous.search_for_instances(uid, series_uid)
    assert len(instances) == 14 and len({_uid(i, SOP) for i in instances}) == 14
    page = anonymous.search_for_instances(uid, series_uid, limit=5, offset=10, fields=["ImageType"])
    assert [_uid(i, SOP) for i in page] == [_uid(i, SOP) for i in instances[10:14]]
    assert all(i["00080008"]["Value"] == ["ORIGINAL", "PRIMARY", "OTHER"] for i in page)
    import httpx

    misspelt = httpx.get(f"{base}/dicomweb/studies", params={"Modalty": "MR"}, timeout=10)
    assert misspelt.status_code == 400 and "'Modalty'" in misspelt.json()["detail"]
    assert len(anonymous.search_for_series(search_filters={"Modality": "M?"})) == 1
    assert anonymous.search_for_series(search_filters={"Modality": "C*"}) == []


def test_wado_retrieves_an_instance_whose_header_holds_no_identifying_value(served):
    """The retrieved instance is the catalog's rewrite: its UIDs are the series entry's, its pixels decode, and
    none of the original files' identifying values (UIDs, names, IDs, institution, station, device) is in its
    bytes; metadata, a frame and a PNG rendering come back too."""
    import httpx

    base, _, _ = served
    client = _client(base)
    study = _uid(client.search_for_studies()[0], STUDY)
    series = _uid(client.search_for_series(study)[0], SERIES)
    sop = _uid(client.search_for_instances(study, series)[0], SOP)
    instance = client.retrieve_instance(study, series, sop)
    assert instance.SOPInstanceUID == sop and instance.pixel_array.shape == (256, 256)
    entry = httpx.get(f"{base}/api/datasets/ge-dwi/series", timeout=10).json()["items"][0]
    document = httpx.get(f"{base}/api/series/{entry['id']}", timeout=10).json()["document"]
    assert document["series_instance_uid"] == series and document["study_instance_uid"] == study
    from io import BytesIO

    buffer = BytesIO()
    instance.save_as(buffer)
    secrets = _original_values()
    assert len(secrets) > 5
    assert not [i for i, s in enumerate(secrets) if s in buffer.getvalue()]  # indexes only: never the values
    assert not [e.tag for e in instance if e.tag.is_private]
    metadata = client.retrieve_instance_metadata(study, series, sop)
    assert metadata[SOP]["Value"] == [sop] and "7FE00010" not in metadata
    (frame,) = client.retrieve_instance_frames(study, series, sop, frame_numbers=[1])
    assert len(frame) == 256 * 256 * 2
    assert client.retrieve_instance_rendered(study, series, sop, media_types=("image/png",)).startswith(b"\x89PNG")
    # what 3D Slicer's DICOMUtils.importFromDICOMWeb calls: series search, series metadata, series instances
    assert len(client.retrieve_series_metadata(study, series)) == 14
    assert len(list(client.iter_series(study, series))) == 14


def test_a_controlled_study_is_refused_and_a_hidden_test_one_does_not_exist(served):
    """The controlled Philips study: anonymous 401, a reviewer 403, both without DICOM bytes; the admin
    retrieves it. Once its dataset is hidden_test, it is found by nobody and retrieved by nobody (404)."""
    import httpx

    from medal_catalog.catalog import Catalog

    base, tokens, db = served
    admin = _client(base, tokens["chair"])
    study = next(s for s in admin.search_for_studies() if s["00201208"]["Value"] == [27])
    uid = _uid(study, STUDY)
    url = f"{base}/dicomweb/studies/{uid}"
    for headers, status in (({}, 401), ({"Authorization": f"Bearer {tokens['rita']}"}, 403)):
        refused = httpx.get(url, headers=headers, timeout=30)
        assert refused.status_code == status and b"DICM" not in refused.content
    with pytest.raises(HTTPError) as raised:
        _client(base).retrieve_study(uid)
    assert raised.value.response.status_code == 401
    assert len(admin.retrieve_study(uid)) == 27
    with Catalog.open(f"sqlite:///{db}") as catalog:
        document = dict(catalog.get("ImagingDataset", "philips-fmri").document)
        catalog.put({**document, "access_level": "hidden_test"}, "chair", "test: sequester it")
    assert len(admin.search_for_studies()) == 1
    assert httpx.get(url, headers={"Authorization": f"Bearer {tokens['chair']}"}, timeout=30).status_code == 404
    assert httpx.get(f"{base}/dicomweb/studies/1.2.3", timeout=10).status_code == 404
