"""`medal submit` and `medal status`: a submission made with `medal init` around real DICOM is validated and
harvested on the contributor's side and sent to a real catalog, which stores it through the same ingest as
`medal harvest`, keeps its label table and refuses what it must (DICOM it did not rewrite, bytes not declared)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from api.conftest import auth
from medal_catalog.config import Settings
from medal_catalog.cli import main
from served import medal_server
from submission_fill import LABELS, PHILIPS_SERIES, fill

real = pytest.mark.skipif(not PHILIPS_SERIES.is_dir(), reason="the shared real DICOM is not here")
MEDAL = Path(sys.executable).with_name("medal")


def _token(db: Path, role: str, name: str) -> str:
    made = subprocess.run(
        [str(MEDAL), "token", "create", "--role", role, "--name", name, "--catalog", f"sqlite:///{db}"],
        check=True,
        capture_output=True,
        text=True,
    )
    return made.stdout.strip()


def _submission(tmp_path: Path, **options) -> Path:
    folder = tmp_path / "my-submission"
    assert CliRunner().invoke(main, ["init", "submission", str(folder)]).exit_code == 0
    fill(folder, PHILIPS_SERIES, **options)
    return folder


@real
@pytest.mark.slow
def test_init_fill_validate_submit_and_find_it_submitted(tmp_path):
    """init -> fill from a real Philips series -> validate (no entry error) -> `medal submit` to a real uvicorn
    -> the task is found as submitted with its dataset's harvested series and kept labels; `medal status`
    says submitted and that the feedback comes once the panel decides."""
    folder = _submission(tmp_path)
    checked = subprocess.run([str(MEDAL), "validate", str(folder), "--json"], capture_output=True, text=True)
    report = json.loads(checked.stdout)
    assert {e["id"]: e["valid"] for e in report["entries"]} == {"my-task": True, "my-dataset": True}
    db = tmp_path / "catalog.db"
    token = _token(db, "contributor", "amira")
    reviewer = _token(db, "reviewer", "rita")
    with medal_server(db, tmp_path) as base:
        sent = subprocess.run(
            [str(MEDAL), "submit", str(folder), "--to", base, "--token", token, "--json"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
        assert sent.returncode == 0, sent.stderr
        result = json.loads(sent.stdout)
        task = next(e for e in result["stored"] if e["type"] == "BenchmarkTask")
        assert task == {**task, "id": "my-task", "status": "submitted", "url": f"{base}/api/tasks/my-task"}
        assert [f["path"] for f in result["files_kept"]["my-dataset"]] == ["labels.csv"]
        assert any(n["path"] == "dicom.zip" for n in result["not_sent"])
        headers = {"Authorization": f"Bearer {reviewer}"}
        found = httpx.get(f"{base}/api/tasks/my-task", headers=headers).json()
        assert found["document"]["status"] == "submitted" and found["author"] == "amira"
        dataset = httpx.get(f"{base}/api/datasets/my-dataset", headers=headers).json()["document"]
        assert dataset["instance_count"] == 27 and dataset["deidentification"]["audit"]["files_audited"] == 27
        series = httpx.get(f"{base}/api/datasets/my-dataset/series", headers=headers).json()
        assert series["total"] == 1
        labels = httpx.get(f"{base}/api/datasets/my-dataset/files/labels.csv", headers=headers)
        assert labels.status_code == 200 and labels.content == LABELS
        shown = subprocess.run(
            [str(MEDAL), "status", "my-task", "--to", base, "--token", token], capture_output=True, text=True
        )
        assert shown.returncode == 0 and "my-task: submitted" in shown.stdout
        assert "once the panel has decided" in shown.stdout
        again = subprocess.run(
            [str(MEDAL), "submit", str(folder), "--to", base, "--token", token, "--json"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
        assert {e["outcome"] for e in json.loads(again.stdout)["stored"]} == {"unchanged"}


@real
def test_the_bundle_carries_no_identifying_value(tmp_path):
    """What `medal submit` sends holds neither the patient's name and ID nor any original UID of the series
    (the harvest keys UIDs), only the harvested summary and the label table; no DICOM file is in it."""
    import pydicom

    from medal_catalog.harvesters.bundle import build_bundle

    folder = _submission(tmp_path)
    bundle = build_bundle(folder, out_root=tmp_path / "out", jobs=1, settings=Settings())
    assert bundle.ok and [f.path for f in bundle.files] == ["labels.csv"]
    sent = bundle.manifest() + b"".join(f.content for f in bundle.files)
    header = pydicom.dcmread(next((folder / "dicom").rglob("*.dcm")), stop_before_pixels=True)
    secrets = [
        str(header.PatientName),
        str(header.PatientID),
        header.SeriesInstanceUID,
        header.StudyInstanceUID,
        header.SOPInstanceUID,
    ]
    assert all(len(s) > 3 for s in secrets)
    assert not [i for i, s in enumerate(secrets) if s.encode() in sent]  # indexes only: values are never shown
    assert b"DICM" not in sent


def _post_bundle(client, token_headers, manifest: dict, uploads: dict[str, bytes]):
    parts = [("bundle", ("bundle.json", json.dumps(manifest).encode(), "application/json"))]
    parts += [("file", (name, content, "text/csv")) for name, content in uploads.items()]
    return client.post("/api/submissions", files=parts, headers=token_headers)


@real
@pytest.mark.parametrize("tamper", ["sha256", "dicom", "undeclared", "unlisted", "traversal"])
def test_the_catalog_refuses_a_bad_bundle_and_stores_nothing(tmp_path, client, tamper):
    """A file whose bytes differ from its stated sha256, a file holding DICOM, a file its dataset does not
    declare, an upload the manifest does not list, or a path leaving the submission: 4xx naming the file, and
    neither the task nor the dataset is stored."""
    from medal_catalog.harvesters.bundle import build_bundle

    bundle = build_bundle(_submission(tmp_path), out_root=tmp_path / "out", jobs=1, settings=Settings())
    manifest = json.loads(bundle.manifest())
    uploads = {f.name: f.content for f in bundle.files}
    if tamper == "sha256":
        uploads["my-dataset/labels.csv"] = LABELS + b"case-002,test_hidden,0\n"
    elif tamper == "dicom":
        dicom = next(PHILIPS_SERIES.iterdir()).read_bytes()
        uploads["my-dataset/labels.csv"] = dicom
        manifest["files"][0].update(sha256=hashlib.sha256(dicom).hexdigest(), size=len(dicom))
        dataset = next(e for e in manifest["entries"] if e["type"] == "ImagingDataset")
        next(d for d in dataset["distribution"] if d.get("path") == "labels.csv")["sha256"] = manifest["files"][0][
            "sha256"
        ]
    elif tamper == "undeclared":
        manifest["files"][0]["path"] = "other.csv"
        uploads = {"my-dataset/other.csv": LABELS}
    elif tamper == "unlisted":
        uploads["my-dataset/notes.csv"] = b"a,b\n"
    else:
        manifest["files"][0]["path"] = "../labels.csv"
        uploads = {"my-dataset/../labels.csv": LABELS}
    answer = _post_bundle(client, auth(client, "alice"), manifest, uploads)
    assert answer.status_code in (413, 422), answer.text
    assert "detail" in answer.json()
    admin = auth(client, "chair")
    assert client.get("/api/tasks/my-task", headers=admin).status_code == 404
    assert client.get("/api/datasets/my-dataset", headers=admin).status_code == 404


@real
def test_submit_sends_nothing_when_an_entry_is_invalid(tmp_path):
    """A submission whose task is invalid (a required slot removed) is not sent: exit 1, errors printed, and the
    catalog URL is never contacted (it points at a closed port)."""
    import yaml

    folder = _submission(tmp_path)
    task = yaml.safe_load((folder / "task.yaml").read_text(encoding="utf-8"))
    del task["clinical_question"]
    (folder / "task.yaml").write_text(yaml.safe_dump(task), encoding="utf-8")
    run = CliRunner().invoke(main, ["submit", str(folder), "--to", "http://127.0.0.1:9", "--token", "t"])
    assert run.exit_code == 1 and "not sent" in run.output and "clinical_question" in run.output


# --- an open dataset's dicom.zip: the contributor's rewrite, rewritten again by the catalog ------------------------


def _deidentified_series(tmp_path: Path) -> Path:
    """The real Philips series as a contributor's de-identification tool leaves it (here: the Basic Profile
    rewrite under the contributor's own key), which the harvest's audit finds clean."""
    from medal_catalog.dicom.deidentify import Deidentifier, plan, served_copy

    target = tmp_path / "deidentified" / PHILIPS_SERIES.name
    target.mkdir(parents=True)
    tool = Deidentifier(b"the contributor's own tool key", plan({"profile_options": ["basic_profile"]}))
    for source in sorted(PHILIPS_SERIES.iterdir()):
        copy, why = served_copy(source.read_bytes(), source.name, tool, "NO")
        assert copy is not None, why
        (target / source.name).write_bytes(copy)
    return target


def _original_values() -> list[bytes]:
    """Identifying values of the original Philips files (the UIDs of every file, names, IDs, places, device)."""
    import pydicom

    values: set[str] = set()
    for source in PHILIPS_SERIES.iterdir():
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
            )
        }
    return [v.encode() for v in sorted(values) if len(v) > 3]


def _members(archive: bytes) -> dict[str, bytes]:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        return {name: z.read(name) for name in z.namelist()}


@real
@pytest.mark.slow
def test_an_open_dataset_is_served_as_the_catalogs_own_rewrite_of_the_uploaded_zip(tmp_path):
    """`medal submit` of an open dataset whose files were de-identified sends its dicom.zip (the harvest's
    rewrite); the catalog, with its own secret, stores its rewrite of it: DICOM members, other bytes, the
    SeriesInstanceUIDs of the stored series entries, and none of the original files' identifying values."""
    import io

    import pydicom

    from medal_catalog.harvesters.bundle import build_bundle

    folder = tmp_path / "my-submission"
    assert CliRunner().invoke(main, ["init", "submission", str(folder)]).exit_code == 0
    fill(folder, _deidentified_series(tmp_path))
    uploaded = next(
        f.content
        for f in build_bundle(folder, out_root=tmp_path / "out", jobs=1, settings=Settings()).files
        if f.path == "dicom.zip"
    )
    db = tmp_path / "catalog.db"
    token = _token(db, "contributor", "amira")
    headers = {"Authorization": f"Bearer {_token(db, 'reviewer', 'rita')}"}
    with medal_server(db, tmp_path, MEDAL_DEID_SECRET="the catalog's own secret") as base:
        sent = subprocess.run(
            [str(MEDAL), "submit", str(folder), "--to", base, "--token", token, "--json"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
        assert sent.returncode == 0, sent.stderr
        result = json.loads(sent.stdout)
        assert [f["path"] for f in result["files"]] == ["dicom.zip", "labels.csv"]
        assert [f["path"] for f in result["files_kept"]["my-dataset"]] == ["dicom.zip", "labels.csv"]
        assert result["left_out_by_catalog"] == []
        served = httpx.get(f"{base}/api/datasets/my-dataset/files/dicom.zip", headers=headers)
        assert served.status_code == 200
        kept = next(f for f in result["files_kept"]["my-dataset"] if f["path"] == "dicom.zip")
        assert kept["sha256"] == hashlib.sha256(served.content).hexdigest()
        listed = httpx.get(f"{base}/api/datasets/my-dataset/series", headers=headers).json()["items"]
        series = {
            s["id"]: httpx.get(f"{base}/api/series/{s['id']}", headers=headers).json()["document"] for s in listed
        }
        again = subprocess.run(
            [str(MEDAL), "submit", str(folder), "--to", base, "--token", token, "--json"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
        assert {e["outcome"] for e in json.loads(again.stdout)["stored"]} == {"unchanged"}
    assert served.content != uploaded
    members, sent_members = _members(served.content), _members(uploaded)
    assert len(members) == len(sent_members) == 27 and set(members) == set(sent_members)
    assert {name.split("/")[0] for name in members} == set(series)
    for name, data in members.items():
        assert data[128:132] == b"DICM" and data != sent_members[name]
        header = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True)
        entry = series[name.split("/")[0]]
        assert header.SeriesInstanceUID == entry["series_instance_uid"]
        assert header.StudyInstanceUID == entry["study_instance_uid"]
    client_uids = {
        pydicom.dcmread(io.BytesIO(d), stop_before_pixels=True).SeriesInstanceUID.encode()
        for d in sent_members.values()
    }
    everything = served.content + b"".join(members.values())
    secrets = _original_values() + sorted(client_uids)
    assert len(secrets) > 5
    assert not [i for i, s in enumerate(secrets) if s in everything]  # indexes only: values are never shown


@real
def test_a_tampered_member_of_the_uploaded_zip_is_left_out_with_its_reason(tmp_path):
    """A member into which a PatientName was injected, and a member that is not DICOM, are left out of the
    stored dicom.zip, each reported with a reason that names no value; the rest is the catalog's rewrite."""
    import io
    import zipfile

    import pydicom

    from medal_catalog.catalog import Catalog
    from medal_catalog.harvesters.bundle import build_bundle
    from medal_catalog.ingestion import ingest_bundle

    folder = tmp_path / "my-submission"
    assert CliRunner().invoke(main, ["init", "submission", str(folder)]).exit_code == 0
    fill(folder, _deidentified_series(tmp_path))
    bundle = build_bundle(folder, out_root=tmp_path / "out", jobs=1, settings=Settings())
    manifest = json.loads(bundle.manifest())
    uploads = {f.name: f.content for f in bundle.files}
    members = _members(uploads["my-dataset/dicom.zip"])
    tampered = sorted(members)[0]
    header = pydicom.dcmread(io.BytesIO(members[tampered]))
    header.PatientName = "Quixwell^Zebediah"
    out = io.BytesIO()
    header.save_as(out, enforce_file_format=True)
    members[tampered] = out.getvalue()
    stray = f"{tampered.split('/')[0]}/99999.dcm"
    members[stray] = b"not a DICOM file at all"
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    uploads["my-dataset/dicom.zip"] = archive.getvalue()
    item = next(f for f in manifest["files"] if f["path"] == "dicom.zip")
    item.update(sha256=hashlib.sha256(archive.getvalue()).hexdigest(), size=len(archive.getvalue()))
    with Catalog.open(f"sqlite:///{tmp_path / 'catalog.db'}") as catalog:
        report, puts, kept = ingest_bundle(
            catalog,
            json.dumps(manifest).encode(),
            uploads,
            author="amira",
            check_writes=lambda entries: None,
            max_file_bytes=2**26,
        )
        stored = catalog.store.get_file("ImagingDataset", "my-dataset", "dicom.zip").data
    assert not [p for p in puts if p.problems]
    left = {
        i.message.partition(": ")[0]: i.message.partition(": ")[2]
        for i in report.issues
        if i.code == "bundle.dicom-left-out"
    }
    assert left == {tampered: "the uploaded file fails the audit (PatientName)", stray: "not a DICOM file"}
    served = _members(stored)
    assert set(served) == set(members) - {tampered, stray} and len(served) == 26
    assert b"Quixwell" not in stored + b"".join(served.values())
    assert next(f.sha256 for f in kept["my-dataset"] if f.path == "dicom.zip") == hashlib.sha256(stored).hexdigest()
