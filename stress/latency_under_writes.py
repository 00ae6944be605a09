#!/usr/bin/env python3
"""Latency under writes: C concurrent HTTP clients against `medal serve` for D seconds, first with nobody writing,
then while `medal harvest idc:` runs again and again into the same catalog (two index versions in turn, each
harvest changing a few thousand series); prints p50/p95/p99, errors and the
ratio of the two p99s (issue 13 asks for p99 during writes within 2x of p99 without).

The catalog is a sample of the real IDC index (idc-index-data, the test extra), harvested once into --workdir and
reused by later runs. Clients mix searches (common and rare words, filters, 5 facets, deep pages) with entry GETs.

    .venv/bin/python stress/latency_under_writes.py                       # 20 clients x 20 s per phase
    nice -n 5 .venv/bin/python stress/latency_under_writes.py --clients 50 --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
MEDAL = Path(sys.executable).with_name("medal")
FIVE = ["type", "modality", "body_part", "manufacturer", "model"]
SEARCHES = [{"q": "series"}, {"q": "lung", "facet": FIVE}, {"q": "chest", "modality": "CT"}, {"q": "phantom"},
            {"q": '"PET CT"'}, {"q": "", "body_part": "BREAST", "facet": FIVE}, {"q": "axial", "page": 30, "size": 20},
            {"q": "contrast", "facet": FIVE}, {"q": "", "type": "ImagingDataset", "series_count_min": 100}]


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {one:.2f} / {five:.2f} / {fifteen:.2f}"


def build(workdir: Path, every: int) -> Path:
    """A catalog of every ``every``-th series of the IDC index (made once per workdir)."""
    db = workdir / "catalog.db"
    if db.exists():
        return db
    import pyarrow.parquet as pq

    sys.path.insert(0, str(ROOT / "src"))
    from medal_catalog.harvesters import idc

    index = idc.locate()
    folder = workdir / "idc-sample"
    folder.mkdir(parents=True, exist_ok=True)
    table = pq.read_table(index.series_path)
    pq.write_table(table.take(list(range(0, table.num_rows, every))), folder / idc.SERIES_FILE)
    shutil.copy(index.collections_path, folder / idc.COLLECTIONS_FILE)
    print(f"building the catalog ({table.num_rows // every} series) in {db} ...", flush=True)
    subprocess.run([str(MEDAL), "harvest", "idc:", "--idc-index", str(folder), "--catalog", f"sqlite:///{db}",
                    "--json"], check=True, stdout=subprocess.DEVNULL)
    return db


def versions(workdir: Path, target: int) -> tuple[list[str], list[Path]]:
    """Two versions of the sample index that differ in every series of some collections (about ``target`` of
    them): harvesting them in turn is a harvest of a new index version each time, writing all those series."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    sample = workdir / "idc-sample"
    table = pq.read_table(sample / "idc_index.parquet")
    sizes = sorted(pc.value_counts(table["collection_id"]).to_pylist(), key=lambda d: -d["counts"])
    chosen, total = [], 0
    for item in sizes:
        if total + item["counts"] <= target:
            chosen.append(item["values"])
            total += item["counts"]
    other = workdir / "idc-sample-v2"
    other.mkdir(exist_ok=True)
    bumped = pc.if_else(pc.is_in(table["collection_id"], value_set=__import__("pyarrow").array(chosen)),
                        pc.add(table["instanceCount"], 1), table["instanceCount"])
    pq.write_table(table.set_column(table.schema.get_field_index("instanceCount"), "instanceCount", bumped),
                   other / "idc_index.parquet")
    shutil.copy(sample / "collections_index.parquet", other / "collections_index.parquet")
    return sorted(chosen), [other, sample]


def writer(db: Path, workdir: Path, batch: int, pause: float) -> None:
    """Harvest the two index versions in turn, for ever, with `medal harvest` as an operator would run it."""
    collections, folders = versions(workdir, batch)
    round_ = 0
    while True:
        round_ += 1
        start = time.perf_counter()
        run = subprocess.run([str(MEDAL), "harvest", f"idc:{','.join(collections)}", "--idc-index",
                              str(folders[round_ % 2]), "--catalog", f"sqlite:///{db}", "--json"],
                             capture_output=True, text=True)
        summary = json.loads(run.stdout) if run.returncode in (0, 1) else {"changed": 0}
        print(json.dumps({"round": round_, "written": summary["changed"], "seconds": time.perf_counter() - start}),
              flush=True)
        time.sleep(pause)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def client(base: str, token: str, until: float, ids: list[str], seed: int, out: list[float],
                 errors: list[str]) -> None:
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
        while time.perf_counter() < until:
            if rng.random() < 0.75:
                request = http.get("/api/search", params=rng.choice(SEARCHES))
            else:
                request = http.get(f"/api/series/{rng.choice(ids)}")
            start = time.perf_counter()
            try:
                response = await request
                if response.status_code != 200:
                    errors.append(f"{response.status_code} {response.text[:200]}")
            except httpx.HTTPError as err:
                errors.append(repr(err))
            out.append((time.perf_counter() - start) * 1000)


def phase(base: str, token: str, clients: int, seconds: float, ids: list[str]) -> tuple[list[float], list[str]]:
    out: list[float] = []
    errors: list[str] = []
    until = time.perf_counter() + seconds

    async def run() -> None:
        await asyncio.gather(*(client(base, token, until, ids, i, out, errors) for i in range(clients)))

    asyncio.run(run())
    return out, errors


def summary(name: str, samples: list[float], errors: list[str], seconds: float) -> float:
    q = statistics.quantiles(samples, n=100, method="inclusive")
    print(f"  {name:<14} {len(samples):>6} requests ({len(samples) / seconds:6.1f}/s), {len(errors)} errors: "
          f"p50 {q[49]:7.1f} ms  p95 {q[94]:7.1f} ms  p99 {q[98]:7.1f} ms  max {max(samples):7.1f} ms")
    for error in errors[:3]:
        print(f"    error: {error}")
    return q[98]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0, help="Length of each phase.")
    parser.add_argument("--sample", type=int, default=20, help="Catalog: every N-th series of the IDC index.")
    parser.add_argument("--batch", type=int, default=3000, help="About this many series changed per harvest.")
    parser.add_argument("--pause", type=float, default=0.5, help="Seconds between two harvests.")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/medal-stress-writes"))
    parser.add_argument("--writer", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.writer:
        writer(args.writer, args.workdir, args.batch, args.pause)
        return
    sys.path.insert(0, str(ROOT / "src"))
    from medal_catalog.api.tokens import create_token
    from medal_catalog.store import open_store

    args.workdir.mkdir(parents=True, exist_ok=True)
    db = build(args.workdir, args.sample)
    store = open_store(f"sqlite:///{db}")
    token = create_token(store, f"stress{time.time_ns() % 10**9}", "admin")
    ids = [v.id for _, v in zip(range(2000), store.iter_current(["ImagingSeries"]))]
    store.close()
    port = free_port()
    server = subprocess.Popen([str(MEDAL), "serve", "--port", str(port), "--catalog", f"sqlite:///{db}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    write_log = args.workdir / "writer.log"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        phase(base, token, 4, 3, ids)  # warm-up: the column view and the common words' matches
        print(f"{args.clients} clients x {args.seconds:.0f} s per phase; machine: {load()}")
        quiet, quiet_errors = phase(base, token, args.clients, args.seconds, ids)
        print(f"machine after the quiet phase: {load()}")
        with write_log.open("w") as log:
            writing = subprocess.Popen([sys.executable, __file__, "--writer", str(db), "--batch", str(args.batch),
                                        "--pause", str(args.pause), "--workdir", str(args.workdir)], stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
            try:
                deadline = time.monotonic() + 120
                while '"round"' not in write_log.read_text() and time.monotonic() < deadline:
                    time.sleep(0.2)  # the phase starts with the first write
                busy, busy_errors = phase(base, token, args.clients, args.seconds, ids)
            finally:
                os.killpg(writing.pid, signal.SIGTERM)  # the loop and the harvest it is running
                writing.wait(timeout=30)
        rounds = [json.loads(line) for line in write_log.read_text().splitlines() if line.startswith("{")]
        print(f"machine after the writing phase: {load()}")
        p99_quiet = summary("without writes", quiet, quiet_errors, args.seconds)
        p99_busy = summary("during writes", busy, busy_errors, args.seconds)
        written = sum(r["written"] for r in rounds)
        print(f"  writes: {len(rounds)} harvests finished, {written} entries changed ({written / args.seconds:.0f}/s)")
        print(f"  p99 during writes / p99 without: {p99_busy / p99_quiet:.2f}x (target < 2x)")
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
