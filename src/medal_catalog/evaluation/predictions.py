"""Prediction files, read and checked against a split's cases. Every problem raises :class:`PredictionError`
saying what is wrong and where (a line, a column, a file in the zip) and what to do; messages give line numbers and
counts, never a case id of the reference (ids may be pseudonyms, and a hidden split's ids are not the caller's).

Formats (docs/evaluation.md):

- classification and regression: a CSV with a header, one row per case: the case id column (named as the label
  table's, or ``case_id``) and one column named as the task's label column (or ``prediction``) holding the
  probability of the positive class (classification, 0 to 1) or the predicted value (regression);
- segmentation: a zip of NIfTI masks, one per case, named ``<case id>.nii.gz`` or ``<case id>.nii`` (at any
  depth), 0 for background and 1 for the structure, on the reference mask's grid;
- detection: a CSV of findings, one row per finding: the case id, ``x, y[, z]`` (a point, mm) or ``x_min, y_min[,
  z_min], x_max, y_max[, z_max]`` (a box), and an optional ``score``; a case without rows has no findings.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import zipfile
from collections.abc import Sequence
from pathlib import PurePosixPath

import numpy as np

from medal_catalog.errors import InputError

POINT = ("x", "y", "z")
BOX = ("x_min", "y_min", "z_min", "x_max", "y_max", "z_max")
#: The most bytes the masks of one zip may unpack to (a zip bomb is refused before anything is unpacked).
MAX_UNPACKED = 8 * 1024**3


class PredictionError(InputError):
    """A prediction file that cannot be scored: it says what is wrong, where, and what to do."""


class ReferenceMismatch(PredictionError):
    """Predictions that do not fit a case's reference (its mask's grid, its findings' coordinates). On a hidden split
    the reason would describe the hidden reference of that case, so the server counts the attempt and says less."""


def _verb(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _lines(numbers: Sequence[int]) -> str:
    shown = ", ".join(map(str, numbers[:5]))
    return f"line{'s' if len(numbers) > 1 else ''} {shown}{' ...' if len(numbers) > 5 else ''}"


def _rows(data: bytes, what: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise PredictionError(f"the {what} is not UTF-8 text (byte {err.start}); save it as UTF-8 CSV") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader, [])]
        rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except csv.Error:
        raise PredictionError(f"the {what} is not valid CSV (line {reader.line_num})") from None
    if not header:
        raise PredictionError(f"the {what} is empty; it needs a header row and one row per case")
    return header, rows


def _id_column(header: list[str], case_id_column: str, what: str) -> int:
    for name in (case_id_column, "case_id"):
        if name in header:
            return header.index(name)
    raise (
        PredictionError(
            f"the {what} has no case id column {case_id_column!r}",
        )
        if case_id_column == "case_id"
        else PredictionError(
            f"the {what} has no case id column ({case_id_column!r} or 'case_id'); its columns: {', '.join(header)}"
        )
    )


def _number(cell: str, line: int, column: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise PredictionError(f"line {line}, column {column!r}: not a number") from None
    if not math.isfinite(value):
        raise PredictionError(f"line {line}, column {column!r}: not a finite number")
    return value


def read_case_values(
    data: bytes, case_ids: Sequence[str], *, case_id_column: str, label_column: str, probability: bool
) -> np.ndarray:
    """The predicted value of each of ``case_ids`` (in that order) from a classification or regression CSV;
    ``probability`` demands values from 0 to 1."""
    what = "predictions file"
    header, rows = _rows(data, what)
    id_at = _id_column(header, case_id_column, what)
    column = next((c for c in (label_column, "prediction", "probability") if c in header), None)
    if column is None:
        raise PredictionError(
            f"the {what} has no prediction column {label_column!r} (or 'prediction'); its columns: {', '.join(header)}"
        )
    at = header.index(column)
    wanted = {case: i for i, case in enumerate(case_ids)}
    values = np.full(len(case_ids), np.nan)
    seen: dict[str, int] = {}
    duplicates, extra, short = [], [], []
    for line, row in rows:
        if len(row) <= max(at, id_at):
            short.append(line)
            continue
        case = row[id_at].strip()
        if case in seen:
            duplicates.append(line)
            continue
        seen[case] = line
        if case not in wanted:
            extra.append(line)
            continue
        value = _number(row[at].strip(), line, column)
        if probability and not 0.0 <= value <= 1.0:
            raise PredictionError(f"line {line}, column {column!r}: a probability must lie between 0 and 1")
        values[wanted[case]] = value
    if short:
        raise PredictionError(
            f"{_lines(short)} of the {what} {_verb(len(short), 'has', 'have')} fewer cells than the header"
        )
    if duplicates:
        raise PredictionError(
            f"{len(duplicates)} {_verb(len(duplicates), 'case appears', 'cases appear')} more "
            f"than once ({_lines(duplicates)} repeat an earlier row); give each case one row"
        )
    if extra:
        raise PredictionError(
            f"{len(extra)} row{'s name' if len(extra) > 1 else ' names'} cases that are not in this "
            f"split ({_lines(extra)}); predict exactly the split's cases (its cases.csv)"
        )
    missing = int(np.isnan(values).sum())
    if missing:
        raise PredictionError(
            f"{missing} of the split's {len(case_ids)} cases {_verb(missing, 'has', 'have')} no "
            "prediction; predict every case of the split (its cases.csv lists them)"
        )
    return values


def _case_of(name: str) -> str | None:
    base = PurePosixPath(name).name
    for suffix in (".nii.gz", ".nii"):
        if base.endswith(suffix) and len(base) > len(suffix):
            return base[: -len(suffix)]
    return None


def open_mask_zip(data: bytes, case_ids: Sequence[str]) -> dict[str, tuple[str, zipfile.ZipFile]]:
    """The zip member holding each case's predicted mask, checked for missing, extra and repeated cases."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise PredictionError(
            "the predictions file is not a zip archive; zip one NIfTI mask per case, named <case id>.nii.gz"
        ) from None
    members = [info for info in archive.infolist() if not info.is_dir()]
    if sum(info.file_size for info in members) > MAX_UNPACKED:
        raise PredictionError(f"the zip unpacks to more than {MAX_UNPACKED // 1024**3} GiB")
    wanted = set(case_ids)
    found: dict[str, tuple[str, zipfile.ZipFile]] = {}
    extra, repeated, other = [], [], []
    for info in members:
        case = _case_of(info.filename)
        if case is None:
            other.append(info.filename)
        elif case in found:
            repeated.append(info.filename)
        elif case not in wanted:
            extra.append(info.filename)
        else:
            found[case] = (info.filename, archive)
    if other:
        raise PredictionError(
            f"{len(other)} {_verb(len(other), 'file in the zip is', 'files in the zip are')} not "
            f"NIfTI masks (.nii or .nii.gz), the first {other[0]!r}"
        )
    if repeated:
        raise PredictionError(
            f"{len(repeated)} case{'s have' if len(repeated) > 1 else ' has'} more than one mask in "
            f"the zip, the first {repeated[0]!r}; give each case one mask"
        )
    if extra:
        raise PredictionError(
            f"{len(extra)} {_verb(len(extra), 'mask in the zip names', 'masks in the zip name')} "
            f"cases that are not in this split, the first {extra[0]!r}"
        )
    missing = len(wanted) - len(found)
    if missing:
        raise PredictionError(
            f"{missing} of the split's {len(wanted)} cases {_verb(missing, 'has', 'have')} no mask "
            "in the zip; give every case of the split a mask <case id>.nii.gz"
        )
    return found


def read_nifti(data: bytes, where: str) -> tuple[np.ndarray, tuple[float, ...]]:
    """A NIfTI file's voxels as a boolean mask and its voxel spacing (mm); values other than 0 and 1 are an
    error."""
    import nibabel as nib  # inline: nibabel takes ~0.28 s to import

    try:
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        image = nib.Nifti1Image.from_bytes(data)
        voxels = np.asanyarray(image.dataobj)
    except Exception as err:  # nibabel raises many kinds for a damaged file
        raise PredictionError(f"{where} is not a readable NIfTI-1 image ({type(err).__name__})") from None
    if voxels.ndim == 4 and voxels.shape[3] == 1:
        voxels = voxels[..., 0]
    if not np.isin(np.unique(voxels), (0, 1)).all():
        raise PredictionError(f"{where} holds values other than 0 and 1; save a binary mask")
    return voxels.astype(bool), tuple(float(z) for z in image.header.get_zooms()[: voxels.ndim])


def read_findings(
    data: bytes, *, case_id_column: str | None, what: str, case_ids: Sequence[str] | None = None
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Findings by case id: (coordinates, one row per finding; scores). With ``case_id_column`` None the file is one
    case's reference findings (key "")."""
    header, rows = _rows(data, what)
    id_at = _id_column(header, case_id_column, what) if case_id_column else None
    box = [c for c in BOX if c in header]
    point = [c for c in POINT if c in header]
    columns = box if len(box) in (4, 6) else point if len(point) in (2, 3) else None
    if columns is None:
        raise PredictionError(
            f"the {what} has neither point columns (x, y[, z]) nor box columns (x_min, y_min[, "
            f"z_min], x_max, y_max[, z_max])"
        )
    if columns is box:  # (min..., max...)
        columns = [c for c in box if c.endswith("_min")] + [c for c in box if c.endswith("_max")]
    at = [header.index(c) for c in columns]
    score_at = header.index("score") if "score" in header else None
    wanted = set(case_ids) if case_ids is not None else None
    out: dict[str, tuple[list, list]] = {}
    extra = []
    for line, row in rows:
        if len(row) < len(header):
            raise PredictionError(f"line {line} of the {what} has fewer cells than the header")
        case = row[id_at].strip() if id_at is not None else ""
        if wanted is not None and case not in wanted:
            extra.append(line)
            continue
        coords = [_number(row[i].strip(), line, header[i]) for i in at]
        score = _number(row[score_at].strip(), line, "score") if score_at is not None else 1.0
        out.setdefault(case, ([], []))
        out[case][0].append(coords)
        out[case][1].append(score)
    if extra:
        raise PredictionError(
            f"{len(extra)} finding{'s name' if len(extra) > 1 else ' names'} cases that are not in "
            f"this split ({_lines(extra)})"
        )
    return {case: (np.array(c, dtype=np.float64), np.array(s)) for case, (c, s) in out.items()}
