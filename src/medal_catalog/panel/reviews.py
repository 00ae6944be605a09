"""The panel's reviews: recording them (one per reviewer per task version), reading them back as each role may,
and the ones that count towards a decision (no declared conflict of interest, the task's current version).

A review's store version records the task version it judges in its reason (``review of TASK vN``): the schema's
ReviewAssessment names the task only, and the version belongs to the workflow, not to what the reviewer writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model

from medal_catalog.catalog import Catalog
from medal_catalog.errors import Conflict, Forbidden, Unauthorized, Unprocessable
from medal_catalog.panel.lifecycle import OPEN_FOR_REVIEW, Actor, allowed_next, current_task, owner_of, transition
from medal_catalog.panel.records import counted_reviews, judged_version, reviews_of
from medal_catalog.store.base import PutResult
from medal_catalog.store.base import validate_entry

#: The scored criteria: name -> the ReviewAssessment slot holding its 1-5 score.
CRITERIA = {
    "clinical_relevance": "clinical_relevance_score",
    "unmet_need": "unmet_need_score",
    "patient_impact": "patient_impact_score",
    "feasibility": "feasibility_score",
    "data_quality": "data_quality_score",
}
#: Slots of a ReviewAssessment the catalog sets, never the reviewer: who (the token), when (the clock), of what.
SET_BY_CATALOG = ("id", "type", "task", "reviewer", "review_date")
#: What a task's contributor sees of a review once the panel has decided: no reviewer, no conflict statement.
SHOWN_TO_CONTRIBUTOR = ("recommendation", "comments", *CRITERIA.values())
#: Statuses in which the panel has decided (the contributor may then read the reviews).
DECIDED = ("accepted", "rejected", "retired")


def review_body_model() -> type[BaseModel]:
    """The body of a new review: the generated ReviewAssessment model's fields, less those the catalog sets
    (:data:`SET_BY_CATALOG`); unknown fields are refused."""
    from medal_catalog.model import ENTRY_MODELS  # inline: adds ~180 ms to this module's import

    source = ENTRY_MODELS["ReviewAssessment"]
    fields = {
        name: (field.annotation, field) for name, field in source.model_fields.items() if name not in SET_BY_CATALOG
    }
    return create_model(
        "ReviewCreate",
        __config__=ConfigDict(extra="forbid", use_enum_values=True),
        __doc__="A panel member's assessment of a task: the schema's ReviewAssessment without the "
        "fields the catalog sets (id, task, reviewer from the token, date from the clock).",
        **fields,
    )


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "reviewer"


@dataclass(frozen=True)
class ReviewOutcome:
    """What recording a review did: the review written, whether it replaced the reviewer's earlier one on the
    same task version, and the task's move to under_review on its first review (or None)."""

    review: PutResult
    replaced: bool
    task: PutResult | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "review": self.review.to_dict(),
            "replaced": self.replaced,
            "task": self.task.to_dict() if self.task else None,
        }


def record_review(
    catalog: Catalog,
    task_id: str,
    assessment: dict[str, Any],
    actor: Actor,
    today: date | None = None,
    entry_id: str | None = None,
) -> ReviewOutcome:
    """Record ``actor``'s assessment of the task's current version: the reviewer is the actor, the date today's.
    A second review by the same reviewer of the same version replaces the first (a new version of the same
    review entry, so the first stays in its history). The task's first review moves it to under_review."""
    if actor.role == "anonymous" or not actor.name:
        raise Unauthorized("a review needs a token")
    if actor.role not in ("reviewer", "admin"):
        raise Forbidden("reviews are written by the panel (reviewers and admins)")
    current = current_task(catalog, task_id)
    status = (current.document or {}).get("status")
    if status not in OPEN_FOR_REVIEW:
        raise Conflict(
            f"task {task_id!r} is {status}, not open for review; allowed next steps: "
            f"{', '.join(allowed_next(status)) or 'none'}"
        )
    if owner_of(catalog, task_id) == actor.name:
        raise Forbidden("a task's contributor does not review it")
    version = judged_version(catalog.history("BenchmarkTask", task_id))
    earlier = [r for r in reviews_of(catalog, task_id) if r.reviewer == actor.name and r.task_version == version]
    review_id = earlier[-1].stored.id if earlier else (entry_id or f"{task_id}.review.{_slug(actor.name)}.v{version}")
    reviewer = dict((earlier[-1].document.get("reviewer") if earlier else None) or {"name": actor.name})
    document = {
        **{k: v for k, v in assessment.items() if k not in SET_BY_CATALOG and v is not None},
        "type": "ReviewAssessment",
        "id": review_id,
        "task": task_id,
        "reviewer": reviewer,
        "review_date": (today or date.today()).isoformat(),
    }
    return _store(catalog, task_id, document, actor, version, replaced=bool(earlier), status=status)


def _store(
    catalog: Catalog,
    task_id: str,
    document: dict[str, Any],
    actor: Actor,
    version: int,
    *,
    replaced: bool,
    status: str | None,
) -> ReviewOutcome:
    stored = catalog.put(document, author=actor.name or "?", reason=f"review of {task_id} v{version}")
    if stored.problems:
        raise Unprocessable("the review is not valid: " + "; ".join(stored.problems))
    moved = None
    if stored.changed and status == "submitted":
        try:
            moved = transition(
                catalog, task_id, "start_review", Actor(actor.name, "reviewer"), reason=f"first review {document['id']}"
            )
        except Conflict:
            # Another reviewer's first review (another request, another worker) moved the task to under_review
            # since its status was read: this review is stored and counts all the same; refusing it now would
            # answer 409 for a review the catalog keeps.
            if (current_task(catalog, task_id).document or {}).get("status") != "under_review":
                raise
    return ReviewOutcome(stored, replaced and stored.changed, moved)


def store_recorded_review(catalog: Catalog, document: dict[str, Any], author: str) -> ReviewOutcome:
    """Store a review from a file of the panel's records (a harvest) under its own id and reviewer, as a review of
    the task's current version. Unchanged, it writes nothing; changed, only while the task is open for review."""
    task_id = str(document.get("task", ""))
    current = current_task(catalog, task_id)
    stored = catalog.get("ReviewAssessment", str(document.get("id", "")))
    if stored is not None and stored.document == _canonical(document):
        return ReviewOutcome(PutResult(stored.key, "unchanged", stored.version), False)
    status = (current.document or {}).get("status")
    if status not in OPEN_FOR_REVIEW:
        raise Conflict(f"task {task_id!r} is {status}: its reviews are closed")
    version = judged_version(catalog.history("BenchmarkTask", task_id))
    return _store(
        catalog, task_id, document, Actor(author, "reviewer"), version, replaced=stored is not None, status=status
    )


def _canonical(document: dict[str, Any]) -> dict[str, Any] | None:
    return validate_entry(document).document


def list_reviews(catalog: Catalog, task_id: str, actor: Actor) -> list[dict[str, Any]]:
    """The task's reviews as ``actor`` may read them: the panel all of them in full (with the task version each
    judges and whether it counts); the task's contributor, once the panel has decided, scores, recommendation and
    comments without reviewer names; anyone else nothing (401 without a token, 403 with one)."""
    current = current_task(catalog, task_id)
    if actor.role == "anonymous":
        raise Unauthorized("reviews are shown to the panel, and to a task's contributor once decided")
    records = reviews_of(catalog, task_id)
    if actor.role in ("reviewer", "admin"):
        counted = {r.stored.id for r in counted_reviews(catalog, task_id)}
        return [
            {
                "id": r.stored.id,
                "task_version": r.task_version,
                "counted": r.stored.id in counted,
                "version": r.stored.version,
                "recorded_at": r.stored.recorded_at,
                "author": r.stored.author,
                "document": r.document,
            }
            for r in records
        ]
    if owner_of(catalog, task_id) != actor.name:
        raise Forbidden("reviews are shown to the panel, and to a task's contributor once decided")
    if (current.document or {}).get("status") not in DECIDED:
        raise Forbidden(f"the reviews of task {task_id!r} are shown to its contributor once the panel has decided")
    return [
        {
            "task_version": r.task_version,
            "document": {k: r.document[k] for k in SHOWN_TO_CONTRIBUTOR if k in r.document},
        }
        for r in records
        if not r.conflicted
    ]
