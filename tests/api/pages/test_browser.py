"""The pages in a real browser (Debian's Chromium driven by Playwright) against a real `medal serve`, and FAIR
Signposting read by the `signposting` parser over real HTTP: search, a facet, an entry whose embedded JSON-LD
matches the API, a review and a decision at the panel's desk, and the campaign's plots. Screenshots go to the
test's temporary folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import httpx
import pytest

from api.pages.conftest import OPEN_DATASET, OPEN_TASK
from served import medal_server

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def served(open_harvested, tmp_path_factory):
    """`medal serve` over a private copy of the open catalog; yields (base URL, tokens)."""
    folder = tmp_path_factory.mktemp("served-pages")
    db = folder / "catalog.db"
    shutil.copyfile(open_harvested.db, db)
    with medal_server(db, folder) as base:
        yield base, open_harvested.tokens


def test_signposting_parser_reads_the_landing_pages(served):
    """The `signposting` package finds cite-as, both types, the author, describedby with type and profile, the
    licence, the items and the linkset in the Link header, the same in the HTML <link>s and in the linkset; and
    every item answers HEAD and GET with 200."""
    import signposting

    base, _ = served
    page = f"{base}/datasets/{OPEN_DATASET}"
    for found in (
        signposting.find_signposting_http(page),
        signposting.find_signposting_html(page),
        signposting.find_signposting_linkset(f"{page}/linkset").for_context(page),
    ):
        assert str(found.citeAs.target) == f"{base}/id/datasets/{OPEN_DATASET}"
        assert {str(t.target) for t in found.types} == {"https://schema.org/Dataset", "https://schema.org/AboutPage"}
        assert {str(a.target) for a in found.authors} == {"https://orcid.org/0000-0002-1825-0097"}
        # (the parser reads profile URIs without their fragment: DCAT's namespace ends in "#")
        assert {str(p) for d in found.describedBy for p in d.profiles} >= {
            "https://schema.org/",
            "http://www.w3.org/ns/dcat",
            "http://mlcommons.org/croissant/1.1",
        }
        assert all(d.type for d in found.describedBy)
        assert str(found.license.target) == "https://spdx.org/licenses/CC-BY-4.0"
        assert found.items and all(i.type for i in found.items)
    http = signposting.find_signposting_http(page)
    assert http.linksets
    with httpx.Client(timeout=10) as client:
        for item in http.items:
            assert client.head(str(item.target)).status_code == 200, item.target
            assert client.get(str(item.target)).status_code == 200, item.target
        for described in http.describedBy:
            answer = client.get(str(described.target))
            assert answer.status_code == 200 and answer.headers["content-type"].startswith(str(described.type))


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)")
def test_browser_journeys(served, tmp_path):
    """Search, click a facet, open the entry and compare its embedded JSON-LD with the API; sign in as a reviewer
    and submit a review; sign in as the admin and decide; open the campaign and find its plots. axe-core finds no
    accessibility violation on any page visited."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect, sync_playwright

    base, tokens = served
    axe, violations = Axe(), {}

    def audit(page) -> None:
        """Run axe-core on the page as it is now; keep its violations by page path."""
        found = axe.run(page).response["violations"]
        if found:
            violations[page.url] = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in found]

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(f"{base}/")
            page.get_by_label("Words").fill("nodule")
            page.get_by_role("button", name="Search").click()
            expect(page.locator("ol.hits li.hit").first).to_be_visible()
            page.locator('a[data-facet="type"][data-value="BenchmarkTask"]').click()
            expect(page.locator("#hits-heading")).to_have_text("1 entry")
            assert "type=BenchmarkTask" in page.url and "q=nodule" in page.url
            audit(page)
            page.screenshot(path=tmp_path / "search.png", full_page=True)
            page.locator("ol.hits a").first.click()
            expect(page.locator("h1")).to_contain_text("Malignancy")
            embedded = json.loads(page.locator('script[type="application/ld+json"]').text_content())
            api = httpx.get(f"{base}/api/tasks/{OPEN_TASK}", timeout=10).json()["document"]
            assert embedded["name"] == api["title"] and embedded["keywords"] == api["keywords"]
            assert embedded["@id"] == f"{base}/id/tasks/{OPEN_TASK}"
            audit(page)
            page.screenshot(path=tmp_path / "task.png", full_page=True)
            page.goto(f"{base}/datasets/{OPEN_DATASET}")
            audit(page)

            task = "cxr-pneumothorax-triage"
            for name in ("rita", "remy"):
                page.goto(f"{base}/signin?next=/desk/tasks/{task}")
                page.get_by_label("Token").fill(tokens[name])
                page.get_by_role("button", name="Sign in").click()
                expect(page.locator("#review-form")).to_be_visible()
                audit(page)
                for slot in ("clinical_relevance_score", "unmet_need_score", "patient_impact_score"):
                    page.locator(f'input[name="{slot}"][value="4"]').check()
                page.get_by_label("Recommendation").select_option("accept")
                page.get_by_label("Comments to the contributor").fill(f"{name}: a clear clinical question.")
                page.get_by_role("button", name="Submit review").click()
                expect(page.locator(".flash")).to_have_text("Your review was recorded.")
                page.get_by_role("button", name="Sign out").click()
            page.screenshot(path=tmp_path / "review.png", full_page=True)
            page.goto(f"{base}/signin?next=/desk/tasks/{task}")
            page.get_by_label("Token").fill(tokens["chair"])
            page.get_by_role("button", name="Sign in").click()
            audit(page)
            page.get_by_label("Accept").check()
            page.get_by_label("Reason (recorded with the decision)").fill("two reviews, both accept")
            page.get_by_role("button", name="Record the decision").click()
            expect(page.locator(".flash")).to_have_text("The decision was recorded.")
            page.goto(f"{base}/desk")
            audit(page)
            status = httpx.get(f"{base}/api/tasks/{task}", timeout=10).json()["document"]["status"]
            assert status == "accepted"

            page.goto(f"{base}/campaign")
            expect(page.locator("h1")).to_have_text("The crowdsourcing campaign")
            assert page.locator("section.plot figure svg").count() >= 5
            assert page.locator("section.plot table").count() == page.locator("section.plot").count()
            audit(page)
            page.set_viewport_size({"width": 390, "height": 844})
            page.screenshot(path=tmp_path / "campaign-phone.png", full_page=True)
            assert (tmp_path / "campaign-phone.png").stat().st_size > 10_000
            assert not violations, violations
        finally:
            browser.close()
