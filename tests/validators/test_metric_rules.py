"""`medal validate` on a task's metrics: free-text names warned with a suggestion, and each rule of the table
firing on the fingerprint it is about (and not on a task that fits), through the full validator (fast path
included)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from medal_catalog.validators.metrics import RULES, code_of_name, metric_rules, suggest_code

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "valid" / "ct-lung-nodule-malignancy" / "task.yaml"


def task(problem: dict | None, metrics: list[dict], task_type: str = "classification") -> dict:
    doc = yaml.safe_load(EXAMPLE.read_text())
    doc.update(task_type=task_type, metrics=metrics)
    if problem is None:
        doc.pop("problem", None)
    else:
        doc["problem"] = problem
    return doc


def codes(doc: dict) -> set[str]:
    return {i.code for i in metric_rules(doc)}


def test_names_match_the_vocabulary():
    """Names, titles and aliases map to codes whatever their case and punctuation; near misses are suggested."""
    assert code_of_name("ROC AUC") == "auroc" and code_of_name("dice") == "dsc" and code_of_name("HD-95") == "hd95"
    assert code_of_name("Net reclassification improvement") is None
    assert suggest_code("Brier scor") == "brier_score" and suggest_code("average precission") == "average_precision"


def test_free_text_metric_warns_with_suggestion():
    """A metric without a code warns metrics.uncoded at its name, suggesting the code; a coded one does not."""
    doc = task(
        {"problem_category": "image_classification"},
        [{"name": "Balanced acuracy", "role": "primary"}, {"name": "AUROC", "metric": "auroc", "role": "secondary"}],
    )
    found = [i for i in metric_rules(doc) if i.code == "metrics.uncoded"]
    assert len(found) == 1 and found[0].pointer == "/metrics/0/name" and "balanced_accuracy" in found[0].hint


CASES = [
    (
        "metrics.accuracy-under-imbalance",
        {"problem_category": "image_classification", "prevalence": 0.04, "decision_threshold": 0.5},
        [{"name": "acc", "metric": "accuracy", "role": "primary"}],
        "classification",
    ),
    (
        "metrics.auroc-without-ap",
        {"problem_category": "image_classification", "class_imbalance": True},
        [{"name": "AUROC", "metric": "auroc", "role": "primary"}],
        "classification",
    ),
    (
        "metrics.threshold-without-threshold",
        {"problem_category": "image_classification"},
        [{"name": "sens", "metric": "sensitivity", "role": "primary"}],
        "classification",
    ),
    (
        "metrics.no-calibration-metric",
        {"problem_category": "image_classification", "calibration_needed": True},
        [{"name": "AUROC", "metric": "auroc", "role": "primary"}],
        "classification",
    ),
    (
        "metrics.overlap-only-small-structures",
        {"problem_category": "semantic_segmentation", "small_structures": True},
        [{"name": "Dice", "metric": "dsc", "role": "primary"}],
        "segmentation",
    ),
    (
        "metrics.no-boundary-metric",
        {"problem_category": "semantic_segmentation", "boundary_relevant": True},
        [{"name": "Dice", "metric": "dsc", "role": "primary"}],
        "segmentation",
    ),
    (
        "metrics.nsd-without-tolerance",
        {"problem_category": "semantic_segmentation"},
        [{"name": "NSD", "metric": "nsd", "role": "primary"}],
        "segmentation",
    ),
    (
        "metrics.distance-with-empty-references",
        {"problem_category": "semantic_segmentation", "empty_references": True},
        [{"name": "HD95", "metric": "hd95", "role": "primary"}],
        "segmentation",
    ),
    (
        "metrics.tubular-without-topology",
        {"problem_category": "semantic_segmentation", "tubular_structures": True, "tolerance_mm": 1},
        [{"name": "NSD", "metric": "nsd", "role": "primary"}],
        "segmentation",
    ),
    (
        "metrics.semantic-with-instances",
        {"problem_category": "semantic_segmentation", "multiple_instances": True},
        [{"name": "Dice", "metric": "dsc", "role": "primary"}],
        "segmentation",
    ),
    (
        "metrics.detection-without-matching",
        {"problem_category": "object_detection"},
        [{"name": "F1", "metric": "fbeta", "role": "primary"}],
        "detection",
    ),
]


def test_every_rule_has_a_case():
    """The table and the cases below cover the same rules."""
    assert {r.code for r in RULES} == {c[0] for c in CASES}


@pytest.mark.parametrize("code, problem, metrics, task_type", CASES, ids=[c[0] for c in CASES])
def test_rule_fires_and_cites_its_pitfall(code, problem, metrics, task_type):
    """Each rule fires on its fingerprint, citing its pitfall, and nothing fires once the recommended metrics are
    declared (the fitting twin below)."""
    found = [i for i in metric_rules(task(problem, metrics, task_type)) if i.code == code]
    assert (
        len(found) == 1
        and "[" in found[0].message
        and ("Reinke" in found[0].message or "Metrics Reloaded" in found[0].message)
    )


def test_a_fitting_task_has_no_metric_warning():
    """An imbalanced, calibrated classification task ranked by AUROC with AP and Brier, and a segmentation task
    with DSC, NSD at a tolerance and HD95, raise nothing."""
    assert not codes(
        task(
            {"problem_category": "image_classification", "prevalence": 0.05, "calibration_needed": True},
            [
                {"name": "AUROC", "metric": "auroc", "role": "primary"},
                {"name": "AP", "metric": "average_precision", "role": "secondary"},
                {"name": "Brier", "metric": "brier_score", "role": "secondary"},
            ],
        )
    )
    assert not codes(
        task(
            {
                "problem_category": "semantic_segmentation",
                "small_structures": True,
                "boundary_relevant": True,
                "tolerance_mm": 2,
            },
            [
                {"name": "Dice", "metric": "dsc", "role": "primary"},
                {"name": "NSD", "metric": "nsd", "role": "secondary"},
                {"name": "HD95", "metric": "hd95", "role": "secondary"},
            ],
            "segmentation",
        )
    )


def test_metric_not_for_category():
    """A classification metric on a segmentation task is flagged."""
    assert "metrics.not-for-category" in codes(
        task(
            {"problem_category": "semantic_segmentation"},
            [{"name": "AUROC", "metric": "auroc", "role": "primary"}],
            "segmentation",
        )
    )


def test_validate_reports_rules_through_the_fast_path(tmp_path: Path):
    """`validate_paths` (the fast path's gate first) reports the rule's warning in a file, with its line."""
    from medal_catalog.validators.submission import validate_paths

    doc = task(
        {"problem_category": "image_classification", "prevalence": 0.02, "decision_threshold": 0.3},
        [{"name": "accuracy", "metric": "accuracy", "role": "primary"}],
    )
    path = tmp_path / "task.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    report = validate_paths([path])
    found = [i for i in report.issues if i.code == "metrics.accuracy-under-imbalance"]
    assert found and found[0].severity.value == "warning"
    clean = task(
        {"problem_category": "image_classification"}, [{"name": "AUROC", "metric": "auroc", "role": "primary"}]
    )
    path.write_text(yaml.safe_dump(clean, sort_keys=False))
    assert not [i for i in validate_paths([path]).issues if i.code.startswith("metrics.")]
