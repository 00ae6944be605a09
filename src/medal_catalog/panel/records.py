"""What the workflow knows of a task's reviews: the task version each judges (recorded in the reason of the
review's version, ``review of TASK vN``), which part of a task the panel judges, and the reviews that count."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from medal_catalog.catalog import Catalog
from medal_catalog.store.base import StoredVersion

_REASON = re.compile(r"^review of \S+ v(\d+)$")
#: Slots of a task whose change does not touch what the panel judged: editing them keeps an accepted task
#: accepted. Any other slot (the question, rationale, conditions, data, splits, metrics, reference standard...)
#: sends an accepted task back to review.
EDITORIAL_SLOTS = frozenset(
    {"title", "description", "keywords", "citation", "version", "created", "modified", "submitter", "status"}
)


def judged(document: Mapping[str, Any] | None) -> dict[str, Any]:
    """The part of a task the panel judges (everything but :data:`EDITORIAL_SLOTS`)."""
    return {k: v for k, v in (document or {}).items() if k not in EDITORIAL_SLOTS}


def judged_version(history: Sequence[StoredVersion]) -> int:
    """The version of a task its judged content dates from: reviews are of that version, and a later change of
    the judged content starts a new round of reviews."""
    since, previous = 1, None
    for version in history:
        if version.document is None:
            continue
        content = judged(version.document)
        if previous is not None and content != previous:
            since = version.version
        previous = content
    return since


@dataclass(frozen=True)
class ReviewRecord:
    """A stored review with what the workflow knows of it."""

    stored: StoredVersion
    #: The task version it judges (None for a review stored before versions were recorded: counted as v1).
    task_version: int

    @property
    def document(self) -> dict[str, Any]:
        return self.stored.document or {}

    @property
    def reviewer(self) -> str:
        return str((self.document.get("reviewer") or {}).get("name", ""))

    @property
    def conflicted(self) -> bool:
        return bool(self.document.get("conflict_of_interest"))


def reviews_of(catalog: Catalog, task_id: str) -> list[ReviewRecord]:
    """Every current review of the task, oldest first."""
    found = []
    for version in catalog.iter_current(["ReviewAssessment"]):
        if (version.document or {}).get("task") == task_id:
            match = _REASON.match(version.reason or "")
            found.append(ReviewRecord(version, int(match.group(1)) if match else 1))
    return sorted(found, key=lambda r: (r.stored.recorded_at, r.stored.id))


def counted_reviews(catalog: Catalog, task_id: str) -> list[ReviewRecord]:
    """The reviews a decision and the ranking count: of the task's current version, from reviewers without a
    declared conflict of interest, the latest one per reviewer."""
    version = judged_version(catalog.history("BenchmarkTask", task_id))
    latest: dict[str, ReviewRecord] = {}
    for record in reviews_of(catalog, task_id):
        if record.task_version == version and not record.conflicted:
            latest[record.reviewer] = record
    return list(latest.values())
