"""`medal serve` on a free port over a catalog file, for tests that need a real HTTP server (mlcroissant, httpx)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
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
    port = free_port()
    medal = Path(sys.executable).with_name("medal")
    process = subprocess.Popen([str(medal), "serve", "--host", "127.0.0.1", "--port", str(port)], cwd=cwd,
                               env={**os.environ, "MEDAL_CATALOG": f"sqlite:///{db}", **env},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        # Generous: on a loaded shared machine a start has taken over 20 s.
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()  # reading stderr of a server still running would wait for ever
                raise RuntimeError(f"medal serve did not start: {process.stderr.read().decode()[-2000:]}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
