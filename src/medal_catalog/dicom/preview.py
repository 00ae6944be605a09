"""Preview images of DICOM slices: one frame of a file decoded by pydicom, windowed to 8 bits and written as PNG.

Only ever called on the catalog's own de-identified rewrite (a dataset's ``dicom.zip``), never on a submitted
file. The window is the file's own (WindowCenter/WindowWidth, the first pair when several are given, after the
modality rescale); without one, the 1st to 99th percentile of the frame's values, which shows MR and most CT
sensibly. MONOCHROME1 is inverted so that a preview reads as a viewer shows it; colour images are scaled as they
are. Nothing of the header but the pixel module and the ordering attributes is read.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

#: Longest side of a thumbnail and of the slice view, in pixels (a preview is never larger than the image).
THUMBNAIL = 128
VIEW = 512


#: How many frames this process has decoded and rendered (tests: a preview served from the store renders none).
RENDERS = [0]


class PreviewError(Exception):
    """The frame cannot be rendered (pixel data absent, or in a transfer syntax pydicom cannot decode here); the
    message holds no value of the file."""


@dataclass(frozen=True, slots=True)
class SliceKey:
    """Where a slice sorts in its series: by position along the slice normal when the file says it, else by
    InstanceNumber; ``frames`` is the number of frames the file holds."""

    position: float | None
    instance: int
    frames: int


def slice_key(data: bytes) -> SliceKey:
    """The ordering attributes of a DICOM file (its header only)."""
    import pydicom  # inline: pydicom takes ~0.5 s to import

    try:
        ds = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True)
    except Exception as exc:  # pydicom raises many kinds; the reason is the kind, never a value
        raise PreviewError(f"cannot read the header ({type(exc).__name__})") from None
    position = None
    try:
        ipp = [float(v) for v in ds.ImagePositionPatient]
        iop = [float(v) for v in ds.ImageOrientationPatient]
        normal = np.cross(iop[:3], iop[3:])
        position = float(np.dot(normal, ipp))
    except (AttributeError, TypeError, ValueError):
        pass
    try:
        instance = int(ds.get("InstanceNumber") or 0)
    except (TypeError, ValueError):
        instance = 0
    try:
        frames = max(1, int(ds.get("NumberOfFrames") or 1))
    except (TypeError, ValueError):
        frames = 1
    return SliceKey(position, instance, frames)


def _first(value) -> float | None:
    """The first number of a (possibly multi-valued) window attribute, or None."""
    if value is None or isinstance(value, (str, bytes)) and not value:
        return None
    try:
        items = [value] if isinstance(value, (str, bytes, int, float)) else list(value)
        return float(items[0])
    except (TypeError, ValueError, IndexError):
        return None


def window(values: np.ndarray, center: float | None, width: float | None) -> np.ndarray:
    """8-bit grey levels of ``values``: the linear window (PS3.3 C.11.2.1.2) when ``width`` > 0, else the 1st to
    99th percentile (all one value: mid grey)."""
    values = values.astype(np.float64, copy=False)
    if center is not None and width is not None and width > 0:
        low, high = center - width / 2, center + width / 2
    else:
        low, high = np.percentile(values, [1, 99]) if values.size else (0.0, 0.0)
        if high <= low and values.size:
            low, high = float(values.min()), float(values.max())
    if high <= low:
        return np.full(values.shape, 128, dtype=np.uint8)
    out = (values - low) / (high - low)
    return (np.clip(out, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def render(data: bytes, frame: int = 0, size: int = VIEW) -> bytes:
    """The PNG of frame ``frame`` (0-based) of the DICOM file ``data``, its longest side at most ``size``."""
    import pydicom  # inline: pydicom takes ~0.5 s to import
    from PIL import Image  # inline: PIL.Image takes ~40 ms to import

    RENDERS[0] += 1
    try:
        ds = pydicom.dcmread(io.BytesIO(data))
        if "PixelData" not in ds and "FloatPixelData" not in ds and "DoubleFloatPixelData" not in ds:
            raise PreviewError("the file holds no pixel data")
        frames = max(1, int(ds.get("NumberOfFrames") or 1))
        if not 0 <= frame < frames:
            raise PreviewError(f"frame {frame + 1} is not among its {frames}")
        from pydicom.pixels import apply_modality_lut  # inline: pydicom takes ~0.5 s to import

        pixels = ds.pixel_array if frames == 1 else ds.pixel_array[frame]
        photometric = str(ds.get("PhotometricInterpretation", "MONOCHROME2"))
        if photometric.startswith("MONOCHROME"):
            values = apply_modality_lut(pixels, ds)
            grey = window(values, _first(ds.get("WindowCenter")), _first(ds.get("WindowWidth")))
            if photometric == "MONOCHROME1":
                grey = 255 - grey
            image = Image.fromarray(grey, mode="L")
        else:
            from pydicom.pixels import convert_color_space  # inline: pydicom takes ~0.5 s to import

            rgb = pixels if photometric == "RGB" else convert_color_space(pixels, photometric, "RGB")
            image = Image.fromarray(window(rgb, None, None) if rgb.dtype != np.uint8 else rgb, mode="RGB")
    except PreviewError:
        raise
    except Exception as exc:
        raise PreviewError(f"cannot decode the pixel data ({type(exc).__name__})") from None
    image = _aspect(image, ds)
    image.thumbnail((size, size), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def _aspect(image, ds):
    """The image stretched to square pixels when PixelSpacing says rows and columns are spaced differently."""
    from PIL import Image  # inline: PIL.Image takes ~40 ms to import

    try:
        row, column = (float(v) for v in ds.PixelSpacing)
    except (AttributeError, TypeError, ValueError):
        return image
    if row <= 0 or column <= 0 or abs(row - column) / max(row, column) < 0.01:
        return image
    width, height = image.size
    return image.resize((width, max(1, round(height * row / column))), Image.Resampling.BILINEAR)
