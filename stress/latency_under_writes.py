#!/usr/bin/env python3
"""Latency under writes: C concurrent HTTP clients against `medal serve` for D seconds, first with nobody writing,
then while harvests run back to back into the same embedded-SQLite catalog; prints p50/p95/p99 per request kind
for both phases and their ratios, errors, the machine's load and cores, and a last line saying whether each goal
is met (issue 32: p99 during harvests <= 2x the quiet p99, quiet p99 < 0.5 s, no errors, harvest <= 1.2x slower).

Two scenarios:

* ``dicom`` (the default, issue 32): 50 clients mixing searches (with and without five facet counts), entry GETs,
  Croissant GETs and small submissions, while `medal harvest` (default ``--nice 10``) harvests folders of 1,200
  new series made from the real vendor MR files of the shared data, copied with fresh UIDs. Every run starts from
  a copy of a base catalog (the bundled examples and 3,600 such series) made once in --workdir, as are the
  folders; the first run makes them (a few minutes).
* ``idc`` (issue 13): searches and entry GETs while `medal harvest idc:` harvests two versions of a sample of the
  IDC index in turn (mostly SQL writes).

    .venv/bin/python stress/latency_under_writes.py                           # dicom, 50 clients x 60 s per phase
    .venv/bin/python stress/latency_under_writes.py --duration 20             # shorter phases, for development
    .venv/bin/python stress/latency_under_writes.py --reference-medal /work/main/.venv/bin/medal   # + harvest speed
    .venv/bin/python stress/latency_under_writes.py --scenario idc --clients 20 --duration 20
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
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))  # dicom_series, beside this file
MEDAL = Path(sys.executable).with_name("medal")
FIVE = ["type", "modality", "body_part", "manufacturer", "model"]
SEARCHES = [
    {"q": "series"},
    {"q": "lung", "facet": FIVE},
    {"q": "chest", "modality": "CT"},
    {"q": "phantom"},
    {"q": '"PET CT"'},
    {"q": "", "body_part": "BREAST", "facet": FIVE},
    {"q": "axial", "page": 30, "size": 20},
    {"q": "contrast", "facet": FIVE},
    {"q": "", "type": "ImagingDataset", "series_count_min": 100},
]


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
    subprocess.run(
        [str(MEDAL), "harvest", "idc:", "--idc-index", str(folder), "--catalog", f"sqlite:///{db}", "--json"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
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
    bumped = pc.if_else(
        pc.is_in(table["collection_id"], value_set=__import__("pyarrow").array(chosen)),
        pc.add(table["instanceCount"], 1),
        table["instanceCount"],
    )
    pq.write_table(
        table.set_column(table.schema.get_field_index("instanceCount"), "instanceCount", bumped),
        other / "idc_index.parquet",
    )
    shutil.copy(sample / "collections_index.parquet", other / "collections_index.parquet")
    return sorted(chosen), [other, sample]


def writer(db: Path, workdir: Path, batch: int, pause: float) -> None:
    """Harvest the two index versions in turn, for ever, with `medal harvest` as an operator would run it."""
    collections, folders = versions(workdir, batch)
    round_ = 0
    while True:
        round_ += 1
        start = time.perf_counter()
        run = subprocess.run(
            [
                str(MEDAL),
                "harvest",
                f"idc:{','.join(collections)}",
                "--idc-index",
                str(folders[round_ % 2]),
                "--catalog",
                f"sqlite:///{db}",
                "--json",
            ],
            capture_output=True,
            text=True,
        )
        summary = json.loads(run.stdout) if run.returncode in (0, 1) else {"changed": 0}
        print(
            json.dumps({"round": round_, "written": summary["changed"], "seconds": time.perf_counter() - start}),
            flush=True,
        )
        time.sleep(pause)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_clients(base: str, token: str, clients: int) -> list[httpx.AsyncClient]:
    """The phase's HTTP clients, all made before its clock starts: making one (its TLS context, even for http://)
    holds the event loop for tens of ms, which, made alongside the first requests, added up to a second to theirs."""
    return [
        httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60)
        for _ in range(clients)
    ]


async def client(
    http: httpx.AsyncClient, until: float, ids: list[str], seed: int, out: list[float], errors: list[str]
) -> None:
    rng = random.Random(seed)
    async with http:
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

    async def run() -> None:
        https = http_clients(base, token, clients)
        until = time.perf_counter() + seconds
        await asyncio.gather(*(client(http, until, ids, i, out, errors) for i, http in enumerate(https)))

    asyncio.run(run())
    return out, errors


def summary(name: str, samples: list[float], errors: list[str], seconds: float) -> float:
    q = statistics.quantiles(samples, n=100, method="inclusive")
    print(
        f"  {name:<14} {len(samples):>6} requests ({len(samples) / seconds:6.1f}/s), {len(errors)} errors: "
        f"p50 {q[49]:7.1f} ms  p95 {q[94]:7.1f} ms  p99 {q[98]:7.1f} ms  max {max(samples):7.1f} ms"
    )
    for error in errors[:3]:
        print(f"    error: {error}")
    return q[98]


# --- the DICOM-harvest scenario (issue 32) ----------------------------------------------------------------------
DICOM_SEARCHES = [
    {"q": "mr"},
    {"q": "fmri multiphase"},
    {"q": "dwi tensor"},
    {"q": "philips"},
    {"q": "brain"},
    {"q": "", "modality": "MR"},
    {"q": "axial", "page": 10, "size": 20},
    {"q": "ge"},
    {"q": "", "type": "ImagingSeries", "field_strength_min": 2},
    {"q": "lung nodule"},
]
DICOM_FACETED = [
    {"q": "", "facet": FIVE},
    {"q": "mr", "facet": FIVE},
    {"q": "dti", "facet": FIVE},
    {"q": "", "type": "ImagingDataset", "facet": FIVE},
    {"q": "fmri", "manufacturer": "GE MEDICAL SYSTEMS", "facet": FIVE},
]
#: The request mix of one client: (kind, share).
MIX = (("search", 0.45), ("search+facets", 0.20), ("entry GET", 0.20), ("Croissant GET", 0.10), ("submission", 0.05))
SUBMISSION = {
    "type": "ImagingDataset",
    "title": "Stress-test submission of a small MR dataset",
    "description": "A small dataset submitted while harvests run, by stress/latency_under_writes.py.",
    "version": "1.0.0",
    "keywords": ["stress", "MR"],
    "modalities": ["MR"],
    "body_parts": ["BRAIN"],
    "file_formats": ["application/dicom"],
    "subject_count": 3,
    "study_count": 3,
    "series_count": 3,
    "instance_count": 30,
    "publication_status": "unpublished",
    "access_level": "open",
    "license": {"spdx_id": "CC-BY-4.0"},
    "deidentification": {"patient_identity_removed": True, "profile_options": ["basic_profile"]},
}


def medal_binary(path: Path | None) -> str:
    return str(path or MEDAL)


def dicom_base(args: argparse.Namespace, sources: list) -> Path:
    """The catalog every run starts from (made once per workdir): the bundled examples (tasks and datasets, for
    Croissant GETs) and ``--base-series`` series of real DICOM in datasets of ``--series``."""
    from dicom_series import make_folder

    base = args.workdir / "base.db"
    if base.exists():
        return base
    building = args.workdir / "base.db.partial"
    for leftover in args.workdir.glob("base.db.partial*"):
        leftover.unlink()
    url = f"sqlite:///{building}"
    medal = medal_binary(args.medal)
    examples = sorted(str(p) for p in (ROOT / "examples" / "valid").iterdir())
    print(f"building the base catalog in {base}: the examples and {args.base_series} series ...", flush=True)
    subprocess.run(
        [medal, "harvest", *examples, "--catalog", url, "--out", str(args.workdir / "out-examples"), "--json"],
        check=False,
        stdout=subprocess.DEVNULL,
    )
    for n in range(max(1, args.base_series // args.series)):
        folder = make_folder(args.workdir / f"base-{n}", sources, args.series, args.files_per_series, 10_000 + n)
        subprocess.run(
            [
                medal,
                "harvest",
                str(folder),
                "--dataset",
                f"stress-base-{n}",
                "--catalog",
                url,
                "--out",
                str(args.workdir / f"out-base-{n}"),
                "--json",
            ],
            check=False,
            stdout=subprocess.DEVNULL,
        )
        shutil.rmtree(folder)
    conn = sqlite3.connect(building)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    building.rename(base)
    return base


def pool(args: argparse.Namespace, sources: list | None, count: int) -> list[Path]:
    """``count`` folders of new series (made once per workdir and harvested again by each run, since every run
    starts from a copy of the base catalog)."""
    from dicom_series import make_folder, read_sources, source_files

    folders = []
    for n in range(count):
        folder = args.workdir / f"new-{args.series}x{args.files_per_series}-{n:03d}"
        if not folder.exists():
            if sources is None:
                sources = read_sources(source_files(args.dicom))
            print(f"  making {folder.name} ({args.series} series) ...", flush=True)
            make_folder(folder, sources, args.series, args.files_per_series, n)
        folders.append(folder)
    return folders


def dicom_writer(args: argparse.Namespace) -> None:
    """Harvest the pool's folders in turn, each as a new dataset, with `medal harvest` as an operator runs it."""
    run = args.writer
    url = f"sqlite:///{run / 'catalog.db'}"
    folders = pool(args, None, args.folders)
    round_ = 0
    while True:
        if round_ == len(folders):
            os.nice(19)  # a folder more than the pool holds: made at the lowest priority, and said so
            print(json.dumps({"making": round_}), flush=True)
            folders = pool(args, None, round_ + 1)
        folder = folders[round_]
        round_ += 1
        start = time.perf_counter()
        done = subprocess.run(
            [
                medal_binary(args.medal),
                "harvest",
                str(folder),
                "--dataset",
                f"stress-new-{round_}",
                "--catalog",
                url,
                "--out",
                str(run / f"out-{round_}"),
                "--nice",
                str(args.nice),
                "--json",
            ],
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - start
        try:
            series = json.loads(done.stdout).get("series", 0)
        except json.JSONDecodeError:
            series = 0
        print(
            json.dumps(
                {
                    "round": round_,
                    "series": series,
                    "seconds": seconds,
                    "exit": done.returncode,
                    "stderr": done.stderr[-300:] if done.returncode > 1 else "",
                }
            ),
            flush=True,
        )
        time.sleep(args.pause)


async def mixed_client(
    http: httpx.AsyncClient,
    until: float,
    targets: dict[str, list[str]],
    seed: int,
    out: dict[str, list[float]],
    errors: list[str],
) -> None:
    rng = random.Random(seed)
    kinds, weights = zip(*MIX, strict=True)
    async with http:
        n = 0
        while time.perf_counter() < until:
            kind = rng.choices(kinds, weights)[0]
            n += 1
            if kind == "search":
                request = http.get("/api/search", params=rng.choice(DICOM_SEARCHES))
            elif kind == "search+facets":
                request = http.get("/api/search", params=rng.choice(DICOM_FACETED))
            elif kind == "entry GET":
                request = http.get(rng.choice(targets["entries"]))
            elif kind == "Croissant GET":
                request = http.get(rng.choice(targets["croissant"]))
            else:
                body = {**SUBMISSION, "id": f"stress-sub-{seed}-{n}-{time.time_ns() % 10**9}"}
                request = http.post("/api/submissions", json=body)
            start = time.perf_counter()
            try:
                response = await request
                if response.status_code >= 300:
                    errors.append(f"{kind}: {response.status_code} {response.text[:200]}")
            except httpx.HTTPError as err:
                errors.append(f"{kind}: {err!r}")
            out.setdefault(kind, []).append((time.perf_counter() - start) * 1000)


def mixed_phase(
    base: str, token: str, clients: int, seconds: float, targets: dict[str, list[str]], seed: int
) -> tuple[dict[str, list[float]], list[str]]:
    out: dict[str, list[float]] = {}
    errors: list[str] = []

    async def run() -> None:
        https = http_clients(base, token, clients)
        until = time.perf_counter() + seconds
        await asyncio.gather(
            *(mixed_client(http, until, targets, seed + i, out, errors) for i, http in enumerate(https))
        )

    asyncio.run(run())
    return out, errors


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    if len(samples) < 2:
        value = samples[0] if samples else float("nan")
        return value, value, value
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return q[49], q[94], q[98]


def report(quiet: dict[str, list[float]], busy: dict[str, list[float]], seconds: float) -> tuple[float, float]:
    """Print p50/p95/p99 per request kind and for all requests, both phases and their ratio; the two p99s (ms)."""
    print(
        f"  {'request kind':<15} {'phase':<16} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'max ms':>8}"
    )
    rows = [(kind, quiet.get(kind, []), busy.get(kind, [])) for kind, _ in MIX]
    rows.append(("all", [x for v in quiet.values() for x in v], [x for v in busy.values() for x in v]))
    p99s = (0.0, 0.0)
    for kind, a, b in rows:
        figures = []
        for phase_name, samples in (("quiet", a), ("during harvests", b)):
            p50, p95, p99 = percentiles(samples)
            figures.append((p50, p95, p99))
            print(
                f"  {kind:<15} {phase_name:<16} {len(samples):>8} {len(samples) / seconds:>7.1f} {p50:>8.1f} "
                f"{p95:>8.1f} {p99:>8.1f} {max(samples, default=float('nan')):>8.1f}"
            )
        ratios = [b_ / a_ if a_ else float("nan") for a_, b_ in zip(figures[0], figures[1], strict=True)]
        print(f"  {kind:<15} {'ratio':<16} {'':>8} {'':>7} {ratios[0]:>7.2f}x {ratios[1]:>7.2f}x {ratios[2]:>7.2f}x")
        if kind == "all":
            p99s = (figures[0][2], figures[1][2])
    return p99s


def time_harvests(args: argparse.Namespace, base: Path, folder: Path) -> dict[str, list[float]]:
    """Seconds of one harvest of ``folder`` into a fresh copy of the base catalog, nothing else running, with this
    checkout's medal and ``--reference-medal`` in turn (``--harvest-rounds`` each)."""
    times: dict[str, list[float]] = {"this": [], "reference": []}
    for round_ in range(args.harvest_rounds):
        for name, medal in (("reference", args.reference_medal), ("this", args.medal)):
            run = args.workdir / f"timing-{name}"
            shutil.rmtree(run, ignore_errors=True)
            run.mkdir()
            shutil.copy(base, run / "catalog.db")
            start = time.perf_counter()
            subprocess.run(
                [
                    medal_binary(medal),
                    "harvest",
                    str(folder),
                    "--dataset",
                    "stress-timing",
                    "--catalog",
                    f"sqlite:///{run / 'catalog.db'}",
                    "--out",
                    str(run / "out"),
                    "--nice",
                    str(args.nice),
                    "--json",
                ],
                check=False,
                stdout=subprocess.DEVNULL,
            )
            times[name].append(time.perf_counter() - start)
            shutil.rmtree(run)
        print(
            f"  harvest timing round {round_ + 1}: this {times['this'][-1]:.2f} s, reference "
            f"{times['reference'][-1]:.2f} s; machine: {load()}",
            flush=True,
        )
    return times


def dicom_main(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from dicom_series import read_sources, source_files

    from medal_catalog.api.tokens import create_token
    from medal_catalog.store import open_store

    args.workdir.mkdir(parents=True, exist_ok=True)
    sources = None
    if not (args.workdir / "base.db").exists():
        sources = read_sources(source_files(args.dicom))
    base = dicom_base(args, sources or [])
    folders = pool(args, sources, args.folders)
    run = args.workdir / "run"
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir()
    db = run / "catalog.db"
    shutil.copy(base, db)
    store = open_store(f"sqlite:///{db}")
    token = create_token(store, f"stress{time.time_ns() % 10**9}", "admin")
    series = [v.id for _, v in zip(range(3000), store.iter_current(["ImagingSeries"]))]
    datasets = [v.id for v in store.iter_current(["ImagingDataset"])]
    tasks = [v.id for v in store.iter_current(["BenchmarkTask"])]
    store.close()
    small = [d for d in datasets if not d.startswith("stress-")]
    targets = {
        "entries": [f"/api/series/{s}" for s in series]
        + [f"/api/datasets/{d}" for d in datasets]
        + [f"/api/tasks/{t}" for t in tasks],
        "croissant": [f"/api/tasks/{t}/croissant" for t in tasks] + [f"/api/datasets/{d}/croissant" for d in small],
    }
    port = free_port()
    server = subprocess.Popen(
        [medal_binary(args.medal), "serve", "--port", str(port), "--catalog", f"sqlite:///{db}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    write_log = run / "writer.log"
    try:
        wait_for(base_url)
        # Warm-up: the campaign plots the server draws in the background at start (or this request draws them),
        # then the column view, the common words' matches and each path's first imports.
        httpx.get(f"{base_url}/campaign", timeout=120)
        mixed_phase(base_url, token, 4, 5, targets, 10_000)
        print(
            f"{args.clients} clients x {args.duration:.0f} s per phase, mix "
            f"{', '.join(f'{k} {w:.0%}' for k, w in MIX)}; harvests of {args.series} new series "
            f"({args.files_per_series} file each) at --nice {args.nice}"
        )
        print(f"machine before the quiet phase: {load()}")
        spy = profile(args, server.pid, run / "server-quiet.txt")
        started = (process_cpu(server.pid), process_cpu(os.getpid()))  # the server's, the clients'
        with wal_watch(db) as wal_quiet:
            quiet, quiet_errors = mixed_phase(base_url, token, args.clients, args.duration, targets, 0)
        ended = (process_cpu(server.pid), process_cpu(os.getpid()))
        cpu = {"quiet": (ended[0] - started[0], ended[1] - started[1])}
        finish(spy)
        print(f"machine after the quiet phase: {load()}")
        with write_log.open("w") as log:
            writing = subprocess.Popen(
                [
                    sys.executable,
                    __file__,
                    "--writer",
                    str(run),
                    "--workdir",
                    str(args.workdir),
                    "--series",
                    str(args.series),
                    "--files-per-series",
                    str(args.files_per_series),
                    "--folders",
                    str(len(folders)),
                    "--pause",
                    str(args.pause),
                    "--nice",
                    str(args.nice),
                    "--dicom",
                    str(args.dicom),
                    *(["--medal", str(args.medal)] if args.medal else []),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                busy_cpu = cpu_seconds(writing.pid)
                spy = profile(args, server.pid, run / "server-harvests.txt")
                started = (process_cpu(server.pid), process_cpu(os.getpid()))
                with wal_watch(db) as wal_busy:
                    busy, busy_errors = mixed_phase(base_url, token, args.clients, args.duration, targets, 0)
                busy_cpu = cpu_seconds(writing.pid) - busy_cpu  # type: ignore[operator]
                ended = (process_cpu(server.pid), process_cpu(os.getpid()))
                cpu["during harvests"] = (ended[0] - started[0], ended[1] - started[1])
                finish(spy)
            finally:
                os.killpg(writing.pid, signal.SIGTERM)  # the loop and the harvest it is running
                writing.wait(timeout=30)
        print(f"machine after the harvest phase: {load()}")
        rounds = [json.loads(line) for line in write_log.read_text().splitlines() if line.startswith('{"round"')]
        made = write_log.read_text().count('"making"')
        print()
        p99_quiet, p99_busy = report(quiet, busy, args.duration)
        for name, errors in (("quiet", quiet_errors), ("during harvests", busy_errors)):
            print(f"  errors {name}: {len(errors)}" + "".join(f"\n    {e}" for e in errors[:3]))
        harvest_seconds = [r["seconds"] for r in rounds]
        failed = [r for r in rounds if r["exit"] > 1]
        print(
            f"  harvests finished during the phase: {len(rounds)} ({sum(r['series'] for r in rounds)} series), "
            f"median {statistics.median(harvest_seconds) if rounds else float('nan'):.2f} s each, "
            f"{len(failed)} failed"
            + (f" (made {made} folder(s) beyond the pool, at nice 19: raise --folders)" if made else "")
        )
        if busy_cpu is not None:
            print(
                f"  CPU of the harvests during the phase: {busy_cpu:.1f} s of {args.duration * os.cpu_count():.0f} "
                f"core-seconds ({busy_cpu / args.duration / os.cpu_count():.0%} of the machine)"
            )
        for r in failed[:3]:
            print(f"    harvest {r['round']} exit {r['exit']}: {r['stderr']}")
        for name, (served, clients) in cpu.items():
            print(
                f"  CPU {name}: the server {served:.1f} s ({served / args.duration:.0%} of one core), the clients "
                f"{clients:.1f} s ({clients / args.duration:.0%} of one core)"
            )
        print(
            f"  SQLite WAL (catalog.db-wal), largest seen: {max(wal_quiet, default=0) / 2**20:.1f} MB quiet, "
            f"{max(wal_busy, default=0) / 2**20:.1f} MB during harvests (sampled every 0.2 s)"
        )
    finally:
        server.terminate()
        server.wait(timeout=20)
    ratio = p99_busy / p99_quiet
    errors = len(quiet_errors) + len(busy_errors) + len(failed)
    verdict = [
        f"p99 during harvests / quiet p99 = {ratio:.2f}x (goal <= 2x: {'met' if ratio <= 2 else 'NOT met'})",
        f"quiet p99 = {p99_quiet / 1000:.2f} s (goal < 0.5 s: {'met' if p99_quiet < 500 else 'NOT met'})",
        f"errors = {errors} (goal 0: {'met' if errors == 0 else 'NOT met'})",
    ]
    if args.reference_medal:
        times = time_harvests(args, base, folders[0])
        slower = statistics.median(times["this"]) / statistics.median(times["reference"])
        verdict.append(
            f"harvest time / reference = {slower:.2f}x (medians of {args.harvest_rounds}; goal <= 1.2x: "
            f"{'met' if slower <= 1.2 else 'NOT met'})"
        )
    else:
        verdict.append("harvest speed: not compared (pass --reference-medal /path/to/main/.venv/bin/medal)")
    print(f"machine at the end: {load()}")
    print("GOALS: " + "; ".join(verdict))


def stat_fields(pid: int | str) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (fields[0] is the state), or None (gone, no /proc)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def process_cpu(pid: int) -> float:
    """User + system CPU seconds so far of one process (all its threads), from /proc; 0.0 elsewhere."""
    fields = stat_fields(pid)
    return sum(int(x) for x in fields[11:13]) / os.sysconf("SC_CLK_TCK") if fields else 0.0


def cpu_seconds(group: int) -> float | None:
    """User + system CPU seconds so far of the processes in a process group, with their waited-for children's
    (a finished harvest's readers count through it, and it through the writer loop), from /proc; None elsewhere."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return None
    for pid in pids:
        fields = stat_fields(pid)
        if (
            fields is not None and int(fields[2]) == group
        ):  # fields[0] is the state: pgrp is the 5th field of stat, 3rd after ")"
            total += sum(int(x) for x in fields[11:15]) / tick
    return total


@contextmanager
def wal_watch(db: Path) -> Iterator[list[int]]:
    """Sizes of the catalog's write-ahead log, sampled in a thread while the block runs."""
    sizes: list[int] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            try:
                sizes.append(db.with_name(db.name + "-wal").stat().st_size)
            except OSError:
                pass

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    try:
        yield sizes
    finally:
        done.set()
        watcher.join()


def profile(args: argparse.Namespace, pid: int, out: Path) -> subprocess.Popen | None:
    """py-spy sampling the server for one phase, if asked for: the thread holding the GIL only, so that the
    samples say where the server's CPU goes rather than where its threads wait."""
    if not args.py_spy:
        return None
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    return subprocess.Popen(
        [
            spy,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(int(args.duration)),
            "--format",
            "raw",
            "--threads",
            "--gil",
            "--rate",
            "50",
            "--output",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=out.with_suffix(".log").open("w"),
    )


def finish(spy: subprocess.Popen | None) -> None:
    if spy is not None and spy.wait(timeout=60) != 0:
        print(f"  py-spy failed (exit {spy.returncode}): see {spy.args[-1]}.log")


def wait_for(base: str) -> None:
    for _ in range(300):
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server at {base} did not start")


def main() -> None:
    from dicom_series import DEFAULT_SOURCE

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", choices=("dicom", "idc"), default="dicom")
    parser.add_argument("--clients", type=int, help="Concurrent HTTP clients (default: 50 dicom, 20 idc).")
    parser.add_argument(
        "--duration",
        "--seconds",
        dest="duration",
        type=float,
        default=60.0,
        help="Length of each phase, in seconds (default 60).",
    )
    parser.add_argument("--series", type=int, default=1200, help="dicom: new series per harvest (one folder).")
    parser.add_argument("--files-per-series", type=int, default=1, help="dicom: files in each new series.")
    parser.add_argument("--base-series", type=int, default=3600, help="dicom: series in the base catalog.")
    parser.add_argument(
        "--folders",
        type=int,
        help="dicom: folders of new series made up front (default: enough "
        "for one harvest every 2.5 s of the phase; a harvest takes about 3 s on an idle 2-core "
        "machine, and one beyond the pool is made during the phase, at nice 19, and reported).",
    )
    parser.add_argument("--nice", type=int, default=10, help="dicom: `medal harvest --nice`.")
    parser.add_argument("--dicom", type=Path, default=DEFAULT_SOURCE, help="dicom: the real series to copy.")
    parser.add_argument(
        "--medal",
        type=Path,
        help="The medal command to serve and harvest with (default: this checkout's, beside this Python).",
    )
    parser.add_argument(
        "--reference-medal",
        type=Path,
        help="dicom: also time harvests of one folder alone with "
        "this medal (e.g. main's) against --medal, and say whether the harvest is within 1.2x.",
    )
    parser.add_argument("--harvest-rounds", type=int, default=3, help="dicom: rounds of that timing.")
    parser.add_argument("--sample", type=int, default=20, help="idc: every N-th series of the IDC index.")
    parser.add_argument("--batch", type=int, default=3000, help="idc: about this many series changed per harvest.")
    parser.add_argument("--pause", type=float, default=0.5, help="Seconds between two harvests.")
    parser.add_argument(
        "--workdir",
        type=Path,
        help="Where catalogs and folders are made and kept between runs (default: /tmp/medal-stress-<scenario>).",
    )
    parser.add_argument(
        "--py-spy",
        dest="py_spy",
        action="store_true",
        help="dicom: profile the server in each "
        "phase with py-spy (on PATH or beside this Python), collapsed stacks into --workdir/run/.",
    )
    parser.add_argument("--writer", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.workdir = args.workdir or Path(f"/tmp/medal-stress-{'writes' if args.scenario == 'idc' else 'dicom'}")
    args.clients = args.clients or (50 if args.scenario == "dicom" else 20)
    args.folders = args.folders or max(3, int(args.duration / 2.5) + 1)
    args.seconds = args.duration
    if args.scenario == "dicom":
        if args.writer:
            dicom_writer(args)
        else:
            dicom_main(args)
        return
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
    server = subprocess.Popen(
        [str(MEDAL), "serve", "--port", str(port), "--catalog", f"sqlite:///{db}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
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
            writing = subprocess.Popen(
                [
                    sys.executable,
                    __file__,
                    "--scenario",
                    "idc",
                    "--writer",
                    str(db),
                    "--batch",
                    str(args.batch),
                    "--pause",
                    str(args.pause),
                    "--workdir",
                    str(args.workdir),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
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
