#!/usr/bin/env python3
"""Preview latency of series pages' images, cold (rendered from the de-identified archive) and cached, over up to
100 series of one open dataset, through the real app in process (FastAPI TestClient, SQLite catalog).

    python benchmarks/previews.py [--series 100] [--files 3] [--size view]

The series are copies of the real GE DWI series (/work/shared/data/dicom/ge/01_Ax_DWI_TENSOR_R2), its first
--files files each, de-identified under a different key per copy so that every copy has its own UIDs, then
submitted and harvested as a contributor would (tests/vendor_catalog.py) and accepted by the panel. For each series
the middle slice is asked twice: the first answer is rendered (the first of all also reads the archive's slice
order), the second comes from the cache. Prints latency percentiles of both, in the same run, and their ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _copies(target: Path, count: int, files: int) -> Path:
    from medal_catalog.dicom.deidentify import Deidentifier, plan, served_copy
    from submission_fill import GE_SERIES

    sources = sorted(p for p in GE_SERIES.iterdir() if p.is_file())[:files]
    attempt = 0
    for n in range(count):
        folder = target / f"copy-{n:03d}"
        folder.mkdir(parents=True)
        while True:  # a key whose pseudonyms the audit takes for identifying tokens is skipped (see vendor_catalog)
            attempt += 1
            tool = Deidentifier(f"copy {attempt}".encode(), plan({"profile_options": ["basic_profile"]}))
            copies = [served_copy(source.read_bytes(), "file.dcm", tool, "NO")[0] for source in sources]
            if all(copies):
                break
        for source, copy in zip(sources, copies):
            (folder / source.name).write_bytes(copy)
    return target


def _percentiles(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    q = statistics.quantiles(ms, n=20) if len(ms) > 1 else ms * 19
    return f"p50 {statistics.median(ms):7.2f} ms  p95 {q[18]:7.2f} ms  max {ms[-1]:7.2f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--series", type=int, default=100)
    parser.add_argument("--files", type=int, default=3, help="files per series (slices)")
    parser.add_argument("--size", default="view", choices=("view", "thumbnail"))
    args = parser.parse_args()
    sys.path[:0] = [str(REPO / "tests"), str(REPO)]
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

    from medal_catalog.api import create_app
    from medal_catalog.config import Settings
    from vendor_catalog import build

    with tempfile.TemporaryDirectory(prefix="previews-bench-") as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        source = _copies(folder / "copies" / "ge-copies", args.series, args.files)
        vendor = build(folder / "catalog", specs=(("bench-task", "bench", source, "open", "GE copies"),))
        print(f"built {args.series} series x {args.files} files in {time.perf_counter() - start:.1f} s")
        with TestClient(create_app(Settings(catalog=f"sqlite:///{vendor.db}"))) as client:
            ids, page = [], 1
            while True:
                answer = client.get("/api/datasets/bench/series", params={"page": page, "size": 100}).json()
                ids += [item["id"] for item in answer["items"]]
                if not answer.get("next"):
                    break
                page += 1
            cold, cached, left_out = [], [], 0
            for series_id in ids:
                url = f"/series/{series_id}/preview.png?size={args.size}"
                for times in (cold, cached):
                    start = time.perf_counter()
                    answer = client.get(url)
                    elapsed = time.perf_counter() - start
                    if answer.status_code == 404 and "de-identified copy" in answer.text:
                        left_out += times is cold  # the harvest left its files out of the rewrite
                        continue
                    assert answer.status_code == 200 and answer.content.startswith(b"\x89PNG"), answer.text
                    times.append(elapsed)
            previews = client.app.state.previews
    if left_out:
        print(f"{left_out} of {len(ids)} series have no file in the de-identified copy (the harvest left them out)")
    print(
        f"{len(cold)} series, middle slice at size {args.size!r}; cache hits {previews.hits}, misses "
        f"{previews.misses}; load {os.getloadavg()[0]:.2f}"
    )
    print(f"cold (first of all, reads the archive's slice order): {cold[0] * 1000:.1f} ms")
    print(f"cold   {_percentiles(cold[1:] or cold)}")
    print(f"cached {_percentiles(cached)}")
    print(f"cached is {statistics.median(cold[1:] or cold) / statistics.median(cached):.1f}x faster (median)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
