#!/usr/bin/env python3
"""Benchmark the HTTP API under uvicorn against a bare FastAPI endpoint returning a fixed JSON, in the same run.

The catalog is the bundled examples harvested by `medal harvest`, with one task accepted so that anonymous
callers see it. Both servers run as single uvicorn processes without access logs; one client process loads each
with ``--concurrency`` requests in flight for ``--seconds``, and the script prints req/s and p99 latency for
the bare endpoint, an entry GET as JSON and as JSON-LD, and a search, with each ratio to the bare endpoint.
Targets (issue 6): entry GET >= 50% of bare, search >= 25%.

    .venv/bin/python benchmarks/api.py [--seconds 5] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TASK = "ct-lung-nodule-malignancy"
BARE_APP = """
from fastapi import FastAPI
app = FastAPI()
DOCUMENT = {"kind": "BenchmarkTask", "id": "bare", "version": 1, "document": {"title": "A fixed answer",
            "modalities": ["CT"], "status": "accepted"}}

@app.get("/bare")
def bare():
    return DOCUMENT
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(args: list[str], cwd: Path, env: dict[str, str], port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            *args,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=cwd,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start")


async def load(url: str, headers: dict[str, str], seconds: float, concurrency: int) -> tuple[float, float]:
    """(requests per second, p99 latency in ms) for GETs of ``url`` with ``concurrency`` in flight."""
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        (await client.get(url, headers=headers)).raise_for_status()
        stop = time.perf_counter() + seconds

        async def worker() -> None:
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                response = await client.get(url, headers=headers)
                latencies.append(time.perf_counter() - t0)
                if response.status_code != 200:
                    raise RuntimeError(f"{url}: {response.status_code}")

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    return len(latencies) / elapsed, latencies[int(0.99 * (len(latencies) - 1))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=16)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="medal-bench-api-") as tmp:
        folder = Path(tmp)
        db = folder / "catalog.db"
        subprocess.run(
            [
                str(BIN / "medal"),
                "harvest",
                *sorted(map(str, (REPO / "examples" / "valid").iterdir())),
                "--catalog",
                f"sqlite:///{db}",
                "--out",
                str(folder / "out"),
            ],
            check=True,
            capture_output=True,
        )
        sys.path.insert(0, str(REPO / "src"))
        from medal_catalog.api.tokens import create_token
        from medal_catalog.store import open_store

        store = open_store(f"sqlite:///{db}")
        admin = create_token(store, "bench", "admin")
        store.close()
        (folder / "bare.py").write_text(BARE_APP, encoding="utf-8")
        env = {**os.environ, "MEDAL_CATALOG": f"sqlite:///{db}"}
        api_port, bare_port = free_port(), free_port()
        servers = [
            start(["medal_catalog.api.app:from_environment", "--factory"], folder, env, api_port),
            start(["bare:app"], folder, env, bare_port),
        ]
        try:
            api = f"http://127.0.0.1:{api_port}"
            httpx.post(
                f"{api}/api/tasks/{TASK}/decision",
                json={"decision": "accept", "reason": "benchmark"},
                headers={"Authorization": f"Bearer {admin}"},
            ).raise_for_status()
            cases = [
                ("bare FastAPI, fixed JSON", f"http://127.0.0.1:{bare_port}/bare", {}),
                ("entry GET, JSON", f"{api}/api/tasks/{TASK}", {}),
                ("entry GET, JSON-LD", f"{api}/api/tasks/{TASK}", {"Accept": "application/ld+json"}),
                ("search q=lung nodule", f"{api}/api/search?q=lung%20nodule", {}),
            ]
            results = []
            for name, url, headers in cases:
                rate, p99 = asyncio.run(load(url, headers, options.seconds, options.concurrency))
                results.append((name, rate, p99))
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=10)
    bare_rate = results[0][1]
    print(
        f"{options.concurrency} in flight, {options.seconds:g} s each, one uvicorn process per server, "
        f"{os.cpu_count()} cores shared with the client"
    )
    print(f"{'case':28} {'req/s':>8} {'p99 ms':>8} {'vs bare':>8}")
    for name, rate, p99 in results:
        print(f"{name:28} {rate:8.0f} {p99:8.1f} {rate / bare_rate:8.0%}")


if __name__ == "__main__":
    main()
