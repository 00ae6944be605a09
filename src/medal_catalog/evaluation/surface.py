"""Overlap and boundary metrics of one case's segmentation, on the reference mask's voxel grid with its spacing.

Boundaries are the mask voxels with a face neighbour outside the mask (scipy ``binary_erosion`` with the
face-connected structure, voxels beyond the image counting as outside); distances are Euclidean in millimetres
from scipy's ``distance_transform_edt`` with ``sampling=spacing``, computed on the bounding box of both masks
(exact: every boundary voxel lies inside it). These are the definitions of medpy's ``hd95`` and ``assd``; NSD
counts boundary voxels (not surface elements, as DeepMind's surface-distance does), so values differ slightly from
that package's. Empty masks: both empty gives DSC = IoU = NSD = 1 and HD95 = MASD = 0; one empty gives DSC = IoU =
NSD = 0 and HD95 = MASD = the diagonal of the image in mm (the worst value possible on that grid).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

IMPLEMENTATION = (
    "medal_catalog.evaluation.surface: scipy.ndimage distance_transform_edt on face-connected "
    "boundaries, voxel-count NSD, HD95 as the 95th percentile of both directed distance sets"
)


@dataclass(frozen=True)
class CaseScores:
    """One case's segmentation metrics."""

    dsc: float
    iou: float
    nsd: float
    hd95: float
    masd: float

    def get(self, code: str) -> float:
        return float(getattr(self, code))


def _boundary(mask: np.ndarray) -> np.ndarray:
    from scipy.ndimage import binary_erosion, generate_binary_structure  # inline: scipy.ndimage takes ~0.45 s to import

    structure = generate_binary_structure(mask.ndim, 1)
    return mask & ~binary_erosion(mask, structure=structure, iterations=1, border_value=0)


def _crop(reference: np.ndarray, prediction: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    union = reference | prediction
    box = []
    for axis in range(union.ndim):
        hit = np.flatnonzero(union.any(axis=tuple(a for a in range(union.ndim) if a != axis)))
        box.append(slice(max(int(hit[0]) - 1, 0), int(hit[-1]) + 2))
    return reference[tuple(box)], prediction[tuple(box)]


def directed_distances(
    reference: np.ndarray, prediction: np.ndarray, spacing: tuple[float, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """The distances (mm) from each prediction boundary voxel to the reference boundary, and back; both masks
    non-empty."""
    from scipy.ndimage import distance_transform_edt  # inline: scipy.ndimage takes ~0.45 s to import

    reference, prediction = _crop(reference, prediction)
    ref_border, pred_border = _boundary(reference), _boundary(prediction)
    to_ref = distance_transform_edt(~ref_border, sampling=spacing)
    to_pred = distance_transform_edt(~pred_border, sampling=spacing)
    return to_ref[pred_border], to_pred[ref_border]


def score_case(
    reference: np.ndarray, prediction: np.ndarray, spacing: tuple[float, ...], tolerance_mm: float
) -> CaseScores:
    """Every segmentation metric of one case; ``reference`` and ``prediction`` are boolean arrays of one shape."""
    reference, prediction = reference.astype(bool, copy=False), prediction.astype(bool, copy=False)
    if reference.shape != prediction.shape:
        raise ValueError(f"the prediction's shape {prediction.shape} is not the reference's {reference.shape}")
    ref_n, pred_n = int(reference.sum()), int(prediction.sum())
    if ref_n == 0 and pred_n == 0:
        return CaseScores(1.0, 1.0, 1.0, 0.0, 0.0)
    if ref_n == 0 or pred_n == 0:
        worst = math.sqrt(sum((n * s) ** 2 for n, s in zip(reference.shape, spacing)))
        return CaseScores(0.0, 0.0, 0.0, worst, worst)
    both = int(np.count_nonzero(reference & prediction))
    dsc = 2 * both / (ref_n + pred_n)
    iou = both / (ref_n + pred_n - both)
    pred_to_ref, ref_to_pred = directed_distances(reference, prediction, spacing)
    within = int(np.count_nonzero(pred_to_ref <= tolerance_mm)) + int(np.count_nonzero(ref_to_pred <= tolerance_mm))
    nsd = within / (pred_to_ref.size + ref_to_pred.size)
    hd95 = float(np.percentile(np.hstack((pred_to_ref, ref_to_pred)), 95))
    masd = (float(pred_to_ref.mean()) + float(ref_to_pred.mean())) / 2
    return CaseScores(dsc, iou, nsd, hd95, masd)
