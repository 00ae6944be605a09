"""Pixel digests (dicom/pixels.py): of the raw Pixel Data bytes after the header, whatever the encoding; the same
image under rewritten UIDs has the same digest, another image another one; blank images and truncated files none."""

from __future__ import annotations

import hashlib
import shutil

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.encaps import generate_frames
from pydicom.uid import generate_uid

from medal_catalog.config import Settings
from medal_catalog.contamination.check import read_facts


def blake(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@pytest.mark.parametrize("name", ["CT_small.dcm", "MR_small_implicit.dcm", "MR_small_bigendian.dcm"])
def test_native_pixel_data_digest_is_of_its_value_bytes(name):
    """Explicit and implicit VR, little and big endian: the digest is blake2b-128 of the Pixel Data value."""
    path = get_testdata_file(name)
    assert read_facts(path)["pixels"] == blake(pydicom.dcmread(path).PixelData)


def test_encapsulated_digest_is_of_the_fragments_without_the_offset_table():
    """RLE, two frames: the digest covers the frames' fragment bytes, not the Basic Offset Table."""
    path = get_testdata_file("SC_rgb_rle_2frame.dcm")
    ds = pydicom.dcmread(path)
    assert read_facts(path)["pixels"] == blake(b"".join(generate_frames(ds.PixelData, number_of_frames=2)))


def test_rewritten_uids_keep_the_digest_and_other_pixels_change_it(tmp_path):
    """De-identification's new UIDs (and dates) do not hide the image; one changed pixel gives another digest."""
    source = get_testdata_file("CT_small.dcm")
    ds = pydicom.dcmread(source)
    ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID = generate_uid(), generate_uid(), generate_uid()
    ds.StudyDate, ds.PatientID = "20000101", ""
    ds.save_as(tmp_path / "copy.dcm")
    assert read_facts(tmp_path / "copy.dcm")["pixels"] == read_facts(source)["pixels"]
    changed = bytearray(ds.PixelData)
    changed[10] ^= 0xFF
    ds.PixelData = bytes(changed)
    ds.save_as(tmp_path / "changed.dcm")
    assert read_facts(tmp_path / "changed.dcm")["pixels"] != read_facts(source)["pixels"]


def test_uniform_and_truncated_pixel_data_get_no_digest(tmp_path):
    """A blank image is not evidence of a copy; a file cut inside its pixel data has no digest (and no crash)."""
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    ds.PixelData = b"\x00\x04" * (len(ds.PixelData) // 2)
    ds.save_as(tmp_path / "blank.dcm")
    assert read_facts(tmp_path / "blank.dcm")["pixels"] is None
    shutil.copy(get_testdata_file("CT_small.dcm"), tmp_path / "cut.dcm")
    with open(tmp_path / "cut.dcm", "r+b") as fh:
        fh.truncate(7000)  # the header ends at 6288; 32768 bytes of pixel data follow (then trailing padding)
    facts = read_facts(tmp_path / "cut.dcm")
    assert facts is not None and facts["pixels"] is None


def test_the_harvest_records_a_digest_per_file_and_no_pixels(tmp_path):
    """The harvest keeps digests by series (the same as read_facts), and its cache and outputs hold no pixel byte."""
    from medal_catalog.harvesters.dicom import CACHE_NAME, harvest_dicom, write_outputs

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(get_testdata_file("CT_small.dcm"), folder / "a.dcm")
    result = harvest_dicom(
        [folder], "pixels-set", jobs=1, cache_file=tmp_path / "out" / CACHE_NAME, settings=Settings()
    )
    write_outputs(result, tmp_path / "out")
    (digests,) = result.pixels.values()
    assert digests == {read_facts(folder / "a.dcm")["pixels"]: 1}
    pixel_bytes = pydicom.dcmread(folder / "a.dcm").PixelData[:64]
    for written in (tmp_path / "out").iterdir():
        assert pixel_bytes not in written.read_bytes()
    again = harvest_dicom([folder], "pixels-set", jobs=1, cache_file=tmp_path / "out" / CACHE_NAME, settings=Settings())
    assert again.pixels == result.pixels and again.summary["reused_from_cache"] == 1
    off = harvest_dicom(
        [folder], "pixels-set", jobs=1, pixel_hash=False, cache_file=tmp_path / "out" / CACHE_NAME, settings=Settings()
    )
    assert off.pixels == {} and off.summary["contamination"]["pixel_hashes"]["enabled"] is False
