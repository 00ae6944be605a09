"""The workflow owns a task's status: a file's status is ignored (and said so), an accepted task's edits keep or
lose its acceptance by what they change, and its contributor can withdraw and resubmit it. Real SQLite catalog,
real bundled submission, through the same library calls as `medal harvest` and the API."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from medal_catalog.catalog import open_catalog
from medal_catalog.errors import Conflict, Forbidden
from medal_catalog.ingestion import ingest_submission
from medal_catalog.panel import Actor, decide, record_review, transition

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "valid" / "ct-lung-nodule-malignancy"
TASK = "ct-lung-nodule-malignancy"
SCORES = {
    "clinical_relevance_score": 5,
    "unmet_need_score": 4,
    "patient_impact_score": 4,
    "recommendation": "accept",
    "conflict_of_interest": False,
}


@pytest.fixture
def submission(tmp_path):
    """A copy of the bundled lung submission whose task file claims to be accepted, and a catalog to take it."""
    folder = tmp_path / "submission"
    shutil.copytree(EXAMPLE, folder)
    _edit(folder, status="accepted")
    with open_catalog(f"sqlite:///{tmp_path / 'catalog.db'}") as catalog:
        yield folder, catalog, tmp_path / "out"


def _edit(folder: Path, **changes) -> None:
    path = folder / "task.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _status(catalog) -> str:
    return catalog.get("BenchmarkTask", TASK).document["status"]


def _accept(catalog) -> None:
    for name in ("rita", "remy"):
        record_review(catalog, TASK, SCORES, Actor(name, "reviewer"))
    decide(catalog, TASK, "accept", "clinically relevant", Actor("chair", "admin"))


def test_a_status_in_a_submitted_file_is_ignored_with_an_info(submission):
    """A new task that claims `accepted` enters as submitted, and the report says why its status was not taken."""
    folder, catalog, out = submission
    result = ingest_submission(folder, catalog, out_root=out)
    assert _status(catalog) == "submitted"
    notes = [i for i in result.detail.report.issues if i.code == "workflow.status"]
    assert len(notes) == 1 and notes[0].severity.value == "info" and "ignored" in notes[0].message


def test_an_accepted_task_stays_accepted_through_an_editorial_edit_and_returns_to_review_otherwise(submission):
    """Editing the title keeps the acceptance (a new version); editing the clinical question sends the task back
    to under_review, with the reason naming what changed, and its earlier reviews no longer count for a decision."""
    folder, catalog, out = submission
    ingest_submission(folder, catalog, out_root=out)
    _accept(catalog)
    assert _status(catalog) == "accepted"
    _edit(folder, title="Malignancy of screen-detected lung nodules on low-dose CT (retitled)")
    ingest_submission(folder, catalog, out_root=out)
    assert _status(catalog) == "accepted"
    assert catalog.get("BenchmarkTask", TASK).document["title"].endswith("(retitled)")
    _edit(folder, clinical_question="Is this nodule malignant within two years?")
    ingest_submission(folder, catalog, out_root=out)
    current = catalog.get("BenchmarkTask", TASK)
    assert current.document["status"] == "under_review" and "clinical_question" in current.reason
    with pytest.raises(Conflict, match="needs 2"):
        decide(catalog, TASK, "accept", "still fine", Actor("chair", "admin"))


def test_its_contributor_withdraws_and_resubmits_a_task(submission):
    """The owner (author of the first version) withdraws a submitted task (withdrawn, not draft) and resubmits it; anyone
    else may not; a withdrawn task cannot be decided, and the 409 names the allowed next steps."""
    folder, catalog, out = submission
    ingest_submission(folder, catalog, out_root=out)
    owner = catalog.get("BenchmarkTask", TASK, 1).author
    with pytest.raises(Forbidden):
        transition(catalog, TASK, "withdraw", Actor("mallory", "contributor"), "not mine")
    transition(catalog, TASK, "withdraw", Actor(owner, "contributor"), "the labels need a second read")
    assert _status(catalog) == "withdrawn"
    with pytest.raises(Conflict, match="allowed next steps: resubmit"):
        decide(catalog, TASK, "accept", "x", Actor("chair", "admin"))
    transition(catalog, TASK, "resubmit", Actor(owner, "contributor"), "second read done")
    assert _status(catalog) == "submitted"
    assert [v.reason.split(":")[0] for v in catalog.history("BenchmarkTask", TASK)][-2:] == ["withdraw", "resubmit"]
