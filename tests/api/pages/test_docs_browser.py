"""``/api/docs`` in a real browser (Debian's Chromium through Playwright) against a real `medal serve`: the vendored
Swagger UI renders the OpenAPI 3.1 document, read from the DOM (operation list), not from a status code; and
nothing it loads comes from another host."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from served import medal_server

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def served(open_harvested, tmp_path_factory):
    folder = tmp_path_factory.mktemp("served-docs")
    db = folder / "catalog.db"
    shutil.copyfile(open_harvested.db, db)
    with medal_server(db, folder) as base:
        yield base


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)")
def test_swagger_ui_lists_every_operation_of_the_openapi_document(served, tmp_path):
    """Every (method, path) of /api/openapi.json (OpenAPI 3.1) appears as an operation block; no error box; every
    request the page makes goes to the catalog itself."""
    from playwright.sync_api import sync_playwright

    base = served
    document = httpx.get(f"{base}/api/openapi.json", timeout=10).json()
    assert document["openapi"].startswith("3.1")
    expected = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "post", "put", "delete", "patch")
    }
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            hosts = set()
            page.on("request", lambda r: hosts.add(r.url.split("/")[2]))
            page.goto(f"{base}/api/docs")
            page.wait_for_selector(".opblock-summary", timeout=30_000)
            shown = {
                (method, path)
                for method, path in page.evaluate(
                    """() => [...document.querySelectorAll('.opblock-summary')].map(s => [
                    s.querySelector('.opblock-summary-method').textContent.trim(),
                    s.querySelector('.opblock-summary-path').getAttribute('data-path')])"""
                )
            }
            assert page.locator(".errors-wrapper, .loading-container .errors").count() == 0
            assert "Unable to render" not in page.content()
            assert page.locator(".info .title").first.text_content().startswith("MEDAL catalog")
            page.screenshot(path=tmp_path / "docs.png")
        finally:
            browser.close()
    assert expected and shown == expected, (expected - shown, shown - expected)
    assert hosts == {base.split("/")[2]}
