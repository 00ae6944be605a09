#!/usr/bin/env python3
"""Time the DICOM harvester (full PHI audit, pixel digests, public check) against dcmtk's dcmdump over the same
files, on a warm machine (the public-index lookup prepared, as `medal check-public --prepare` does) and on a cold
one (never built: the harvest scans the index's UID columns in a thread while it reads), and a re-harvest of the
unchanged tree.

    python benchmarks/harvest_dicom.py /work/shared/data/dicom [--rounds 3] [--jobs N]

Prints files/s of the harvester and of dcmdump (Debian package dcmtk; dcmdump over all files, 400 a process,
output discarded) and their ratios (goal: >= 2.0 cold and warm, issue 29), and the re-harvest's speedup over the
first harvest (goal >= 20). Files are read once beforehand so all meet a warm page cache; each figure is the
median of --rounds rounds, each round running dcmdump, the warm harvest and the cold one in turn, since this
machine is shared (the load is printed before and after). A harvest includes starting its process pool but not
the Python interpreter.
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
        subprocess.run(
            ["dcmdump", *files[i : i + batch]], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--rounds", "--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None, help="reader processes (default: all cores)")
    args = parser.parse_args()
    if not shutil.which("dcmdump"):
        print("dcmdump not found: apt-get install dcmtk", file=sys.stderr)
        return 2
    from medal_catalog.config import get_settings
    from medal_catalog.contamination import index as ix
    from medal_catalog.dicom import audit as phi
    from medal_catalog.config import Settings
    from medal_catalog.harvesters.dicom import harvest_dicom

    files = _dicom_files(args.paths)
    for path in files:  # warm the page cache for both tools
        with open(path, "rb") as fh:
            while fh.read(1 << 20):
                pass
    warm_cache = tempfile.mkdtemp(prefix="medal-index-warm-")
    print(f"load before: {os.getloadavg()[0]:.2f} (1-min average, {os.cpu_count()} cores)")

    def harvest(index_cache: str, out: Path) -> tuple[float, object]:
        phi._MEMO.clear()  # every first harvest starts cold: the audit memo must not carry over between rounds
        phi._TOKEN_MEMO.clear()
        ix._loaded.clear()  # nor the lookup kept in this process
        os.environ["MEDAL_PUBLIC_INDEX_CACHE"] = index_cache
        get_settings.cache_clear()
        start = time.perf_counter()
        result = harvest_dicom(args.paths, "benchmark", cache_file=out, jobs=args.jobs, settings=Settings())
        return time.perf_counter() - start, result

    ix.load_index(Path(warm_cache))  # what `medal check-public --prepare` does: build the lookup once
    ix._loaded.clear()
    dumps, warms, colds, agains = [], [], [], []
    result = None
    for _ in range(args.rounds):
        dumps.append(_time_dcmdump(files))
        with tempfile.TemporaryDirectory() as tmp:
            seconds, result = harvest(warm_cache, Path(tmp) / "cache.json")
            warms.append(seconds)
            start = time.perf_counter()
            again = harvest_dicom(
                args.paths, "benchmark", cache_file=Path(tmp) / "cache.json", jobs=args.jobs, settings=Settings()
            )
            agains.append(time.perf_counter() - start)
            assert again.summary["read_now"] == 0
            seconds, cold = harvest(str(Path(tmp) / "fresh-index-cache"), Path(tmp) / "cold.json")
            assert cold.summary["contamination"]["public_index"], "the cold harvest made no public check"
            colds.append(seconds)
    shutil.rmtree(warm_cache, ignore_errors=True)
    n = len(files)
    dump, warm, cold, again = (statistics.median(x) for x in (dumps, warms, colds, agains))
    summary = result.summary
    runs = lambda xs: ", ".join(f"{t:.2f}" for t in xs)  # noqa: E731
    print(
        f"files: {n} on disk ({summary['dicom_read']} DICOM harvested, {summary['skipped']} skipped), "
        f"{summary['bytes'] / 1e6:.1f} MB, {summary['series']} series; rounds: {args.rounds} (medians)"
    )
    print(f"dcmdump (dcmtk):                        {dump:7.2f} s {n / dump:7.0f} files/s  [{runs(dumps)}]")
    print(f"harvest, index prepared (warm machine): {warm:7.2f} s {n / warm:7.0f} files/s  [{runs(warms)}]")
    print(f"harvest, index never built (cold):      {cold:7.2f} s {n / cold:7.0f} files/s  [{runs(colds)}]")
    print(
        f"ratio harvest / dcmdump: warm {dump / warm:.2f}x, cold {dump / cold:.2f}x  (goal >= 2.0); median of "
        f"the rounds' own ratios: warm {statistics.median(d / w for d, w in zip(dumps, warms)):.2f}x, cold "
        f"{statistics.median(d / c for d, c in zip(dumps, colds)):.2f}x, cold / warm "
        f"{statistics.median(w / c for w, c in zip(warms, colds)):.2f}"
    )
    print(
        f"re-harvest of the unchanged tree: {again * 1000:.0f} ms, {warm / again:.0f}x faster than the first "
        f"harvest (goal >= 20)"
    )
    print(f"load after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
