"""A task's metrics against its problem fingerprint (Metrics Reloaded): the catalog's metric vocabulary, free-text
names matched to it, and the rule table that warns where a declared metric does not fit the problem.

Every rule is one row of :data:`RULES`: the condition, the message, the pitfall it guards against (cited from
Reinke et al., "Understanding metric-related pitfalls in image analysis validation", Nature Methods 21:182-194,
2024, and Maier-Hein et al., "Metrics reloaded", Nature Methods 21:195-212, 2024) and what to declare instead.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from medal_catalog.report import Issue, Severity, record_issue
from medal_catalog.schema import SCHEMA_PATH

W = Severity.WARNING

#: task_type -> problem category, for tasks without a problem fingerprint.
CATEGORY_OF_TYPE = {
    "classification": "image_classification",
    "segmentation": "semantic_segmentation",
    "detection": "object_detection",
    "regression": "regression",
}
#: The metrics the catalog computes for each problem category (evaluation/metrics.py holds the computations).
COMPUTED = {
    "image_classification": {
        "auroc",
        "average_precision",
        "balanced_accuracy",
        "mcc",
        "net_benefit",
        "brier_score",
        "ece",
        "sensitivity",
        "specificity",
        "ppv",
        "accuracy",
    },
    "regression": {"mae", "rmse"},
    "semantic_segmentation": {"dsc", "iou", "nsd", "hd95", "masd"},
    "object_detection": {"fbeta", "detection_sensitivity", "ppv"},
    "instance_segmentation": set(),
}
THRESHOLDED = {"balanced_accuracy", "mcc", "net_benefit", "sensitivity", "specificity", "ppv", "accuracy"}
CALIBRATION = {"brier_score", "ece"}
BOUNDARY = {"nsd", "hd95", "masd"}
OVERLAP = {"dsc", "iou"}


@lru_cache(maxsize=1)
def metric_vocabulary() -> dict[str, dict[str, Any]]:
    """The schema's MetricEnum: code -> {title, description, aliases}."""
    import yaml  # inline: PyYAML takes ~40 ms to import

    enum = yaml.safe_load(SCHEMA_PATH.read_text("utf-8"))["enums"]["MetricEnum"]["permissible_values"]
    return {
        code: {
            "title": v.get("title", code),
            "description": v.get("description", ""),
            "aliases": list(v.get("aliases") or []),
        }
        for code, v in enum.items()
    }


def _norm(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    names = {}
    for code, term in metric_vocabulary().items():
        for label in (code, term["title"], *term["aliases"]):
            names.setdefault(_norm(label), code)
    return names


def code_of_name(name: str) -> str | None:
    """The metric code a free-text name stands for exactly (its code, title or an alias, ignoring case, spaces and
    punctuation); None when none."""
    return _names().get(_norm(name))


def suggest_code(name: str) -> str | None:
    """The metric code whose name is nearest to ``name`` (difflib ratio at least 0.6), or None."""
    near = difflib.get_close_matches(_norm(name), list(_names()), n=1, cutoff=0.6)
    return _names()[near[0]] if near else None


def declared_code(metric: dict[str, Any]) -> str | None:
    """A declared metric's code: its ``metric`` slot, else what its free-text name stands for exactly."""
    code = metric.get("metric")
    if isinstance(code, str):
        return code
    name = metric.get("name")
    return code_of_name(name) if isinstance(name, str) else None


def problem_category(task: dict[str, Any]) -> str | None:
    """The task's problem category: its fingerprint's, else the one its task_type implies."""
    problem = task.get("problem") if isinstance(task.get("problem"), dict) else {}
    return problem.get("problem_category") or CATEGORY_OF_TYPE.get(task.get("task_type") or "")


@dataclass(frozen=True)
class Facts:
    """What the rules read of a task: its category, fingerprint, declared metric codes and primary codes."""

    category: str | None
    problem: dict[str, Any]
    codes: set[str]
    primary: set[str]

    @property
    def imbalanced(self) -> bool:
        p = self.problem.get("prevalence")
        return bool(self.problem.get("class_imbalance")) or (isinstance(p, (int, float)) and not 0.1 <= p <= 0.9)


@dataclass(frozen=True)
class Rule:
    code: str
    applies: Callable[[Facts], bool]
    message: str
    pitfall: str
    recommend: str


RULES: tuple[Rule, ...] = (
    Rule(
        "metrics.accuracy-under-imbalance",
        lambda f: f.category == "image_classification" and f.imbalanced and bool(f.primary & {"accuracy"}),
        "accuracy ranks submissions although the classes are strongly imbalanced: a model that always answers the "
        "majority class scores high",
        "Reinke et al. 2024, pitfall 'high class imbalance' (prevalence dependency of accuracy)",
        "Rank by a prevalence-robust metric: balanced accuracy, MCC, or AUROC with AP.",
    ),
    Rule(
        "metrics.auroc-without-ap",
        lambda f: f.category == "image_classification"
        and f.imbalanced
        and "auroc" in f.codes
        and "average_precision" not in f.codes,
        "AUROC is reported without average precision although positives are rare: AUROC can look high while most "
        "positive calls are false",
        "Reinke et al. 2024, pitfall 'high class imbalance'; Metrics Reloaded recommendation for ImLC (AP with AUROC)",
        "Add `metric: average_precision`.",
    ),
    Rule(
        "metrics.threshold-without-threshold",
        lambda f: f.category == "image_classification"
        and "decision_threshold" not in f.problem
        and bool(f.primary & THRESHOLDED),
        "the primary metric needs a decision threshold but the task gives none, so submissions are ranked at an "
        "arbitrary threshold (0.5)",
        "Metrics Reloaded, ImLC decision: without a given threshold choose a threshold-free (multi-threshold) metric",
        "Give `problem.decision_threshold`, or rank by AUROC or AP.",
    ),
    Rule(
        "metrics.no-calibration-metric",
        lambda f: bool(f.problem.get("calibration_needed")) and not f.codes & CALIBRATION,
        "predicted probabilities drive decisions (calibration_needed) but no calibration metric is declared: AUROC "
        "and AP ignore calibration",
        "Reinke et al. 2024, pitfall 'disregard of calibration'; Metrics Reloaded calibration metrics (Brier, ECE)",
        "Add `metric: brier_score` or `metric: ece`.",
    ),
    Rule(
        "metrics.overlap-only-small-structures",
        lambda f: f.category in ("semantic_segmentation", "instance_segmentation")
        and bool(f.problem.get("small_structures"))
        and bool(f.codes & OVERLAP)
        and not f.codes & BOUNDARY,
        "the structures are small but only overlap metrics (DSC, IoU) are declared: one voxel changes them a lot",
        "Reinke et al. 2024, pitfall 'small structure sizes' (DSC penalises errors in small structures heavily)",
        "Add a boundary metric: `metric: nsd` (at the task's tolerance_mm) or `metric: hd95`.",
    ),
    Rule(
        "metrics.no-boundary-metric",
        lambda f: f.category in ("semantic_segmentation", "instance_segmentation")
        and bool(f.problem.get("boundary_relevant"))
        and not f.codes & BOUNDARY,
        "the clinical question is about contours but no boundary metric is declared: overlap metrics do not see "
        "where the boundary is wrong",
        "Metrics Reloaded, SemS: boundary-based metric when the exact delineation matters",
        "Add `metric: nsd` with `problem.tolerance_mm`, or `metric: hd95`.",
    ),
    Rule(
        "metrics.nsd-without-tolerance",
        lambda f: "nsd" in f.codes and "tolerance_mm" not in f.problem,
        "NSD is declared without a tolerance: the catalog then uses 2 mm, which may not be the clinical one",
        "Metrics Reloaded: NSD's tolerance must reflect the clinically acceptable deviation",
        "Give `problem.tolerance_mm`.",
    ),
    Rule(
        "metrics.distance-with-empty-references",
        lambda f: bool(f.problem.get("empty_references")) and bool(f.primary & {"hd95", "masd"}),
        "a distance metric ranks submissions although references may be empty, where it is undefined (the catalog "
        "then uses the image diagonal)",
        "Reinke et al. 2024, pitfall 'empty reference' (distance metrics undefined)",
        "Rank by DSC or NSD, which are defined on empty references, and report the distance as secondary.",
    ),
    Rule(
        "metrics.tubular-without-topology",
        lambda f: bool(f.problem.get("tubular_structures"))
        and f.category in ("semantic_segmentation", "instance_segmentation"),
        "the structures are tubular: overlap and distance metrics miss breaks in connectivity",
        "Reinke et al. 2024, pitfall 'tubular structures'; Metrics Reloaded recommends clDice",
        "Describe connectivity in the metric's definition; the catalog does not compute clDice yet.",
    ),
    Rule(
        "metrics.semantic-with-instances",
        lambda f: f.category == "semantic_segmentation" and bool(f.problem.get("multiple_instances")),
        "cases hold several instances but the task is graded as semantic segmentation: one large lesion dominates "
        "DSC and missed small lesions go unnoticed",
        "Metrics Reloaded, problem category mapping: instance-level questions need detection or instance metrics",
        "Declare the task as object_detection or instance_segmentation with a matching rule, or add a detection "
        "metric.",
    ),
    Rule(
        "metrics.detection-without-matching",
        lambda f: f.category in ("object_detection", "instance_segmentation")
        and not (f.problem.get("matching_rule") and f.problem.get("matching_threshold") is not None),
        "a detection task without a matching rule: hits cannot be counted reproducibly",
        "Reinke et al. 2024, pitfall 'choice of localization criterion and assignment strategy'",
        "Give `problem.matching_rule` and `problem.matching_threshold`.",
    ),
)


def metric_rules(task: dict[str, Any]) -> Iterator[Issue]:
    """Warnings about a task's declared metrics: uncoded names (with a suggestion), metrics the catalog does not
    compute for the task's category, and every rule of :data:`RULES` that applies."""
    metrics = (
        [m for m in task.get("metrics") or [] if isinstance(m, dict)] if isinstance(task.get("metrics"), list) else []
    )
    category = problem_category(task)
    codes, primary = set(), set()
    for i, m in enumerate(metrics):
        code = declared_code(m)
        if not isinstance(m.get("metric"), str) and isinstance(m.get("name"), str):
            near = code or suggest_code(m["name"])
            hint = (
                f"Add `metric: {near}` ({metric_vocabulary()[near]['title']}) if that is what it is."
                if near
                else "Give it a `metric:` code of the catalog's vocabulary (docs/evaluation.md), or "
                "describe it exactly in `definition`: it will be reported but not computed."
            )
            message = (
                "the metric is named in free text only: the catalog reads the name as "
                f"{metric_vocabulary()[code]['title']}; say so with a code"
                if code
                else "the metric is named in free text only and matches no metric the catalog computes"
            )
            yield record_issue(W, "metrics.uncoded", f"/metrics/{i}/name", message, hint)
        if code is None:
            continue
        codes.add(code)
        if m.get("role") == "primary":
            primary.add(code)
        if category in COMPUTED and code not in COMPUTED[category]:
            yield record_issue(
                W,
                "metrics.not-for-category",
                f"/metrics/{i}",
                f"this metric does not apply to (or is not computed for) {category}",
                f"For {category} the catalog computes: {', '.join(sorted(COMPUTED[category])) or 'none yet'}.",
            )
    problem = task.get("problem") if isinstance(task.get("problem"), dict) else {}
    if not problem:  # nothing to check the metrics against (docs/evaluation.md asks for a fingerprint)
        return
    facts = Facts(category, problem, codes, primary)
    for rule in RULES:
        if rule.applies(facts):
            yield record_issue(W, rule.code, "/metrics", f"{rule.message} [{rule.pitfall}]", rule.recommend)
