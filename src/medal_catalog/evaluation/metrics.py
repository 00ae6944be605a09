"""Case-level metrics of classification and regression, each a function of the reference and the prediction
arrays over the same cases (scikit-learn where it has the metric, so that values equal what others compute).

Each metric returns a float, or nan where it is undefined on those cases (AUROC over one class only, say): the
bootstrap leaves such resamples out and says how many it kept.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

#: A metric over (reference, prediction, threshold) arrays of the same cases.
CaseMetric = Callable[[np.ndarray, np.ndarray, float], float]

#: Bins of the expected calibration error (equal width over [0, 1]).
ECE_BINS = 10


def _two_classes(y: np.ndarray) -> bool:
    return y.size > 0 and bool(y.min() != y.max())


def auroc(y: np.ndarray, p: np.ndarray, t: float) -> float:
    from sklearn.metrics import roc_auc_score  # inline: scikit-learn takes ~3 s to import

    return float(roc_auc_score(y, p)) if _two_classes(y) else math.nan


def average_precision(y: np.ndarray, p: np.ndarray, t: float) -> float:
    from sklearn.metrics import average_precision_score  # inline: scikit-learn takes ~3 s to import

    return float(average_precision_score(y, p)) if y.sum() > 0 else math.nan


def _calls(p: np.ndarray, t: float) -> np.ndarray:
    return (p >= t).astype(np.int8)


def balanced_accuracy(y: np.ndarray, p: np.ndarray, t: float) -> float:
    from sklearn.metrics import balanced_accuracy_score  # inline: scikit-learn takes ~3 s to import

    if not _two_classes(y):
        return math.nan
    return float(balanced_accuracy_score(y, _calls(p, t)))


def mcc(y: np.ndarray, p: np.ndarray, t: float) -> float:
    from sklearn.metrics import matthews_corrcoef  # inline: scikit-learn takes ~3 s to import

    return float(matthews_corrcoef(y, _calls(p, t))) if y.size else math.nan


def brier_score(y: np.ndarray, p: np.ndarray, t: float) -> float:
    from sklearn.metrics import brier_score_loss  # inline: scikit-learn takes ~3 s to import

    return float(brier_score_loss(y, p)) if y.size else math.nan


def ece(y: np.ndarray, p: np.ndarray, t: float) -> float:
    """Expected calibration error over ECE_BINS equal-width bins of the probability of the positive class (the
    last bin closed), weighted by the cases in each bin."""
    if not y.size:
        return math.nan
    bins = np.minimum((p * ECE_BINS).astype(np.int64), ECE_BINS - 1)
    # per-bin sums: |sum p - sum y| / N is the bin-weighted |mean p - mean y|
    mean_p = np.bincount(bins, weights=p, minlength=ECE_BINS)
    mean_y = np.bincount(bins, weights=y.astype(np.float64), minlength=ECE_BINS)
    return float(np.abs(mean_p - mean_y).sum() / y.size)


def sensitivity(y: np.ndarray, p: np.ndarray, t: float) -> float:
    positives = y == 1
    return float(_calls(p[positives], t).mean()) if positives.any() else math.nan


def specificity(y: np.ndarray, p: np.ndarray, t: float) -> float:
    negatives = y == 0
    return float(1 - _calls(p[negatives], t).mean()) if negatives.any() else math.nan


def ppv(y: np.ndarray, p: np.ndarray, t: float) -> float:
    called = _calls(p, t) == 1
    return float(y[called].mean()) if called.any() else math.nan


def accuracy(y: np.ndarray, p: np.ndarray, t: float) -> float:
    from sklearn.metrics import accuracy_score  # inline: scikit-learn takes ~3 s to import

    return float(accuracy_score(y, _calls(p, t))) if y.size else math.nan


def net_benefit(y: np.ndarray, p: np.ndarray, t: float) -> float:
    """Decision-curve net benefit at threshold t (Vickers and Elkin 2006): TP/n - FP/n * t / (1 - t)."""
    if not y.size or t >= 1:
        return math.nan
    calls = _calls(p, t) == 1
    tp = float(np.sum(calls & (y == 1)))
    fp = float(np.sum(calls & (y == 0)))
    return tp / y.size - fp / y.size * t / (1 - t)


def mae(y: np.ndarray, p: np.ndarray, t: float) -> float:
    from sklearn.metrics import mean_absolute_error  # inline: scikit-learn takes ~3 s to import

    return float(mean_absolute_error(y, p)) if y.size else math.nan


def rmse(y: np.ndarray, p: np.ndarray, t: float) -> float:
    from sklearn.metrics import mean_squared_error  # inline: scikit-learn takes ~3 s to import

    return float(math.sqrt(mean_squared_error(y, p))) if y.size else math.nan


@dataclass(frozen=True)
class MetricInfo:
    """How the catalog computes a coded metric: the function over case arrays (None for per-case metrics of
    segmentation and detection, computed elsewhere), whether higher is better and its bounds."""

    code: str
    higher_is_better: bool
    function: CaseMetric | None = None


CLASSIFICATION: dict[str, MetricInfo] = {
    "auroc": MetricInfo("auroc", True, auroc),
    "average_precision": MetricInfo("average_precision", True, average_precision),
    "balanced_accuracy": MetricInfo("balanced_accuracy", True, balanced_accuracy),
    "mcc": MetricInfo("mcc", True, mcc),
    "net_benefit": MetricInfo("net_benefit", True, net_benefit),
    "brier_score": MetricInfo("brier_score", False, brier_score),
    "ece": MetricInfo("ece", False, ece),
    "sensitivity": MetricInfo("sensitivity", True, sensitivity),
    "specificity": MetricInfo("specificity", True, specificity),
    "ppv": MetricInfo("ppv", True, ppv),
    "accuracy": MetricInfo("accuracy", True, accuracy),
}
REGRESSION: dict[str, MetricInfo] = {
    "mae": MetricInfo("mae", False, mae),
    "rmse": MetricInfo("rmse", False, rmse),
}
SEGMENTATION: dict[str, MetricInfo] = {
    code: MetricInfo(code, better)
    for code, better in (("dsc", True), ("iou", True), ("nsd", True), ("hd95", False), ("masd", False))
}
DETECTION: dict[str, MetricInfo] = {code: MetricInfo(code, True) for code in ("fbeta", "detection_sensitivity", "ppv")}

#: The metrics each problem category computes.
BY_CATEGORY: dict[str, dict[str, MetricInfo]] = {
    "image_classification": CLASSIFICATION,
    "regression": REGRESSION,
    "semantic_segmentation": SEGMENTATION,
    "object_detection": DETECTION,
}


def quietly(function: CaseMetric, y: np.ndarray, p: np.ndarray, t: float) -> float:
    """``function(y, p, t)`` with scikit-learn's warnings about degenerate resamples silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(y, p, t)


# --- the same metrics over many resamples at once ------------------------------------------------------------
#
# A resample of the cases is a weight per case (how many times it was drawn). Each function below takes the
# (resamples, cases) weight matrix and returns every resample's value; with all weights 1 it is the metric above
# (tests/evaluation/test_metrics.py holds them equal on drawn resamples). One scikit-learn call per resample and
# metric took minutes for 10k cases; these take well under a second.


def weights(indices: np.ndarray, n: int) -> np.ndarray:
    """The (resamples, n) weight matrix of resample ``indices`` (positions 0..n-1)."""
    b = indices.shape[0]
    flat = (indices + (np.arange(b) * n)[:, None]).ravel()
    return np.bincount(flat, minlength=b * n).reshape(b, n).astype(np.float64)


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1), np.nan)


def _counts(y: np.ndarray, p: np.ndarray, t: float, w: np.ndarray) -> tuple[np.ndarray, ...]:
    c = p >= t
    pos = y == 1
    return (w @ (c & pos), w @ (c & ~pos), w @ (~c & ~pos), w @ (~c & pos))


def _groups(p: np.ndarray, descending: bool) -> tuple[np.ndarray, np.ndarray]:
    """The order of the cases by p and the tie group (0..G-1) of each case in that order."""
    order = np.argsort(-p if descending else p, kind="stable")
    sorted_p = p[order]
    group = np.concatenate(([0], np.cumsum(sorted_p[1:] != sorted_p[:-1])))
    return order, group


def _group_sums(w: np.ndarray, order: np.ndarray, group: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """(resamples, G): the weights of the cases in ``mask`` summed per tie group."""
    starts = np.flatnonzero(np.concatenate(([True], group[1:] != group[:-1])))
    return np.add.reduceat(w[:, order] * mask[order], starts, axis=1)


def w_auroc(y: np.ndarray, p: np.ndarray, t: float, w: np.ndarray) -> np.ndarray:
    """Mann-Whitney: the weighted share of (positive, negative) pairs ordered correctly, ties counting half."""
    order, group = _groups(p, descending=False)
    pos = _group_sums(w, order, group, y == 1)
    neg = _group_sums(w, order, group, y == 0)
    below = np.cumsum(neg, axis=1) - neg
    pairs = (pos * (below + neg / 2)).sum(axis=1)
    return _div(pairs, pos.sum(axis=1) * neg.sum(axis=1))


def w_average_precision(y: np.ndarray, p: np.ndarray, t: float, w: np.ndarray) -> np.ndarray:
    """Step-wise AP: the sum over score thresholds (tie groups, descending) of the recall gained times the
    precision there (scikit-learn's definition)."""
    order, group = _groups(p, descending=True)
    pos = _group_sums(w, order, group, y == 1)
    every = _group_sums(w, order, group, np.ones_like(y, dtype=bool))
    tp, called = np.cumsum(pos, axis=1), np.cumsum(every, axis=1)
    precision = _div(tp, called)
    total = pos.sum(axis=1)
    return _div(np.nansum(pos * np.nan_to_num(precision), axis=1), total)


def w_balanced_accuracy(y, p, t, w):
    tp, fp, tn, fn = _counts(y, p, t, w)
    return (_div(tp, tp + fn) + _div(tn, tn + fp)) / 2


def w_mcc(y, p, t, w):
    tp, fp, tn, fn = _counts(y, p, t, w)
    denominator = np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    # scikit-learn's matthews_corrcoef is 0 where the denominator is
    return np.where(denominator > 0, _div(tp * tn - fp * fn, denominator), 0.0)


def w_sensitivity(y, p, t, w):
    tp, fp, tn, fn = _counts(y, p, t, w)
    return _div(tp, tp + fn)


def w_specificity(y, p, t, w):
    tp, fp, tn, fn = _counts(y, p, t, w)
    return _div(tn, tn + fp)


def w_ppv(y, p, t, w):
    tp, fp, tn, fn = _counts(y, p, t, w)
    return _div(tp, tp + fp)


def w_accuracy(y, p, t, w):
    tp, fp, tn, fn = _counts(y, p, t, w)
    return _div(tp + tn, w.sum(axis=1))


def w_net_benefit(y, p, t, w):
    tp, fp, tn, fn = _counts(y, p, t, w)
    n = w.sum(axis=1)
    return _div(tp, n) - _div(fp, n) * t / (1 - t) if t < 1 else np.full(w.shape[0], np.nan)


def w_brier_score(y, p, t, w):
    return _div(w @ (p - y) ** 2, w.sum(axis=1))


def w_ece(y, p, t, w):
    bins = np.minimum((p * ECE_BINS).astype(np.int64), ECE_BINS - 1)
    onehot = np.zeros((p.size, ECE_BINS))
    onehot[np.arange(p.size), bins] = 1
    gap = np.abs(w @ (onehot * p[:, None]) - w @ (onehot * y[:, None]))
    return _div(gap.sum(axis=1), w.sum(axis=1))


def w_mae(y, p, t, w):
    return _div(w @ np.abs(p - y), w.sum(axis=1))


def w_rmse(y, p, t, w):
    return np.sqrt(_div(w @ (p - y) ** 2, w.sum(axis=1)))


#: The vectorized twin of each case-array metric.
WEIGHTED = {
    "auroc": w_auroc,
    "average_precision": w_average_precision,
    "balanced_accuracy": w_balanced_accuracy,
    "mcc": w_mcc,
    "net_benefit": w_net_benefit,
    "brier_score": w_brier_score,
    "ece": w_ece,
    "sensitivity": w_sensitivity,
    "specificity": w_specificity,
    "ppv": w_ppv,
    "accuracy": w_accuracy,
    "mae": w_mae,
    "rmse": w_rmse,
}
