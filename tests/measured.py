"""Run a command and measure it: exit code, stdout, seconds and peak RSS.

A child's ru_maxrss starts at its parent's RSS at fork time (Linux keeps the high-water mark across execve), so a
command forked straight from pytest (which may hold the public index or a catalog by then) reports pytest's size.
The command is forked from a small launcher process instead, which reports the command's own peak.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

_LAUNCHER = (
    "import os, subprocess, sys\n"
    "p = subprocess.Popen(sys.argv[1:], stderr=subprocess.DEVNULL)\n"
    "_, status, usage = os.wait4(p.pid, 0)\n"
    "print(os.waitstatus_to_exitcode(status), usage.ru_maxrss, file=sys.stderr)\n"
)


def run_measured(args: list[str], cwd: Path) -> tuple[int, str, float, float]:
    """Run ``args`` in ``cwd``: its exit code, stdout, seconds and peak RSS in MB (its children's included when it
    waited for them)."""
    started = time.monotonic()
    process = subprocess.run([sys.executable, "-c", _LAUNCHER, *args], cwd=cwd, capture_output=True)
    code, rss_kb = (int(x) for x in process.stderr.decode().split()[-2:])
    return code, process.stdout.decode(), time.monotonic() - started, rss_kb / 1024
