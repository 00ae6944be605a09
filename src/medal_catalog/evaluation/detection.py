"""Matching predicted findings to reference findings of one case, by the rule a task declares, and the counts the
detection metrics pool over cases.

A finding is a point (x, y[, z]) in mm or a box (min corner then max corner, 2-D or 3-D). Matching is greedy:
predictions in descending score order each take the unmatched reference finding they fit best (highest IoU at
least the threshold for ``box_iou``; nearest within the threshold in mm for ``point_distance``); each reference
finding is matched at most once. Unmatched predictions are false positives, unmatched references false negatives.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Counts:
    """True positives, false positives and false negatives of one case (or pooled over cases)."""

    tp: int
    fp: int
    fn: int


def box_iou(a: np.ndarray, b: np.ndarray) -> float:
    """IoU of two axis-aligned boxes given as (min..., max...) of one dimension count."""
    d = a.size // 2
    low, high = np.maximum(a[:d], b[:d]), np.minimum(a[d:], b[d:])
    inter = float(np.prod(np.clip(high - low, 0, None)))
    union = float(np.prod(a[d:] - a[:d])) + float(np.prod(b[d:] - b[:d])) - inter
    return inter / union if union > 0 else 0.0


def match(reference: np.ndarray, predicted: np.ndarray, scores: np.ndarray, rule: str, threshold: float) -> Counts:
    """Greedy matching of one case's predicted findings (rows of ``predicted``, with ``scores``) to its reference
    findings (rows of ``reference``) by ``rule`` (``box_iou`` or ``point_distance``) at ``threshold``."""
    taken = np.zeros(len(reference), dtype=bool)
    tp = 0
    for i in np.argsort(-scores, kind="stable"):
        best, best_j = None, -1
        for j in np.flatnonzero(~taken):
            if rule == "box_iou":
                value = box_iou(predicted[i], reference[j])
                fits = value >= threshold and (best is None or value > best)
            else:
                value = float(np.linalg.norm(predicted[i] - reference[j]))
                fits = value <= threshold and (best is None or value < best)
            if fits:
                best, best_j = value, j
        if best_j >= 0:
            taken[best_j] = True
            tp += 1
    return Counts(tp, len(predicted) - tp, len(reference) - tp)


def pooled(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray, code: str) -> float:
    """A detection metric over counts summed across cases: fbeta (beta 1), detection_sensitivity or ppv."""
    TP, FP, FN = float(tp.sum()), float(fp.sum()), float(fn.sum())
    if code == "detection_sensitivity":
        return TP / (TP + FN) if TP + FN else float("nan")
    if code == "ppv":
        return TP / (TP + FP) if TP + FP else float("nan")
    return 2 * TP / (2 * TP + FP + FN) if TP + FP + FN else float("nan")
