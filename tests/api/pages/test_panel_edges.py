"""The panel's edges on the web pages: a withdrawn task is `withdrawn` (not a draft) and shown so; /mine offers a
contributor only the steps they may take and tells them the decision's reason; the desk's form names the version a
review is recorded for, shows task ids and links each task's contamination report."""

from __future__ import annotations

import re

from api.conftest import accept_with_reviews, own_submission
from api.pages.test_pages import BROWSER, csrf_of, sign_in


def _as(web, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {web.tokens[name]}"}


def _submit(web, task_id: str) -> None:
    sent = web.post(
        "/api/submissions",
        content=own_submission(task_id),
        headers={**_as(web, "alice"), "Content-Type": "application/yaml"},
    )
    assert sent.status_code == 201, sent.text


def _next_steps(page: str, task_id: str) -> str:
    """The text of /mine's card of ``task_id``."""
    card = re.search(
        rf'<section class="card"[^>]*>(?:(?!</section>).)*href="/tasks/{task_id}"(?:(?!</section>).)*'
        r"</section>",
        page,
        re.S,
    )
    return card.group(0)


def test_a_withdrawn_task_is_withdrawn_and_shown_so(web):
    """The contributor withdraws a submitted task: its status is `withdrawn`, /mine and its page say so, and the
    only step offered is to resubmit it, which puts it back to submitted."""
    _submit(web, "ct-edge-withdrawn")
    done = web.post(
        "/api/tasks/ct-edge-withdrawn/transition",
        json={"action": "withdraw", "reason": "redo labels"},
        headers=_as(web, "alice"),
    )
    assert done.status_code == 200, done.text
    status = web.get("/api/tasks/ct-edge-withdrawn", headers=_as(web, "alice")).json()["document"]["status"]
    assert status == "withdrawn"
    card = _next_steps(web.get("/mine", headers={**BROWSER, **_as(web, "alice")}).text, "ct-edge-withdrawn")
    assert "status-withdrawn" in card and ">withdrawn<" in card and "draft" not in card
    assert "What you may do next: resubmit." in card
    page = web.get("/tasks/ct-edge-withdrawn", headers={**BROWSER, **_as(web, "alice")}).text
    assert "status-withdrawn" in page
    again = web.post(
        "/api/tasks/ct-edge-withdrawn/transition",
        json={"action": "resubmit", "reason": "done"},
        headers=_as(web, "alice"),
    )
    assert again.status_code == 200, again.text
    assert (
        web.get("/api/tasks/ct-edge-withdrawn", headers=_as(web, "alice")).json()["document"]["status"] == "submitted"
    )


def test_mine_offers_only_the_contributors_steps_and_the_decisions_reason(web):
    """Once the panel accepts her task, /mine offers its contributor nothing (reopen and retire are the chair's)
    and shows the decision with its reason; the API's reviews answer carries the same reason for her."""
    _submit(web, "ct-edge-accepted")
    decided = accept_with_reviews(web.post, "ct-edge-accepted", lambda name: _as(web, name))
    assert decided.status_code == 200, decided.text
    card = _next_steps(web.get("/mine", headers={**BROWSER, **_as(web, "alice")}).text, "ct-edge-accepted")
    assert "reopen" not in card and "retire" not in card and "What you may do next" not in card
    assert "the next step is the panel" in card
    assert "The panel's decision (accept, on version" in card and "panel vote" in card
    feedback = web.get("/api/tasks/ct-edge-accepted/reviews", headers=_as(web, "alice")).json()
    assert feedback["decision"]["action"] == "accept" and feedback["decision"]["reason"] == "panel vote"
    assert "chair" not in str(feedback)  # who decided is not told


def test_the_desk_form_names_the_version_a_review_is_recorded_for(web):
    """A task under review whose current version is a workflow step: the desk's form says the review judges the
    version the API then records for it."""
    task = "cxr-pneumothorax-triage"
    current = web.get(f"/api/tasks/{task}", headers=_as(web, "chair")).json()
    sign_in(web, "remy")
    page = web.get(f"/desk/tasks/{task}", headers=BROWSER)
    said = int(re.search(r"Your review judges version (\d+)", page.text).group(1))
    assert current["version"] > 1 and said < current["version"]  # the case the old form got wrong
    form = {
        "clinical_relevance_score": "4",
        "unmet_need_score": "3",
        "patient_impact_score": "4",
        "recommendation": "minor_revision",
        "conflict_of_interest": "no",
        "csrf": csrf_of(page.text),
    }
    assert web.post(f"/desk/tasks/{task}/reviews", data=form, follow_redirects=False).status_code == 303
    reviews = web.get(f"/api/tasks/{task}/reviews", headers=_as(web, "chair")).json()["reviews"]
    assert [r["task_version"] for r in reviews if r["author"] == "remy"] == [said]


def test_the_desk_shows_task_ids_and_links_the_contamination_report(web):
    """Two tasks with one title are told apart by their ids on the queue, and each row and task page links its
    contamination report, which the signed-in panel member opens with the browser's session (others may not)."""
    sign_in(web, "rita")
    queue = web.get("/desk", headers=BROWSER).text
    assert '<code class="task-id">cxr-pneumothorax-triage</code>' in queue
    assert 'href="/desk/tasks/cxr-pneumothorax-triage/contamination"' in queue
    page = web.get("/desk/tasks/cxr-pneumothorax-triage", headers=BROWSER).text
    assert 'href="/desk/tasks/cxr-pneumothorax-triage/contamination"' in page
    report = web.get("/desk/tasks/cxr-pneumothorax-triage/contamination")
    assert report.status_code == 200 and "errors" in report.json()
    assert report.json() == web.get("/api/tasks/cxr-pneumothorax-triage/contamination", headers=_as(web, "rita")).json()
    sign_in(web, "alice")
    assert web.get("/desk/tasks/cxr-pneumothorax-triage/contamination", headers=BROWSER).status_code == 403
