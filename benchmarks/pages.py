#!/usr/bin/env python3
"""First view of a derived page after a server start against a warm view (issue 29): /campaign, a leaderboard and
a series preview.

    .venv/bin/python benchmarks/pages.py [--rounds 3]

Builds one catalog: the real GE and Philips vendor series submitted, de-identified and accepted
(tests/vendor_catalog.py; previews from the catalog's own rewrite), plus the demo leaderboard
(examples/demo_leaderboard.py, two evaluations ranked by bootstrap). Its derived pages are computed as a harvest and
a running server leave them (api/refresh.py). Then, in alternating rounds, for each page and for two states of the
catalog, it starts `medal serve` (a real uvicorn, as tests/served.py does), times the first GET of that page once
/api/health answers, then three warm GETs, and stops the server:

- kept: the artefacts the store keeps are fresh (what a server meets after `medal harvest` or a restart);
- nothing kept: the derived_artefacts table emptied, so the first view computes the page itself (the reference:
  what issue 29 set out to remove; the server's start-up refresher races it).

Prints medians over the rounds, each first view as a ratio to the warm view of the same page (goal: first view
after start-up < 300 ms), with the machine's load.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from served import medal_server  # noqa: E402
from vendor_catalog import build  # noqa: E402

BOARD_TASK = "lung-nodule-exam-demo"


def get(url: str) -> float:
    start = time.perf_counter()
    response = httpx.get(url, timeout=120)
    seconds = time.perf_counter() - start
    assert response.status_code == 200, (url, response.status_code)
    return seconds


def prepare(folder: Path) -> tuple[Path, dict[str, str]]:
    """The catalog (vendor series + demo leaderboard) with its derived pages computed; the pages to time."""
    from medal_catalog.api.refresh import refresh
    from medal_catalog.catalog import Catalog
    from medal_catalog.config import Settings

    vendor = build(folder)
    url = f"sqlite:///{vendor.db}"
    subprocess.run(
        [sys.executable, str(REPO / "examples" / "demo_leaderboard.py"), "--catalog", url],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    with Catalog.open(url) as catalog:
        refresh(catalog, Settings(catalog=url))
        series = next(v.id for v in catalog.iter_current(["ImagingSeries"]) if v.document["dataset"] == "ge-dwi")
    pages = {
        "/campaign": "/campaign",
        "leaderboard": f"/tasks/{BOARD_TASK}/leaderboard",
        "series preview": f"/series/{series}/preview.png",
    }
    return vendor.db, pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print("building the catalog (real vendor series, demo leaderboard) ...", flush=True)
        source, pages = prepare(folder / "build")
        print(f"load before: {os.getloadavg()[0]:.2f} (1-min average, {os.cpu_count()} cores)", flush=True)
        states = ("kept", "nothing kept")
        firsts = {(p, s): [] for p in pages for s in states}
        warms = {(p, s): [] for p in pages for s in states}
        for _ in range(args.rounds):
            for name, path in pages.items():
                for state in states:
                    run = Path(tempfile.mkdtemp(dir=folder))
                    db = run / "catalog.db"
                    shutil.copyfile(source, db)
                    if state == "nothing kept":
                        with sqlite3.connect(db) as conn:
                            conn.execute("DELETE FROM derived_artefacts")
                    with medal_server(db, run) as base:
                        firsts[(name, state)].append(get(base + path))
                        warms[(name, state)].append(statistics.median(get(base + path) for _ in range(3)))
        print(f"rounds: {args.rounds} (medians; each first view is a fresh `medal serve`)")
        print(f"{'page':16} {'state':13} {'first view':>11} {'warm view':>10} {'first/warm':>10}")
        for name in pages:
            for state in states:
                first = statistics.median(firsts[(name, state)])
                warm = statistics.median(warms[(name, state)])
                goal = f"  (goal < 300 ms: {'met' if first < 0.3 else 'NOT met'})" if state == "kept" else ""
                rounds = ", ".join(f"{t * 1000:.0f}" for t in firsts[(name, state)])
                print(
                    f"{name:16} {state:13} {first * 1000:8.0f} ms {warm * 1000:7.0f} ms {first / warm:9.1f}x"
                    f"  [{rounds}]{goal}"
                )
        print(f"load after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
