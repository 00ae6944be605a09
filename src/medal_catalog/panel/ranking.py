"""The panel's shortlist: the tasks under review ranked by a weighted priority score, with each criterion's mean,
median and spread, the panel's agreement per criterion (Krippendorff's alpha, ordinal) and flags for tasks whose
reviewers disagree or that lack reviews.

Only the reviews that count go in (:func:`counted_reviews`: the task's current version, no declared conflict of
interest, the latest one per reviewer). For a task with reviews, ``priority = sum(w_c * mean_c) / sum(w_c)`` over
the criteria ``c`` that have scores, with the weights of ``Settings.ranking_weights`` (MEDAL_RANKING_WEIGHTS).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from typing import Any

from medal_catalog.catalog import Catalog
from medal_catalog.config import Settings
from medal_catalog.panel.lifecycle import OPEN_FOR_REVIEW
from medal_catalog.panel.reviews import CRITERIA, counted_reviews

#: The score scale: alpha's ordinal metric needs the whole domain, including values nobody gave.
SCALE = [1, 2, 3, 4, 5]


def criterion_stats(scores: list[int]) -> dict[str, Any]:
    """n, mean, median and spread (max - min) of one criterion's scores on one task (None without scores)."""
    if not scores:
        return {"n": 0, "mean": None, "median": None, "spread": None}
    return {
        "n": len(scores),
        "mean": round(statistics.fmean(scores), 4),
        "median": statistics.median(scores),
        "spread": max(scores) - min(scores),
    }


def priority(means: dict[str, float | None], weights: dict[str, float]) -> float | None:
    """The weighted mean of the criteria's means, over the criteria that have a mean and a weight."""
    pairs = [(weights[c], m) for c, m in means.items() if m is not None and weights.get(c)]
    total = sum(w for w, _ in pairs)
    return round(sum(w * m for w, m in pairs) / total, 4) if total else None


def agreement(matrix: list[list[float]]) -> float | None:
    """Krippendorff's alpha (ordinal, scale 1-5) of a reviewers x tasks matrix (NaN where a reviewer did not
    score a task); None when it is not defined (fewer than two scores on any task, or one value throughout)."""
    import krippendorff  # inline: krippendorff takes ~0.18 s to import
    import numpy as np  # inline: numpy takes ~0.15 s to import

    data = np.array(matrix, dtype=float)
    if data.size == 0 or not (np.sum(~np.isnan(data), axis=0) >= 2).any():
        return None
    try:
        alpha = float(krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal", value_domain=SCALE))
    except (ValueError, ZeroDivisionError):
        return None
    return None if math.isnan(alpha) else round(alpha, 4)


def ranking(
    catalog: Catalog, settings: Settings | None = None, statuses: Iterable[str] = OPEN_FOR_REVIEW
) -> dict[str, Any]:
    """The ranked shortlist of the tasks in ``statuses`` (default: those open for review), best first (tasks
    without reviews last), with the agreement per criterion over those tasks and the settings used."""
    settings = settings or catalog.settings
    statuses = tuple(statuses)
    rows, scores_by = [], {}
    for task in catalog.iter_current(["BenchmarkTask"]):
        document = task.document or {}
        if document.get("status") not in statuses:
            continue
        reviews = counted_reviews(catalog, task.id)
        scores_by[task.id] = {r.reviewer: r.document for r in reviews}
        stats = {
            c: criterion_stats([r.document[slot] for r in reviews if r.document.get(slot) is not None])
            for c, slot in CRITERIA.items()
        }
        flags = []
        if len(reviews) < settings.min_reviews:
            flags.append("lacking_reviews")
        if any(s["spread"] is not None and s["spread"] >= settings.disagreement_spread for s in stats.values()):
            flags.append("disagreement")
        rows.append(
            {
                "task": task.id,
                "title": document.get("title"),
                "status": document.get("status"),
                "reviews": len(reviews),
                "reviewers": sorted(r.reviewer for r in reviews),
                "priority": priority({c: s["mean"] for c, s in stats.items()}, settings.ranking_weights),
                "criteria": stats,
                "flags": flags,
            }
        )
    rows.sort(key=lambda r: (r["priority"] is None, -(r["priority"] or 0), r["task"]))
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    raters = sorted({name for by in scores_by.values() for name in by})
    units = [row["task"] for row in rows]
    alphas = {}
    for criterion, slot in CRITERIA.items():
        matrix = [
            [
                float(scores_by[u][rater][slot])
                if rater in scores_by[u] and scores_by[u][rater].get(slot) is not None
                else math.nan
                for u in units
            ]
            for rater in raters
        ]
        alphas[criterion] = {"alpha": agreement(matrix), "reviewers": len(raters), "tasks": len(units)}
    return {
        "tasks": rows,
        "agreement": alphas,
        "statuses": list(statuses),
        "settings": {
            "weights": settings.ranking_weights,
            "min_reviews": settings.min_reviews,
            "disagreement_spread": settings.disagreement_spread,
        },
    }
