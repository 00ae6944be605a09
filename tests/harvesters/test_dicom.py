"""The DICOM harvester: grouping, summaries, bad input, zips, incremental re-harvest, the CLI, real MR files."""

from __future__ import annotations

import json
import os
import shutil
import struct
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from dicom_samples import PHI, element, item, minimal_body, mr_dataset, nested, part10, write

from medal_catalog.config import Settings
from medal_catalog.cli import main
from medal_catalog.harvesters.dicom import harvest_dicom, write_outputs

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("MEDAL_SHARED_DICOM", "/work/shared/data/dicom"))
needs_shared = pytest.mark.skipif(
    not (SHARED / "reference").is_dir(),
    reason=f"real GE/Philips DICOM not present at {SHARED} (set MEDAL_SHARED_DICOM)",
)


def make_tree(root: Path, phi: bool = False) -> Path:
    """Two subjects, three series, seven files."""
    for i in range(3):
        write(mr_dataset(subject="a", series="t1", number=1, instance=i, phi=phi), root / "a" / "t1" / f"{i}.dcm")
    for i in range(2):
        write(
            mr_dataset(
                subject="a",
                series="t2",
                number=2,
                instance=i,
                phi=phi,
                SliceThickness=5.0,
                SeriesDescription="T2 FLAIR",
            ),
            root / "a" / "t2" / f"{i}.dcm",
        )
    for i in range(2):
        write(
            mr_dataset(
                subject="b",
                series="t1",
                number=1,
                instance=i,
                phi=phi,
                PatientSex="M",
                PatientAge="072Y",
                PatientID="B",
                PixelSpacing=[0.5, 0.5],
            ),
            root / "b" / f"{i}.dcm",
        )
    return root


def test_grouping_and_aggregate_summaries(tmp_path):
    """Files group into studies and series; the dataset gets counts, ranges, sex counts and age bins only."""
    result = harvest_dicom([make_tree(tmp_path / "in")], "demo-set", jobs=1, settings=Settings())
    ds = result.dataset
    assert (ds.study_count, ds.series_count, ds.instance_count, ds.subject_count) == (2, 3, 7, 2)
    assert sorted((s.series_number, s.instance_count) for s in result.series) == [(1, 2), (1, 3), (2, 2)]
    t2 = next(s for s in result.series if s.series_number == 2)
    assert (t2.slice_thickness, t2.series_description, t2.modality, t2.rows) == (5.0, "T2 FLAIR", "MR", 4)
    assert (t2.repetition_time, t2.echo_time, t2.magnetic_field_strength) == (2000.0, 30.0, 3.0)
    acq = ds.acquisition
    assert (acq.manufacturers, acq.models, acq.field_strengths) == (["ACME"], ["Magneto 3000"], [3.0])
    assert (acq.slice_thickness_range.minimum, acq.slice_thickness_range.maximum) == (2.5, 5.0)
    assert (acq.pixel_spacing_range.minimum, acq.pixel_spacing_range.maximum) == (0.5, 0.9)
    sexes = ds.population.sex_counts
    assert (sexes.female, sexes.male, sexes.other, sexes.unknown) == (1, 1, 0, 0)
    assert [(b.minimum, b.maximum, b.count) for b in ds.population.age_bins] == [(40, 49, 1), (70, 79, 1)]
    assert ds.byte_size == sum(p.stat().st_size for p in (tmp_path / "in").rglob("*.dcm"))
    assert [row["kind"] for row in result.manifest] == ["series"] * 3


def hostile_files(folder: Path) -> dict[str, str]:
    """Every bad-input case of the issue, with a word its reason must contain."""
    folder.mkdir(parents=True, exist_ok=True)
    good = part10(minimal_body())
    cases = {
        "truncated.dcm": (good + element(0x0010, 0x0010, b"PN", b"AB" * 50))[:-20],
        "huge-length.dcm": good + element(0x0011, 0x1010, b"OB", b"\x00" * 8, length=0xFFFFFFF0),
        "deep.dcm": good + nested(300),
        "unknown-vr.dcm": good + element(0x0018, 0x0050, b"ZZ", b"1.0 "),
        "unclosed.dcm": good
        + struct.pack("<HH2sHL", 0x0040, 0xA730, b"SQ", 0, 0xFFFFFFFF)
        + struct.pack("<HHL", 0xFFFE, 0xE000, 0xFFFFFFFF)
        + element(0x0008, 0x0060, b"CS", b"MR"),
        "empty.dcm": b"",
        "not-dicom.dcm": b"This is a plain text file that only pretends to be DICOM by its name.\n" * 3,
        "no-series.dcm": part10(element(0x0008, 0x0060, b"CS", b"MR")),
    }
    for name, data in cases.items():
        (folder / name).write_bytes(data)
    return {
        "truncated.dcm": "truncated",
        "huge-length.dcm": "more than the whole file",
        "deep.dcm": "nested deeper",
        "unknown-vr.dcm": "unknown VR",
        "unclosed.dcm": "never closed",
        "empty.dcm": "empty",
        "not-dicom.dcm": "not DICOM",
        "no-series.dcm": "SeriesInstanceUID",
    }


def test_every_bad_input_is_reported_and_good_files_still_harvested(tmp_path):
    """Hostile files each get a reason, the run finishes, and the good files are all harvested."""
    expected = hostile_files(tmp_path / "in" / "bad")
    make_tree(tmp_path / "in" / "good")
    (tmp_path / "in" / "bad" / "inner.dcm").write_bytes(item(b"") * 2)  # an item tag where a file should begin
    result = harvest_dicom([tmp_path / "in"], "demo-set", jobs=1, settings=Settings())
    reasons = {Path(p.path).name: p.reason for p in result.problems}
    for name, word in expected.items():
        assert word in reasons[name], (name, reasons[name])
    assert "inner.dcm" in reasons
    assert result.dataset.instance_count == 7 and len(result.series) == 3
    assert all(p.kind == "error" for p in result.problems)  # every bad file was named .dcm


def test_deep_nesting_within_the_limit_is_read(tmp_path):
    """Sequences nested 40 deep are legitimate and harvested (the limit is far above real headers); the MR image
    without pixel data is harvested with a truncation warning, nothing worse."""
    body = minimal_body() + nested(40)
    (tmp_path / "ok.dcm").write_bytes(part10(body))
    result = harvest_dicom([tmp_path], "demo-set", jobs=1, settings=Settings())
    assert [p.code for p in result.problems] == ["dicom.truncated"] and result.dataset.instance_count == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="running as root: file permissions do not stop root from reading")
def test_unreadable_file_is_reported(tmp_path):
    """A file the harvester may not read is reported as such; the rest is harvested."""
    make_tree(tmp_path)
    locked = tmp_path / "b" / "0.dcm"
    locked.chmod(0)
    try:
        result = harvest_dicom([tmp_path], "demo-set", jobs=1, settings=Settings())
    finally:
        locked.chmod(0o644)
    assert [p.reason for p in result.problems] == ["cannot read: permission denied"]


def test_permission_error_is_reported_even_as_root(tmp_path, monkeypatch):
    """The reason for a refused read is pinned everywhere by refusing one open(), since root ignores chmod."""
    import builtins

    make_tree(tmp_path)
    locked, real_open = str(tmp_path / "b" / "0.dcm"), builtins.open

    def refusing_open(file, *args, **kwargs):
        if str(file) == locked:
            raise PermissionError(13, "Permission denied", file)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refusing_open)
    result = harvest_dicom([tmp_path], "demo-set", jobs=1, settings=Settings())
    assert [(p.path, p.reason) for p in result.problems] == [("b/0.dcm", "cannot read: permission denied")]
    assert result.dataset.instance_count == 6


def test_per_file_time_limit(tmp_path):
    """A file that takes longer than the per-file limit is reported as timed out; the run goes on."""
    make_tree(tmp_path)
    result = harvest_dicom([tmp_path], "demo-set", jobs=1, timeout=1e-6, settings=Settings())
    assert result.problems and all("timed out" in p.reason for p in result.problems)


def test_zip_input_is_read_without_extracting(tmp_path):
    """A zip of the tree harvests to the same series as the folder, reading members in memory."""
    tree = make_tree(tmp_path / "in")
    archive = tmp_path / "upload.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(tree.rglob("*.dcm")):
            zf.write(path, path.relative_to(tree).as_posix())
        zf.writestr("README.txt", "not an image")
    before = sorted(tmp_path.rglob("*"))
    from_zip = harvest_dicom([archive], "demo-set", jobs=1, settings=Settings())
    from_dir = harvest_dicom([tree], "demo-set", jobs=1, settings=Settings())
    assert sorted(tmp_path.rglob("*")) == before
    pseudonyms = {"id", "study_instance_uid", "series_instance_uid"}  # keyed per cache; no cache here
    assert sorted(repr(s.model_dump(exclude=pseudonyms)) for s in from_zip.series) == sorted(
        repr(s.model_dump(exclude=pseudonyms)) for s in from_dir.series
    )
    assert [(p.path, p.kind) for p in from_zip.problems] == [("README.txt", "skipped")]


def test_incremental_reharvest_reads_only_changed_files(tmp_path):
    """A re-harvest reuses unchanged files, re-reads a changed one and forgets a deleted one."""
    tree = make_tree(tmp_path / "in")
    cache = tmp_path / "out" / ".harvest-cache.json"
    first = harvest_dicom([tree], "demo-set", jobs=1, cache_file=cache, settings=Settings())
    again = harvest_dicom([tree], "demo-set", jobs=1, cache_file=cache, settings=Settings())
    assert (again.summary["read_now"], again.summary["reused_from_cache"]) == (0, 7)
    assert again.dataset.model_dump(exclude={"provenance"}) == first.dataset.model_dump(exclude={"provenance"})
    changed = tree / "a" / "t2" / "0.dcm"
    write(mr_dataset(subject="a", series="t2", number=2, instance=0, SliceThickness=7.0), changed)
    os.utime(changed, ns=(changed.stat().st_atime_ns, changed.stat().st_mtime_ns + 10**9))
    (tree / "b" / "1.dcm").unlink()
    third = harvest_dicom([tree], "demo-set", jobs=1, cache_file=cache, settings=Settings())
    assert (third.summary["read_now"], third.summary["reused_from_cache"]) == (1, 5)
    assert third.dataset.instance_count == 6
    assert third.dataset.acquisition.slice_thickness_range.maximum == 7.0
    assert PHI["PatientID"] not in cache.read_text()


def test_process_pool_gives_the_same_result(tmp_path):
    """Reading in a process pool harvests exactly what a sequential read does."""
    for i in range(60):
        write(mr_dataset(subject=str(i % 3), series="s", instance=i), tmp_path / f"{i:03d}.dcm")
    pooled = harvest_dicom([tmp_path], "demo-set", jobs=2, settings=Settings())
    serial = harvest_dicom([tmp_path], "demo-set", jobs=1, settings=Settings())
    assert pooled.dataset.model_dump(exclude={"provenance"}) == serial.dataset.model_dump(exclude={"provenance"})
    assert pooled.dataset.instance_count == 60


def all_output_bytes(out: Path, stdout: str) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()) + stdout.encode()


def assert_absent(blob: bytes, values) -> None:
    low = blob.lower()
    for value in values:
        for part in [value, *value.replace("^", " ").split()]:
            if len(part) >= 4:
                assert part.lower().encode() not in low, part


def test_cli_writes_records_and_no_identifying_value_anywhere(tmp_path):
    """`medal harvest` writes catalog, manifest and report; no planted PHI value is in any byte of them."""
    tree = make_tree(tmp_path / "in", phi=True)
    out = tmp_path / "out"
    run = CliRunner().invoke(
        main, ["harvest", str(tree), "--dataset", "demo-set", "--out", str(out), "--instances", "--json"]
    )
    assert run.exit_code == 0, run.output
    summary = json.loads(run.output)
    assert summary["series"] == 3 and summary["files_with_phi_findings"] == 7
    flagged = {f["attribute"] for f in summary["phi_findings_by_attribute"]}
    assert {"PatientName", "InstitutionName", "PersonName", "PrivateTag"} <= flagged
    assert {p.name for p in out.iterdir()} == {
        "catalog.yaml",
        "manifest.jsonl",
        "harvest-report.json",
        ".harvest-cache.json",
    }
    assert_absent(all_output_bytes(out, run.output), PHI.values())
    plain = CliRunner().invoke(main, ["harvest", str(tree), "--dataset", "demo-set", "--out", str(out)])
    assert plain.exit_code == 0 and "InstitutionName" in plain.output
    assert_absent(plain.output.encode(), PHI.values())


def test_cli_exit_codes(tmp_path):
    """0 when every file was harvested, 1 when some could not be, 2 for usage errors."""
    make_tree(tmp_path / "in")
    runner = CliRunner()
    assert (
        runner.invoke(
            main, ["harvest", str(tmp_path / "in"), "--dataset", "ok-set", "--out", str(tmp_path / "o1")]
        ).exit_code
        == 0
    )
    (tmp_path / "in" / "cut.dcm").write_bytes(part10(minimal_body())[:-9])
    assert (
        runner.invoke(
            main, ["harvest", str(tmp_path / "in"), "--dataset", "ok-set", "--out", str(tmp_path / "o2")]
        ).exit_code
        == 1
    )
    assert runner.invoke(main, ["harvest", str(tmp_path / "in"), "--dataset", "Bad ID"]).exit_code == 2
    assert runner.invoke(main, ["harvest", str(tmp_path / "nowhere"), "--dataset", "ok-set"]).exit_code == 2


def test_bundled_deidentified_examples_harvest_clean(tmp_path):
    """The repository's de-identified example series pass the audit: status clean, no finding."""
    folder = REPO / "examples" / "valid" / "mr-brain-metastasis-segmentation" / "dicom"
    result = harvest_dicom([folder], "mr-brain-mets", jobs=1, settings=Settings())
    assert result.problems == []
    assert {s.deidentification_status for s in result.series} == {"clean"}
    record = result.dataset.deidentification
    assert record.patient_identity_removed is True and record.audit.findings is None
    assert "retain_patient_characteristics" in record.profile_options
    paths = write_outputs(result, tmp_path)
    assert (tmp_path / "catalog.yaml").is_file() and len(paths) == 3


# ------------------------------------------------------------------------------ real GE and Philips MR files
SIDE_CARS = {
    "ge_Ax_DWI_TENSOR_R2_1.json": 1,
    "ge_fMRI_Multiphase_Des_2.json": 2,
    "ge_fMRI_Multiphase_Des_0.35Delay_3.json": 3,
    "ge_fMRI_Multiphase_Des_VariableDelays1s_5.json": 5,
    "philips_EPI_asc_CLEAR_201.json": 201,
    "philips_WIP_dti_ax_601.json": 601,
}
MANUFACTURER = {"GE": "GE MEDICAL SYSTEMS", "Philips": "Philips Medical Systems"}


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    out = tmp_path_factory.mktemp("real")
    run = CliRunner().invoke(
        main,
        [
            "harvest",
            str(SHARED / "ge"),
            str(SHARED / "philips"),
            "--dataset",
            "shared-mr",
            "--out",
            str(out),
            "--instances",
            "--json",
        ],
    )
    return out, run


@needs_shared
def test_real_series_match_dcm2niix_sidecars(real):
    """Series by series, the harvested fields agree with dcm2niix's BIDS sidecars (seconds vs milliseconds)."""
    out, run = real
    assert run.exit_code == 0, run.output
    import yaml

    catalog = yaml.safe_load((out / "catalog.yaml").read_text())
    series = {s["series_number"]: s for s in catalog["series"]}
    assert len(series) == len(SIDE_CARS)
    for name, number in SIDE_CARS.items():
        car, s = json.loads((SHARED / "reference" / name).read_text()), series[number]
        assert s["manufacturer"] == MANUFACTURER[car["Manufacturer"]], name
        assert s["manufacturer_model_name"] == car["ManufacturersModelName"], name
        assert s["magnetic_field_strength"] == pytest.approx(car["MagneticFieldStrength"]), name
        assert s["slice_thickness"] == pytest.approx(car["SliceThickness"]), name
        # dcm2niix adds the GE multiphase group delay (0.35 s) to TR; the DICOM attribute says 1000 ms.
        tr = car["RepetitionTime"] * 1000 - (350 if number == 3 else 0)
        assert s["repetition_time"] == pytest.approx(tr, rel=1e-4), name
        assert s["echo_time"] == pytest.approx(car["EchoTime"] * 1000, rel=1e-4), name
        assert s["series_number"] == car["SeriesNumber"]
        # Kept verbatim, or dropped because it carries a token of the patient name found in the same header.
        assert s.get("series_description") in (car["SeriesDescription"], None), name
    summary = json.loads(run.output)
    dropped = [n for n in SIDE_CARS.values() if "series_description" not in series[n]]
    assert dropped == [2, 3, 5]  # the GE fMRI phantom's PatientName contains "fMRI"
    assert any(f["attribute"] == "SeriesDescription" and f["series"] == 3 for f in summary["phi_findings_by_attribute"])


@needs_shared
def test_real_identifying_attributes_flagged_and_values_absent(real):
    """Institution, address, station and serial number are flagged; none of their values is in any output."""
    out, run = real
    summary = json.loads(run.output)
    flagged = {f["attribute"] for f in summary["phi_findings_by_attribute"]}
    assert {"InstitutionName", "InstitutionAddress", "StationName", "DeviceSerialNumber"} <= flagged
    values = set()
    for name in SIDE_CARS:
        car = json.loads((SHARED / "reference" / name).read_text())
        values |= {
            str(car[k])
            for k in ("InstitutionName", "InstitutionAddress", "StationName", "DeviceSerialNumber")
            if k in car
        }
    blob = all_output_bytes(out, run.output)
    for value in values:
        assert value.lower().encode() not in blob.lower(), value


@needs_shared
def test_real_reharvest_of_unchanged_tree_reads_nothing(real, tmp_path):
    """A second harvest of the real tree is answered from the cache after a stat walk."""
    out, _ = real
    shutil.copy(out / ".harvest-cache.json", tmp_path / ".harvest-cache.json")
    again = harvest_dicom(
        [SHARED / "ge", SHARED / "philips"],
        "shared-mr",
        instances=True,
        cache_file=tmp_path / ".harvest-cache.json",
        settings=Settings(),
    )
    assert again.summary["read_now"] == 0 and again.summary["dicom_read"] == 1021


def test_harvest_into_catalog_store_merges_and_retires_series(tmp_path):
    """--catalog updates an existing dataset entry (submitter fields kept) and retires series that are gone."""
    import yaml

    from medal_catalog.catalog import Catalog

    example = REPO / "examples" / "valid" / "mr-brain-metastasis-segmentation"
    submitted = yaml.safe_load((example / "catalog.yaml").read_text())["datasets"][0]
    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    with Catalog.open(url) as catalog:
        assert not catalog.put(submitted, author="test", reason="submission").problems
    tree = tmp_path / "dicom"
    shutil.copytree(example / "dicom", tree)
    args = ["harvest", str(tree), "--dataset", submitted["id"], "--out", str(tmp_path / "out"), "--catalog", url]
    assert CliRunner().invoke(main, args).exit_code == 0
    shutil.rmtree(tree / "brain-001" / "flair")
    run = CliRunner().invoke(main, [*args, "--json"])
    assert run.exit_code == 0, run.output
    assert json.loads(run.output)["catalog"]["series_retired"] == 1
    with Catalog.open(url) as catalog:
        stored = catalog.get("ImagingDataset", submitted["id"]).document
        live = [v for v in catalog.store.iter_current(["ImagingSeries"]) if not v.deleted]
    assert stored["title"] == submitted["title"] and stored["consent"] == submitted["consent"]
    assert stored["series_count"] == 1 and stored["instance_count"] == 3
    assert len(stored["provenance"]["harvest_runs"]) == 2 and len(live) == 1
