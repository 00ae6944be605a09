#!/usr/bin/env python3
"""Benchmark grading (issue 27): a classification split of 10,000 cases and segmentation volumes of 256³.

Classification: `grade()` of a 10k-case predictions CSV with every classification metric and 1,000 bootstrap
resamples (percentile intervals), against a reference measured in the same run: the same 1,000 resamples scored
the naive way, one scikit-learn roc_auc_score call per resample, for AUROC alone.

Segmentation: `grade()` of a zip of NIfTI masks (256³, one sphere-like lesion per case, the prediction shifted and
grown) with DSC, IoU, NSD and HD95, against a reference measured in the same run: one scipy distance_transform_edt
of a whole 256³ volume per case (what the surface metrics would cost without cropping to the masks' bounding box).
The issue asks for 100 volumes; the default is 10 (--volumes) on this shared machine (the masks are held in memory,
32 MiB per case): grading is per case, so the time of 100 is ten times that of 10 (printed as extrapolated).

    .venv/bin/python benchmarks/evaluate.py [--cases 10000] [--volumes 20] [--size 256]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from evaluation.exams import classification_task, nifti, predictions_csv, segmentation_task  # noqa: E402
from medal_catalog.evaluation.exams import exam_from_folder  # noqa: E402
from medal_catalog.evaluation.grading import grade  # noqa: E402


def classification(tmp: Path, cases: int) -> None:
    from sklearn.metrics import roc_auc_score

    from evaluation.exams import classification_labels
    from medal_catalog.evaluation.bootstrap import DEFAULT_SEED, resample_indices

    folder = classification_task(tmp, n=cases)
    y, _ = classification_labels(cases, 5)
    p = 1 / (1 + np.exp(-(np.random.default_rng(1).normal(0, 1, cases) + 1.5 * y - 0.7)))
    data = predictions_csv(tmp / "p.csv", [f"val-{i:04d}" for i in range(cases)], p).read_bytes()
    exam = exam_from_folder(folder, "validation")
    start = time.perf_counter()
    result = grade(exam, data).result
    ours = time.perf_counter() - start
    start = time.perf_counter()
    for row in resample_indices(cases, 1000, DEFAULT_SEED):
        roc_auc_score(y[row], p[row])
    naive = time.perf_counter() - start
    metrics = len(result["metrics"])
    print(
        f"classification, {cases} cases, {metrics} metrics + {len(result['subgroups'])} subgroups, "
        f"1000 resamples: {ours:.2f} s"
    )
    print(
        f"  reference (naive AUROC alone, one scikit-learn call per resample): {naive:.2f} s; "
        f"ratio ours/reference {ours / naive:.2f} (for {metrics} metrics and the subgroups, not one)"
    )


def _sphere(size: int, centre: tuple[int, int, int], radius: float) -> np.ndarray:
    z, y, x = np.ogrid[:size, :size, :size]
    return (z - centre[0]) ** 2 + (y - centre[1]) ** 2 + (x - centre[2]) ** 2 <= radius**2


def segmentation(tmp: Path, volumes: int, size: int) -> None:
    from scipy.ndimage import distance_transform_edt

    rng = np.random.default_rng(3)
    refs, preds = [], []
    for _ in range(volumes):
        c = tuple(int(v) for v in rng.integers(size // 4, 3 * size // 4, 3))
        r = float(rng.uniform(6, 20))
        refs.append(_sphere(size, c, r))
        preds.append(_sphere(size, (c[0] + 2, c[1], c[2] - 1), r + 1))
    folder = segmentation_task(tmp, refs, (0.8, 0.8, 1.5), tolerance=2.0)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as z:
        for i, mask in enumerate(preds):
            z.writestr(f"seg-{i}.nii.gz", nifti(mask, (0.8, 0.8, 1.5)))
    exam = exam_from_folder(folder, "validation")
    start = time.perf_counter()
    result = grade(exam, buf.getvalue()).result
    ours = time.perf_counter() - start
    start = time.perf_counter()
    for mask in refs[: max(1, volumes // 5)]:
        distance_transform_edt(~mask, sampling=(0.8, 0.8, 1.5))
    edt = (time.perf_counter() - start) / max(1, volumes // 5)
    dsc = next(m for m in result["metrics"] if m["metric"] == "dsc")["value"]
    print(
        f"segmentation, {volumes} volumes of {size}^3 (NIfTI in a zip, read, DSC/NSD/HD95 and 1000 resamples): "
        f"{ours:.1f} s, {ours / volumes:.2f} s per volume; 100 volumes ~ {100 * ours / volumes:.0f} s "
        f"(extrapolated from {volumes}); mean DSC {dsc:.3f}"
    )
    print(
        f"  reference (one whole-volume distance_transform_edt): {edt:.2f} s per volume; "
        f"ratio ours per volume / reference {ours / volumes / edt:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--volumes", type=int, default=10)
    parser.add_argument("--size", type=int, default=256)
    args = parser.parse_args()
    print(f"load: {os.getloadavg()[0]:.2f} (1-min average, {os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory(prefix="medal-bench-eval-") as out:
        classification(Path(out) / "c", args.cases) if (Path(out) / "c").mkdir() is None else None
        (Path(out) / "s").mkdir()
        segmentation(Path(out) / "s", args.volumes, args.size)
    print(f"load: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
