"""Task folders with synthetic reference standards for the scoring tests: a classification task of 200 cases per
split (30 % prevalence, sex and site columns), a segmentation task with NIfTI masks, a detection task."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import numpy as np
import yaml

from medal_catalog.documents import load_yaml  # dates kept as the text written

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "valid" / "ct-lung-nodule-malignancy"


def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _task_folder(
    tmp: Path,
    rows: list[list],
    header: list[str],
    labels: dict,
    problem: dict,
    metrics: list[dict],
    task_type: str,
    splits: list[dict],
) -> Path:
    folder = tmp / f"task-{task_type}"
    folder.mkdir()
    _write_csv(folder / "labels.csv", header, rows)
    task = load_yaml((EXAMPLE / "task.yaml").read_text())
    task.update(
        task_type=task_type,
        problem=problem,
        metrics=metrics,
        splits=splits,
        labels={"dataset": "ct-lung-screening-2019-2023", "distribution_name": "labels", **labels},
    )
    dataset = load_yaml((EXAMPLE / "dataset.yaml").read_text())
    table = (folder / "labels.csv").read_bytes()
    for d in dataset["distribution"]:
        if d["name"] == "labels":
            d.update(byte_size=len(table), sha256=hashlib.sha256(table).hexdigest())
    dataset["distribution"] = [d for d in dataset["distribution"] if d["name"] == "labels"]
    (folder / "task.yaml").write_text(yaml.safe_dump(task, sort_keys=False))
    (folder / "dataset.yaml").write_text(yaml.safe_dump(dataset, sort_keys=False))
    return folder


def classification_labels(n: int = 200, seed: int = 5) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    return y, rng.choice(["F", "M"], n, p=[0.85, 0.15])


def classification_task(tmp: Path, n: int = 200) -> Path:
    """Splits ``validation`` (visible) and ``test_hidden`` of ``n`` cases each; metrics AUROC (primary, coded),
    AP, MCC, Brier, ECE, sensitivity, specificity and one free-text metric."""
    rows = []
    for split, seed in (("validation", 5), ("test_hidden", 6)):
        y, sex = classification_labels(n, seed)
        rows += [[f"{split[:3]}-{i:04d}", split, int(y[i]), sex[i], f"site-{i % 2}"] for i in range(n)]
    metrics = [
        {"name": "AUROC", "metric": "auroc", "role": "primary", "higher_is_better": True},
        *(
            {"name": name, "role": "secondary"}
            for name in (
                "average precision",
                "MCC",
                "Brier score",
                "ECE",
                "sensitivity",
                "specificity",
                "accuracy",
                "Net reclassification improvement",
            )
        ),
    ]
    return _task_folder(
        tmp,
        rows,
        ["case_id", "split", "malignant", "sex", "site"],
        {"case_id_column": "case_id", "split_column": "split", "label_columns": ["malignant"]},
        {"problem_category": "image_classification", "prevalence": 0.3, "calibration_needed": True},
        metrics,
        "classification",
        [
            {"name": "validation", "size": n, "labels_hidden": False, "labels_published": False},
            {"name": "test_hidden", "size": n, "labels_hidden": True, "labels_published": False},
        ],
    )


def predictions_csv(path: Path, ids: list[str], p: np.ndarray, column: str = "malignant") -> Path:
    _write_csv(path, ["case_id", column], [[i, repr(float(v))] for i, v in zip(ids, p)])
    return path


def nifti(mask: np.ndarray, spacing: tuple[float, ...]) -> bytes:
    import gzip

    import nibabel as nib

    image = nib.Nifti1Image(mask.astype(np.uint8), np.diag([*spacing, 1.0]))
    image.header.set_zooms(spacing)
    return gzip.compress(image.to_bytes())


def segmentation_task(
    tmp: Path,
    references: list[np.ndarray],
    spacing: tuple[float, ...],
    tolerance: float = 1.0,
    split: str = "validation",
    hidden: bool = False,
) -> Path:
    """Masks under masks/, each declared as a file distribution of the dataset (so that a harvest keeps them)."""
    rows = [[f"seg-{i}", split, f"masks/seg-{i}.nii.gz"] for i in range(len(references))]
    folder = _task_folder(
        tmp,
        rows,
        ["case_id", "split", "mask"],
        {"case_id_column": "case_id", "split_column": "split", "reference_column": "mask"},
        {"problem_category": "semantic_segmentation", "tolerance_mm": tolerance, "boundary_relevant": True},
        [
            {"name": "Dice", "metric": "dsc", "role": "primary"},
            {"name": "NSD", "metric": "nsd", "role": "secondary"},
            {"name": "HD95", "metric": "hd95", "role": "secondary"},
        ],
        "segmentation",
        [{"name": split, "size": len(references), "labels_hidden": hidden, "labels_published": False}],
    )
    (folder / "masks").mkdir()
    dataset = yaml.safe_load((folder / "dataset.yaml").read_text())
    for i, mask in enumerate(references):
        data = nifti(mask, spacing)
        (folder / "masks" / f"seg-{i}.nii.gz").write_bytes(data)
        dataset["distribution"].append(
            {
                "name": f"mask-{i}",
                "distribution_kind": "file",
                "distribution_role": "labels",
                "path": f"masks/seg-{i}.nii.gz",
                "media_type": "application/gzip",
                "byte_size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        )
    (folder / "dataset.yaml").write_text(yaml.safe_dump(dataset, sort_keys=False))
    return folder


def detection_task(tmp: Path, references: list[list[tuple[float, ...]]], threshold_mm: float = 3.0) -> Path:
    rows = [[f"det-{i}", "validation", f"findings/det-{i}.csv"] for i in range(len(references))]
    folder = _task_folder(
        tmp,
        rows,
        ["case_id", "split", "findings"],
        {"case_id_column": "case_id", "split_column": "split", "reference_column": "findings"},
        {
            "problem_category": "object_detection",
            "multiple_instances": True,
            "matching_rule": "point_distance",
            "matching_threshold": threshold_mm,
        },
        [
            {"name": "F1", "metric": "fbeta", "role": "primary"},
            {"name": "sensitivity", "metric": "detection_sensitivity", "role": "secondary"},
        ],
        "detection",
        [{"name": "validation", "size": len(references), "labels_hidden": False}],
    )
    (folder / "findings").mkdir()
    dataset = yaml.safe_load((folder / "dataset.yaml").read_text())
    for i, points in enumerate(references):
        path = folder / "findings" / f"det-{i}.csv"
        _write_csv(path, ["x", "y", "z"], [list(p) for p in points])
        dataset["distribution"].append(
            {
                "name": f"findings-{i}",
                "distribution_kind": "file",
                "distribution_role": "labels",
                "path": f"findings/det-{i}.csv",
                "media_type": "text/csv",
                "byte_size": path.stat().st_size,
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            }
        )
    (folder / "dataset.yaml").write_text(yaml.safe_dump(dataset, sort_keys=False))
    return folder
