"""Data refusals say why: 401 without credentials, 403 when the credentials do not allow it, and 404 only for
what does not exist or must not be revealed (hidden-test data, tasks not accepted)."""

from __future__ import annotations

import pytest

from api.conftest import CONTROLLED_DATASET, HIDDEN_DATASET, HIDDEN_TASK, OPEN_TASK, accept_with_reviews, auth


@pytest.fixture
def accepted(client):
    """The client, with the lung task (whose label dataset is controlled) reviewed and accepted by the panel."""
    answer = accept_with_reviews(client.post, OPEN_TASK, lambda name: auth(client, name))
    assert answer.status_code == 200, answer.text
    return client


@pytest.mark.parametrize(
    "path",
    [
        f"/api/tasks/{OPEN_TASK}/cases.csv",
        f"/api/tasks/{OPEN_TASK}/labels.csv",
        f"/api/datasets/{CONTROLLED_DATASET}/files",
    ],
)
def test_anonymous_callers_get_401_with_the_reason_and_token_holders_403(accepted, path):
    """An accepted task's controlled data: anonymous 401 (WWW-Authenticate, saying what would let them in), a
    reviewer 403 naming the access level; the admin gets the data."""
    anonymous = accepted.get(path)
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"] == "Bearer"
    assert "controlled" in anonymous.json()["detail"] and "signed link" in anonymous.json()["detail"]
    reviewer = accepted.get(path, headers=auth(accepted, "rita"))
    assert reviewer.status_code == 403 and "controlled" in reviewer.json()["detail"]
    assert accepted.get(path, headers=auth(accepted, "chair")).status_code == 200


def test_what_must_not_be_revealed_stays_404(accepted):
    """Unknown tasks and files, tasks not accepted (to the anonymous) and hidden-test data answer 404."""
    assert accepted.get("/api/tasks/no-such-task/cases.csv").status_code == 404
    assert accepted.get(f"/api/tasks/{HIDDEN_TASK}/cases.csv").status_code == 404
    for name in ("rita", "alice"):
        assert accepted.get(f"/api/datasets/{HIDDEN_DATASET}/files", headers=auth(accepted, name)).status_code == 404
    assert (
        accepted.get(
            f"/api/datasets/{CONTROLLED_DATASET}/files/nothing.csv", headers=auth(accepted, "chair")
        ).status_code
        == 404
    )
