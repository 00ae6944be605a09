"""Derived pages kept in the store (issue 29) over real vendor series and a real `medal serve`: a fresh server
over a catalog whose artefacts were computed serves the campaign, a leaderboard and previews from the store
without computing them again; a write makes them stale and the next view shows the new numbers (the server's
refresher computes them after a write request); the access rules hold for kept previews (a controlled series
stays 401 anonymously, a hidden-test dataset's images are dropped and never served)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
import warnings
from pathlib import Path

import httpx
import pytest

from served import medal_server
from vendor_catalog import build

from medal_catalog.catalog import Catalog
from medal_catalog.config import Settings

OPEN, CONTROLLED = "ge-dwi", "philips-fmri"
ROOT = Path(__file__).resolve().parents[3]
BOARD_TASK = "lung-nodule-exam-demo"


@pytest.fixture(scope="module")
def vendor(tmp_path_factory):
    return build(tmp_path_factory.mktemp("vendor-derived"))


def _copy_and_refresh(source: Path, folder: Path) -> Path:
    """A copy of the catalog file with every derived artefact computed, as after `medal harvest` or a server."""
    from medal_catalog.api.refresh import refresh

    db = folder / "catalog.db"
    shutil.copyfile(source, db)
    url = f"sqlite:///{db}"
    with Catalog.open(url) as catalog:
        refresh(catalog, Settings(catalog=url))
    return db


def _rows(db: Path) -> dict[str, tuple[str, str, bytes]]:
    """Every kept artefact: key -> (fingerprint, created_at, bytes)."""
    with sqlite3.connect(db) as conn:
        return {
            k: (f, c, bytes(d))
            for k, f, c, d in conn.execute("SELECT key, fingerprint, created_at, data FROM derived_artefacts")
        }


def _series(db: Path, dataset: str) -> str:
    with Catalog.open(f"sqlite:///{db}") as catalog:
        return next(v.id for v in catalog.iter_current(["ImagingSeries"]) if v.document["dataset"] == dataset)


def _auth(vendor, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {vendor.tokens[name]}"}


def test_a_fresh_server_serves_kept_pages_and_previews_without_computing_them(vendor, tmp_path):
    """After a refresh, a new `medal serve` answers /campaign and the open series' previews (the bytes kept), and
    rewrites no artefact (its start-up refresh and the views found all of them fresh); the controlled series'
    kept preview is still 401 anonymously and 200 for the admin."""
    db = _copy_and_refresh(vendor.db, tmp_path)
    before = _rows(db)
    open_series, controlled_series = _series(db, OPEN), _series(db, CONTROLLED)
    middle = f"preview:{OPEN}:{open_series}:7:view"
    assert {
        "campaign:anonymous",
        "campaign:admin",
        middle,
        f"preview:{OPEN}:{open_series}:7:thumbnail",
        f"preview-order:{OPEN}",
    } <= set(before)
    assert f"preview:{CONTROLLED}:{controlled_series}:13:view" in before  # bytes kept; who sees them: per request
    with medal_server(db, tmp_path) as base:
        page = httpx.get(f"{base}/campaign", timeout=60)
        assert page.status_code == 200 and page.text.count("<svg") >= 5 and "2 tasks" in page.text
        view = httpx.get(f"{base}/series/{open_series}/preview.png", timeout=60)
        assert view.status_code == 200 and view.content == before[middle][2]
        thumb = httpx.get(f"{base}/series/{open_series}/preview.png?size=thumbnail", timeout=60)
        assert thumb.content == before[f"preview:{OPEN}:{open_series}:7:thumbnail"][2]
        refused = httpx.get(f"{base}/series/{controlled_series}/preview.png", timeout=60)
        assert refused.status_code == 401 and not refused.content.startswith(b"\x89PNG")
        allowed = httpx.get(
            f"{base}/series/{controlled_series}/preview.png", headers=_auth(vendor, "chair"), timeout=60
        )
        assert allowed.status_code == 200
        assert allowed.content == before[f"preview:{CONTROLLED}:{controlled_series}:13:view"][2]
        time.sleep(1.0)  # the start-up refresh has had its settling time and more
    after = _rows(db)
    assert {k: v[:2] for k, v in after.items()} == {k: v[:2] for k, v in before.items()}


def test_a_write_makes_the_campaign_stale_and_the_server_computes_it_again(vendor, tmp_path):
    """Retiring an accepted task through the API: the server's refresher keeps a new anonymous campaign without
    any view asking, and the next view counts one task; a write by another process (as `medal harvest` does) is
    seen by the next view too."""
    db = _copy_and_refresh(vendor.db, tmp_path)
    kept = _rows(db)["campaign:anonymous"]
    with medal_server(db, tmp_path) as base:
        answer = httpx.post(
            f"{base}/api/tasks/ge-dwi-task/transition",
            json={"action": "retire", "reason": "test"},
            headers=_auth(vendor, "chair"),
            timeout=60,
        )
        assert answer.status_code == 200, answer.text
        deadline = time.monotonic() + 60
        while _rows(db)["campaign:anonymous"][0] == kept[0]:
            assert time.monotonic() < deadline, "the refresher did not keep a new campaign"
            time.sleep(0.2)
        page = httpx.get(f"{base}/campaign", timeout=60).text
        assert "1 task and 1 dataset" in page
        with Catalog.open(f"sqlite:///{db}") as catalog:
            task = dict(catalog.get("BenchmarkTask", "philips-fmri-task").document, task_type="detection")
            assert catalog.put(task, "chair", "test: another task type").changed
        page = httpx.get(f"{base}/campaign", timeout=60).text
        assert "detection (accepted)" in page


def test_kept_previews_of_a_dataset_made_hidden_test_are_dropped_and_never_served(vendor, tmp_path):
    """A dataset turned hidden_test: the next refresh drops its kept images, and the admin gets 404."""
    from medal_catalog.api.refresh import refresh

    db = _copy_and_refresh(vendor.db, tmp_path)
    series = _series(db, OPEN)
    url = f"sqlite:///{db}"
    with Catalog.open(url) as catalog:
        document = dict(catalog.get("ImagingDataset", OPEN).document, access_level="hidden_test")
        catalog.put(document, "chair", "test: sequestered")
        refresh(catalog, Settings(catalog=url))
    assert not [k for k in _rows(db) if k.startswith(f"preview:{OPEN}:")]
    with medal_server(db, tmp_path) as base:
        answer = httpx.get(f"{base}/series/{series}/preview.png", headers=_auth(vendor, "chair"), timeout=60)
        assert answer.status_code == 404
    assert not [k for k in _rows(db) if k.startswith(f"preview:{OPEN}:")]


def test_a_refresh_visits_only_datasets_with_an_archive_or_kept_previews_and_drops_orphans(vendor, tmp_path):
    """Previews are refreshed for the datasets keeping a de-identified archive, and for those with kept images
    (dropped when the archive or the dataset went); a catalog's other datasets are not looked at."""
    from medal_catalog.api.refresh import preview_candidates, refresh
    from medal_catalog.croissant.vocabulary import DICOM_ARCHIVE

    db = _copy_and_refresh(vendor.db, tmp_path)
    url = f"sqlite:///{db}"
    with Catalog.open(url) as catalog:
        bare = dict(catalog.get("ImagingDataset", OPEN).document, id="described-only", title="Described only")
        catalog.put(bare, "chair", "test: a dataset described without data")
        holders = set(catalog.files_at("ImagingDataset", DICOM_ARCHIVE))
        datasets = {v.id for v in catalog.iter_current(["ImagingDataset"])}
        assert OPEN in holders and holders == datasets - {"described-only"}
        found, kept_for = preview_candidates(catalog)
        assert found == holders and OPEN in kept_for and kept_for <= holders
        kept = [k for k in _rows(db) if k.startswith(f"preview:{OPEN}:")]
        assert kept
        catalog.put_files("ImagingDataset", OPEN, {})  # the archive goes (as a re-harvest without data)
        assert OPEN in preview_candidates(catalog)[1]  # its kept images still name it
        refresh(catalog, Settings(catalog=url))
        assert OPEN not in set().union(*preview_candidates(catalog))
        assert not [k for k in _rows(db) if k.startswith(f"preview:{OPEN}:")]

        # A deleted dataset keeps its files (so it stays among the holders): its kept images are dropped once,
        # and later refreshes write nothing for it (a drop is a write transaction, which waits for a harvest's).
        gone = sorted(holders - {OPEN})[0]
        assert [k for k in _rows(db) if k.startswith(f"preview:{gone}:")], "the other holder has no kept images"
        catalog.delete("ImagingDataset", gone, "chair", "test: withdrawn")
        drops: list[str] = []
        real_drop = catalog.drop_artefacts

        def recording_drop(prefix: str) -> object:
            drops.append(prefix)
            return real_drop(prefix)

        catalog.drop_artefacts = recording_drop  # type: ignore[method-assign]  # records, then does the real drop
        refresh(catalog, Settings(catalog=url))
        assert not [k for k in _rows(db) if k.startswith(f"preview:{gone}:")]
        assert gone in preview_candidates(catalog)[0] and gone not in preview_candidates(catalog)[1]
        drops.clear()
        refresh(catalog, Settings(catalog=url))
        assert drops == []


def test_in_process_views_of_kept_artefacts_draw_and_decode_nothing(vendor, tmp_path):
    """The same app in this process, so the render counters can be read: the campaign (anonymous and admin), a
    series page and its previews draw no plot, decode no pixel and compute no artefact."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from medal_catalog.api import create_app
    from medal_catalog.api import derived
    from medal_catalog.api.pages import plots
    from medal_catalog.dicom import preview

    db = _copy_and_refresh(vendor.db, tmp_path)
    series = _series(db, OPEN)
    derived.forget_memo()
    counts = (plots.RENDERS[0], preview.RENDERS[0], derived.COMPUTED[0])
    with TestClient(create_app(Settings(catalog=f"sqlite:///{db}"))) as client:
        assert client.app.state.refresher.idle.wait(60)
        for headers in ({}, _auth(vendor, "chair")):
            assert client.get("/campaign", headers=headers).status_code == 200
        assert client.get(f"/series/{series}", headers={"Accept": "text/html"}).status_code == 200
        for size in ("view", "thumbnail"):
            assert client.get(f"/series/{series}/preview.png?size={size}").status_code == 200
    assert (plots.RENDERS[0], preview.RENDERS[0], derived.COMPUTED[0]) == counts
    # and a slice never kept is rendered on demand (the counter counts)
    with TestClient(create_app(Settings(catalog=f"sqlite:///{db}"))) as client:
        assert client.get(f"/series/{series}/preview.png?slice=0").status_code == 200
    assert preview.RENDERS[0] == counts[1] + 1


@pytest.fixture(scope="module")
def board_db(tmp_path_factory):
    """examples/demo_leaderboard.py's catalog: an accepted task with two evaluations of its hidden split."""
    folder = tmp_path_factory.mktemp("demo-board-derived")
    db = folder / "demo.db"
    subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo_leaderboard.py"), "--catalog", f"sqlite:///{db}"],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    return db


def test_a_fresh_server_serves_the_kept_leaderboard_and_a_new_evaluation_is_ranked(board_db, tmp_path):
    """The leaderboard kept by a refresh is what a new server answers (JSON and page), written again by no one;
    a third finished evaluation makes it stale and the next answer ranks three entries."""
    db = _copy_and_refresh(board_db, tmp_path)
    before = _rows(db)
    keys = [k for k in before if k.startswith(f"leaderboard:{BOARD_TASK}:")]
    assert keys
    with medal_server(db, tmp_path) as base:
        board = httpx.get(f"{base}/api/tasks/{BOARD_TASK}/leaderboard", timeout=60).json()
        assert [e["model_name"] for e in board["entries"]] == ["cnn-3d", "radiomics-logistic"]
        page = httpx.get(f"{base}/tasks/{BOARD_TASK}/leaderboard", timeout=60)
        assert page.status_code == 200 and "cnn-3d" in page.text
        time.sleep(1.0)
        assert {k: _rows(db)[k][:2] for k in keys} == {k: before[k][:2] for k in keys}
        with Catalog.open(f"sqlite:///{db}") as catalog:
            first = catalog.list_evaluations(task=BOARD_TASK, status="done", with_replicates=True)[0]
            copy = catalog.add_evaluation(
                {
                    "id": "f" * 32,
                    "task": BOARD_TASK,
                    "split": first.split,
                    "submitter": "dana",
                    "about": {**first.about, "model_name": "copycat"},
                },
                None,
                "",
            )
            catalog.finish_evaluation(copy.id, "done", first.result, replicates=first.replicates)
        board = httpx.get(f"{base}/api/tasks/{BOARD_TASK}/leaderboard?split={first.split}", timeout=60).json()
        assert "copycat" in [e["model_name"] for e in board["entries"]] and len(board["entries"]) == 3


def test_medal_harvest_of_submissions_leaves_the_campaign_computed_and_a_bare_tree_skips_it(open_harvested, tmp_path):
    """`medal harvest` of the example submissions keeps both campaign views, fresh for the catalog it wrote; a
    bare DICOM tree (no previews, in no task) computes nothing, so its harvest stays as fast as it was."""
    from medal_catalog.api.derived import fingerprint
    from medal_catalog.api.pages.campaign import COUNTED

    rows = _rows(open_harvested.db)
    with Catalog.open(f"sqlite:///{open_harvested.db}") as catalog:
        fresh = fingerprint(catalog.entries_version(COUNTED), Settings().small_cell_threshold)
    assert rows["campaign:anonymous"][0] == fresh and rows["campaign:admin"][0] == fresh
    db = tmp_path / "bare.db"
    medal = Path(sys.executable).with_name("medal")
    done = subprocess.run(
        [
            str(medal),
            "harvest",
            "/work/shared/data/dicom/ge/01_Ax_DWI_TENSOR_R2",
            "--dataset",
            "ge-bare",
            "--catalog",
            f"sqlite:///{db}",
            "--out",
            str(tmp_path / "out"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert _rows(db) == {}


def test_a_refresher_pausing_after_a_long_refresh_stops_at_once():
    """After a refresh that took t seconds the refresher pauses PACE x t before the next; a server shutting down
    during that pause (app lifespan: stop(), then the catalog closes) does not wait it out."""
    from types import SimpleNamespace

    from medal_catalog.api.refresh import PACE, Refreshed, Refresher

    refresher = Refresher(SimpleNamespace())  # stopped in its pause: it never reaches the app state
    refresher.last = Refreshed(seconds=10.0)  # as after a 10 s refresh: a 40 s pause
    refresher.start()
    time.sleep(0.2)  # in the pause now
    started = time.monotonic()
    refresher.stop()
    assert time.monotonic() - started < PACE * 10.0 / 4
    assert not refresher._thread.is_alive() and refresher.runs == 0
