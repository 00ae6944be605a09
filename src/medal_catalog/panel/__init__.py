"""The expert panel's library: the lifecycle table (lifecycle.py), reviews (reviews.py), recorded decisions
(decisions.py) and the ranked shortlist (ranking.py). The HTTP API and the command line call these same functions.
"""

from medal_catalog.panel.lifecycle import (BY_ACTION, TRANSITIONS, Actor, Transition, allowed_for, allowed_next,
                                           latest_decision, merge_workflow, transition)
from medal_catalog.panel.ranking import ranking
from medal_catalog.panel.reviews import (CRITERIA, counted_reviews, list_reviews, record_review,
                                         review_body_model, reviews_of)

__all__ = ["BY_ACTION", "TRANSITIONS", "Actor", "Transition", "allowed_for", "allowed_next", "latest_decision",
           "merge_workflow", "transition",
           "ranking", "CRITERIA", "counted_reviews", "list_reviews", "record_review", "review_body_model",
           "reviews_of", "decide"]


def decide(catalog, task_id: str, decision: str, reason: str, actor: Actor, settings=None):
    """Accept or reject a task under review (the ``accept`` / ``reject`` rows of the lifecycle table)."""
    if decision not in ("accept", "reject"):
        from medal_catalog.errors import Unprocessable

        raise Unprocessable(f"a decision is accept or reject, not {decision!r}")
    return transition(catalog, task_id, decision, actor, reason, settings)
