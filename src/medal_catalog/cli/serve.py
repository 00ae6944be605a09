"""`medal serve`: the HTTP API and the web pages under uvicorn."""

from __future__ import annotations

import os
import socket
import sys
import zlib

import click

from medal_catalog.affinity import pin
from medal_catalog.cli.options import catalog_option, index_option, reports_errors

#: Seconds a thread may hold the GIL while others wait for it (Python's default: 0.005).
SWITCH_INTERVAL = 0.001


@click.command()
@catalog_option
@index_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="API worker processes. More than one needs a store and an index that several processes may "
    "write at once: PostgreSQL (postgresql://) and Elasticsearch (elasticsearch://); the SQLite "
    "store and its FTS5 index serve from one process.",
)
@click.option(
    "--cpu",
    default="auto",
    show_default=True,
    metavar="auto|N|all",
    help="The CPU one server process runs on: auto (one of those it may use, when it may use several, chosen by "
    "host name and process id so that two servers on one machine seldom share one), a CPU number, or all (not "
    "pinned). "
    "Python runs one thread at a time in a process; pinned, its request threads hand that turn to each other on "
    "one core instead of waking another: twice the requests per second under 50 clients on 2 cores "
    "(docs/performance.md). With --workers above 1, auto pins nothing.",
)
@reports_errors("serve")
def serve(catalog_url: str | None, index_url: str | None, host: str, port: int, workers: int, cpu: str) -> None:
    """Serve the catalog over HTTP: web pages at / (search, landing pages, the panel's desk, /campaign), the API
    under /api (OpenAPI at /api/openapi.json, docs at /api/docs) and resolvable identifiers under /id.

    Other settings come from the environment: MEDAL_CORS_ORIGINS (JSON list), MEDAL_MAX_BODY_BYTES,
    MEDAL_BASE_URL, MEDAL_SMALL_CELL_THRESHOLD. Anonymous callers see accepted entries only; tokens from `medal token create` give the
    contributor, reviewer and admin roles.
    """
    # Imported here, not at the top: `medal serve --help` would pay about 350 ms more CPU for them (measured on
    # 2 cores; the group already loads this module only when its command runs: cli/lazy.py).
    import uvicorn

    from medal_catalog.config import get_settings

    # Workers are separate processes that build the app from the environment; so does this one.
    if catalog_url:
        os.environ["MEDAL_CATALOG"] = catalog_url
    if index_url:
        os.environ["MEDAL_INDEX"] = index_url
    get_settings.cache_clear()
    from medal_catalog.catalog import Catalog

    settings = get_settings()
    if workers > 1:
        refuse_workers(workers, settings.catalog, settings.index)
    pinned = chosen_cpu(cpu, workers)
    # Fail here, with a one-line error and the exit code, rather than in the first request.
    Catalog.open(settings=settings).close()
    if pinned is not None:  # every thread so far (numpy's start at import), and those the server starts
        pin(pinned)
        click.echo(f"serving from CPU {pinned} (--cpu all: not pinned)", err=True)
    # A request thread that leaves the GIL for a SQLite statement waits up to one switch interval per runnable
    # thread to have it back: with 50 clients, 5 ms (the default) made a search's catch-up after a harvest (tens of
    # statements) take seconds, every other search waiting behind it (issue 32, docs/performance.md).
    sys.setswitchinterval(SWITCH_INTERVAL)
    uvicorn.run(
        "medal_catalog.api.app:from_environment", factory=True, host=host, port=port, workers=workers, log_level="info"
    )


def chosen_cpu(choice: str, workers: int) -> int | None:
    """The CPU ``--cpu`` pins the server process (and the threads it starts) to, or None when it is not pinned
    (``all``, several workers with ``auto``, one CPU allowed, or a system without affinities); a UsageError for a
    CPU this process may not use.

    Measured (issue 32, 50 clients on 2 cores): the server at 100% of a core answered 190-205 requests/s with its
    threads free to move, 387/s pinned, for the same CPU time: a thread handing the GIL to one waiting on the other
    core wakes that core, and on a virtual machine such a wake-up costs more than most requests' Python."""
    from medal_catalog.errors import UsageError

    if choice in ("all", "auto"):
        chosen = None
    else:
        try:
            chosen = int(choice)
        except ValueError:
            raise UsageError(f"--cpu {choice!r}: give auto, all or a CPU number") from None
        if workers > 1:
            raise UsageError("--cpu N pins one process: with --workers above 1, use --cpu auto or all")
    if choice == "all":
        return None
    if not hasattr(os, "sched_setaffinity"):
        if chosen is not None:
            click.echo(f"--cpu {chosen}: this system does not pin processes to CPUs; serving unpinned", err=True)
        return None
    allowed = sorted(os.sched_getaffinity(0))
    if chosen is None:  # auto
        if workers > 1 or len(allowed) < 2:
            return None
        # Spread by host and process: two servers on one machine (or containers, often all PID 1) seldom share one.
        return allowed[zlib.crc32(f"{socket.gethostname()}:{os.getpid()}".encode()) % len(allowed)]
    if chosen not in allowed:
        raise UsageError(f"--cpu {chosen}: this process may use CPUs {allowed}")
    return chosen


def refuse_workers(workers: int, catalog_url: str, index_url: str | None) -> None:
    """Refuse ``--workers N`` (N > 1) over what several processes cannot share safely: a SQLite store (one
    writer at a time, and per-process caches of what the API has checked) or the FTS5 index (each process would
    hold its own column view of one file written by all of them)."""
    from medal_catalog.errors import UsageError

    problems = []
    if not catalog_url.startswith(("postgresql", "postgres")):
        problems.append(f"the store {catalog_url} is not PostgreSQL")
    index = index_url or (catalog_url if catalog_url.startswith("sqlite") else "")
    if not index.startswith(("elasticsearch", "http://", "https://")):
        problems.append(f"the index {index or '(none)'} is not Elasticsearch")
    if problems:
        raise UsageError(
            f"--workers {workers} needs PostgreSQL and Elasticsearch: {'; '.join(problems)}. Serve "
            "with --workers 1 (one process answers many requests at once), or move the catalog to "
            "--catalog postgresql://user@host/db --index elasticsearch://host:9200/medal "
            "(docs/deployment.md)."
        )
