"""Grading a split end to end from a task folder: metric values against scikit-learn computed here, the interval
around them, subgroups only above the minimum, segmentation and detection tasks, and every malformed predictions
file refused with a message saying what and where."""

from __future__ import annotations

import csv
import io
import math
import zipfile
from pathlib import Path

import numpy as np
import pytest
from sklearn import metrics as sk

from evaluation.exams import (
    classification_labels,
    classification_task,
    detection_task,
    nifti,
    predictions_csv,
    segmentation_task,
)
from medal_catalog.errors import InputError
from medal_catalog.evaluation.exams import exam_from_folder
from medal_catalog.evaluation.grading import Options, grade
from medal_catalog.evaluation.predictions import PredictionError, ReferenceMismatch


def _probabilities(y: np.ndarray, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 1 / (1 + np.exp(-(rng.normal(0, 1, y.size) + 1.2 * y - 0.8)))


@pytest.fixture
def task(tmp_path: Path) -> Path:
    return classification_task(tmp_path)


def _ids(n: int = 200) -> list[str]:
    return [f"val-{i:04d}" for i in range(n)]


def test_classification_values_equal_scikit_learn(task: Path, tmp_path: Path):
    """200 cases: AUROC, AP, MCC, Brier, sensitivity, specificity equal scikit-learn's to 1e-9; each interval is
    a percentile bootstrap of 1000 seeded resamples that holds its value; the free-text metric is reported as not
    computed."""
    y, _ = classification_labels(200, 5)
    p = _probabilities(y)
    data = predictions_csv(tmp_path / "p.csv", _ids(), p).read_bytes()
    result = grade(exam_from_folder(task, "validation"), data).result
    values = {m["metric"]: m for m in result["metrics"]}
    calls = (p >= 0.5).astype(int)
    expected = {
        "auroc": sk.roc_auc_score(y, p),
        "average_precision": sk.average_precision_score(y, p),
        "mcc": sk.matthews_corrcoef(y, calls),
        "brier_score": sk.brier_score_loss(y, p),
        "sensitivity": sk.recall_score(y, calls),
        "specificity": sk.recall_score(1 - y, 1 - calls),
        "accuracy": sk.accuracy_score(y, calls),
    }
    for code, value in expected.items():
        assert values[code]["value"] == pytest.approx(value, abs=1e-9), code
        assert values[code]["ci_low"] <= values[code]["value"] <= values[code]["ci_high"], code
    assert values["auroc"]["role"] == "primary" and values["brier_score"]["higher_is_better"] is False
    assert result["bootstrap"] == {
        "method": "percentile",
        "level": 0.95,
        "resamples": 1000,
        "seed": result["bootstrap"]["seed"],
        "unit": "case",
    }
    assert [s["name"] for s in result["not_computed"]] == ["Net reclassification improvement"]
    assert result["cases"] == 200 and len(result["predictions_sha256"]) == 64 and result["libraries"]["scikit-learn"]
    again = grade(exam_from_folder(task, "validation"), data).result
    assert again["metrics"] == result["metrics"]  # seeded


def test_subgroups_only_above_the_minimum(task: Path, tmp_path: Path):
    """Sex F (about 170 cases) and both sites (100 each) are reported; sex M (about 30) only when the minimum
    is below its size; no group below the minimum appears."""
    y, sex = classification_labels(200, 5)
    data = predictions_csv(tmp_path / "p.csv", _ids(), _probabilities(y)).read_bytes()
    males = int((sex == "M").sum())
    exam = exam_from_folder(task, "validation")
    result = grade(exam, data, Options(resamples=1000, min_group=males + 1)).result
    groups = {(g["attribute"], g["group"]): g["cases"] for g in result["subgroups"]}
    assert groups == {("sex", "F"): 200 - males, ("site", "site-0"): 100, ("site", "site-1"): 100}
    result = grade(exam, data, Options(resamples=1000, min_group=males)).result
    assert ("sex", "M") in {(g["attribute"], g["group"]) for g in result["subgroups"]}
    female = next(g for g in result["subgroups"] if g["group"] == "F")
    mask = sex == "F"
    auroc = next(m for m in female["metrics"] if m["metric"] == "auroc")
    assert auroc["value"] == pytest.approx(sk.roc_auc_score(y[mask], _probabilities(y)[mask]), abs=1e-9)


def test_offline_grading_refuses_hidden_split(task: Path):
    """A hidden split is graded only by the catalog."""
    with pytest.raises(InputError, match="hides its labels"):
        exam_from_folder(task, "test_hidden")
    with pytest.raises(InputError, match="no split 'nope'"):
        exam_from_folder(task, "nope")


def _csv(rows: list[list[str]], header: tuple[str, ...] = ("case_id", "malignant")) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([list(header), *rows])
    return out.getvalue().encode()


GOOD = [[i, "0.5"] for i in _ids()]


@pytest.mark.parametrize(
    "data, message",
    [
        (_csv(GOOD[:-3]), r"3 of the split's 200 cases have no prediction"),
        (_csv([*GOOD, ["val-9999", "0.1"]]), r"1 row names cases that are not in this split \(line 202\)"),
        (_csv([*GOOD, GOOD[4]]), r"1 case appears more than once \(line 202"),
        (_csv([GOOD[0][:1] + ["high"], *GOOD[1:]]), r"line 2, column 'malignant': not a number"),
        (
            _csv([GOOD[0][:1] + ["1.2"], *GOOD[1:]]),
            r"line 2, column 'malignant': a probability must lie between 0 and 1",
        ),
        (_csv([GOOD[0][:1] + ["-0.1"], *GOOD[1:]]), r"between 0 and 1"),
        (_csv([GOOD[0][:1] + ["nan"], *GOOD[1:]]), r"not a finite number"),
        (_csv(GOOD, ("id", "malignant")), r"no case id column \('case_id' or 'case_id'\)|no case id column"),
        (_csv(GOOD, ("case_id", "score")), r"no prediction column 'malignant'"),
        (b"", r"is empty"),
        (b"\xff\xfe\x00", r"not UTF-8"),
        (_csv([GOOD[0][:1], *GOOD[1:]]), r"line 2 of the predictions file has fewer cells"),
    ],
)
def test_malformed_prediction_files(task: Path, data: bytes, message: str):
    """Each malformed file is refused with what is wrong and where."""
    with pytest.raises(PredictionError, match=message):
        grade(exam_from_folder(task, "validation"), data)


def test_segmentation_dsc_nsd_hd95_by_hand(tmp_path: Path):
    """Two cases at spacing 0.5 mm: a perfect prediction, and a cube shifted by 2 voxels (1 mm) along one axis:
    DSC 0.8, HD95 1 mm, NSD 1 at a tolerance of 1 mm. The mean over cases is reported."""
    ref = np.zeros((20, 20, 20), bool)
    ref[5:15, 5:15, 5:15] = True
    shifted = np.roll(ref, 2, axis=0)
    folder = segmentation_task(tmp_path, [ref, ref], (0.5, 0.5, 0.5), tolerance=1.0)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("seg-0.nii.gz", nifti(ref, (0.5, 0.5, 0.5)))
        z.writestr("out/seg-1.nii.gz", nifti(shifted, (0.5, 0.5, 0.5)))
    result = grade(exam_from_folder(folder, "validation"), buf.getvalue(), Options(resamples=1000)).result
    values = {m["metric"]: m["value"] for m in result["metrics"]}
    assert values["dsc"] == pytest.approx((1 + 0.8) / 2)
    assert values["hd95"] == pytest.approx((0 + 1.0) / 2)
    assert values["nsd"] == pytest.approx(1.0)
    assert (
        result["segmentation"]["tolerance_mm"] == 1.0
        and "distance_transform_edt" in result["segmentation"]["implementation"]
    )


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    "files, message",
    [
        ({"seg-0.nii.gz": b"x"}, r"1 of the split's 2 cases has no mask"),
        ({"seg-0.nii.gz": b"x", "seg-1.nii.gz": b"x", "seg-2.nii.gz": b"x"}, r"not in this split, the first 'seg-2"),
        ({"seg-0.nii.gz": b"x", "a/seg-0.nii": b"x", "seg-1.nii.gz": b"x"}, r"more than one mask"),
        ({"seg-0.png": b"x"}, r"not NIfTI masks"),
        ({"seg-0.nii.gz": b"not nifti", "seg-1.nii.gz": b"x"}, r"seg-0.nii.gz in the zip is not a readable NIfTI"),
        (None, r"not a zip archive"),
    ],
)
def test_malformed_mask_zips(tmp_path: Path, files, message):
    """Each malformed zip is refused with what is wrong and which file."""
    ref = np.zeros((8, 8, 8), bool)
    ref[2:5, 2:5, 2:5] = True
    folder = segmentation_task(tmp_path, [ref, ref], (1.0, 1.0, 1.0))
    data = _zip(files) if files is not None else b"PK-not-a-zip"
    with pytest.raises(PredictionError, match=message):
        grade(exam_from_folder(folder, "validation"), data)


def test_mask_off_grid_and_not_binary(tmp_path: Path):
    """A mask of another shape or spacing, or holding labels other than 0/1, is refused."""
    ref = np.zeros((8, 8, 8), bool)
    ref[2:5, 2:5, 2:5] = True
    folder = segmentation_task(tmp_path, [ref], (1.0, 1.0, 1.0))
    exam = exam_from_folder(folder, "validation")
    with pytest.raises(PredictionError, match="not on the reference mask's grid"):
        grade(exam, _zip({"seg-0.nii.gz": nifti(ref, (1.0, 1.0, 2.0))}))
    with pytest.raises(PredictionError, match="values other than 0 and 1"):
        grade(exam, _zip({"seg-0.nii.gz": nifti(ref.astype(np.uint8) * 2, (1.0, 1.0, 1.0))}))


def test_detection_f1_after_matching(tmp_path: Path):
    """Three cases, reference points matched within 3 mm: 3 TP, 1 FP, 1 FN, so F1 = 6 / 8 and sensitivity 3/4;
    a case with no predicted finding needs no row."""
    folder = detection_task(tmp_path, [[(0, 0, 0), (10, 0, 0)], [(5, 5, 5)], [(1, 1, 1)]])
    data = _csv(
        [
            ["det-0", "1", "0", "0", "0.9"],
            ["det-0", "10", "2", "0", "0.8"],
            ["det-0", "40", "0", "0", "0.7"],
            ["det-1", "5", "5", "7", "0.6"],
        ],
        ("case_id", "x", "y", "z", "score"),
    )
    result = grade(exam_from_folder(folder, "validation"), data).result
    values = {m["metric"]: m["value"] for m in result["metrics"]}
    assert values["fbeta"] == pytest.approx(6 / 8) and values["detection_sensitivity"] == pytest.approx(3 / 4)
    assert result["detection"]["matching_rule"] == "point_distance"
    with pytest.raises(PredictionError, match="not in this split"):
        grade(exam_from_folder(folder, "validation"), _csv([["det-9", "1", "0", "0"]], ("case_id", "x", "y", "z")))
    with pytest.raises(PredictionError, match="neither point columns"):
        grade(exam_from_folder(folder, "validation"), _csv([["det-0", "1"]], ("case_id", "q")))
    assert not math.isnan(values["fbeta"])


def test_findings_that_do_not_fit_the_reference_are_a_reference_mismatch(tmp_path: Path):
    """Predicted 2-D points for a case whose reference has 3-D points raise ReferenceMismatch (which the server
    counts and words generically on a hidden split, since it depends on the hidden reference), not a plain
    format error."""
    folder = detection_task(tmp_path, [[(0, 0, 0)], [(5, 5, 5)], [(1, 1, 1)]])
    with pytest.raises(ReferenceMismatch, match="coordinates"):
        grade(
            exam_from_folder(folder, "validation"), _csv([["det-0", "1", "0", "0.9"]], ("case_id", "x", "y", "score"))
        )
