#!/usr/bin/env python3
"""The IDC public-series lookup: cold build, warm load, memory and lookup speed; optionally the commonest UID roots.

    python benchmarks/public_index.py [--repeat 3] [--roots]

Each load runs in a fresh interpreter (so nothing is cached in memory): "cold" builds the reduced index from
idc-index-data's parquet into an empty cache folder, "warm" reads the cached .npz. Memory is the peak RSS of the
process after the load minus that of the same process before it (medal_catalog and numpy imported), and the
arrays' own size. Lookups are timed over 200,000 UIDs, half of them public. Reference: loading the same parquet
columns with pandas, as idc-index does, in the same run. Prints the minimum and median of --repeat runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

_LOAD = r"""
import json, resource, sys, time
from pathlib import Path
import numpy as np
import medal_catalog.contamination.index as ix
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
clock = time.perf_counter()
index = ix.load_index(Path(sys.argv[1]))
seconds = time.perf_counter() - clock
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "built": index.built, "rss_mb": (after - before) / 1024,
                  "arrays_mb": index.nbytes / 2**20, "series": int(len(index.series)),
                  "studies": int(len(index.studies)), "version": index.version, "idc_version": index.idc_version}))
"""

_PANDAS = r"""
import json, resource, time
import idc_index_data, pandas as pd
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
clock = time.perf_counter()
frame = pd.read_parquet(idc_index_data.IDC_INDEX_PARQUET_FILEPATH, columns=["SeriesInstanceUID",
    "StudyInstanceUID", "collection_id", "source_DOI", "license_short_name"])
uids = set(frame["SeriesInstanceUID"]) | set(frame["StudyInstanceUID"])
seconds = time.perf_counter() - clock
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "rss_mb": (after - before) / 1024}))
"""


def _run(code: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _lookups(cache: str) -> float:
    import random
    import time
    from pathlib import Path

    import idc_index_data
    import pyarrow.parquet as pq

    from medal_catalog.contamination.index import load_index

    index = load_index(Path(cache))
    public = (
        pq.ParquetFile(idc_index_data.IDC_INDEX_PARQUET_FILEPATH)
        .read_row_group(0, columns=["SeriesInstanceUID"])
        .column(0)
        .to_pylist()[:100_000]
    )
    rng = random.Random(19)
    uids = public + [f"1.2.826.0.1.3680043.8.498.{rng.getrandbits(120)}" for _ in range(len(public))]
    rng.shuffle(uids)
    clock = time.perf_counter()
    hits = sum(index.series_match(u) is not None for u in uids)
    seconds = time.perf_counter() - clock
    assert hits >= len(public)
    return len(uids) / seconds


def _roots(top: int = 25) -> None:
    import collections

    import idc_index_data
    import pyarrow.parquet as pq

    table = pq.read_table(idc_index_data.IDC_INDEX_PARQUET_FILEPATH, columns=["SeriesInstanceUID", "collection_id"])
    counts: collections.Counter[str] = collections.Counter()
    collections_of: dict[str, set[str]] = collections.defaultdict(set)
    for uid, collection in zip(table.column(0).to_pylist(), table.column(1).to_pylist()):
        root = ".".join(uid.split(".")[:9])
        counts[root] += 1
        collections_of[root].add(collection)
    print(f"\ncommonest SeriesInstanceUID roots (first 9 components) of {table.num_rows:,} IDC series:")
    for root, n in counts.most_common(top):
        print(f"  {n:>8,}  {root:<45} {len(collections_of[root]):>4} collections")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--roots", action="store_true", help="also count the commonest UID roots of the index")
    args = parser.parse_args()
    cold, warm, pandas = [], [], []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="medal-idc-") as cache:
            cold.append(_run(_LOAD, cache))
            warm.append(_run(_LOAD, cache))
        pandas.append(_run(_PANDAS))
    with tempfile.TemporaryDirectory(prefix="medal-idc-") as cache:
        _run(_LOAD, cache)
        rate = _lookups(cache)
    first = warm[0]
    print(
        f"IDC index: idc-index-data {first['version']} (IDC release {first['idc_version']}), "
        f"{first['series']:,} series, {first['studies']:,} studies; load average {os.getloadavg()[0]:.2f}"
    )

    def line(name: str, runs: list[dict], key: str, unit: str) -> None:
        values = [r[key] for r in runs]
        print(f"  {name:<34} min {min(values):8.3f} {unit}  median {statistics.median(values):8.3f} {unit}")

    line("cold build (parquet -> .npz)", cold, "seconds", "s ")
    line("warm load (.npz)", warm, "seconds", "s ")
    line("reference: pandas read + UID set", pandas, "seconds", "s ")
    line("memory, cold build (peak RSS)", cold, "rss_mb", "MB")
    line("memory, warm load (peak RSS)", warm, "rss_mb", "MB")
    line("memory, reference pandas (RSS)", pandas, "rss_mb", "MB")
    print(f"  {'lookup arrays':<34} {first['arrays_mb']:.1f} MB")
    ratio = statistics.median(r["seconds"] for r in pandas) / statistics.median(r["seconds"] for r in warm)
    print(f"  warm load is {ratio:.0f}x faster than the pandas reference; {rate:,.0f} series lookups/s")
    if args.roots:
        _roots()
    return 0


if __name__ == "__main__":
    sys.exit(main())
