"""Response and request bodies of the API (``XPublic`` for what is shown, ``XCreate`` for what is sent)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from medal_catalog.api.access import View
from medal_catalog.panel import review_body_model
from medal_catalog.schema.facts import access_levels

if TYPE_CHECKING:
    # Both are made from the schema when the module loads; a type checker sees what they are made of.
    AccessLevel = str
    ReviewCreate = BaseModel
else:
    #: A dataset's access level: the values of the schema's AccessLevelEnum, as a Literal so that OpenAPI lists
    #: them and FastAPI refuses others.
    AccessLevel = Literal[access_levels()]
    #: The body of a new review, generated from the schema's ReviewAssessment (less id, task, reviewer and date,
    #: which the catalog sets), so OpenAPI documents every score and FastAPI's errors name the field.
    ReviewCreate = review_body_model()


class EntryPublic(BaseModel):
    """One version of an entry as the caller may see it."""

    kind: str
    id: str
    version: int
    recorded_at: str
    reason: str | None = Field(None, description="Why this version was written (panel, admin and owner only).")
    author: str | None = Field(None, description="Who wrote this version (panel, admin and owner only).")
    view: View
    identifier: str = Field(description="The resolvable identifier of this version, /id/{kind}/{id}/v{n}.")
    document: dict[str, Any] | None
    contamination: dict[str, Any] | None = Field(
        None,
        description="A dataset's contamination checks, counts only: the last check against the public IDC "
        "index (when, which index version) and the images it shares with other datasets now.",
    )


class EntrySummary(BaseModel):
    """An entry in a list: enough to show it and follow its link."""

    kind: str
    id: str
    label: str
    url: str


class Page(BaseModel):
    """One page of a list, in a stable order (by key)."""

    items: list[EntrySummary]
    total: int
    page: int
    size: int
    next: str | None = Field(None, description="The URL of the next page, when there is one.")


class VersionSummary(BaseModel):
    version: int
    recorded_at: str
    deleted: bool
    author: str | None = None
    reason: str | None = None
    url: str


class VersionList(BaseModel):
    kind: str
    id: str
    versions: list[VersionSummary]


class FacetCount(BaseModel):
    value: str
    count: int


class SearchHitPublic(BaseModel):
    kind: str
    id: str
    label: str
    score: float | None
    highlights: dict[str, list[str]]
    url: str
    document: dict[str, Any]


class SearchPage(BaseModel):
    hits: list[SearchHitPublic]
    total: int
    page: int
    size: int
    facets: dict[str, list[FacetCount]]
    next: str | None = None


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    store: dict[str, Any]
    index: dict[str, Any]


class SubmissionPublic(BaseModel):
    """What a submission stored: one write result per entry, the validation report, and (for a bundle sent by
    `medal submit`) the files each dataset now keeps: path, sha256, size, media type."""

    stored: list[dict[str, Any]]
    report: dict[str, Any]
    files: dict[str, list[dict[str, Any]]] = {}


class DecisionCreate(BaseModel):
    """An admin's decision on a task under review (needs MEDAL_MIN_REVIEWS reviews without a conflict)."""

    decision: Literal["accept", "reject"]
    reason: str = Field(min_length=1, max_length=4000)


class TransitionCreate(BaseModel):
    """A step of the task lifecycle other than a decision: reopen or retire (admin), withdraw or resubmit (the
    task's contributor)."""

    action: Literal["reopen", "retire", "withdraw", "resubmit"]
    reason: str = Field(min_length=1, max_length=4000)


class ReviewPublic(BaseModel):
    """One review as the caller may read it: the panel sees the whole document, who wrote it, the task version
    it judges and whether it counts; a task's contributor sees scores, recommendation and comments only."""

    model_config = ConfigDict(extra="allow")

    task_version: int
    document: dict[str, Any]


class DecisionPublic(BaseModel):
    """The chair's latest step on a task (accept, reject, reopen, retire) and why; never who took it."""

    action: str
    reason: str
    task_version: int
    recorded_at: str


class ReviewList(BaseModel):
    task: str
    reviews: list[ReviewPublic]
    decision: DecisionPublic | None = Field(
        None,
        description="The chair's latest step and its reason, shown with "
        "the reviews (to the panel, and to the contributor once decided).",
    )


# --- the one error envelope -------------------------------------------------------------------------------------
class FieldError(BaseModel):
    """One problem FastAPI found in a request's parameters or body before any route ran (its own item shape)."""

    model_config = ConfigDict(extra="allow")

    loc: list[str | int] = Field(description="Where: ``body``, ``query``, ``path`` or ``header``, then the names.")
    msg: str
    type: str
    input: Any = None
    ctx: dict[str, Any] | None = None


class ValidationReport(BaseModel):
    """A validation report, as ``medal validate --json`` prints it."""

    model_config = ConfigDict(extra="allow")

    valid: bool
    summary: dict[str, int] = Field(description="Counts of files, entries, errors, warnings and infos.")
    issues: list[dict[str, Any]] = Field(description="severity, code, file, pointer, line, message, hint, ...")
    entries: list[dict[str, Any]]


class ErrorBody(BaseModel):
    """The body of every error answer (4xx, 5xx): FastAPI's own ``{"detail": ...}`` envelope, whose ``detail``
    is a message, the validation report of a refused submission or review, or FastAPI's list of field errors for
    a request it could not parse."""

    detail: str | ValidationReport | list[FieldError]
