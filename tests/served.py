"""`medal serve` on a free port over a catalog file, for tests that need a real HTTP server (mlcroissant, httpx)."""

from __future__ import annotations

import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def medal_server(db: Path, cwd: Path, **env: str) -> Iterator[str]:
    """Run `medal serve` over the SQLite catalog ``db`` (extra MEDAL_* settings in ``env``); yields its base URL
    once /api/health answers, and stops it afterwards."""
    with medal_serve_process(cwd, {"MEDAL_CATALOG": f"sqlite:///{db}", **env}) as (base, _):
        yield base


@contextmanager
def medal_serve_process(
    cwd: Path, env: dict[str, str], args: tuple[str, ...] = ()
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run `medal serve` (extra CLI ``args``, MEDAL_* settings in ``env``); yields its base URL once /api/health
    answers, and the process, and stops it afterwards.

    The server binds a port the system chooses (``--port 0``) and the URL is read from its own log: a port picked
    here and bound there could be taken in between by another server on a shared machine, whose answers would then
    be taken for this one's."""
    medal = Path(sys.executable).with_name("medal")
    process = subprocess.Popen(
        [str(medal), "serve", "--host", "127.0.0.1", "--port", "0", *args],
        cwd=cwd,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    log: list[str] = []
    process.log = log  # type: ignore[attr-defined]  # for a test's failure message
    found: queue.Queue[str] = queue.Queue()

    def drain() -> None:  # keeps the pipe from filling, and finds the address uvicorn reports
        for line in process.stderr:
            log.append(line)
            match = re.search(r"running on (http://127\.0\.0\.1:\d+)", line)
            if match:
                found.put(match.group(1))

    threading.Thread(target=drain, daemon=True).start()
    try:
        # Generous: on a loaded shared machine a start has taken over 20 s.
        deadline = time.monotonic() + 60
        try:
            base = found.get(timeout=60)
        except queue.Empty:
            process.kill()
            raise RuntimeError(f"medal serve did not start: {''.join(log)[-2000:]}") from None
        while True:
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"medal serve did not answer: {''.join(log)[-2000:]}")
            time.sleep(0.1)
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=10)
