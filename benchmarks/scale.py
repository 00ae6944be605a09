#!/usr/bin/env python3
"""Search at a million real series: the whole IDC index (idc-index-data) into the embedded default (SQLite store +
FTS5 index in one file), then faceted queries over HTTP through `medal serve`.

Prints the harvest rate (series/s), the store and index size on disk, the harvest's peak memory, then p50/p95/p99
of a mixed query set (common and rare words, phrases, filters, ranges, 5 facets, deep pages) as an admin (no
visibility scope, so every query sees all documents), the most common word with 5 facets on its own, and the time
of the first query after a write (a changed series written by another process). The machine's core count and load
average are printed with the figures: the machine may be shared.

    nice -n 5 .venv/bin/python benchmarks/scale.py              # the whole index (about 1,044,000 series)
    .venv/bin/python benchmarks/scale.py --sample 10            # every 10th series: about 104,000
    .venv/bin/python benchmarks/scale.py --keep /tmp/scale-run  # keep the catalog (or reuse it: --reuse DIR)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
MEDAL = Path(sys.executable).with_name("medal")
FIVE = ["type", "modality", "body_part", "manufacturer", "model"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {one:.2f} / {five:.2f} / {fifteen:.2f}"


def sample_index(folder: Path, every: int) -> Path:
    """Every ``every``-th series of the installed index (all collections keep some), in ``folder``."""
    import pyarrow.parquet as pq

    from medal_catalog.harvesters import idc

    index = idc.locate()
    table = pq.read_table(index.series_path)
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(table.take(list(range(0, table.num_rows, every))), folder / idc.SERIES_FILE)
    shutil.copy(index.collections_path, folder / idc.COLLECTIONS_FILE)
    return folder


def harvest(db: Path, index_folder: Path | None) -> dict:
    args = [str(MEDAL), "harvest", "idc:", "--catalog", f"sqlite:///{db}", "--json", "--nice", "0"]
    if index_folder:
        args += ["--idc-index", str(index_folder)]
    start = time.perf_counter()
    run = subprocess.run(args, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if run.returncode not in (0, 1):
        sys.exit(f"harvest failed ({run.returncode}): {run.stderr[-3000:]}")
    summary = json.loads(run.stdout)
    summary["wall_seconds"] = seconds
    summary["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return summary


def sizes(db: Path) -> dict[str, float]:
    """MB on disk: the whole file (+ WAL), and the part in the store's tables vs the search index's."""
    files = sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 1e6
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
    except sqlite3.Error:
        return {"file_mb": files}
    finally:
        conn.close()
    index = sum(size for name, size in rows if name.startswith(("search_", "sqlite_autoindex_search"))) / 1e6
    total = sum(size for _, size in rows) / 1e6
    return {"file_mb": files, "store_mb": total - index, "index_mb": index}


def queries(rng: random.Random, n: int, common: str) -> list[tuple[str, dict]]:
    """A mixed set of (class, parameters), the classes in fixed proportions."""
    common_words = ["CT", "chest", "lung", "MR", "breast", "axial", "contrast", "cancer"]
    rare_words = ["phantom", "coffee", "glioblastoma", "sybil", "mesothelioma", "cervical", "fiducial", "lymphoma"]
    phrases = ['"lung cancer"', '"PET CT"', '"digital mammogram"', '"non-small cell"', '"soft tissue"', '"T2 axial"']
    filters = [
        {"modality": "CT"},
        {"body_part": "CHEST"},
        {"manufacturer": "SIEMENS"},
        {"type": "ImagingDataset"},
        {"modality": "MR", "body_part": "BREAST"},
        {"modality": "SEG"},
    ]
    ranges = [
        {"series_count_min": 1000},
        {"subject_count_min": 100, "subject_count_max": 1000},
        {"modified_min": "2023-01-01"},
    ]
    mix = []
    for i in range(n):
        kind = ["common", "rare", "phrase", "filter", "range", "facets5", "deep"][i % 7]
        params: dict = {"size": 10}
        if kind == "common":
            params["q"] = rng.choice(common_words)
        elif kind == "rare":
            params["q"] = rng.choice(rare_words)
        elif kind == "phrase":
            params["q"] = rng.choice(phrases)
        elif kind == "filter":
            params.update(rng.choice(filters), q=rng.choice(["", *common_words]))
        elif kind == "range":
            params.update(rng.choice(ranges), q=rng.choice(["", "cancer", "lung"]))
        elif kind == "facets5":
            params.update(q=rng.choice(common_words + rare_words), facet=FIVE)
        else:
            params.update(q=rng.choice(["", *common_words]), page=rng.randint(20, 100), size=20)
        mix.append((kind, params))
    return mix


def percentiles(samples: list[float]) -> str:
    if len(samples) < 2:
        return f"n={len(samples)}"
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return (
        f"n={len(samples):>4}  p50 {q[49]:7.1f} ms  p95 {q[94]:7.1f} ms  p99 {q[98]:7.1f} ms  "
        f"max {max(samples):7.1f} ms"
    )


def timed(client: httpx.Client, params: dict) -> float:
    start = time.perf_counter()
    response = client.get("/api/search", params=params)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        sys.exit(f"search {params} answered {response.status_code}: {response.text[:500]}")
    return elapsed


def serve(db: Path, workdir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [str(MEDAL), "serve", "--port", str(port), "--catalog", f"sqlite:///{db}"],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    deadline = started + 120
    while True:
        try:
            if httpx.get(f"{base}/api/health", timeout=60).status_code == 200:
                print(
                    f"server ready after {time.monotonic() - started:.1f} s (its /api/health counts the index, "
                    "which loads the column view)"
                )
                return process, base
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"medal serve did not start: {process.stderr.read().decode()[-2000:]}")
        time.sleep(0.2)


def write_one(db: Path, round_: int) -> str:
    """Change one series' description in another process (as a harvest would), and return its key."""
    from medal_catalog.catalog import Catalog

    with Catalog.open(f"sqlite:///{db}") as catalog:
        series = next(catalog.store.iter_current(["ImagingSeries"], batch=1))
        doc = {**series.document, "series_description": f"benchmark edit {round_}"}
        catalog.put(doc, "benchmark", "first query after a write")
        return series.key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=1, help="Harvest every N-th series only (default: all).")
    parser.add_argument("--queries", type=int, default=1400, help="Queries in the mix.")
    parser.add_argument("--writes", type=int, default=5, help="Write-then-query rounds.")
    parser.add_argument("--keep", type=Path, help="Keep the catalog in this folder.")
    parser.add_argument("--reuse", type=Path, help="Skip the harvest: serve the catalog already in this folder.")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from medal_catalog.api.tokens import create_token
    from medal_catalog.store import open_store

    workdir = args.reuse or args.keep or Path(tempfile.mkdtemp(prefix="medal-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "catalog.db"
    print(f"machine: {load()}")
    if not args.reuse:
        for stale in workdir.glob("catalog.db*"):
            stale.unlink()
        folder = sample_index(workdir / "idc-sample", args.sample) if args.sample > 1 else None
        print(
            f"harvesting the IDC index{f' (every {args.sample}th series)' if folder else ''} into {db} ...", flush=True
        )
        summary = harvest(db, folder)
        print(
            f"harvest: {summary['series']} series, {summary['collections']} collections in "
            f"{summary['wall_seconds']:.1f} s = {summary['series'] / summary['wall_seconds']:.0f} series/s "
            f"(store+index, incl. start-up); peak RSS {summary['peak_rss_mb']:.0f} MB; "
            f"{summary['invalid']} invalid; machine: {load()}"
        )
    print("on disk: " + ", ".join(f"{k} {v:.0f}" for k, v in sizes(db).items()))
    store = open_store(f"sqlite:///{db}")
    token = create_token(store, f"bench{time.time_ns() % 10**9}", "admin")
    store.close()
    process, base = serve(db, workdir)
    try:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
            first = timed(client, {"q": "CT", "facet": FIVE})
            print(f"first search: {first:.0f} ms")
            words = ["CT", "chest", "lung", "MR", "breast", "axial", "series", "contrast"]
            totals = {w: client.get("/api/search", params={"q": w, "size": 1}).json()["total"] for w in words}
            common = max(totals, key=totals.get)
            print(f"most common word: {common!r} in {totals[common]} documents")
            rng = random.Random(20)
            mix = queries(rng, args.queries, common)
            for _, params in mix[:100]:  # warm the caches the steady state has
                timed(client, params)
            by_kind: dict[str, list[float]] = {}
            for kind, params in mix:
                by_kind.setdefault(kind, []).append(timed(client, params))
            print(f"query mix over HTTP ({load()}):")
            print(f"  {'all':<10} {percentiles([t for ts in by_kind.values() for t in ts])}")
            for kind, samples in by_kind.items():
                print(f"  {kind:<10} {percentiles(samples)}")
            most = [timed(client, {"q": common, "facet": FIVE}) for _ in range(100)]
            print(f"  most common word {common!r} + 5 facets: {percentiles(most)}")
            after = []
            for round_ in range(args.writes):
                write_one(db, round_)
                after.append(timed(client, {"q": common, "facet": FIVE}))
                after.append(timed(client, {"q": "lung", "modality": "CT", "facet": FIVE}))
            print(
                f"first queries after a write (common word + 5 facets, then a filtered one), {args.writes} "
                f"writes: {', '.join(f'{t:.0f}' for t in after)} ms; max {max(after):.0f} ms"
            )
    finally:
        process.terminate()
        process.wait(timeout=20)
    print(f"machine at the end: {load()}")
    if not (args.keep or args.reuse):
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
