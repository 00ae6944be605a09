"""The metrics and their bootstrap intervals: values against scikit-learn computed here independently, hand-known
masks for the surface metrics (and medpy on the same masks), a detection case."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm
from sklearn import metrics as sk

from medal_catalog.evaluation import bootstrap, detection, metrics, surface


def synthetic(n: int = 200, seed: int = 7, shift: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Labels with 30 % prevalence and probabilities whose logit is N(shift, 1) for positives and N(0, 1) for
    negatives: the population AUROC is Phi(shift / sqrt 2)."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(np.int64)
    logit = rng.normal(0, 1, n) + shift * y
    return y, 1 / (1 + np.exp(-logit))


def test_classification_metrics_equal_scikit_learn():
    """Every classification metric equals scikit-learn's value (or its definition) on 200 synthetic cases."""
    y, p = synthetic()
    calls = (p >= 0.5).astype(int)
    tn, fp, fn, tp = sk.confusion_matrix(y, calls).ravel()
    expected = {
        "auroc": sk.roc_auc_score(y, p),
        "average_precision": sk.average_precision_score(y, p),
        "mcc": sk.matthews_corrcoef(y, calls),
        "brier_score": sk.brier_score_loss(y, p),
        "balanced_accuracy": sk.balanced_accuracy_score(y, calls),
        "accuracy": sk.accuracy_score(y, calls),
        "sensitivity": sk.recall_score(y, calls),
        "specificity": tn / (tn + fp),
        "ppv": sk.precision_score(y, calls),
        "net_benefit": tp / 200 - fp / 200 * 1.0,
    }
    for code, value in expected.items():
        assert metrics.CLASSIFICATION[code].function(y, p, 0.5) == pytest.approx(value, abs=1e-9), code


def test_ece_by_hand():
    """ECE over ten bins: four cases in bins of their own give (0.1 + 0.2 + 0.2 + 0.9) / 4; two cases sharing
    the bin [0.3, 0.4) give |0.35 - 0.5| * 2/2."""
    y = np.array([0, 0, 1, 0])
    p = np.array([0.1, 0.2, 0.8, 0.9])
    assert metrics.ece(y, p, 0.5) == pytest.approx(1.4 / 4, abs=1e-12)
    assert metrics.ece(np.array([0, 1]), np.array([0.3, 0.4 - 1e-9]), 0.5) == pytest.approx(0.15, abs=1e-8)


def test_regression_metrics_equal_scikit_learn():
    """MAE and RMSE equal scikit-learn's."""
    rng = np.random.default_rng(3)
    y, p = rng.normal(50, 10, 200), rng.normal(50, 10, 200)
    assert metrics.mae(y, p, 0) == pytest.approx(sk.mean_absolute_error(y, p), abs=1e-9)
    assert metrics.rmse(y, p, 0) == pytest.approx(math.sqrt(sk.mean_squared_error(y, p)), abs=1e-9)


def _auroc_interval(y: np.ndarray, p: np.ndarray, resamples: int, seed: int) -> bootstrap.Interval:
    idx = bootstrap.resample_indices(y.size, resamples, seed)
    return bootstrap.interval(metrics.auroc(y, p, 0.5), metrics.w_auroc(y, p, 0.5, metrics.weights(idx, y.size)))


def test_bootstrap_interval_contains_truth_and_is_seeded():
    """The 95 % interval of AUROC holds the point estimate and the population value; the same seed gives the same
    interval, another seed a different one."""
    y, p = synthetic(shift=1.0)
    a, b, c = _auroc_interval(y, p, 1000, 1), _auroc_interval(y, p, 1000, 1), _auroc_interval(y, p, 1000, 2)
    assert a.low < a.value < a.high
    assert a.low < norm.cdf(1 / math.sqrt(2)) < a.high
    assert (a.low, a.high) == (b.low, b.high) and (a.low, a.high) != (c.low, c.high)
    assert a.valid == 1000 and a.high - a.low < 0.25


def test_bootstrap_counts_undefined_resamples():
    """Resamples where a metric is undefined (AUROC of one class) are left out and counted."""
    y = np.array([1] + [0] * 9)
    p = np.linspace(0, 1, 10)
    ci = _auroc_interval(y, p, 1000, 0)
    assert 500 < ci.valid < 1000  # (9/10)^10 = 35 % of resamples hold no positive


@pytest.mark.parametrize("code", sorted(metrics.WEIGHTED))
def test_resample_values_equal_scikit_learn_on_each_resample(code: str):
    """Every metric's vectorized value on a resample (weights) equals the metric computed by scikit-learn on the
    resampled cases themselves, to 1e-9, with ties among the scores and a resample of one class."""
    y, p = synthetic(n=200, seed=3)
    p = np.round(p, 2)  # ties
    if code in metrics.REGRESSION:
        p = p * 40
    idx = bootstrap.resample_indices(200, 30, 9)
    idx[0] = np.flatnonzero(y == 0)[idx[0] % int((y == 0).sum())]  # negatives only
    info = {**metrics.CLASSIFICATION, **metrics.REGRESSION}[code]
    got = metrics.WEIGHTED[code](y, p, 0.4, metrics.weights(idx, 200))
    for row, value in zip(idx, got):
        want = metrics.quietly(info.function, y[row], p[row], 0.4)
        if math.isnan(want):
            assert math.isnan(value) or code in ("mcc",), code
        else:
            assert value == pytest.approx(want, abs=1e-9), code


def cube(shape: tuple[int, ...], low: int, high: int) -> np.ndarray:
    mask = np.zeros(shape, bool)
    mask[tuple(slice(low, high) for _ in shape)] = True
    return mask


def test_dsc_iou_by_hand():
    """Two 10-voxel-wide cubes shifted by 2 along one axis: overlap 8x10x10 = 800 of 1000 each."""
    a = cube((30, 30, 30), 5, 15)
    b = np.roll(a, 2, axis=0)
    s = surface.score_case(a, b, (1.0, 1.0, 1.0), 1.0)
    assert s.dsc == pytest.approx(2 * 800 / 2000) and s.iou == pytest.approx(800 / 1200)


def test_surface_distances_by_hand_with_spacing():
    """Concentric squares (2-D) of 11 and 15 voxels at spacing 0.5 mm, 2 voxels apart. The inner boundary (40
    voxels) lies 1 mm from the outer one throughout; of the outer boundary's 56 voxels, 44 lie 1 mm away, the 8
    beside a corner sqrt(5) voxels (1.118 mm) and the 4 corners 2 sqrt(2) voxels (1.414 mm). Pooled and sorted, the
    96 distances put the 95th percentile (position 90.25) among the 1.118s."""
    a = np.zeros((40, 40), bool)
    a[15:26, 15:26] = True
    b = np.zeros((40, 40), bool)
    b[13:28, 13:28] = True
    s = surface.score_case(a, b, (0.5, 0.5), 1.0)
    near, corner = math.sqrt(5) / 2, math.sqrt(2)
    assert s.hd95 == pytest.approx(near, abs=1e-12)
    assert s.masd == pytest.approx(((44 + 8 * near + 4 * corner) / 56 + 1.0) / 2, abs=1e-12)
    assert s.nsd == pytest.approx(84 / 96, abs=1e-12)
    assert surface.score_case(a, b, (0.5, 0.5), 1.5).nsd == 1.0
    assert surface.score_case(a, b, (0.5, 0.5), 0.9).nsd == 0.0
    # anisotropic (1 mm rows, 0.5 mm columns): the inner boundary's top and bottom edges lie 2 mm away
    assert np.sort(surface.directed_distances(a, b, (1.0, 0.5))[1]).max() == pytest.approx(2.0)


def test_surface_metrics_agree_with_medpy():
    """HD95 and MASD equal medpy's hd95 and assd on irregular 3-D masks with anisotropic spacing."""
    from medpy.metric import binary

    rng = np.random.default_rng(11)
    from scipy.ndimage import binary_dilation, gaussian_filter

    field = gaussian_filter(rng.random((40, 48, 36)), 3)
    a = field > np.quantile(field, 0.8)
    b = binary_dilation(field > np.quantile(field, 0.83), iterations=1)
    spacing = (0.8, 0.8, 2.5)
    s = surface.score_case(a, b, spacing, 1.5)
    assert s.hd95 == pytest.approx(binary.hd95(b, a, voxelspacing=spacing), abs=1e-9)
    # Metrics Reloaded's MASD is the mean of the two directed means (medpy's asd each way); medpy's assd pools
    # both distance sets instead (ASSD, another metric), so it is not the reference here.
    directed = (binary.asd(b, a, voxelspacing=spacing), binary.asd(a, b, voxelspacing=spacing))
    assert s.masd == pytest.approx(sum(directed) / 2, abs=1e-9)
    assert s.masd != pytest.approx(binary.assd(b, a, voxelspacing=spacing), abs=1e-6)
    assert s.dsc == pytest.approx(binary.dc(b, a), abs=1e-12)


def test_empty_masks():
    """Both empty: perfect; one empty: DSC 0 and the image diagonal as distance."""
    empty = np.zeros((10, 10, 10), bool)
    full = cube((10, 10, 10), 2, 5)
    assert surface.score_case(empty, empty, (1, 1, 1), 1).dsc == 1.0
    one = surface.score_case(full, empty, (1, 1, 2), 1)
    assert one.dsc == 0.0 and one.hd95 == pytest.approx(math.sqrt(100 + 100 + 400))


def test_detection_matching_points_and_boxes():
    """Greedy matching: the higher-scored prediction takes the nearer reference; beyond the threshold it is a
    false positive. Boxes match at IoU >= 0.5 only."""
    ref = np.array([[0.0, 0, 0], [10, 0, 0]])
    pred = np.array([[1.0, 0, 0], [30, 0, 0], [10, 2, 0]])
    counts = detection.match(ref, pred, np.array([0.9, 0.8, 0.7]), "point_distance", 3.0)
    assert counts == detection.Counts(tp=2, fp=1, fn=0)
    boxes_ref = np.array([[0.0, 0, 10, 10]])
    boxes = np.array([[0.0, 0, 10, 5], [0.0, 0, 10, 4]])  # IoU 0.5 and 0.4
    assert detection.match(boxes_ref, boxes, np.array([0.5, 0.9]), "box_iou", 0.5) == detection.Counts(1, 1, 0)
    f1 = detection.pooled(np.array([2, 1]), np.array([1, 0]), np.array([0, 1]), "fbeta")
    assert f1 == pytest.approx(2 * 3 / (2 * 3 + 1 + 1))
