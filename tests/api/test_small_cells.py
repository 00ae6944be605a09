"""Demographic counts below the small-cell threshold are shown as "< 5" to anonymous callers (issue 26), as
/campaign shows them; callers with a token see the numbers, and the stored entry keeps them."""

from __future__ import annotations

from api.conftest import CONTROLLED_DATASET, OPEN_TASK, auth
from api.test_access import decide


def test_anonymous_json_shows_small_demographic_counts_as_below_the_threshold(client):
    """GET /api/datasets/{id}: sex counts and age bins of 1 become "< 5" anonymously; 0 stays 0; the admin sees 1."""
    decide(client, OPEN_TASK)  # published: anonymous callers see it
    anonymous = client.get(f"/api/datasets/{CONTROLLED_DATASET}").json()["document"]["population"]
    assert anonymous["sex_counts"] == {"female": "< 5", "male": "< 5", "other": 0, "unknown": 0}
    assert {b["count"] for b in anonymous["age_bins"]} == {"< 5"}
    admin = client.get(f"/api/datasets/{CONTROLLED_DATASET}", headers=auth(client, "chair")).json()
    assert admin["document"]["population"]["sex_counts"]["female"] == 1


def test_anonymous_landing_page_shows_small_counts_as_below_the_threshold(client):
    """The dataset's landing page (HTML) says "< 5" for the one-person cells to an anonymous caller."""
    decide(client, OPEN_TASK)
    page = client.get(f"/datasets/{CONTROLLED_DATASET}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "&lt; 5" in page.text


def test_no_export_or_older_version_shows_an_anonymous_caller_a_small_count(client):
    """The DCAT catalog leaves the one-person cells out (a count there must be a number); a numbered version says
    "< 5" as the current one does; the DataCite record writes the subject count under 5 as "< 5 subjects"."""
    import json

    decide(client, OPEN_TASK)
    catalog = client.get("/api/catalog", headers={"Accept": "application/ld+json"})
    assert catalog.status_code == 200
    text = json.dumps(catalog.json())
    assert '"female": 1' not in text and '"male": 1' not in text
    numbered = client.get(f"/api/datasets/{CONTROLLED_DATASET}/versions/1").json()["document"]["population"]
    assert numbered["sex_counts"]["female"] == "< 5"
    admin = client.get(f"/api/datasets/{CONTROLLED_DATASET}/versions/1", headers=auth(client, "chair")).json()
    assert admin["document"]["population"]["sex_counts"]["female"] == 1
    from medal_catalog.exports.datacite import _sizes

    assert "< 5 subjects" in _sizes({"subject_count": 2}, [], 5) and "2 subjects" not in _sizes(
        {"subject_count": 2}, [], 5
    )
    assert "12 subjects" in _sizes({"subject_count": 12}, [], 5)


def test_the_dcat_catalog_carries_the_counts_for_callers_with_a_token(client):
    """What the anonymous catalog leaves out is there for the panel (so the test above checks something)."""
    import json

    decide(client, OPEN_TASK)
    text = json.dumps(
        client.get("/api/catalog", headers={"Accept": "application/ld+json", **auth(client, "chair")}).json()
    )
    assert '"female": 1' in text
