"""Preview rendering (dicom/preview.py) on synthetic DICOM made with pydicom: the file's window, the percentile
default, MONOCHROME1 inversion, frames of a multi-frame file, aspect ratio, and clear refusals."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from medal_catalog.dicom.preview import PreviewError, render, slice_key, window


def _file(pixels: np.ndarray, **attributes) -> bytes:
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.SOPClassUID, ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPClassUID, ds.file_meta.MediaStorageSOPInstanceUID
    frames = pixels.shape[0] if pixels.ndim == 3 else 1
    ds.Rows, ds.Columns = pixels.shape[-2:]
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, attributes.pop("photometric", "MONOCHROME2")
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
    if frames > 1:
        ds.NumberOfFrames = frames
    for key, value in attributes.items():
        setattr(ds, key, value)
    ds.PixelData = pixels.astype(np.int16).tobytes()
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def _grey(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)))


def test_the_files_window_is_applied_after_the_rescale():
    """CT values -1000..1000 (stored 0..2000, intercept -1024+24) in a soft-tissue window (40/400): air is black,
    bone white, 40 HU mid grey."""
    hu = np.array([[-1000, 40], [1000, -160]])
    png = render(_file(hu + 1000, RescaleIntercept=-1000, RescaleSlope=1, WindowCenter=40, WindowWidth=400))
    grey = _grey(png)
    assert grey[0, 0] == 0 and grey[0, 1] in (127, 128) and grey[1, 0] == 255 and grey[1, 1] == 0


def test_without_a_window_the_percentiles_stretch_and_a_flat_image_is_mid_grey():
    """1st-99th percentile to 0-255; a uniform slice is 128, never a division by zero."""
    ramp = window(np.arange(1000).reshape(10, 100), None, None)
    assert ramp.min() == 0 and ramp.max() == 255
    assert set(np.unique(window(np.full((4, 4), 7), None, None))) == {128}


def test_monochrome1_is_inverted_and_frames_are_chosen():
    """MONOCHROME1 shows high values dark; frame 2 of a 3-frame file is its own image; frame 4 is refused."""
    frames = np.zeros((3, 8, 8))
    for k in range(3):
        frames[k, k, k] = 300  # each frame's bright pixel elsewhere
    data = _file(frames, photometric="MONOCHROME1")
    assert slice_key(data).frames == 3
    second = _grey(render(data, 1))
    assert second[1, 1] == 0 and second[4, 4] == 255  # the brightest value is black, the darkest white
    assert not np.array_equal(second, _grey(render(data, 2)))
    with pytest.raises(PreviewError, match="frame 4 is not among its 3"):
        render(data, 3)


def test_size_is_bounded_and_pixels_are_made_square():
    """300 rows x 600 columns spaced 1 mm (rows) and 0.5 mm (columns) is a square field: 512 x 512; 300 x 300 spaced
    2 mm and 1 mm is twice as tall as wide: 256 x 512; a thumbnail is at most 128."""
    data = _file(np.random.default_rng(1).integers(0, 1000, (300, 600)), PixelSpacing=[1.0, 0.5])
    assert Image.open(io.BytesIO(render(data))).size == (512, 512)
    data = _file(np.random.default_rng(1).integers(0, 1000, (300, 300)), PixelSpacing=[2.0, 1.0])
    assert Image.open(io.BytesIO(render(data))).size == (256, 512)
    assert max(Image.open(io.BytesIO(render(data, size=128))).size) == 128


def test_a_file_without_pixels_or_not_dicom_is_refused_without_its_values():
    """No pixel data: PreviewError saying so; bytes that are not DICOM: PreviewError naming the kind of failure."""
    data = _file(np.zeros((2, 2)))
    import pydicom

    ds = pydicom.dcmread(io.BytesIO(data))
    del ds.PixelData
    out = io.BytesIO()
    ds.save_as(out)
    with pytest.raises(PreviewError, match="no pixel data"):
        render(out.getvalue())
    with pytest.raises(PreviewError, match="cannot"):
        render(b"DOE^JANE" * 100)
