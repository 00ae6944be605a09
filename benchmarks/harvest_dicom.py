#!/usr/bin/env python3
"""Time the DICOM harvester (full PHI audit on) against dcmtk's dcmdump over the same files, and a re-harvest.

    python benchmarks/harvest_dicom.py /work/shared/data/dicom [--repeat 3] [--jobs N]

Prints files/s of the harvester and of dcmdump (Debian package dcmtk; one dcmdump process over all files, output
discarded), their ratio (target >= 1.0), and the time of re-harvesting the unchanged tree with its speedup over the
first harvest (target >= 50). Files are read once beforehand so both tools meet a warm page cache; each figure is
the best of --repeat runs, since this machine is shared. The first harvest includes starting the process pool but
not the Python interpreter; the end-to-end `medal harvest` CLI time is printed too.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _dicom_files(paths: list[str]) -> list[str]:
    from medal_catalog.harvesters.dicom import walk

    sources, _ = walk(paths)
    return [s.path for s in sources if s.member is None]


def _time_dcmdump(files: list[str], batch: int = 400) -> float:
    start = time.perf_counter()
    for i in range(0, len(files), batch):
        subprocess.run(["dcmdump", *files[i:i + batch]], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None, help="reader processes (default: all cores)")
    args = parser.parse_args()
    if not shutil.which("dcmdump"):
        print("dcmdump not found: apt-get install dcmtk", file=sys.stderr)
        return 2
    from medal_catalog.harvesters.dicom import harvest_dicom

    files = _dicom_files(args.paths)
    for path in files:  # warm the page cache for both tools
        with open(path, "rb") as fh:
            while fh.read(1 << 20):
                pass
    firsts, agains, dumps = [], [], []
    from medal_catalog.dicom import audit as phi

    for _ in range(args.repeat):
        phi._MEMO.clear()  # every first harvest starts cold: the audit memo must not carry over between repeats
        phi._TOKEN_MEMO.clear()
        with tempfile.TemporaryDirectory() as tmp:
            cache = Path(tmp) / "cache.json"
            start = time.perf_counter()
            result = harvest_dicom(args.paths, "benchmark", cache_file=cache, jobs=args.jobs)
            firsts.append(time.perf_counter() - start)
            for _ in range(5):
                start = time.perf_counter()
                again = harvest_dicom(args.paths, "benchmark", cache_file=cache, jobs=args.jobs)
                agains.append(time.perf_counter() - start)
            assert again.summary["read_now"] == 0
        dumps.append(_time_dcmdump(files))
    with tempfile.TemporaryDirectory() as tmp:
        cli = [sys.executable, "-m", "medal_catalog", "harvest", *args.paths, "--dataset", "benchmark",
               "--out", tmp, "--no-cache"]
        start = time.perf_counter()
        subprocess.run(cli, stdout=subprocess.DEVNULL, check=False)
        cli_seconds = time.perf_counter() - start

    n = len(files)
    first, again, dump = min(firsts), statistics.median(agains), min(dumps)
    summary = result.summary
    print(f"files: {n} on disk ({summary['dicom_read']} DICOM harvested, {summary['skipped']} skipped), "
          f"{summary['bytes'] / 1e6:.1f} MB, {summary['series']} series; cores: {os.cpu_count()}")
    print(f"harvester (header-only, full PHI audit): {first:7.3f} s  {n / first:8.0f} files/s   "
          f"[runs: {', '.join(f'{t:.3f}' for t in firsts)}]")
    print(f"dcmdump (dcmtk, one process):            {dump:7.3f} s  {n / dump:8.0f} files/s   "
          f"[runs: {', '.join(f'{t:.3f}' for t in dumps)}]")
    print(f"ratio harvester / dcmdump: {dump / first:.2f}x  (target >= 1.0)")
    print(f"re-harvest of the unchanged tree: {again * 1000:.1f} ms (median of {len(agains)})  "
          f"speedup {first / again:.0f}x  (target >= 50)")
    print(f"end to end `medal harvest --no-cache` incl. interpreter start and writing outputs: {cli_seconds:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
