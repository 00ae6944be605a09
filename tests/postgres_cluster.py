"""A throw-away PostgreSQL cluster for the tests: initdb into a temporary folder, postgres on a free port of
127.0.0.1, stopped (and its folder removed) at the end. As root (CI), initdb and postgres run as ``nobody`` through
runuser (PostgreSQL refuses to run as root). MEDAL_TEST_POSTGRESQL_URL (a server someone else runs, any database the
user may CREATE DATABASE from) is used instead when set.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ENV_URL = "MEDAL_TEST_POSTGRESQL_URL"


def server_binaries() -> Path | None:
    """The newest installed PostgreSQL bin folder holding initdb and pg_ctl, if any."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def why_unavailable() -> str | None:
    """None when a cluster can be had, else why not (the reason the PostgreSQL tests are skipped)."""
    if os.environ.get(ENV_URL):
        return None
    if server_binaries() is None:
        return f"no PostgreSQL server binaries (initdb, pg_ctl): install Debian's postgresql package, or set {ENV_URL}"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_server_user(args: list[str]) -> list[str]:
    return ["runuser", "-u", "nobody", "--", *args] if os.geteuid() == 0 else args


@contextmanager
def cluster(folder: Path) -> Iterator[str]:
    """A running cluster with its data in ``folder``; yields the URL of its ``postgres`` database."""
    if os.environ.get(ENV_URL):
        yield os.environ[ENV_URL]
        return
    bin_dir = server_binaries()
    assert bin_dir is not None, why_unavailable()
    if os.geteuid() == 0:
        # The server runs as nobody, who cannot reach root's pytest folders (0700, and pytest resets them to 0700
        # whenever any session starts): its data goes to a folder of its own in the system temp folder, removed
        # when the cluster stops.
        folder = Path(tempfile.mkdtemp(prefix="medal-test-pg-"))
        os.chmod(folder, 0o700)
        os.chown(folder, 65534, 65534)
    folder.mkdir(parents=True, exist_ok=True)
    data, run = folder / "data", folder / "run"
    run.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        os.chown(run, 65534, 65534)
    subprocess.run(
        _as_server_user(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "medal",
                "--auth=trust",
                "--no-sync",
                "--locale=C",
                "-E",
                "UTF8",
            ]
        ),
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = _free_port()
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {run} -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c max_connections=200"
    )
    subprocess.run(
        _as_server_user(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(folder / "log"),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
        timeout=90,
    )
    try:
        yield f"postgresql://medal@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
            timeout=60,
        )
        if os.geteuid() == 0:
            shutil.rmtree(folder, ignore_errors=True)


def fresh_database(server_url: str) -> str:
    """A new empty database on the server, by URL (each test gets its own)."""
    import psycopg

    name = f"medal_test_{uuid.uuid4().hex[:12]}"
    parts = urlsplit(server_url)
    with psycopg.connect(server_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        for attempt in range(20):
            try:
                conn.execute(f'CREATE DATABASE "{name}"')
                break
            except psycopg.errors.ObjectInUse:  # template busy with another CREATE DATABASE
                time.sleep(0.1 * (attempt + 1))
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))
