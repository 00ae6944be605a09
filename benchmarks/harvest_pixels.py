#!/usr/bin/env python3
"""How much slower a DICOM harvest is with pixel hashing on, against the header-only harvest, in the same run.

    python benchmarks/harvest_pixels.py [/work/shared/data/dicom] [--repeat 5] [--jobs N]

Each round harvests the tree twice without the re-harvest cache, once header-only (pixel_hash=False, the
reference) and once hashing every file's pixel data (blake2b-128 of the Pixel Data bytes, dicom/pixels.py), in
alternating order so that neither meets a warmer machine. The public-index lookup is on in both (it is loaded
before the rounds). Files are read once beforehand, so both meet a warm page cache. Prints files/s, the median
and best of each, and the ratio of medians (target <= 1.5).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=["/work/shared/data/dicom"])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=None, help="reader processes (default: all cores)")
    args = parser.parse_args()
    from medal_catalog.contamination.index import try_load_index
    from medal_catalog.config import Settings
    from medal_catalog.harvesters.dicom import harvest_dicom, walk

    index, missing = try_load_index()
    sources, _ = walk(args.paths)
    size = 0
    for source in sources:
        if source.member is None:
            with open(source.path, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    size += len(chunk)
    times: dict[bool, list[float]] = {False: [], True: []}
    hashed = 0
    for round_no in range(args.repeat):
        for pixel_hash in (False, True) if round_no % 2 == 0 else (True, False):
            clock = time.perf_counter()
            result = harvest_dicom(
                args.paths, "bench-pixels", jobs=args.jobs, pixel_hash=pixel_hash, settings=Settings()
            )
            times[pixel_hash].append(time.perf_counter() - clock)
            if pixel_hash:
                hashed = result.summary["contamination"]["pixel_hashes"]["instances_hashed"]
    files = result.summary["dicom_read"]
    print(
        f"{files} DICOM files, {size / 1e6:.1f} MB, {hashed} pixel digests; jobs={args.jobs or os.cpu_count()}; "
        f"IDC index {'loaded' if index else 'missing: ' + str(missing)}; load average "
        f"{os.getloadavg()[0]:.2f}"
    )
    for pixel_hash, label in ((False, "header only (reference)"), (True, "with pixel hashing")):
        runs = times[pixel_hash]
        print(
            f"  {label:<26} median {statistics.median(runs):6.3f} s ({files / statistics.median(runs):6.0f} "
            f"files/s)  best {min(runs):6.3f} s"
        )
    ratio = statistics.median(times[True]) / statistics.median(times[False])
    print(
        f"  slowdown with pixel hashing: {ratio:.2f}x (median), "
        f"{min(times[True]) / min(times[False]):.2f}x (best); target <= 1.5"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
