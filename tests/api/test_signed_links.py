"""Signed links: stock mlcroissant, in a subprocess with a clean environment (no credentials, no HOME of ours, our
package made unimportable), loads a controlled dataset and a task's labels through a link over a real uvicorn;
expired or tampered links answer 403; two callers' file URLs never coincide."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from api.conftest import accept_with_reviews, CONTROLLED_DATASET, OPEN_TASK, auth
from served import medal_server

SECRET = "test-only-link-secret"
#: Runs in the subprocess: stock mlcroissant and nothing of ours (an import of medal_catalog would fail).
LOADER = """
import json, sys
sys.modules["medal_catalog"] = None
import mlcroissant as mlc
url, record_set = sys.argv[1], sys.argv[2]
rows = [{k: v.decode() if isinstance(v, bytes) else v for k, v in r.items()}
        for r in mlc.Dataset(jsonld=url).records(record_set)]
print(json.dumps(rows))
"""


@pytest.fixture(scope="module")
def server(harvested, tmp_path_factory):
    """`medal serve` (a fixed link secret, so that the test can make an expired link) with the lung task accepted."""
    folder = tmp_path_factory.mktemp("links")
    db = folder / "catalog.db"
    shutil.copyfile(harvested.db, db)
    with medal_server(db, folder, MEDAL_LINK_SECRET=SECRET) as base:
        with httpx.Client(base_url=base, timeout=20) as client:
            client.tokens = harvested.tokens
            accept_with_reviews(client.post, OPEN_TASK, lambda name: auth(client, name)).raise_for_status()
            yield client


def load(url: str, record_set: str, tmp_path) -> subprocess.CompletedProcess:
    """mlcroissant in a fresh process whose environment holds only PATH and a private HOME (its cache)."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return subprocess.run(
        [sys.executable, "-I", "-c", LOADER, url, record_set],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(home)},
        cwd=tmp_path,
        timeout=300,
    )


@pytest.mark.slow
def test_stock_mlcroissant_loads_a_tasks_labels_and_a_controlled_dataset_through_signed_links(server, tmp_path):
    """The admin's task link yields cases and the published labels; the controlled dataset's link its series;
    the same task URL without the link is refused (the cases need credentials)."""
    link = server.get(f"/api/tasks/{OPEN_TASK}/croissant-link", headers=auth(server, "chair")).json()
    assert link["caller"] == "chair" and "signature=" in link["url"]
    labels = load(link["url"], "labels", tmp_path)
    assert labels.returncode == 0, labels.stderr[-3000:]
    assert [(r["labels/case_id"], r["labels/malignant"]) for r in json.loads(labels.stdout)] == [("lung-002", 1)]
    cases = load(link["url"], "cases", tmp_path)
    assert sorted(r["cases/case_id"] for r in json.loads(cases.stdout)) == ["lung-001", "lung-002"]
    dataset = server.get(f"/api/datasets/{CONTROLLED_DATASET}/croissant-link", headers=auth(server, "chair")).json()
    series = load(dataset["url"], "series", tmp_path)
    assert series.returncode == 0, series.stderr[-3000:]
    assert len(json.loads(series.stdout)) == 2
    unsigned = load(f"{server.base_url}/api/tasks/{OPEN_TASK}/croissant", "cases", tmp_path / "home")
    assert unsigned.returncode != 0


@pytest.mark.slow
def test_an_expired_link_fails_in_mlcroissant_and_over_http(server, tmp_path):
    """A link signed with the catalog's key but past its expiry answers 403, and mlcroissant cannot load it."""
    from medal_catalog.api.access import Caller
    from medal_catalog.api.links import sign

    expired = sign(
        SECRET.encode(),
        f"{server.base_url}/api/tasks/{OPEN_TASK}/croissant",
        Caller(role="admin", name="chair"),
        int(time.time()) - 5,
    )
    answer = httpx.get(expired)
    assert answer.status_code == 403 and "expired" in answer.json()["detail"]
    assert load(expired, "labels", tmp_path).returncode != 0


def test_tampered_links_are_403_and_file_links_are_per_caller(server):
    """Changing the caller, the expiry or the path of a link breaks its signature (403); every catalog file URL
    in a link's export is signed for that caller, so the reviewer's and the admin's never coincide."""
    link = server.get(f"/api/tasks/{OPEN_TASK}/croissant-link", headers=auth(server, "rita")).json()["url"]
    parts = urlsplit(link)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    for change in ({"caller": "admin:chair"}, {"expires": str(int(query["expires"]) + 3600)}):
        forged = parts._replace(query="&".join(f"{k}={v}" for k, v in {**query, **change}.items())).geturl()
        assert httpx.get(forged).status_code == 403
    elsewhere = link.replace(f"/tasks/{OPEN_TASK}/croissant", f"/tasks/{OPEN_TASK}/labels.csv")
    assert httpx.get(elsewhere).status_code == 403
    assert httpx.get(link).status_code == 200
    urls = {}
    for name in ("rita", "chair"):
        signed = server.get(f"/api/tasks/{OPEN_TASK}/croissant-link", headers=auth(server, name)).json()["url"]
        urls[name] = {
            d["name"]: d["contentUrl"] for d in httpx.get(signed).json()["distribution"] if "contentUrl" in d
        }  # a FileSet has none
        assert all(f"caller={'reviewer' if name == 'rita' else 'admin'}%3A{name}" in u for u in urls[name].values())
    assert not set(urls["rita"].values()) & set(urls["chair"].values())
    # The reviewer's signed file links still answer 403: a link carries the caller's rights, never more.
    assert httpx.get(urls["rita"]["cases.csv"]).status_code == 403
    assert httpx.get(urls["chair"]["cases.csv"]).status_code == 200


def test_links_need_a_token_and_the_catalog_keeps_its_own_key(client, catalog_copy):
    """Anonymous callers get 401 from croissant-link; without MEDAL_LINK_SECRET the key is made once and kept in
    the catalog's store, so that a second app over the same file accepts the first one's links."""
    from fastapi.testclient import TestClient

    from medal_catalog.api import create_app
    from medal_catalog.config import Settings
    from medal_catalog.store import open_store

    assert client.get(f"/api/datasets/{CONTROLLED_DATASET}/croissant-link").status_code == 401
    url = client.get(f"/api/datasets/{CONTROLLED_DATASET}/croissant-link", headers=auth(client, "chair")).json()["url"]
    store = open_store(f"sqlite:///{catalog_copy}")
    try:
        assert len(store.secret("link-signing-key", lambda: "not made again")) > 30
    finally:
        store.close()
    with TestClient(create_app(Settings(catalog=f"sqlite:///{catalog_copy}"))) as other:
        path = urlsplit(url)
        assert other.get(f"{path.path}?{path.query}").status_code == 200


def test_medal_link_prints_a_link_that_serves(server):
    """`medal link TASK --server --token` prints the signed Croissant URL; an unknown token exits 1 saying so."""
    medal = str(__import__("pathlib").Path(sys.executable).with_name("medal"))
    done = subprocess.run(
        [medal, "link", OPEN_TASK, "--server", str(server.base_url), "--token", server.tokens["chair"]],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    url = done.stdout.strip()
    assert "signature=" in url and httpx.get(url).json()["name"]
    refused = subprocess.run(
        [medal, "link", OPEN_TASK, "--server", str(server.base_url), "--token", "nope"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 1 and "401" in refused.stderr


@pytest.mark.slow
def test_the_python_client_searches_refuses_unknown_parameters_and_loads_records(server):
    """medal_catalog.client over the served catalog: a filtered search, a 400 with its reason for a misspelt
    parameter, a task's labels through a signed link, and the public splits without a token."""
    from medal_catalog.client import CatalogError, Client

    with Client(str(server.base_url), token=server.tokens["chair"]) as medal:
        assert medal.search(modality="ct", type="ImagingDataset")["total"] >= 1
        with pytest.raises(CatalogError) as refused:
            medal.search(modalty="CT")
        assert refused.value.status == 400 and "modality" in refused.value.detail
        assert medal.get("task", OPEN_TASK)["id"] == OPEN_TASK
        labels = medal.records(OPEN_TASK, "labels")
        assert [(r["labels/case_id"], r["labels/malignant"]) for r in labels] == [("lung-002", 1)]
    with Client(str(server.base_url)) as anonymous:
        splits = anonymous.records(OPEN_TASK, "splits")
        assert sorted(r["splits/name"] for r in splits) == ["test_hidden", "validation"]
        with pytest.raises(CatalogError) as no_token:
            anonymous.link(OPEN_TASK)
        assert no_token.value.status == 401


def test_revoking_a_token_revokes_its_links_at_once(client, catalog_copy):
    """A link and the signed file links of its export stop answering (403, saying why) on the first request after
    their token is revoked, well before they expire; a link of another token of the same holder, and one forged
    to carry that other token, are judged by their own token."""
    from medal_catalog.api.tokens import create_token, digest
    from medal_catalog.store import open_store

    store = open_store(f"sqlite:///{catalog_copy}")
    try:
        spare = create_token(store, "chair", "admin")  # the chair's second token
    finally:
        store.close()
    link = client.get(f"/api/tasks/{OPEN_TASK}/croissant-link", headers=auth(client, "chair")).json()["url"]
    other = client.get(f"/api/tasks/{OPEN_TASK}/croissant-link", headers={"Authorization": f"Bearer {spare}"}).json()[
        "url"
    ]
    path = lambda url: f"{urlsplit(url).path}?{urlsplit(url).query}"  # noqa: E731
    export = client.get(path(link)).json()
    files = [d["contentUrl"] for d in export["distribution"] if "contentUrl" in d]
    assert files and all(client.get(path(u)).status_code == 200 for u in files)
    store = open_store(f"sqlite:///{catalog_copy}")
    try:
        assert store.revoke_token(digest(client.tokens["chair"]))
    finally:
        store.close()
    refused = client.get(path(link))
    assert refused.status_code == 403 and "revoked" in refused.json()["detail"]
    assert all(client.get(path(u)).status_code == 403 for u in files)
    assert client.get(path(other)).status_code == 200
    query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    query["token"] = parse_qs(urlsplit(other).query)["token"][0]
    forged = f"{urlsplit(link).path}?" + "&".join(f"{k}={v}" for k, v in query.items())
    assert client.get(forged).status_code == 403  # the signature covers the token
