"""Dataset pages for readers in a real browser (Debian's Chromium through Playwright) against a real `medal serve`:
the real GE DICOM tree harvested as one dataset (4 series, 314 files, 38 audit findings) fits in three screens with
its audits collapsed, and shows its summary, population and acquisition tables; axe-core finds no violation on
dataset, task, series and error pages."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from served import medal_server
from submission_fill import DICOM_ROOT
from vendor_catalog import build

CHROMIUM = Path("/usr/bin/chromium")
SCREEN = {"width": 1200, "height": 900}
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)"),
]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The vendor catalog with the whole GE tree harvested into it as dataset ge-real (controlled, unaccepted:
    the admin sees it)."""
    folder = tmp_path_factory.mktemp("dataset-pages")
    vendor = build(folder / "build")
    db = folder / "catalog.db"
    shutil.copyfile(vendor.db, db)
    medal = Path(sys.executable).with_name("medal")
    done = subprocess.run(
        [
            str(medal),
            "harvest",
            str(DICOM_ROOT / "ge"),
            "--dataset",
            "ge-real",
            "--catalog",
            f"sqlite:///{db}",
            "--out",
            str(folder / "out"),
        ],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    with medal_server(db, folder) as base:
        yield base, vendor.tokens


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        try:
            yield browser.new_page(viewport=SCREEN)
        finally:
            browser.close()


def _violations(page) -> list:
    from axe_playwright_python.sync_playwright import Axe

    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in Axe().run(page).response["violations"]
    ]


def _sign_in(page, base: str, token: str, target: str) -> None:
    page.goto(f"{base}/signin?next={target}")
    page.get_by_label("Token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def test_the_real_ge_dataset_page_fits_in_three_screens_with_its_audit_collapsed(served, page, tmp_path):
    """Signed in as the admin: the GE dataset's page is under 3 screens tall; the summary says how much in words
    (subjects, series, images, MB); the audit is one closed <details> whose summary counts the files, and opening
    it shows every finding; the series table lists the 4 series, each linking to its page."""
    base, tokens = served
    _sign_in(page, base, tokens["chair"], "/datasets/ge-real")
    assert page.url.endswith("/datasets/ge-real")
    height = page.evaluate("() => document.documentElement.scrollHeight")
    page.screenshot(path=tmp_path / "ge-real.png", full_page=True)
    assert height < 3 * SCREEN["height"], height
    glance = page.locator("dl.summary").text_content()
    assert "2 subjects" in glance and "4 series" in glance and "314 images" in glance and "9.8 MB" in glance
    assert "3 T" in page.locator("#acquisition-heading + table").text_content()
    audit = page.locator("#deidentification-audit")
    assert audit.get_attribute("open") is None
    assert "in 314 of 314 files" in audit.locator("summary").text_content()
    assert not page.locator("#deidentification-audit table").is_visible()
    audit.locator("summary").click()
    assert page.locator("#deidentification-audit tbody tr").count() == 38
    rows = page.locator("table.series-table tbody tr")
    assert rows.count() == 4
    hrefs = [rows.nth(i).locator("a").get_attribute("href") for i in range(4)]
    assert all(h.startswith("/series/ge-real.") for h in hrefs)
    assert not _violations(page)


def test_every_page_type_passes_axe_and_the_open_dataset_shows_thumbnails(served, page):
    """Anonymous: the open GE dataset page shows a loaded thumbnail in its series table; axe-core finds nothing on
    the dataset, task, series, controlled series, search-with-notice and 404 pages, nor on a phone."""
    base, _ = served
    violations = {}
    page.goto(f"{base}/datasets/ge-dwi")
    thumb = page.locator("table.series-table img.thumb").first
    thumb.scroll_into_view_if_needed()
    page.wait_for_function("() => { const i = document.querySelector('img.thumb'); return i && i.complete; }")
    assert thumb.evaluate("i => i.naturalWidth") > 0
    series = page.locator("table.series-table a").first.get_attribute("href")
    controlled = page.evaluate("() => fetch('/api/datasets/philips-fmri/series').then(r => r.json())")["items"][0]
    for path in (
        "/datasets/ge-dwi",
        "/tasks/ge-dwi-task",
        series,
        f"/series/{controlled['id']}",
        "/?modalty=MR",
        "/no-such-page",
        "/datasets/philips-fmri",
    ):
        for viewport in (SCREEN, {"width": 390, "height": 844}):
            page.set_viewport_size(viewport)
            page.goto(f"{base}{path}")
            found = _violations(page)
            if found:
                violations[(path, viewport["width"])] = found
            if viewport["width"] == 390:
                assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, path
    assert not violations, violations


def test_search_filters_collapse_above_the_results_on_a_phone(served, page):
    """At 390 px the filters are one closed line above the hits (the first hit within the first screen); opened,
    they show every facet and range, no date or number input is clipped, and nothing scrolls sideways. At
    1200 px they stand open beside the results. axe-core finds nothing in either state."""
    base, _ = served
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/?modality=MR")
    filters = page.locator("#filters")
    assert filters.evaluate("d => d.open") is False
    assert "1 chosen" in filters.locator("summary").text_content()
    first_hit = page.locator("ol.hits li.hit").first.bounding_box()
    assert first_hit["y"] + first_hit["height"] < 844
    assert not _violations(page)
    filters.locator("summary").click()
    assert filters.evaluate("d => d.open") is True
    assert page.locator('a[data-facet="modality"][data-value="MR"]').is_visible()
    clipped = page.evaluate("""() => [...document.querySelectorAll('.ranges input:not([type=hidden])')]
        .filter(i => i.scrollWidth > i.clientWidth || i.getBoundingClientRect().right > innerWidth).map(i => i.id)""")
    assert clipped == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert not _violations(page)
    page.set_viewport_size(SCREEN)
    page.goto(f"{base}/?modality=MR")
    assert filters.evaluate("d => d.open") is True
    facets, hits = page.locator("aside.facets").bounding_box(), page.locator("section.hits").bounding_box()
    assert facets["x"] + facets["width"] <= hits["x"]  # side by side
