"""The expert panel over HTTP: a task's reviews (write, read per role), its decision and other lifecycle steps,
and the ranked shortlist. Each route calls the panel library (medal_catalog.panel) as `medal review`, `medal
decide` and `medal panel` do; every change of a task or review is a new version with its author and reason."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter

from medal_catalog.api.access import Caller
from medal_catalog.api.envelope import errors
from medal_catalog.api.deps import AdminDep, CallerDep, CatalogDep, ReviewerDep, SettingsDep
from medal_catalog.api.models import DecisionCreate, ReviewCreate, ReviewList, TransitionCreate
from medal_catalog.api.render import visible
from medal_catalog.panel import (
    Actor,
    decide,
    latest_decision,
    list_reviews,
    ranking,
    record_review,
    task_contamination,
    transition,
)


router = APIRouter(tags=["panel"])


def _actor(caller: Caller) -> Actor:
    return Actor(caller.name, caller.role)


@router.get("/tasks/{task_id}/reviews", response_model=ReviewList)
def reviews(task_id: str, catalog: CatalogDep, caller: CallerDep) -> dict[str, Any]:
    """The task's reviews: the panel sees all of them (reviewer, scores, conflict of interest, the task version
    each judges and whether it counts); the task's contributor, once the panel has decided, scores and comments
    without reviewer names; anyone else nothing (401 without a token, 403 with one)."""
    visible(catalog, caller, "BenchmarkTask", task_id)  # 404 for a task the caller may not see at all
    shown = list_reviews(catalog, task_id, _actor(caller))  # refuses whoever may not read them
    return {"task": task_id, "reviews": shown, "decision": latest_decision(catalog, task_id)}


@router.post("/tasks/{task_id}/reviews", status_code=201, responses=errors(409))
def review(task_id: str, assessment: ReviewCreate, catalog: CatalogDep, caller: ReviewerDep) -> dict[str, Any]:
    """Record the caller's review of the task's current version: the reviewer is the token's holder and the date
    today's. A second review by the same reviewer of the same version replaces the first (kept in its history);
    the first review of a submitted task moves it to under_review. 409 when the task is not open for review."""
    outcome = record_review(
        catalog, task_id, assessment.model_dump(exclude_none=True), _actor(caller), today=date.today()
    )
    return outcome.to_dict()


@router.post("/tasks/{task_id}/decision", responses=errors(409))
def decision(
    task_id: str, body: DecisionCreate, catalog: CatalogDep, caller: AdminDep, settings: SettingsDep
) -> dict[str, Any]:
    """Accept or reject a task under review, with the reason, as its next version; 409 (naming the allowed next
    steps) when it is not under review or has fewer than MEDAL_MIN_REVIEWS reviews without a conflict of
    interest."""
    stored = decide(catalog, task_id, body.decision, body.reason, _actor(caller), settings)
    return {"task": stored.to_dict()}


@router.post("/tasks/{task_id}/transition", responses=errors(409))
def step(
    task_id: str, body: TransitionCreate, catalog: CatalogDep, caller: CallerDep, settings: SettingsDep
) -> dict[str, Any]:
    """Another step of the lifecycle table: reopen (a decided or retired task back to review) or retire (an
    accepted task) as an admin; withdraw (to withdrawn) or resubmit as the task's contributor."""
    visible(catalog, caller, "BenchmarkTask", task_id)  # 404 as GET answers, before any 403 of the role
    stored = transition(catalog, task_id, body.action, _actor(caller), body.reason, settings)
    return {"task": stored.to_dict()}


@router.get("/tasks/{task_id}/contamination")
def contamination(task_id: str, catalog: CatalogDep, caller: ReviewerDep) -> dict[str, Any]:
    """The panel's contamination view of a task: for each dataset it uses, the last check against the public IDC
    index (when, which index version, the collections matched) and every other dataset sharing its images (both
    datasets, counts; a hidden-test dataset sharing any image with one that is not hidden is a leak), and the
    images its test splits share with its training splits. ``errors`` counts what should block an acceptance.
    Panel only."""
    visible(catalog, caller, "BenchmarkTask", task_id)
    return task_contamination(catalog, task_id)


@router.get("/panel/ranking")
def shortlist(catalog: CatalogDep, caller: ReviewerDep, settings: SettingsDep) -> dict[str, Any]:
    """The tasks open for review ranked by priority score (the weighted mean of each criterion's mean score,
    MEDAL_RANKING_WEIGHTS), with each criterion's mean, median and spread, Krippendorff's alpha (ordinal) per
    criterion over these tasks, and flags for disagreement and lacking reviews. Panel only."""
    return ranking(catalog, settings)
