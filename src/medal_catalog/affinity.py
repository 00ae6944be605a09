"""The server's one CPU, and the wider set for the work it forks (issue 32).

`medal serve` runs its one process on one CPU (``--cpu``): Python runs one thread at a time, and threads handing
that turn to each other on one core answer twice the requests of threads spread over two (docs/performance.md).
Work it forks to run in parallel (the metadata checks of a large submission, a harvest's readers) goes back to the
CPUs the process had before (:func:`widen`), and counts them (:func:`usable_cpus`).
"""

from __future__ import annotations

import os

#: The CPUs this process had before :func:`pin`, or None when it was not pinned.
_wider: frozenset[int] | None = None


def pin(cpu: int) -> None:
    """Run every thread of this process, and those it starts from now on, on ``cpu``; remember the CPUs it had."""
    global _wider
    _wider = frozenset(os.sched_getaffinity(0))
    try:
        threads = [int(tid) for tid in os.listdir("/proc/self/task")]
    except OSError:  # no /proc: the calling thread (from which the others start) only
        threads = [0]
    for tid in threads:
        try:
            os.sched_setaffinity(tid, {cpu})
        except OSError:  # a thread that has ended meanwhile
            pass


def widen() -> None:
    """In a child forked for parallel work: back on the CPUs the process had before :func:`pin` (else as it is)."""
    if _wider is not None:
        try:
            os.sched_setaffinity(0, _wider)
        except OSError:  # none of them allowed any more (a cpuset changed since): the child stays on the server's
            pass


def usable_cpus() -> int:
    """How many CPUs parallel work may use: those the process had before :func:`pin`, else those it may use."""
    if _wider is not None:
        return len(_wider)
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
