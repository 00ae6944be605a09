"""Percentile bootstrap confidence intervals over cases, seeded so that two runs (and two entries of one
leaderboard, for the paired comparison) draw the same resamples.

The resample indices depend only on the seed, the resample count and the number of cases: every evaluation of a
split draws the same resamples in the same order, so the leaderboard compares entries resample by resample.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

DEFAULT_RESAMPLES = 1000
DEFAULT_SEED = 20240212  # Metrics Reloaded's publication date; any fixed number will do
METHOD = "percentile"


@dataclass(frozen=True)
class Interval:
    """A point estimate with its 95 % percentile-bootstrap interval; ``replicates`` holds every resample's value
    (nan where undefined). Replicates are kept by the server for ranking and never returned to callers."""

    value: float
    low: float
    high: float
    valid: int
    replicates: np.ndarray

    def public(self) -> dict:
        return {
            "value": _finite(self.value),
            "ci_low": _finite(self.low),
            "ci_high": _finite(self.high),
            "valid_resamples": self.valid,
        }


def _finite(x: float) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


def resample_indices(n: int, resamples: int, seed: int) -> np.ndarray:
    """The (resamples, n) indices of the cases drawn with replacement."""
    return np.random.default_rng(seed).integers(0, n, size=(resamples, n))


#: Resamples weighed at once (a block of the (resamples, cases) weight matrix), bounding memory on large splits.
BLOCK = 100


def interval(point: float, replicates: np.ndarray) -> Interval:
    """``point`` and its 2.5th and 97.5th percentiles over the resample values ``replicates``; resamples where the
    metric is undefined (nan) are left out and counted."""
    replicates = np.asarray(replicates, dtype=np.float64)
    finite = replicates[~np.isnan(replicates)]
    if finite.size == 0:
        return Interval(point, math.nan, math.nan, 0, replicates)
    low, high = np.percentile(finite, [2.5, 97.5])
    return Interval(point, float(low), float(high), int(finite.size), replicates)
