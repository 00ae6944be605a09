"""The campaign's plots are kept in the store (derived_pages, issue 29): a new process serves them without drawing,
the same SVG; counts that change are drawn anew; the server's start-up warm-up draws them before any visitor."""

from __future__ import annotations

import shutil
import sqlite3
import time

from api.pages.conftest import OPEN_TASK

from medal_catalog.api.access import ANONYMOUS, Caller
from medal_catalog.api.pages import plots
from medal_catalog.api.pages.campaign import campaign
from medal_catalog.catalog import Catalog


def test_plots_kept_in_the_store_are_served_without_drawing(open_harvested, tmp_path):
    """The first view draws and keeps its plots; a later one (its process' memo cleared, as in a new process)
    draws none and shows the same SVGs; a changed count is drawn again."""
    db = tmp_path / "catalog.db"
    shutil.copyfile(open_harvested.db, db)
    with Catalog.open(f"sqlite:///{db}") as catalog:
        first = campaign(catalog, ANONYMOUS, 5)
        assert first["drawn"] >= 5
        plots._bars.cache_clear()
        plots._heatmap.cache_clear()
        again = campaign(catalog, ANONYMOUS, 5)
        assert again["drawn"] == 0
        assert [b["svg"] for b in again["blocks"]] == [b["svg"] for b in first["blocks"]]
        task = dict(catalog.get("BenchmarkTask", OPEN_TASK).document, task_type="detection")
        catalog.put(task, author="alice", reason="another task type")
        changed = campaign(catalog, ANONYMOUS, 5)
        assert changed["drawn"] >= 1  # the task-type plot, whose counts changed
        assert changed["drawn"] < first["drawn"]


def test_server_start_draws_the_campaign_before_any_view(open_harvested, tmp_path):
    """Starting the app draws the anonymous and the panel's campaign in the background: a view after that draws
    nothing."""
    import warnings

    from medal_catalog.api import create_app
    from medal_catalog.config import Settings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    db = tmp_path / "catalog.db"
    shutil.copyfile(open_harvested.db, db)
    with TestClient(create_app(Settings(catalog=f"sqlite:///{db}"))):
        kept, since, deadline = -1, time.monotonic(), time.monotonic() + 120
        while time.monotonic() < deadline:  # until the warm-up has kept plots and keeps no more
            with sqlite3.connect(db) as conn:
                count = conn.execute("SELECT count(*) FROM derived_pages").fetchone()[0]
            if count != kept:
                kept, since = count, time.monotonic()
            elif count and time.monotonic() - since > 2:
                break
            time.sleep(0.2)
    assert kept > 0
    plots._bars.cache_clear()
    plots._heatmap.cache_clear()
    with Catalog.open(f"sqlite:///{db}") as catalog:
        assert campaign(catalog, ANONYMOUS, 5)["drawn"] == 0
        assert campaign(catalog, Caller(role="admin", name="x"), 5)["drawn"] == 0
