#!/usr/bin/env python3
"""Process start-up of `medal --help` and `medal validate FILE` against a bare interpreter (issue 29).

    .venv/bin/python benchmarks/startup.py [FILE] [--rounds 7]

Each round runs, in turn, `python -c pass` (the reference), `medal --help` and `medal validate FILE` (a real GE MR
file by default) and times each to its exit (the first line of output comes just before); prints the medians
(goal < 300 ms), their ratios to the bare interpreter, and the CPU each used (user + system, which the load of a
shared machine inflates less than wall time), with the machine's load. Run `python -X importtime -m medal_catalog
validate FILE` to see what each import costs.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

DEFAULT_FILE = Path("/work/shared/data/dicom/ge/01_Ax_DWI_TENSOR_R2/i22.MRDC.1")


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``command`` (output discarded)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    python = sys.executable
    commands = {
        "python -c pass": [python, "-c", "pass"],
        "medal --help": [python, "-m", "medal_catalog", "--help"],
        "medal validate FILE": [python, "-m", "medal_catalog", "validate", str(args.file)],
    }
    print(f"load before: {os.getloadavg()[0]:.2f} (1-min average, {os.cpu_count()} cores)")
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.rounds):
        for name, command in commands.items():
            wall, cpu = timed(command)
            walls[name].append(wall)
            cpus[name].append(cpu)
    base_wall, base_cpu = statistics.median(walls["python -c pass"]), statistics.median(cpus["python -c pass"])
    print(f"rounds: {args.rounds} (medians)")
    for name in commands:
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        goal = "" if name.startswith("python") else f"  (goal < 300 ms: {'met' if wall < 0.3 else 'NOT met'})"
        print(
            f"{name:22s} wall {wall * 1000:6.0f} ms ({wall / base_wall:4.1f}x bare python)  "
            f"cpu {cpu * 1000:6.0f} ms ({cpu / base_cpu:4.1f}x){goal}"
        )
    print(f"load after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
