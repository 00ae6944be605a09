#!/usr/bin/env python3
"""Re-harvest of an unchanged DICOM tree against its first harvest, in the same run (issue 29).

    .venv/bin/python benchmarks/reharvest.py /work/shared/data/dicom [--rounds 3]

Each round harvests the tree into a fresh catalog and output folder (`ingest`, as `medal harvest` calls it, the
public index already prepared), then harvests it again unchanged, in process and through the `medal harvest`
command. Prints the medians of the rounds, the re-harvest as a ratio of the first harvest (goal >= 20x) and its
absolute time (goal < 0.5 s for 10k files, plus process start-up, printed apart), with the machine's load.

The command's start-up is what `medal harvest` of an empty folder into the same catalog takes (interpreter,
imports, opening the catalog, writing the outputs). The commands run with their bytecode cached (in a temporary
PYTHONPYCACHEPREFIX, warmed by a first run), as an installed package runs: a machine with PYTHONDONTWRITEBYTECODE
set compiles every module at each start (0.2 s more here).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    from medal_catalog.catalog import Catalog
    from medal_catalog.contamination.index import load_index
    from medal_catalog.dicom import audit as phi
    from medal_catalog.ingestion import ingest

    load_index()  # prepared, as `medal check-public --prepare` leaves it: benchmarks/harvest_dicom.py times a cold one
    print(f"load before: {os.getloadavg()[0]:.2f} (1-min average, {os.cpu_count()} cores)")
    firsts, agains, clis, starts, empties = [], [], [], [], []
    pycache = tempfile.TemporaryDirectory(prefix="medal-bench-pycache-")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = pycache.name
    subprocess.run([sys.executable, "-m", "medal_catalog", "--help"], stdout=subprocess.DEVNULL, check=True, env=env)
    files = 0
    for _ in range(args.rounds):
        phi._MEMO.clear()  # every first harvest starts cold
        phi._TOKEN_MEMO.clear()
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/catalog.db"
            out = Path(tmp) / "out"
            with Catalog.open(url) as catalog:
                start = time.perf_counter()
                first = ingest(args.paths, catalog, dataset_id="benchmark", out_dir=out, jobs=args.jobs)[0]
                firsts.append(time.perf_counter() - start)
                files = first.summary["files_seen"]
                start = time.perf_counter()
                again = ingest(args.paths, catalog, dataset_id="benchmark", out_dir=out, jobs=args.jobs)[0]
                agains.append(time.perf_counter() - start)
                assert again.summary["read_now"] == 0 and again.summary["catalog"]["changed"] == 0, again.summary
            command = [
                sys.executable,
                "-m",
                "medal_catalog",
                "harvest",
                *args.paths,
                "--dataset",
                "benchmark",
                "--out",
                str(out),
                "--catalog",
                url,
                "--json",
            ]
            empty = Path(tmp) / "empty"
            empty.mkdir()
            nothing = [*command[:4], str(empty), "--dataset", "empty", "--out", str(Path(tmp) / "out-empty")]
            nothing += ["--catalog", url, "--json"]  # its own --out: a folder holds one dataset's outputs
            subprocess.run(nothing, stdout=subprocess.DEVNULL, check=True, env=env)  # its modules compiled once
            start = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, check=True, env=env)
            clis.append(time.perf_counter() - start)
            start = time.perf_counter()
            subprocess.run(nothing, stdout=subprocess.DEVNULL, check=True, env=env)
            empties.append(time.perf_counter() - start)
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "medal_catalog", "--version"], stdout=subprocess.DEVNULL, check=True, env=env
            )
            starts.append(time.perf_counter() - start)
    pycache.cleanup()
    first, again, cli, started, empty_run = (statistics.median(x) for x in (firsts, agains, clis, starts, empties))
    print(f"files: {files}; rounds: {args.rounds} (medians; first harvest, re-harvest alternate)")
    print(f"first harvest (in process):      {first:8.3f} s   [{', '.join(f'{t:.3f}' for t in firsts)}]")
    print(f"re-harvest, unchanged:           {again:8.3f} s   [{', '.join(f'{t:.3f}' for t in agains)}]")
    print(f"ratio first / re-harvest:        {first / again:8.1f}x  (goal >= 20x)")
    print(f"re-harvest per 10k files:        {again * 10_000 / files:8.3f} s  (goal < 0.5 s, plus start-up)")
    print(
        f"`medal harvest` re-harvest, end to end: {cli:.3f} s; the command's start-up (an empty folder) {empty_run:.3f} s"
        f" (`medal --version`: {started:.3f} s); beyond start-up {cli - empty_run:.3f} s"
        f" = {(cli - empty_run) * 10_000 / files:.3f} s per 10k files (goal < 0.5 s)"
    )
    print(f"load after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
