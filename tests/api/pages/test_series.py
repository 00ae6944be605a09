"""Series pages and their previews over real vendor series (tests/vendor_catalog.py: GE DWI open, Philips fMRI
controlled), in process: what the page says, who gets image bytes, the cache, content negotiation, and the
burned-in and hidden-test refusals."""

from __future__ import annotations

import io
import shutil
import warnings

import pytest

from vendor_catalog import build

OPEN, CONTROLLED = "ge-dwi", "philips-fmri"


@pytest.fixture(scope="module")
def vendor(tmp_path_factory):
    return build(tmp_path_factory.mktemp("vendor"))


@pytest.fixture
def client(vendor, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from medal_catalog.api import create_app
    from medal_catalog.config import Settings

    db = tmp_path / "catalog.db"
    shutil.copyfile(vendor.db, db)
    with TestClient(create_app(Settings(catalog=f"sqlite:///{db}"))) as test_client:
        test_client.tokens = vendor.tokens
        test_client.db = db
        yield test_client


def _series_of(client, dataset: str) -> str:
    items = client.get(f"/api/datasets/{dataset}/series", headers=_auth(client, "chair")).json()["items"]
    assert len(items) == 1
    return items[0]["id"]


def _auth(client, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {client.tokens[name]}"}


def _image(data: bytes):
    from PIL import Image

    return Image.open(io.BytesIO(data))


def test_an_open_series_page_says_what_it_is_with_units_and_shows_its_middle_slice(client):
    """Anonymous: the page names the modality in words, links its dataset, lists field strength, TR and pixel
    spacing with units and the instance count, and its images are PNGs of sensible size that are not blank."""
    import numpy as np

    series = _series_of(client, OPEN)
    page = client.get(f"/series/{series}", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "<h1>Magnetic resonance: series 1</h1>" in html
    assert f'href="/datasets/{OPEN}"' in html
    for shown in ("<td>3 T</td>", "<td>1000 ms</td>", "<td>1.0156 × 1.0156 mm</td>", "<td>14</td>", "1.9 MB"):
        assert shown in html, shown
    assert f'src="/series/{series}/preview.png?slice=7&amp;size=view"' in html  # the middle of 14
    assert f'src="/series/{series}/preview.png?size=thumbnail"' in html
    view = client.get(f"/series/{series}/preview.png")
    assert view.status_code == 200 and view.headers["content-type"] == "image/png"
    image = _image(view.content)
    assert image.size == (256, 256)  # never enlarged
    pixels = np.asarray(image, dtype=float)
    assert pixels.std() > 5 and pixels.max() > 200  # windowed: not blank, reaches white
    thumb = _image(client.get(f"/series/{series}/preview.png?size=thumbnail").content)
    assert max(thumb.size) == 128
    # 7 diffusion directions at 2 slice positions, ordered by position: the first and last slices differ
    first, last = (client.get(f"/series/{series}/preview.png?slice={n}").content for n in (0, 13))
    assert first != last
    assert client.get(f"/series/{series}/preview.png?slice=14").status_code == 404
    assert client.get(f"/series/{series}/preview.png?size=huge").status_code == 404


def test_a_controlled_series_shows_its_page_but_no_image_bytes_to_those_who_may_not_fetch_its_data(client):
    """Anonymous: the page (metadata) without an image and the reason; the image URL answers 401, a reviewer's
    token 403, both JSON without PNG bytes; the admin gets the image."""
    series = _series_of(client, CONTROLLED)
    page = client.get(f"/series/{series}", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "preview.png" not in page.text
    assert 'id="no-preview"' in page.text and "controlled dataset" in page.text
    for headers, status in (({}, 401), (_auth(client, "rita"), 403)):
        refused = client.get(f"/series/{series}/preview.png", headers=headers)
        assert refused.status_code == status
        assert refused.headers["content-type"] == "application/json" and b"\x89PNG" not in refused.content
    navigated = client.get(f"/series/{series}/preview.png", headers={"Accept": "text/html,*/*;q=0.8"})
    assert navigated.status_code == 401 and "<h1>Sign in needed</h1>" in navigated.text  # a browser's page
    assert b"\x89PNG" not in navigated.content
    allowed = client.get(f"/series/{series}/preview.png?size=thumbnail", headers=_auth(client, "chair"))
    assert allowed.status_code == 200 and allowed.content.startswith(b"\x89PNG")


def test_previews_are_cached_and_revalidate(client):
    """A second request is served from the cache (its counters say so) with the same bytes; If-None-Match with
    the ETag answers 304."""
    series = _series_of(client, OPEN)
    first = client.get(f"/series/{series}/preview.png?slice=3")
    previews = client.app.state.previews
    hits = previews.hits
    second = client.get(f"/series/{series}/preview.png?slice=3")
    assert second.content == first.content and previews.hits == hits + 1
    assert "private" in second.headers["cache-control"]
    again = client.get(f"/series/{series}/preview.png?slice=3", headers={"If-None-Match": second.headers["etag"]})
    assert again.status_code == 304 and not again.content


def test_machines_are_sent_to_the_api_and_search_hits_link_to_pages(client):
    """Accept: application/json on the page answers 303 to /api/series/{id} (unchanged JSON); a browser at the
    identifier is sent to the page; every hit of the search page links to an HTML page, none to /api/."""
    import re

    series = _series_of(client, OPEN)
    moved = client.get(f"/series/{series}", headers={"Accept": "application/json"}, follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] == f"/api/series/{series}"
    assert client.get(moved.headers["location"]).json()["document"]["dataset"] == OPEN
    linked = client.get(f"/series/{series}?format=jsonld", follow_redirects=False)
    assert linked.headers["location"] == f"/api/series/{series}?format=jsonld"
    resolved = client.get(f"/id/series/{series}", headers={"Accept": "text/html"}, follow_redirects=False)
    assert resolved.status_code == 303 and resolved.headers["location"] == f"/series/{series}"
    search = client.get("/?q=&type=ImagingSeries").text
    hrefs = re.findall(r'<h3><a href="([^"]+)">', search)
    assert sorted(hrefs) == sorted(f"/series/{_series_of(client, d)}" for d in (OPEN, CONTROLLED))
    assert all(client.get(h, headers={"Accept": "text/html"}).status_code == 200 for h in hrefs)


def _restore(client, dataset: str, change) -> None:
    from medal_catalog.catalog import Catalog

    with Catalog.open(f"sqlite:///{client.db}") as catalog:
        document = dict(catalog.get("ImagingDataset", dataset).document)
        change(document)
        catalog.put(document, "chair", "test: change what the record says")
    client.app.state.previews = None  # a new app would start empty; the cache keys on the archive only


def test_burned_in_annotation_flagged_by_the_audit_stops_previews_unless_pixels_were_cleaned(client):
    """A dataset record whose audit flags BurnedInAnnotation gets no preview (404, the reason on the page); with
    clean_pixel_data among its options it gets them again."""
    series = _series_of(client, OPEN)

    def flag(document):
        deid = document["deidentification"]
        deid["audit"] = {
            **deid["audit"],
            "findings": [{"attribute": "BurnedInAnnotation", "tag": "(0028,0301)", "count": 14}],
        }

    _restore(client, OPEN, flag)
    refused = client.get(f"/series/{series}/preview.png")
    assert refused.status_code == 404 and "burned-in annotation" in refused.json()["detail"]
    page = client.get(f"/series/{series}", headers={"Accept": "text/html"}).text
    assert "preview.png" not in page and "burned-in annotation" in page
    _restore(client, OPEN, lambda d: d["deidentification"]["profile_options"].append("clean_pixel_data"))
    assert client.get(f"/series/{series}/preview.png").status_code == 200


def test_a_hidden_test_dataset_is_never_previewed_not_even_for_the_admin(client):
    """Once the dataset is hidden_test, its series' images are 404 for the admin too (its series page as well
    for everyone but the admin, as the API answers)."""
    series = _series_of(client, OPEN)
    _restore(client, OPEN, lambda d: d.update(access_level="hidden_test"))
    assert client.get(f"/series/{series}/preview.png", headers=_auth(client, "chair")).status_code == 404
    assert client.get(f"/series/{series}/preview.png").status_code == 404
    assert client.get(f"/series/{series}", headers={"Accept": "text/html"}).status_code == 404


def test_every_search_hit_of_a_reviewer_links_to_a_page(client):
    """A reviewer's search lists tasks, datasets, series and reviews: every hit links to an HTML page (a review
    to its task's review section), none to /api/, and each answers 200 with a page."""
    import re

    headers = _auth(client, "rita")
    hrefs = re.findall(r'<h3><a href="([^"]+)">', client.get("/?q=", headers=headers).text)
    assert any("#review-heading" in h for h in hrefs) and any(h.startswith("/series/") for h in hrefs)
    assert not [h for h in hrefs if h.startswith("/api/")]
    for href in hrefs:
        answer = client.get(href.split("#")[0], headers={**headers, "Accept": "text/html"})
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html"), href
