"""The expert panel's library: the lifecycle table (lifecycle.py), reviews (reviews.py), recorded decisions
(decisions.py), the ranked shortlist (ranking.py) and a task's contamination view (contamination/review.py).
The HTTP API and the command line call these same functions.
"""

from typing import Any

from medal_catalog.catalog import Catalog
from medal_catalog.contamination import review
from medal_catalog.errors import Unprocessable
from medal_catalog.exports.croissant import case_files
from medal_catalog.panel.lifecycle import (
    BY_ACTION,
    TRANSITIONS,
    Actor,
    Transition,
    allowed_for,
    allowed_next,
    latest_decision,
    merge_workflow,
    transition,
)
from medal_catalog.panel.ranking import ranking
from medal_catalog.panel.reviews import (
    CRITERIA,
    counted_reviews,
    list_reviews,
    record_review,
    review_body_model,
    reviews_of,
)

__all__ = [
    "BY_ACTION",
    "TRANSITIONS",
    "Actor",
    "Transition",
    "allowed_for",
    "allowed_next",
    "latest_decision",
    "merge_workflow",
    "transition",
    "ranking",
    "CRITERIA",
    "counted_reviews",
    "list_reviews",
    "record_review",
    "review_body_model",
    "reviews_of",
    "decide",
    "task_contamination",
]


def decide(catalog, task_id: str, decision: str, reason: str, actor: Actor, settings=None):
    """Accept or reject a task under review (the ``accept`` / ``reject`` rows of the lifecycle table)."""
    if decision not in ("accept", "reject"):
        raise Unprocessable(f"a decision is accept or reject, not {decision!r}")
    return transition(catalog, task_id, decision, actor, reason, settings)


def task_contamination(catalog: Catalog, task_id: str) -> dict[str, Any]:
    """The panel's contamination view of a task (contamination/review.py), its cases read by the Croissant export."""
    return review.task_contamination(catalog, task_id, case_files)
