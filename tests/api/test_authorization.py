"""The authorization matrix of every endpoint, for each role, on the harvested examples (nothing accepted yet)."""

from __future__ import annotations

import pytest

from api.conftest import CONTROLLED_DATASET, OPEN_TASK, auth

REVIEW_ID = "cxr-pneumothorax-triage.review-1"
SERIES = f"/api/datasets/{CONTROLLED_DATASET}/series"
#: (method, url, expected status for anonymous, contributor, reviewer, admin).
MATRIX = [
    ("get", "/api/health", 200, 200, 200, 200),
    ("get", "/api/openapi.json", 200, 200, 200, 200),
    ("get", "/api/search", 200, 200, 200, 200),
    ("get", "/api/tasks", 200, 200, 200, 200),
    ("get", "/api/datasets", 200, 200, 200, 200),
    ("get", "/api/catalog", 200, 200, 200, 200),
    ("get", f"/api/tasks/{OPEN_TASK}", 404, 404, 200, 200),
    ("get", f"/api/tasks/{OPEN_TASK}/versions", 404, 404, 200, 200),
    ("get", f"/api/tasks/{OPEN_TASK}/versions/1", 404, 404, 200, 200),
    ("get", f"/api/datasets/{CONTROLLED_DATASET}", 404, 404, 200, 200),
    ("get", SERIES, 404, 404, 200, 200),
    ("get", f"/api/reviews/{REVIEW_ID}", 404, 404, 200, 200),
    ("get", f"/id/tasks/{OPEN_TASK}", 303, 303, 303, 303),
    ("post", "/api/submissions", 401, 422, 403, 422),
    ("post", f"/api/tasks/{OPEN_TASK}/reviews", 401, 403, 422, 422),
    ("post", f"/api/tasks/{OPEN_TASK}/decision", 401, 403, 403, 422),
]


@pytest.mark.parametrize(
    "method, url, expected", [(m, u, e) for m, u, *e in MATRIX], ids=[f"{m} {u}" for m, u, *_ in MATRIX]
)
def test_authorization_matrix(client, method, url, expected):
    """Anonymous, contributor, reviewer and admin get the status the access rules promise (422: allowed, but
    the empty body is refused; 404: not visible to that caller)."""
    statuses = []
    for name in (None, "alice", "rita", "chair"):
        headers = auth(client, name) if name else {}
        kwargs = {"json": {}} if method == "post" else {}
        response = getattr(client, method)(url, headers=headers, follow_redirects=False, **kwargs)
        statuses.append(response.status_code)
    assert statuses == expected


def test_visible_counts_differ_by_role(client):
    """Search totals follow the role: nothing for anonymous, everything but the two hidden-test datasets (read
    by URL only) and their series for reviewers, everything for the admin."""
    totals = [
        client.get("/api/search", headers=auth(client, n) if n else {}).json()["total"]
        for n in (None, "alice", "rita", "chair")
    ]
    assert totals == [0, 0, 7, 11]
