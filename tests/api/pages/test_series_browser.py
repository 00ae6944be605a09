"""Series pages in a real browser (Debian's Chromium through Playwright) against a real `medal serve` over real
vendor series (tests/vendor_catalog.py): a search hit opens a series page whose preview is visible and not blank,
the slider steps through slices, an anonymous visitor gets no image of the controlled series, and axe-core finds
no accessibility violation. Screenshots go to the test's temporary folder."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from served import medal_server
from vendor_catalog import build

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)"),
]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("vendor-served")
    vendor = build(folder / "build")
    db = folder / "catalog.db"
    shutil.copyfile(vendor.db, db)
    with medal_server(db, folder) as base:
        yield base, vendor.tokens


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


def _violations(page) -> list:
    from axe_playwright_python.sync_playwright import Axe

    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in Axe().run(page).response["violations"]
    ]


def _not_blank(png: bytes) -> float:
    """The standard deviation of a screenshot's grey levels (0 for a uniform picture)."""
    import numpy as np
    from PIL import Image

    return float(np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float).std())


def test_a_search_hit_opens_a_series_page_with_a_visible_preview(served, browser, tmp_path):
    """Search the series, open the GE hit: the middle slice is loaded (natural size 256 px), visible and not
    blank on screen; the slider's arrow key shows another slice; the page passes axe-core, on a phone too."""
    base, _ = served
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(f"{base}/?type=ImagingSeries")
    link = page.locator('ol.hits a[href^="/series/ge-dwi"]')
    link.click()
    page.wait_for_load_state("networkidle")
    assert page.url.startswith(f"{base}/series/ge-dwi")
    image = page.locator("#slice-image")
    image.wait_for(state="visible")
    assert image.evaluate("i => i.complete && i.naturalWidth") == 256
    assert page.locator("figure.thumb img").evaluate("i => i.naturalWidth") == 128
    shot = image.screenshot(path=tmp_path / "slice.png")
    assert _not_blank(shot) > 5
    before = image.get_attribute("src")
    page.locator("#slice").focus()
    page.keyboard.press("End")
    page.wait_for_function("() => document.getElementById('slice-image').src.endsWith('slice=13')")
    page.wait_for_function("() => document.getElementById('slice-image').complete")
    assert image.get_attribute("src") != before
    assert page.locator("#slice-caption").text_content() == "Slice 14 of 14"
    assert not _violations(page)
    page.screenshot(path=tmp_path / "series.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.screenshot(path=tmp_path / "series-phone.png", full_page=True)


def test_an_anonymous_visitor_sees_no_image_of_a_controlled_series(served, browser):
    """The controlled Philips series: its page shows the metadata and why there is no preview, holds no <img>,
    and its image URL answers 401 without PNG bytes (the admin, signed in, gets the image)."""
    base, tokens = served
    page = browser.new_page()
    page.goto(f"{base}/?type=ImagingSeries")
    page.locator('ol.hits a[href^="/series/philips-fmri"]').click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#no-preview").is_visible()
    assert "controlled dataset" in page.locator("#no-preview").text_content()
    assert page.locator("section.preview img").count() == 0
    series = page.url.rsplit("/", 1)[1]
    answer = page.request.get(f"{base}/series/{series}/preview.png")
    assert answer.status == 401 and not answer.body().startswith(b"\x89PNG")
    assert not _violations(page)
    page.goto(f"{base}/signin?next=/series/{series}")
    page.get_by_label("Token").fill(tokens["chair"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#slice-image").evaluate("i => i.complete && i.naturalWidth") > 0
