"""Errors as pages for browsers, JSON for API clients; and the search page's notice for a parameter it does not
read, with the close match it probably meant."""

from __future__ import annotations

import warnings

import pytest

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_an_unknown_page_is_an_html_404_for_a_browser_and_json_for_a_client(web):
    """/no-such-page: a browser gets the site's page (status 404, the path named, the navigation); a client
    without Accept, and anything under /api/, the JSON envelope."""
    page = web.get("/no-such-page", headers=BROWSER)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "<h1>Not found</h1>" in page.text and "There is no page at /no-such-page" in page.text
    assert 'href="/api/docs"' in page.text  # the site's navigation, not a bare message
    assert web.get("/no-such-page").json() == {"detail": "Not Found"}
    api = web.get("/api/no-such-thing", headers=BROWSER)
    assert api.status_code == 404 and api.headers["content-type"] == "application/json"
    missing = web.get("/datasets/no-such-dataset", headers=BROWSER)
    assert missing.status_code == 404 and "no-such-dataset" in missing.text
    assert web.post("/", headers=BROWSER).status_code == 405
    assert "<h1>Not allowed</h1>" in web.post("/", headers=BROWSER).text


def test_an_unexpected_failure_is_a_500_page_for_a_browser_and_json_for_a_client(open_harvested, tmp_path):
    """A route that raises: a browser gets the 500 page, a client {"detail": ...}; neither carries the
    exception's text (it may hold a value)."""
    import shutil

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from medal_catalog.api import create_app
    from medal_catalog.config import Settings

    db = tmp_path / "catalog.db"
    shutil.copyfile(open_harvested.db, db)
    app = create_app(Settings(catalog=f"sqlite:///{db}"))

    def broken():
        raise RuntimeError("PatientName=DOE^JANE")

    app.add_api_route("/broken", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/broken", headers=BROWSER)
        assert page.status_code == 500 and "<h1>Something went wrong</h1>" in page.text
        answer = client.get("/broken")
        assert answer.status_code == 500 and answer.json() == {"detail": "internal server error: the catalog logged it"}
        assert "DOE" not in page.text + answer.text


@pytest.mark.parametrize(
    ("query", "name", "suggestion"),
    [
        ("modalty=CT", "modalty", "modality"),
        ("Modality=CT", "Modality", "modality"),
        ("acess_level=open", "acess_level", "access_level"),
        ("xyz=1", "xyz", None),
    ],
)
def test_a_parameter_the_search_page_does_not_read_gets_a_visible_notice(web, query, name, suggestion):
    """/?modalty=CT names the parameter, says it was ignored, and links the same search with the close match;
    with no close match it says so without a link; known parameters raise no notice."""
    import re

    page = web.get(f"/?{query}", headers=BROWSER).text
    notice = re.search(r'<div class="notice" role="alert" id="unknown-parameters">(.*?)</div>', page, re.S)
    assert notice and f"<code>{name}</code>" in notice.group(1)
    if suggestion:
        value = query.split("=")[1]
        assert f'did you mean <a href="/?{suggestion}={value}"><code>{suggestion}</code></a>?' in notice.group(1)
        assert web.get(f"/?{suggestion}={value}").status_code == 200
    else:
        assert "did you mean" not in notice.group(1)
    assert "unknown-parameters" not in web.get("/?modality=CT&q=lung&page=1").text
