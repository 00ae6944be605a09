#!/usr/bin/env python3
"""First view of /campaign after a server start against a warm view (issue 29).

    .venv/bin/python benchmarks/pages.py [--rounds 3]

Harvests the examples (tasks, datasets, panel decisions) into a fresh catalog, then each round starts `medal
serve` on it (a real uvicorn, as tests/served.py does), times the first GET /campaign once /api/health answers,
then a warm one, and stops the server. The first round meets a catalog whose plots were never drawn (the server's
start-up warm-up draws them while the request waits or draws them itself); later rounds are restarts, whose plots
the store keeps (derived_pages). Prints the medians and the ratios to the warm view (goal: first view after a
restart < 300 ms), with the machine's load. After the first start the benchmark waits for the server's warm-up to
finish, as a server that runs for more than a minute would.
"""

from __future__ import annotations

import argparse
import os
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

EXAMPLES = [REPO / "examples" / "valid" / name for name in ("ct-lung-nodule-malignancy",
                                                            "mr-brain-metastasis-segmentation",
                                                            "cxr-pneumothorax-triage.yaml", "panel-records.yaml")]


def get(url: str) -> float:
    start = time.perf_counter()
    response = httpx.get(url, timeout=120)
    seconds = time.perf_counter() - start
    assert response.status_code == 200 and "<svg" in response.text, response.status_code
    return seconds


def settle(db: Path, quiet: float = 3.0, limit: float = 120.0) -> None:
    """Wait until the plots the store keeps stop growing (the server's warm-up thread is done)."""
    import sqlite3

    deadline, last, since = time.monotonic() + limit, -1, time.monotonic()
    while time.monotonic() < deadline:
        with sqlite3.connect(db) as conn:
            count = conn.execute("SELECT count(*) FROM derived_pages").fetchone()[0]
        if count != last:
            last, since = count, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    medal = Path(sys.executable).with_name("medal")
    print(f"load before: {os.getloadavg()[0]:.2f} (1-min average, {os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "catalog.db"
        subprocess.run([str(medal), "harvest", *map(str, EXAMPLES), "--catalog", f"sqlite:///{db}", "--out",
                        str(Path(tmp) / "out"), "--json"], check=True, stdout=subprocess.DEVNULL, cwd=tmp)
        never, firsts, warms = None, [], []
        for round_ in range(args.rounds + 1):
            with medal_server(db, Path(tmp)) as base:
                first = get(f"{base}/campaign")
                warm = statistics.median(get(f"{base}/campaign") for _ in range(3))
                if round_ == 0:
                    settle(db)  # a server runs long enough to finish its start-up warm-up (the panel's view too)
            if round_ == 0:
                never = first
            else:
                firsts.append(first)
            warms.append(warm)
    first, warm = statistics.median(firsts), statistics.median(warms)
    print(f"rounds: {args.rounds} restarts (medians), after one start on plots never drawn")
    print(f"first view, plots never drawn:     {never * 1000:7.0f} ms ({never / warm:5.1f}x the warm view)")
    print(f"first view after a restart:        {first * 1000:7.0f} ms ({first / warm:5.1f}x the warm view)  "
          f"[{', '.join(f'{t * 1000:.0f}' for t in firsts)}]  (goal < 300 ms: {'met' if first < 0.3 else 'NOT met'})")
    print(f"warm view (median of 3 a round):   {warm * 1000:7.0f} ms")
    print(f"load after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
