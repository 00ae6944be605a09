"""`medal deidentify` (dicom/local.py): a contributor's DICOM de-identified on their machine with the catalog's
rules, on synthetic files with PHI planted in every Annex E attribute and on the real GE and Philips series."""

from __future__ import annotations

import csv
import json
import shutil
import warnings
from pathlib import Path

import pydicom
import pytest
from click.testing import CliRunner
from dicom_samples import PHI, mr_dataset, write
from pydicom.datadict import dictionary_VR
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from medal_catalog.cli import main
from medal_catalog.dicom.annex_e import ANNEX_E
from medal_catalog.dicom.audit import audit_content, audit_file
from medal_catalog.dicom.local import Linkage, LocalOptions, deidentify, write_block
from medal_catalog.errors import UsageError

REAL = Path("/work/shared/data/dicom")
GE_SERIES = REAL / "ge" / "01_Ax_DWI_TENSOR_R2"
real = pytest.mark.skipif(not GE_SERIES.is_dir(), reason="the shared real DICOM is not here")
ALL_OPTIONS = ("retain_longitudinal_modified_dates", "retain_patient_characteristics", "clean_descriptors")
#: One invented token per kind of value; none may survive anywhere in OUT (bytes or names).
TOKEN = "Zyxquorbl"
VENDOR_ROOT = "1.2.840.113619.2.55.3"


def _planted(vr: str, n: int):
    """An identifying-looking value for a VR (text holds TOKEN; dates are real dates; UIDs under a GE root)."""
    if vr == "PN":
        return f"{TOKEN}^Marguerite"
    if vr in ("LO", "SH", "LT", "ST", "UT", "UC", "AE"):
        return f"{TOKEN}{n}"[:16]
    if vr == "CS":
        return "ZYXQUORBL"
    if vr == "DA":
        return "19610317"
    if vr == "TM":
        return "101112"
    if vr == "DT":
        return "19610317101112"
    if vr == "UI":
        return f"{VENDOR_ROOT}.{n}"
    if vr == "AS":
        return "047Y"
    if vr in ("IS", "DS"):
        return "7"
    if vr in ("US", "SS", "UL", "SL"):
        return 7
    if vr in ("FL", "FD"):
        return 7.0
    if vr in ("OB", "OW", "UN"):
        return TOKEN.encode() * 2
    if vr == "UR":
        return f"http://{TOKEN}.example"
    return None


def every_attribute(ds: Dataset) -> Dataset:
    """Plant a value in every attribute of Annex E Table E.1-1 (repeating groups: overlay 6000 and curve 5000),
    sequences holding a nested person name and patient ID; UIDs under a vendor root."""
    for n, (tag, entry) in enumerate(sorted(ANNEX_E.items())):
        if tag >> 16 in (0x0002, 0xFFFA, 0xFFFC) or tag in (0x00080018, 0x0020000D, 0x0020000E):
            continue  # file meta, trailing padding, and the identity UIDs set by mr_dataset
        try:
            vr = dictionary_VR(tag)
        except KeyError:
            continue
        if vr == "SQ":
            item = Dataset()
            item.PersonName = f"{TOKEN}^Nested"
            item.PatientID = f"{TOKEN}77"
            ds.add_new(tag, "SQ", Sequence([item]))
            continue
        value = _planted(vr.split(" or ")[0], n)
        if value is not None:
            ds.add_new(tag, vr.split(" or ")[0], value)
    private = ds.private_block(0x0029, "ACME PRIVATE", create=True)
    private.add_new(0x10, "LT", f"{TOKEN} memo")
    private.add_new(0x11, "SQ", Sequence([Dataset()]))
    private[0x11].value[0].PatientName = f"{TOKEN}^Private"
    return ds


def phi_tree(folder: Path) -> list[Path]:
    """Two patients, three series; PHI in every Annex E attribute, private tags, sequences and file names; the
    second series of patient 1 references the first one's images (so references must join)."""
    files = []
    for patient, study, series, count in (("p1", "st1", "se1", 2), ("p1", "st1", "se2", 2), ("p2", "st9", "se1", 2)):
        for instance in range(1, count + 1):
            ds = every_attribute(
                mr_dataset(
                    subject=patient, study=study, series=series, instance=instance, number=int(series[-1]), phi=True
                )
            )
            ds.PatientID = f"MRN{patient}4471902"
            ds.StudyDate, ds.SeriesDate = ("20190312", "20190312") if series == "se1" else ("20190320", "20190320")
            if series == "se2":
                referenced = Dataset()
                first = mr_dataset(subject=patient, study=study, series="se1", instance=1)
                referenced.ReferencedSOPInstanceUID = first.SOPInstanceUID
                referenced.ReferencedSOPClassUID = first.SOPClassUID
                ds.ReferencedImageSequence = Sequence([referenced])
            name = folder / f"{PHI['PatientName'].replace('^', '_')}_{patient}" / f"{series}_{instance}.dcm"
            files.append(write(ds, name))
    (folder / "notes.txt").write_text(f"{TOKEN} called on 12 March\n")
    return files


def outputs(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.is_file())


def test_phi_in_every_annex_e_attribute_private_tags_sequences_and_names_leaves_nothing(tmp_path):
    """Basic Profile alone: every file written, the audit of each finds nothing, no planted token, vendor UID
    or birth date is in any byte or name of OUT, private tags are gone, the non-DICOM note is not copied."""
    originals = phi_tree(tmp_path / "in")
    summary = deidentify(tmp_path / "in", tmp_path / "out", LocalOptions(linkage=tmp_path / "link"))
    assert (summary.written, summary.not_dicom, summary.left_out) == (len(originals), 1, [])
    written = outputs(tmp_path / "out")
    assert len(written) == len(originals)
    for path in written:
        data = path.read_bytes()
        rel = path.relative_to(tmp_path / "out").as_posix()
        assert audit_content(data, rel) == (1, [])
        for planted in (
            TOKEN.encode(),
            TOKEN.upper().encode(),
            b"Marguerite",
            b"19610317",
            b"113619",
            b"Quixwell",
            b"MRNp1",
            PHI["InstitutionName"].encode(),
            PHI["StationName"].encode(),
        ):
            assert planted not in data, (planted, rel)
        assert "quixwell" not in rel.lower() and "p1" not in rel.split("/")[-1]
        ds = pydicom.dcmread(path)
        assert not any(e.tag.is_private for e in ds.iterall())
        assert ds.PatientIdentityRemoved == "YES" and ds.LongitudinalTemporalInformationModified == "REMOVED"


def test_uids_join_across_files_references_and_the_label_table_and_the_linkage_stays_out(tmp_path):
    """The same original UID gives the same new one in every file, in a reference to another file and in the
    label table; the linkage (outside OUT) maps each back; nothing of the linkage folder is in OUT."""
    phi_tree(tmp_path / "in")
    first = mr_dataset(subject="p1", study="st1", series="se1", instance=1)
    table = tmp_path / "labels.csv"
    table.write_text(f"case,series_uid,patient,note\ncase-1,{first.SeriesInstanceUID},MRNp14471902,1.0\n")
    summary = deidentify(
        tmp_path / "in", tmp_path / "out", LocalOptions(options=ALL_OPTIONS, linkage=tmp_path / "link", tables=(table,))
    )
    datasets = [pydicom.dcmread(p) for p in outputs(tmp_path / "out") if p.suffix == ".dcm"]
    assert len(datasets) == 6
    studies = {(str(ds.PatientID), ds.StudyInstanceUID) for ds in datasets}
    assert len(studies) == 2 and len({ds.SeriesInstanceUID for ds in datasets}) == 3
    by_sop = {ds.SOPInstanceUID: ds for ds in datasets}
    references = [
        item.ReferencedSOPInstanceUID
        for ds in datasets
        for item in ds.get("ReferencedImageSequence", [])
        if "ReferencedSOPInstanceUID" in item
    ]
    assert len(references) == 2 and all(r in by_sop for r in references)
    assert {by_sop[r].SeriesNumber for r in references} == {1}
    rows = list(csv.DictReader(open(summary.tables[0])))
    new_series = rows[0]["series_uid"]
    assert new_series.startswith("2.25.") and rows[0]["note"] == "1.0"
    assert new_series in {ds.SeriesInstanceUID for ds in datasets}
    # a PatientID in the table becomes the files' pseudonym for that patient: it still joins, and is not copied
    assert rows[0]["patient"] != "MRNp14471902"
    assert rows[0]["patient"] in {str(ds.PatientID) for ds in datasets}
    linkage = Linkage(tmp_path / "link")
    assert linkage.original(new_series) == first.SeriesInstanceUID
    linkage.close()
    key = (tmp_path / "link" / "key").read_bytes().strip()
    assert oct((tmp_path / "link" / "key").stat().st_mode & 0o777) == "0o600"
    for path in outputs(tmp_path / "out"):
        assert key not in path.read_bytes() and not path.name.startswith(("key", "linkage"))
    # Per patient, dates move by one offset each: p1's 8-day interval kept, p2 moved by another offset.
    import datetime as dt

    dates: dict[str, set[str]] = {}
    for ds in datasets:
        dates.setdefault(str(ds.PatientID), set()).add(ds.StudyDate)
    one, two = sorted((sorted(v) for v in dates.values()), key=len, reverse=True)
    first_day, second_day = (dt.datetime.strptime(d, "%Y%m%d") for d in one)
    assert (second_day - first_day).days == 8 and "20190312" not in one
    assert len(two) == 1 and two[0] not in ("20190312", one[0])


def test_linkage_inside_out_and_out_inside_in_are_refused(tmp_path):
    """The linkage re-identifies patients: a linkage folder inside OUT (and OUT inside IN) is a usage error."""
    phi_tree(tmp_path / "in")
    with pytest.raises(UsageError, match="linkage folder inside OUT"):
        deidentify(tmp_path / "in", tmp_path / "out", LocalOptions(linkage=tmp_path / "out" / "link"))
    with pytest.raises(UsageError, match="OUT inside IN"):
        deidentify(tmp_path / "in", tmp_path / "in" / "out", LocalOptions(linkage=tmp_path / "link"))
    assert not (tmp_path / "out").exists()


def test_an_interrupted_run_continues_and_half_written_files_never_count(tmp_path):
    """A run stopped after its first chunk, with a half-written temporary file left: the second run writes the
    rest, removes the temporary file, and redoes nothing; the files are those of one uninterrupted run."""
    for i in range(40):
        write(mr_dataset(subject="p1", series="se1", instance=i + 1, phi=True), tmp_path / "in" / f"{i:03d}.dcm")
    options = LocalOptions(options=ALL_OPTIONS, linkage=tmp_path / "link")

    def stop(done: int, total: int, _bytes: int) -> None:
        if 0 < done < total:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        deidentify(tmp_path / "in", tmp_path / "out", options, progress=stop)
    first = outputs(tmp_path / "out")
    assert 0 < len(first) < 40
    (first[0].parent / f".{first[0].name}.medal-tmp").write_bytes(b"half")
    summary = deidentify(tmp_path / "in", tmp_path / "out", options)
    assert summary.already_done == len(first) and summary.written == 40 - len(first)
    assert len(outputs(tmp_path / "out")) == 40
    deidentify(tmp_path / "in", tmp_path / "again", LocalOptions(options=ALL_OPTIONS, linkage=tmp_path / "link2"))
    assert len(outputs(tmp_path / "again")) == 40
    with pytest.raises(UsageError, match="other options"):
        deidentify(tmp_path / "in", tmp_path / "out", LocalOptions(linkage=tmp_path / "link"))


def test_two_workers_give_the_same_files_as_one(tmp_path):
    """Keyed UIDs need no shared state: two worker processes write the same names and bytes as one process."""
    for i in range(40):
        write(
            mr_dataset(subject=f"p{i % 3}", series=f"se{i % 2}", instance=i + 1, phi=True),
            tmp_path / "in" / f"{i:03d}.dcm",
        )
    shutil.copytree(tmp_path / "in", tmp_path / "in2")
    key = tmp_path / "link1"
    deidentify(tmp_path / "in", tmp_path / "one", LocalOptions(options=ALL_OPTIONS, linkage=key))
    shutil.copytree(key, tmp_path / "link2")
    (tmp_path / "link2" / "linkage.sqlite").unlink()
    deidentify(
        tmp_path / "in2", tmp_path / "two", LocalOptions(options=ALL_OPTIONS, linkage=tmp_path / "link2", workers=2)
    )
    one = {p.relative_to(tmp_path / "one"): p.read_bytes() for p in outputs(tmp_path / "one")}
    two = {p.relative_to(tmp_path / "two"): p.read_bytes() for p in outputs(tmp_path / "two")}
    assert one == two and len(one) == 40


def ultrasound(path: Path, syntax: str = "1.2.840.10008.1.2.1", burned: str | None = "YES") -> Path:
    ds = mr_dataset(subject="u1", series="us1", phi=True)
    ds.Modality = "US"
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.6.1"
    ds.Rows, ds.Columns, ds.BitsAllocated, ds.BitsStored, ds.HighBit = 4, 4, 8, 8, 7
    ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PixelRepresentation = 1, "MONOCHROME2", 0
    ds.PixelData = bytes(range(100, 116))
    ds["PixelData"].VR = "OB"
    if burned:
        ds.BurnedInAnnotation = burned
    ds.file_meta.TransferSyntaxUID = syntax
    if syntax != "1.2.840.10008.1.2.1":
        from pydicom.encaps import encapsulate

        ds.PixelData = encapsulate([b"\xff\xd8fakejpeg\xff\xd9"])
    return write(ds, path)


def test_burned_in_annotation_is_left_out_unless_cleaned_and_only_uncompressed_pixels_are_cleaned(tmp_path):
    """An US file declaring burned-in text is left out without --mask; with a mask its region is blanked, the
    rest of the image kept, BurnedInAnnotation NO; a JPEG one is left out naming the syntaxes that can be
    cleaned; a compressed MR file passes with its pixel data untouched."""
    ultrasound(tmp_path / "in" / "us.dcm")
    ultrasound(tmp_path / "in" / "us-jpeg.dcm", syntax="1.2.840.10008.1.2.4.50")
    mr = mr_dataset(subject="m1", phi=True)
    mr.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.50"
    from pydicom.encaps import encapsulate

    frame = b"\xff\xd8mr-jpeg-bytes\xff\xd9"
    mr.PixelData = encapsulate([frame])
    mr["PixelData"].VR = "OB"
    write(mr, tmp_path / "in" / "mr-jpeg.dcm")
    plain = deidentify(tmp_path / "in", tmp_path / "plain", LocalOptions(linkage=tmp_path / "l1"))
    reasons = {item["file"]: item["reason"] for item in plain.left_out}
    assert set(reasons) == {"us.dcm", "us-jpeg.dcm"} and "BurnedInAnnotation YES" in reasons["us.dcm"]
    assert "--mask" in reasons["us.dcm"]
    assert plain.written == 1
    kept = pydicom.dcmread(outputs(tmp_path / "plain")[0])
    assert frame in kept.PixelData  # compressed pixel data pass untouched
    cleaned = deidentify(
        tmp_path / "in",
        tmp_path / "clean",
        LocalOptions(options=("clean_pixel_data",), masks=((0, 0, 4, 1),), linkage=tmp_path / "l2"),
    )
    reasons = {item["file"]: item["reason"] for item in cleaned.left_out}
    assert list(reasons) == ["us-jpeg.dcm"] and "Explicit VR Little Endian" in reasons["us-jpeg.dcm"]
    us = [pydicom.dcmread(p) for p in outputs(tmp_path / "clean") if "/US-" in p.as_posix()][0]
    assert us.PixelData == bytes(4) + bytes(range(104, 116))
    assert us.BurnedInAnnotation == "NO"
    assert "113101" in {item.CodeValue for item in us.DeidentificationMethodCodeSequence}
    assert cleaned.block["profile_options"] == ["basic_profile", "clean_pixel_data"]


def test_safe_private_keeps_only_numeric_listed_attributes(tmp_path):
    """Retain Safe Private: the Philips b-factor (FL, listed) stays with its creator; a listed creator's text
    and an unlisted creator's value go; the file declares 113111 and passes the audit."""
    ds = mr_dataset(subject="p1", phi=True)
    block = ds.private_block(0x2001, "Philips Imaging DD 001", create=True)
    block.add_new(0x03, "FL", 1000.0)
    block.add_new(0x05, "LO", f"{TOKEN} text")
    write(ds, tmp_path / "in" / "a.dcm")
    summary = deidentify(
        tmp_path / "in", tmp_path / "out", LocalOptions(options=("retain_safe_private",), linkage=tmp_path / "link")
    )
    assert summary.written == 1
    out = pydicom.dcmread(outputs(tmp_path / "out")[0])
    privates = {int(e.tag): e.value for e in out if e.tag.is_private}
    assert privates == {0x20010010: "Philips Imaging DD 001", 0x20011003: 1000.0}
    assert "113111" in {item.CodeValue for item in out.DeidentificationMethodCodeSequence}
    assert audit_file(outputs(tmp_path / "out")[0]).findings == ()


@real
def test_real_vendor_series_into_a_submission_folder_validate_with_no_phi(tmp_path):
    """GE and Philips MR series, as exported: validate finds dicom.phi before; after `medal deidentify` into a
    fresh `medal init submission` folder with --dataset, the folder has no error at all (warnings for the
    template's FILL IN only) and the dataset file holds the deidentification block."""
    from medal_catalog.validators.submission import validate_paths

    source = tmp_path / "export"
    shutil.copytree(GE_SERIES, source / "ge")
    philips = sorted(p for p in (REAL / "philips").rglob("*") if p.is_file())[:30]
    for i, path in enumerate(philips):
        (source / "philips").mkdir(parents=True, exist_ok=True)
        shutil.copy(path, source / "philips" / f"{i:03d}")
    runner = CliRunner()
    assert runner.invoke(main, ["init", "submission", str(tmp_path / "sub")]).exit_code == 0
    before = shutil.copytree(source, tmp_path / "sub-raw" / "dicom")
    shutil.copy(tmp_path / "sub" / "dataset.yaml", before.parent)
    shutil.copy(tmp_path / "sub" / "task.yaml", before.parent)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = validate_paths([before.parent], contamination=False)
    phi = [i for i in raw.issues if i.code == "dicom.phi"]
    assert len(phi) > 100 and "medal deidentify" in phi[0].hint
    run = runner.invoke(
        main,
        [
            "deidentify",
            str(source),
            str(tmp_path / "sub" / "dicom"),
            "--keep-dates",
            "--keep-characteristics",
            "--clean-descriptors",
            "--linkage",
            str(tmp_path / "link"),
            "--dataset",
            str(tmp_path / "sub" / "dataset.yaml"),
            "--json",
        ],
    )
    assert run.exit_code == 0, run.output
    summary = json.loads(run.output)
    assert summary["written"] == len(list(GE_SERIES.iterdir())) + len(philips) - summary["not_dicom"]
    assert summary["left_out"] == []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = validate_paths([tmp_path / "sub"], contamination=False)
    assert [i for i in report.issues if i.severity.value == "error"] == []
    assert {i.code for i in report.issues} >= {"dicom.rewrite"}
    text = (tmp_path / "sub" / "dataset.yaml").read_text()
    assert "tool: medal deidentify" in text and "deidentification: {}" not in text
    assert "longitudinal_temporal_information_modified: MODIFIED" in text
    for path in outputs(tmp_path / "sub" / "dicom"):
        assert audit_content(path.read_bytes(), "x.dcm") == (1, [])


def test_write_block_replaces_only_the_block(tmp_path):
    """The dataset file keeps its comments and other keys; an empty `deidentification: {}` is replaced."""
    target = tmp_path / "dataset.yaml"
    target.write_text("# mine\nid: x\ndeidentification: {}\n# next\nlicense:\n  spdx_id: CC-BY-4.0\n")
    write_block(target, {"patient_identity_removed": True, "deidentification_date": "2026-01-02"})
    text = target.read_text()
    assert text.startswith("# mine\nid: x\ndeidentification:\n  patient_identity_removed: true\n")
    assert "deidentification_date: 2026-01-02\n\n# next\nlicense:\n  spdx_id: CC-BY-4.0\n" in text
    assert not any(p.name.endswith(".medal-tmp") for p in tmp_path.iterdir())


def test_the_template_shows_a_filled_block_and_writing_it_replaces_the_example(tmp_path):
    """`medal init submission` shows a commented, filled `deidentification:` example naming the command; the
    block written with --dataset replaces `{}` and the example, and the file still parses with the rest kept."""
    import yaml

    from medal_catalog.dicom.local import block
    from medal_catalog.templates import write

    write("submission", tmp_path)
    text = (tmp_path / "dataset.yaml").read_text()
    assert "deidentification: {}\n# `medal deidentify IN dicom --dataset dataset.yaml`" in text
    assert "#     profile_options:" in text and "#     tool: medal deidentify" in text
    before = yaml.safe_load(text)
    write_block(tmp_path / "dataset.yaml", block(("basic_profile", "clean_descriptors")))
    after_text = (tmp_path / "dataset.yaml").read_text()
    after = yaml.safe_load(after_text)
    assert "# `medal deidentify IN dicom" not in after_text and "# distribution (recommended)" in after_text
    assert after["deidentification"]["profile_options"] == ["basic_profile", "clean_descriptors"]
    assert {k: v for k, v in after.items() if k != "deidentification"} == {
        k: v for k, v in before.items() if k != "deidentification"
    }


def test_a_deidentified_submission_harvests_with_its_images(tmp_path):
    """The open example's images with PHI planted back in (names, IDs, institution, private tags, original UIDs
    in labels.csv): after `deidentify` (labels.csv through --table) the folder validates without error and a
    harvest stores dicom.zip with every image, none holding a planted value."""
    import hashlib
    import io
    import re
    import zipfile

    import yaml
    from conftest import EXAMPLES

    from medal_catalog.catalog import Catalog
    from medal_catalog.validators.submission import validate_paths

    example = EXAMPLES / "valid" / "ct-lung-nodule-malignancy"
    sub = shutil.copytree(example, tmp_path / "sub", ignore=shutil.ignore_patterns("dicom", "labels.csv"))
    originals = sorted((example / "dicom").rglob("*.dcm"))
    for i, path in enumerate(originals):
        ds = pydicom.dcmread(path)
        for keyword in ("PatientIdentityRemoved", "DeidentificationMethodCodeSequence", "DeidentificationMethod"):
            if keyword in ds:
                delattr(ds, keyword)
        ds.PatientName, ds.PatientID, ds.InstitutionName = f"{TOKEN}^Ann", f"MRN{i // 4}771", "Saint Zebulon"
        ds.OtherPatientIDs = f"{TOKEN}9"
        ds.private_block(0x0029, "ACME", create=True).add_new(0x10, "LO", TOKEN)
        write(ds, tmp_path / "export" / f"{TOKEN}_{i}.dcm")
    summary = deidentify(
        tmp_path / "export",
        sub / "dicom",
        LocalOptions(options=ALL_OPTIONS, linkage=tmp_path / "link", tables=(example / "labels.csv",)),
    )
    assert summary.written == len(originals)
    shutil.move(sub / "dicom" / "labels.csv", sub / "labels.csv")
    labels = (sub / "labels.csv").read_bytes()
    text = (sub / "dataset.yaml").read_text()
    text = text.replace("access_level: controlled", "access_level: open")
    text = re.sub(r"license:\n(  .*\n)+?(?=data_use_conditions)", "license:\n  spdx_id: CC-BY-4.0\n", text)
    text = re.sub(r"byte_size: \d+", f"byte_size: {len(labels)}", text)
    text = re.sub(r"sha256: [0-9a-f]+", f"sha256: {hashlib.sha256(labels).hexdigest()}", text)
    (sub / "dataset.yaml").write_text(text)
    write_block(sub / "dataset.yaml", summary.block)
    new_series = {pydicom.dcmread(p).SeriesInstanceUID for p in (sub / "dicom").rglob("*.dcm")}
    assert {row["series_uid"] for row in csv.DictReader(io.StringIO(labels.decode()))} == new_series
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = validate_paths([sub], contamination=False)
    assert [i for i in report.issues if i.severity.value == "error"] == []
    db = tmp_path / "cat.db"
    run = CliRunner().invoke(
        main,
        ["harvest", str(sub), "--catalog", f"sqlite:///{db}", "--json", "--out", str(tmp_path / "out"), "--jobs", "1"],
    )
    assert run.exit_code == 0, run.output
    dataset_id = yaml.safe_load(text)["id"]
    with Catalog.open(f"sqlite:///{db}") as catalog:
        archive = catalog.store.get_file("ImagingDataset", dataset_id, "dicom.zip").data
    members = zipfile.ZipFile(io.BytesIO(archive))
    assert len(members.namelist()) == len(originals), run.output
    for name in members.namelist():
        data = members.read(name)
        assert TOKEN.encode() not in data and b"Zebulon" not in data and b"MRN0771" not in data


def test_output_names_never_look_identifying_to_reports(tmp_path):
    """Names made from digests never look like a record number or date to report.identifying_component (a masked
    name would be shown as 'folder 1' and its file dropped from the served archive)."""
    from medal_catalog.dicom.local import _output_name
    from medal_catalog.report import identifying_component

    for i in range(3000):
        ds = Dataset()
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID = f"2.25.{i}", f"2.25.{i}1", f"2.25.{i}2"
        ds.Modality, ds.SeriesNumber, ds.InstanceNumber = "CT", i % 1000, 99999 - i
        assert not any(identifying_component(part) for part in _output_name(ds).split("/")), _output_name(ds)


@real
def test_init_submission_from_dicom_does_both_steps(tmp_path):
    """`medal init submission FOLDER --from-dicom DIR`: the template, the de-identified images in FOLDER/dicom, and
    the filled block; validate then finds no dicom.phi (and no error)."""
    from medal_catalog.validators.submission import validate_paths

    run = CliRunner(env={"XDG_DATA_HOME": str(tmp_path / "data")}).invoke(
        main, ["init", "submission", str(tmp_path / "sub"), "--from-dicom", str(GE_SERIES), "--json"]
    )
    assert run.exit_code == 0, run.output
    result = json.loads(run.output)
    assert result["deidentify"]["written"] == len(list(GE_SERIES.iterdir()))
    assert result["deidentify"]["linkage"].startswith(str(tmp_path / "data"))
    assert "tool: medal deidentify" in (tmp_path / "sub" / "dataset.yaml").read_text()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = validate_paths([tmp_path / "sub"], contamination=False)
    assert [i for i in report.issues if i.severity.value == "error"] == []


def test_a_rerun_removes_what_no_longer_belongs_in_out(tmp_path):
    """A file edited since the last run to declare burned-in text, and a file removed from IN: a re-run leaves
    neither earlier output in OUT (OUT is what gets sent), and reports the edited one as left out."""
    import os

    for i in range(3):
        write(mr_dataset(subject="p1", series="se1", instance=i + 1, phi=True), tmp_path / "in" / f"{i:03d}.dcm")
    options = LocalOptions(linkage=tmp_path / "link")
    assert deidentify(tmp_path / "in", tmp_path / "out", options).written == 3
    assert len(outputs(tmp_path / "out")) == 3
    edited = mr_dataset(subject="p1", series="se1", instance=1, phi=True)
    edited.BurnedInAnnotation = "YES"
    write(edited, tmp_path / "in" / "000.dcm")
    os.utime(tmp_path / "in" / "000.dcm", ns=(1, 1))  # a different mtime whatever the clock's resolution
    (tmp_path / "in" / "002.dcm").unlink()
    again = deidentify(tmp_path / "in", tmp_path / "out", options)
    assert [item["file"] for item in again.left_out] == ["000.dcm"]
    assert len(outputs(tmp_path / "out")) == 1
