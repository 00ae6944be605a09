"""Two reviewers' first reviews of one submitted task, racing (two requests, possibly two `medal serve` workers):
both are stored and both answered as stored; neither gets a 409 for a review the catalog keeps."""

from __future__ import annotations

from datetime import date

from medal_catalog.catalog import open_catalog
from medal_catalog.ingestion import ingest_submission
from medal_catalog.panel import Actor, record_review
from medal_catalog.panel.records import judged_version, reviews_of
from medal_catalog.panel.reviews import _store

from panel.test_lifecycle import EXAMPLE, SCORES, TASK


def test_a_first_review_that_lost_the_race_to_start_the_review_is_kept_and_acknowledged(tmp_path):
    """remy read the task as submitted, then rita's first review moved it to under_review before remy's review
    asked for the same move: remy's review is stored and answered (found by `medal serve --workers 4` as a 409)."""
    with open_catalog(f"sqlite:///{tmp_path / 'catalog.db'}") as catalog:
        ingest_submission(EXAMPLE, catalog, out_root=tmp_path / "out")
        version = judged_version(catalog.history("BenchmarkTask", TASK))  # what remy's request read, ...
        record_review(catalog, TASK, SCORES, Actor("rita", "reviewer"))  # ... before rita's review landed
        document = {
            **SCORES,
            "type": "ReviewAssessment",
            "id": f"{TASK}.review.remy.v{version}",
            "task": TASK,
            "reviewer": {"name": "remy"},
            "review_date": date.today().isoformat(),
        }
        outcome = _store(
            catalog, TASK, document, Actor("remy", "reviewer"), version, replaced=False, status="submitted"
        )
        assert outcome.review.changed and outcome.task is None
        assert catalog.get("BenchmarkTask", TASK).document["status"] == "under_review"
        assert sorted(r.reviewer for r in reviews_of(catalog, TASK)) == ["remy", "rita"]
