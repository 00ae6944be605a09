#!/usr/bin/env python3
"""Time the catalog's de-identification rewrite (dicom/deidentify.served_copy: rewrite + audit again) against the
header-only harvest of the same files, i.e. what keeping an open dataset's DICOM costs on top of harvesting it.

    python benchmarks/deidentify.py /work/shared/data/dicom [--repeat 3] [--limit N]

Prints files/s and MB/s of the harvest (one process, full audit) and of the rewrite, and their ratio. Each figure
is the best of --repeat runs (the machine is shared). Files are read once beforehand to warm the page cache.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=int, default=0, help="at most this many files (0: all)")
    args = parser.parse_args()
    from medal_catalog.dicom.deidentify import Deidentifier, dataset_key, plan, served_copy
    from medal_catalog.harvesters.dicom import harvest_dicom, walk

    sources, _ = walk(args.paths)
    files = [s.path for s in sources if s.member is None][: args.limit or None]
    blobs = [Path(f).read_bytes() for f in files]
    size = sum(map(len, blobs)) / 1e6
    harvests, rewrites, kept = [], [], 0
    deid = Deidentifier(dataset_key("benchmark"), plan({"profile_options": ["retain_longitudinal_modified_dates"]}))
    warnings.simplefilter("ignore")  # pydicom warns about vendor values longer than their VR allows
    for _ in range(args.repeat):
        start = time.perf_counter()
        harvest_dicom(files, "benchmark", jobs=1)
        harvests.append(time.perf_counter() - start)
        start = time.perf_counter()
        kept = sum(served_copy(b, f"s/{i:05d}.dcm", deid, "NO")[0] is not None for i, b in enumerate(blobs))
        rewrites.append(time.perf_counter() - start)
    h, r = min(harvests), min(rewrites)
    print(f"{len(files)} files, {size:.1f} MB")
    print(f"harvest (headers, audit, 1 process): {len(files) / h:8.0f} files/s  {size / h:7.1f} MB/s")
    print(f"rewrite + audit again (1 process):   {len(files) / r:8.0f} files/s  {size / r:7.1f} MB/s  "
          f"({kept} kept)")
    print(f"rewrite costs {r / h:.1f}x the harvest")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
