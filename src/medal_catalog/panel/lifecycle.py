"""A task's lifecycle: one table of transitions, who may take each, and what a contributor's edit does.

The status of a task belongs to the workflow: only a transition of :data:`TRANSITIONS` changes it, each one a new
version of the task with its author and reason. A harvest or a contributor's edit never sets it (see
:func:`merge_workflow`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from medal_catalog.catalog import Catalog
from medal_catalog.config import Settings
from medal_catalog.errors import Conflict, Forbidden, NotFound, Unauthorized, Unprocessable
from medal_catalog.panel.records import counted_reviews, judged
from medal_catalog.store.base import PutResult, StoredVersion

Role = Literal["anonymous", "contributor", "reviewer", "admin"]
#: Who may take a transition: the panel (reviewers and admins), the admin (panel chair), or the task's owner
#: (the author of its first version; admins may act for them).
Who = Literal["panel", "admin", "owner"]


@dataclass(frozen=True)
class Actor:
    """Who acts: a token's holder in the API, or the ``--as NAME`` of the command line."""

    name: str | None
    role: Role


@dataclass(frozen=True)
class Transition:
    """One row of the lifecycle table."""

    action: str
    sources: tuple[str, ...]
    target: str
    who: Who
    #: Whether the task needs ``min_reviews`` reviews without a conflict of interest first.
    needs_reviews: bool = False
    #: Whether the actor must say why (recorded as the new version's reason).
    needs_reason: bool = True


#: The lifecycle, in full: no other change of a task's status exists.
TRANSITIONS: tuple[Transition, ...] = (
    Transition("start_review", ("submitted",), "under_review", "panel", needs_reason=False),
    Transition("accept", ("under_review",), "accepted", "admin", needs_reviews=True),
    Transition("reject", ("under_review",), "rejected", "admin", needs_reviews=True),
    Transition("reopen", ("accepted", "rejected", "retired"), "under_review", "admin"),
    Transition("retire", ("accepted",), "retired", "admin"),
    Transition("withdraw", ("submitted", "under_review"), "withdrawn", "owner"),
    Transition("resubmit", ("withdrawn", "draft"), "submitted", "owner"),
)
#: The chair's steps: what a task's contributor is told the reason of (:func:`latest_decision`).
DECISION_ACTIONS = ("accept", "reject", "reopen", "retire")
BY_ACTION: dict[str, Transition] = {t.action: t for t in TRANSITIONS}
#: Where a task may be reviewed.
OPEN_FOR_REVIEW = ("submitted", "under_review")
#: Where a new task enters, whatever its file says.
ENTRY_STATUS = "submitted"


def allowed_next(status: str | None) -> list[str]:
    """The actions the table allows from ``status``."""
    return [t.action for t in TRANSITIONS if status in t.sources]


def may_take(catalog: Catalog, task_id: str, step: Transition, actor: Actor) -> bool:
    """Whether ``actor``'s role (and ownership) allows ``step`` on the task, whatever its status."""
    try:
        _check_actor(catalog, task_id, step, actor)
    except (Unauthorized, Forbidden):
        return False
    return True


def allowed_for(catalog: Catalog, task_id: str, status: str | None, actor: Actor) -> list[str]:
    """The actions from ``status`` that ``actor`` may take: the table's next steps, less those of other roles (a
    contributor is never offered reopen or retire; the panel's start_review is done by a review, not offered)."""
    return [
        t.action
        for t in TRANSITIONS
        if status in t.sources and t.action != "start_review" and may_take(catalog, task_id, t, actor)
    ]


_MARK = re.compile(r"\s*\[decision [^\]]*\]\s*$")


def latest_decision(catalog: Catalog, task_id: str) -> dict[str, Any] | None:
    """The chair's latest step on the task (accept, reject, reopen, retire) with its reason, the task version it
    wrote and when; None before any. Never who took it: the contributor is told why, not by whom."""
    for version in reversed(catalog.history("BenchmarkTask", task_id)):
        action, _, reason = (version.reason or "").partition(":")
        if action in DECISION_ACTIONS and _:
            return {
                "action": action,
                "reason": _MARK.sub("", reason.strip()),
                "task_version": version.version,
                "recorded_at": version.recorded_at,
            }
    return None


def current_task(catalog: Catalog, task_id: str) -> StoredVersion:
    """The current version of a task; NotFound when there is none (or it was deleted)."""
    current = catalog.get("BenchmarkTask", task_id)
    if current is None or current.deleted:
        raise NotFound(f"no task {task_id!r}")
    return current


def owner_of(catalog: Catalog, task_id: str) -> str | None:
    """The author of the task's first version (its contributor)."""
    first = catalog.get("BenchmarkTask", task_id, 1)
    return first.author if first is not None else None


def _check_actor(catalog: Catalog, task_id: str, transition: Transition, actor: Actor) -> None:
    if actor.role == "anonymous" or not actor.name:
        raise Unauthorized(f"{transition.action} needs a token")
    if actor.role == "admin":
        return
    if transition.who == "panel" and actor.role == "reviewer":
        return
    if transition.who == "owner" and owner_of(catalog, task_id) == actor.name:
        return
    needed = {"panel": "a reviewer or admin", "admin": "an admin", "owner": "the task's contributor or an admin"}[
        transition.who
    ]
    raise Forbidden(f"{transition.action} is for {needed}")


def transition(
    catalog: Catalog, task_id: str, action: str, actor: Actor, reason: str = "", settings: Settings | None = None
) -> PutResult:
    """Take ``action`` on the task (a row of :data:`TRANSITIONS`) as ``actor``, recorded as its next version with
    the actor as author and ``reason``. Conflict (409, naming the allowed next steps) when the table does not allow
    it from the current status, or a decision lacks reviews. ``settings``: default the catalog's."""
    settings = settings or catalog.settings
    step = BY_ACTION.get(action)
    if step is None:
        raise Unprocessable(f"unknown action {action!r}; the lifecycle has {', '.join(BY_ACTION)}")
    current = current_task(catalog, task_id)
    status = (current.document or {}).get("status")
    _check_actor(catalog, task_id, step, actor)
    if status not in step.sources:
        raise Conflict(
            f"task {task_id!r} is {status}: {action} is allowed only from {', '.join(step.sources)}; "
            f"allowed next steps: {', '.join(allowed_next(status)) or 'none'}"
        )
    reason = (reason or "").strip()
    if step.needs_reason and not reason:
        raise Unprocessable(f"{action} needs a reason")
    if step.needs_reviews:
        have = len(counted_reviews(catalog, task_id))
        if have < settings.min_reviews:
            raise Conflict(
                f"task {task_id!r} has {have} review(s) from reviewers without a declared conflict of "
                f"interest on its current version; {action} needs {settings.min_reviews} "
                f"(MEDAL_MIN_REVIEWS); allowed next steps: more reviews, then accept or reject"
            )
    why = f"{action}: {reason}" if reason else action
    result = catalog.put({**current.document, "status": step.target}, author=actor.name or "?", reason=why)
    if result.problems:
        raise Unprocessable(f"the catalog refused the new version: {result.problems[0]}")
    return result


@dataclass(frozen=True)
class Workflow:
    """A submitted task with its workflow fields taken from the catalog: the entry to write, why its status is not
    the file's (``note``, or None), and whether the edit sends an accepted task back to review."""

    entry: dict[str, Any]
    note: str | None = None
    back_to_review: bool = False


def merge_workflow(entry: Mapping[str, Any], stored: StoredVersion | None) -> Workflow:
    """The task a harvest or a contributor's edit writes: the file's content with the stored status (a new task
    enters as ``submitted``). An edit of an accepted task that changes what the panel judged goes back to
    ``under_review``; an editorial edit keeps it accepted. Other statuses stay as they are."""
    given = entry.get("status")
    if stored is None or stored.deleted:
        status, why = ENTRY_STATUS, "a new task enters as submitted"
        back = False
    else:
        status = (stored.document or {}).get("status", ENTRY_STATUS)
        why = f"the catalog keeps it {status}"
        changed = sorted(
            k
            for k in judged(entry).keys() | judged(stored.document).keys()
            if judged(entry).get(k) != judged(stored.document).get(k)
        )
        back = status == "accepted" and bool(changed)
        if back:
            status, why = "under_review", f"back to review: the edit changes {', '.join(changed)}"
    note = None
    if back:
        note = why
    elif given is not None and given != status:
        note = f"status {given!r} in the file is ignored: only the panel moves a task on ({why})"
    return Workflow({**entry, "status": status}, note, back)
