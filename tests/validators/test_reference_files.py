"""A label table's reference_column: every file it names must be a declared file distribution of the dataset (the
catalog keeps only those, and grades against them); a missing column is reported like any declared column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from evaluation.exams import detection_task, segmentation_task
from medal_catalog.validators.submission import validate_paths


def _codes(folder: Path) -> list[str]:
    return [i.code for i in validate_paths([folder]).issues if i.severity.value == "error"]


def test_declared_reference_files_validate(tmp_path: Path):
    """Segmentation masks and detection findings declared as file distributions: no error."""
    ref = np.zeros((6, 6, 6), bool)
    ref[1:4, 1:4, 1:4] = True
    assert _codes(segmentation_task(tmp_path, [ref, ref], (1.0, 1.0, 1.0))) == []
    assert _codes(detection_task(tmp_path, [[(0, 0, 0)], [(1, 2, 3)]])) == []


def test_undeclared_reference_file_and_missing_column(tmp_path: Path):
    """A mask the dataset does not declare is an error at /labels/reference_column; so is a reference column the
    table lacks."""
    ref = np.zeros((6, 6, 6), bool)
    folder = segmentation_task(tmp_path, [ref, ref], (1.0, 1.0, 1.0))
    dataset = yaml.safe_load((folder / "dataset.yaml").read_text())
    dataset["distribution"] = dataset["distribution"][:2]  # the label table and the first mask
    (folder / "dataset.yaml").write_text(yaml.safe_dump(dataset, sort_keys=False))
    found = [i for i in validate_paths([folder]).issues if i.code == "labels.reference-undeclared"]
    assert len(found) == 1 and found[0].pointer == "/labels/reference_column" and "line 3" in found[0].message
    task = yaml.safe_load((folder / "task.yaml").read_text())
    task["labels"]["reference_column"] = "no_such_column"
    (folder / "task.yaml").write_text(yaml.safe_dump(task, sort_keys=False))
    assert "labels.missing-column" in _codes(folder)
