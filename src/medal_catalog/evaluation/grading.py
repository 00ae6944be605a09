"""Grading one split of a task: the declared metrics resolved to the catalog's codes, the predictions read and
checked, each metric with its percentile bootstrap 95 % interval, and the subgroups large enough to report.

The result is a plain dict (what the CLI prints and the server stores) holding aggregates only: never a case's
prediction, label or score. The bootstrap replicates of the primary metric travel beside it (``Graded``) for the
leaderboard's rank uncertainty; the server keeps them and never returns them (with the public seed, enough
replicates of an aggregate can be solved for per-case values).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version as package_version
from typing import Any

import numpy as np

from medal_catalog.errors import InputError
from medal_catalog.evaluation import bootstrap, detection, predictions, surface
from medal_catalog.evaluation.metrics import BY_CATEGORY, WEIGHTED, MetricInfo, quietly, weights
from medal_catalog.labels import LabelRows
from medal_catalog.validators.metrics import declared_code, problem_category

#: Subgroup attributes and the label-table columns they are read from (age in years is banded by decade).
SUBGROUP_COLUMNS = {
    "site": ("site",),
    "country": ("country",),
    "vendor": ("vendor", "manufacturer"),
    "sex": ("sex",),
    "age_band": ("age_band", "age"),
}
DEFAULT_THRESHOLD = 0.5
DEFAULT_TOLERANCE_MM = 2.0


def library_versions() -> dict[str, str]:
    out = {}
    for name in ("numpy", "scipy", "scikit-learn", "nibabel", "medal-catalog"):
        try:
            out[name] = package_version(name)
        except PackageNotFoundError:
            pass
    return out


@dataclass
class Exam:
    """What grading needs of a task's split: the task, its label table, whether the split's labels are hidden, and
    how to read a reference file the label table names (segmentation masks, detection findings)."""

    task: dict[str, Any]
    split: str
    table: LabelRows
    table_sha256: str
    hidden: bool
    reference_file: Callable[[str], bytes] | None = None
    task_version: int | None = None


@dataclass
class Options:
    resamples: int = bootstrap.DEFAULT_RESAMPLES
    seed: int = bootstrap.DEFAULT_SEED
    min_group: int = 20
    #: Decimals kept of every figure of a hidden split (values and interval bounds): at full precision one
    #: submission with crafted probabilities could encode many labels into, say, the Brier score.
    hidden_decimals: int = 3


@dataclass
class Graded:
    """A grading's public result and, apart from it, the primary metric's bootstrap replicates."""

    result: dict[str, Any]
    primary_replicates: np.ndarray | None = field(default=None, repr=False)


class _Scorer:
    """Per category: each metric's value on a set of cases, and its values over resamples of them (a weight
    matrix, rows of case counts, over the same cases)."""

    def __init__(self, infos: dict[str, MetricInfo]) -> None:
        self.infos = infos

    def point(self, code: str, cases: np.ndarray) -> float:
        raise NotImplementedError

    def replicates(self, code: str, cases: np.ndarray, w: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class _CaseArrays(_Scorer):
    """Classification and regression: scikit-learn for the value, the vectorized twins for the resamples."""

    def __init__(self, infos: dict[str, MetricInfo], y: np.ndarray, p: np.ndarray, threshold: float) -> None:
        super().__init__(infos)
        self.y, self.p, self.t = y, p, threshold

    def point(self, code: str, cases: np.ndarray) -> float:
        function = self.infos[code].function
        assert function is not None
        return quietly(function, self.y[cases], self.p[cases], self.t)

    def replicates(self, code: str, cases: np.ndarray, w: np.ndarray) -> np.ndarray:
        return WEIGHTED[code](self.y[cases], self.p[cases], self.t, w)


class _PerCase(_Scorer):
    """Segmentation: each metric the mean over cases of its per-case value."""

    def __init__(self, infos: dict[str, MetricInfo], scores: list[surface.CaseScores]) -> None:
        super().__init__(infos)
        self.values = {code: np.array([s.get(code) for s in scores]) for code in infos}

    def point(self, code: str, cases: np.ndarray) -> float:
        return float(self.values[code][cases].mean()) if cases.size else math.nan

    def replicates(self, code: str, cases: np.ndarray, w: np.ndarray) -> np.ndarray:
        return (w @ self.values[code][cases]) / w.sum(axis=1)


class _Pooled(_Scorer):
    """Detection: each metric from the counts summed over cases."""

    def __init__(self, infos: dict[str, MetricInfo], counts: list[detection.Counts]) -> None:
        super().__init__(infos)
        self.tp = np.array([c.tp for c in counts], dtype=np.float64)
        self.fp = np.array([c.fp for c in counts], dtype=np.float64)
        self.fn = np.array([c.fn for c in counts], dtype=np.float64)

    def point(self, code: str, cases: np.ndarray) -> float:
        return detection.pooled(self.tp[cases], self.fp[cases], self.fn[cases], code)

    def replicates(self, code: str, cases: np.ndarray, w: np.ndarray) -> np.ndarray:
        tp, fp, fn = (w @ a[cases] for a in (self.tp, self.fp, self.fn))
        return np.array([detection.pooled(*row, code) for row in zip(tp, fp, fn)])


def _intervals(scorer: _Scorer, planned: list[dict], cases: np.ndarray, options: Options) -> list[bootstrap.Interval]:
    """Each planned metric's interval over ``cases``: the resamples drawn by the seed, weighed in blocks."""
    idx = bootstrap.resample_indices(cases.size, options.resamples, options.seed)
    values: dict[str, list[np.ndarray]] = {m["metric"]: [] for m in planned}
    for start in range(0, options.resamples, bootstrap.BLOCK):
        w = weights(idx[start : start + bootstrap.BLOCK], cases.size)
        for code in values:
            values[code].append(scorer.replicates(code, cases, w))
    return [bootstrap.interval(scorer.point(m["metric"], cases), np.concatenate(values[m["metric"]])) for m in planned]


def grade(
    exam: Exam, data: bytes, options: Options | None = None, progress: Callable[[int, int], None] | None = None
) -> Graded:
    """Score ``data`` (a prediction file) on ``exam``. Raises PredictionError for a file that cannot be scored
    and InputError for a task that cannot be graded (no computed primary metric, a label table it cannot read)."""
    options = options or Options()
    task, spec = exam.task, exam.task.get("labels") or {}
    category = problem_category(task)
    if category not in BY_CATEGORY:
        raise InputError(
            f"the catalog does not grade tasks of problem category {category!r} yet "
            f"(it grades {', '.join(BY_CATEGORY)})"
        )
    infos = BY_CATEGORY[category]
    problem = task.get("problem") or {}
    threshold = float(problem.get("decision_threshold", DEFAULT_THRESHOLD))
    tolerance = float(problem.get("tolerance_mm", DEFAULT_TOLERANCE_MM))
    planned, skipped = _plan(task.get("metrics") or [], infos)
    if not any(m["role"] == "primary" for m in planned):
        raise InputError(
            "the task's primary metric is not one the catalog computes for "
            f"{category}; declare it with a `metric:` code of docs/evaluation.md"
        )
    case_id, split = spec.get("case_id_column"), spec.get("split_column")
    if not case_id or not split:
        raise InputError("the task declares no label table (labels: case_id_column, split_column)")
    rows = [
        row
        for _, row in exam.table.rows
        if (row.get(split) or "").strip() == exam.split and (row.get(case_id) or "").strip()
    ]
    if not rows:
        raise InputError(f"the label table has no case in split {exam.split!r}")
    case_ids = [row[case_id].strip() for row in rows]
    scorer = _scorer(category, exam, rows, case_ids, data, infos, threshold, tolerance, progress)
    metrics, replicates = [], None
    for m, ci in zip(planned, _intervals(scorer, planned, np.arange(len(rows)), options)):
        metrics.append({**m, **ci.public()})
        if m["role"] == "primary" and replicates is None:
            replicates = ci.replicates
    result = {
        "task": task.get("id"),
        "task_version": exam.task_version,
        "split": exam.split,
        "hidden": exam.hidden,
        "cases": len(rows),
        "problem_category": category,
        "label_table_sha256": exam.table_sha256,
        "predictions_sha256": hashlib.sha256(data).hexdigest(),
        "decision_threshold": threshold,
        "threshold_given": "decision_threshold" in problem,
        "bootstrap": {
            "method": bootstrap.METHOD,
            "level": 0.95,
            "resamples": options.resamples,
            "seed": options.seed,
            "unit": "case",
        },
        "metrics": metrics,
        "not_computed": skipped,
        "subgroups": _subgroups(rows, scorer, planned, options),
        "min_group": options.min_group,
        "libraries": library_versions(),
        "evaluated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    if category == "semantic_segmentation":
        result["segmentation"] = {
            "implementation": surface.IMPLEMENTATION,
            "tolerance_mm": tolerance,
            "spacing": "the reference mask's voxel spacing (NIfTI pixdim), per case",
            "aggregate": "mean over cases",
        }
    if category == "object_detection":
        result["detection"] = {
            "matching_rule": problem.get("matching_rule"),
            "matching_threshold": problem.get("matching_threshold"),
            "aggregate": "counts pooled over cases",
            "beta": 1,
        }
    if exam.hidden:
        _round(result, options.hidden_decimals)
        result["rounded_to_decimals"] = options.hidden_decimals
    return Graded(result, replicates)


def _round(result: dict[str, Any], decimals: int) -> None:
    """Round every figure of a result (its metrics and its subgroups' metrics) in place."""
    for metrics in [result["metrics"], *(g["metrics"] for g in result["subgroups"])]:
        for m in metrics:
            for key in ("value", "ci_low", "ci_high"):
                if m.get(key) is not None:
                    m[key] = round(m[key], decimals)


def _plan(declared: list[Any], infos: dict[str, MetricInfo]) -> tuple[list[dict], list[dict]]:
    planned, skipped = [], []
    for m in declared:
        if not isinstance(m, dict):
            continue
        code = declared_code(m)
        name = m.get("name") or code
        if code is None:
            skipped.append(
                {"name": name, "reason": "not a metric of the catalog's vocabulary; give it a `metric:` code"}
            )
        elif code not in infos:
            skipped.append({"name": name, "metric": code, "reason": "not computed for this problem category"})
        else:
            planned.append(
                {
                    "name": name,
                    "metric": code,
                    "role": m.get("role") or "secondary",
                    "higher_is_better": infos[code].higher_is_better,
                }
            )
    return planned, skipped


def _scorer(
    category: str,
    exam: Exam,
    rows: list[dict[str, str]],
    case_ids: list[str],
    data: bytes,
    infos: dict[str, MetricInfo],
    threshold: float,
    tolerance: float,
    progress: Callable[[int, int], None] | None,
) -> _Scorer:
    spec = exam.task["labels"]
    if category in ("image_classification", "regression"):
        columns = spec.get("label_columns") or []
        if not columns:
            raise InputError("the task's label table declares no label column")
        label = columns[0]
        y = _reference_values(exam.table, rows, label, binary=category == "image_classification")
        p = predictions.read_case_values(
            data,
            case_ids,
            case_id_column=spec["case_id_column"],
            label_column=label,
            probability=category == "image_classification",
        )
        return _CaseArrays(infos, y, p, threshold)
    column = spec.get("reference_column")
    if not column or exam.reference_file is None:
        raise InputError("the task's label table names no reference file per case (labels.reference_column)")
    if category == "semantic_segmentation":
        members = predictions.open_mask_zip(data, case_ids)
        scores = []
        for i, (case, row) in enumerate(zip(case_ids, rows)):
            reference, spacing = predictions.read_nifti(
                exam.reference_file(row[column].strip()), f"the reference mask of case {i + 1}"
            )
            name, archive = members[case]
            predicted, pred_spacing = predictions.read_nifti(archive.read(name), f"{name} in the zip")
            if predicted.shape != reference.shape or not np.allclose(pred_spacing, spacing, rtol=1e-3):
                raise predictions.ReferenceMismatch(
                    f"{name} in the zip is not on the reference mask's grid (shape {predicted.shape}, spacing "
                    f"{pred_spacing}; the reference has shape {reference.shape}, spacing {spacing}); resample it"
                )
            scores.append(surface.score_case(reference, predicted, spacing, tolerance))
            if progress:
                progress(i + 1, len(case_ids))
        return _PerCase(infos, scores)
    problem = exam.task.get("problem") or {}
    rule, limit = problem.get("matching_rule"), problem.get("matching_threshold")
    if rule not in ("box_iou", "point_distance") or limit is None:
        raise InputError(
            "the detection task declares no matching rule (problem.matching_rule and problem.matching_threshold)"
        )
    found = predictions.read_findings(
        data, case_id_column=spec["case_id_column"], what="predictions file", case_ids=case_ids
    )
    counts = []
    for i, (case, row) in enumerate(zip(case_ids, rows)):
        reference = predictions.read_findings(
            exam.reference_file(row[column].strip()), case_id_column=None, what=f"reference findings of case {i + 1}"
        ).get("", (np.zeros((0, 2)), np.zeros(0)))[0]
        coords, scores = found.get(case, (np.zeros((0, reference.shape[1] if reference.size else 2)), np.zeros(0)))
        if coords.size and reference.size and coords.shape[1] != reference.shape[1]:
            raise predictions.ReferenceMismatch(
                f"the findings of a case have {coords.shape[1]} coordinates, the "
                f"reference's {reference.shape[1]}; use the reference's kind"
            )
        keep = scores >= threshold if "decision_threshold" in problem else np.ones(len(scores), bool)
        counts.append(detection.match(reference, coords[keep], scores[keep], rule, float(limit)))
    return _Pooled(infos, counts)


def _reference_values(table: LabelRows, rows: list[dict[str, str]], label: str, binary: bool) -> np.ndarray:
    values = np.empty(len(rows))
    for i, row in enumerate(rows):
        cell = (row.get(label) or "").strip()
        try:
            values[i] = float(cell)
        except ValueError:
            raise InputError(f"the label table's column {label!r} holds a value that is not a number") from None
    if binary and not np.isin(values, (0.0, 1.0)).all():
        raise InputError(
            f"the label table's column {label!r} holds values other than 0 and 1; the catalog grades "
            "binary classification (the probability of class 1)"
        )
    return values.astype(np.int64) if binary else values


def _band(attribute: str, column: str, cell: str) -> str:
    if column == "age":
        try:
            low = int(float(cell)) // 10 * 10
        except ValueError:
            return ""
        return f"{low}-{low + 9}"
    return cell


def _subgroups(
    rows: list[dict[str, str]], scorer: _Scorer, planned: list[dict], options: Options
) -> list[dict[str, Any]]:
    """The metrics per subgroup (site, country, vendor, sex, age band) found in the label table's columns, for
    groups of at least ``options.min_group`` cases; smaller groups are neither shown nor counted."""
    out = []
    header = set(rows[0]) if rows else set()
    for attribute, names in SUBGROUP_COLUMNS.items():
        column = next((c for c in names if c in header), None)
        if column is None:
            continue
        groups: dict[str, list[int]] = {}
        for i, row in enumerate(rows):
            value = _band(attribute, column, (row.get(column) or "").strip())
            if value:
                groups.setdefault(value, []).append(i)
        for value, members in sorted(groups.items()):
            if len(members) < options.min_group:
                continue
            intervals = _intervals(scorer, planned, np.array(members), options)
            metrics = [{"metric": m["metric"], **ci.public()} for m, ci in zip(planned, intervals)]
            out.append({"attribute": attribute, "group": value, "cases": len(members), "metrics": metrics})
    return out
