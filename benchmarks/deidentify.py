#!/usr/bin/env python3
"""Time the de-identification rewrite (dicom/deidentify.py, shared by the catalog's served copy and by
`medal deidentify`) against a bare pydicom read + write and dicognito on the same files, in the same run.

    python benchmarks/deidentify.py /work/shared/data/dicom [--repeat 3] [--limit N] [--workers 2]

Per process, from bytes in memory (files read once beforehand): a bare pydicom read + write (the floor of any
pydicom-based tool), dicognito 0.19.0 (read + anonymize + write; `pip install dicognito==0.19.0`, skipped with a
note when absent), the served copy (served_copy: audit of the original, rewrite, audit again) and the contributor's
path (the same plus pixel checks and output naming). Then `medal deidentify` end to end on disk (read, rewrite,
audit, write to temp + rename, linkage) with 1 and --workers processes. Each figure is the best of --repeat runs
(the machine is shared); ratios are against the references measured in the same run.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=int, default=0, help="at most this many files (0: all)")
    parser.add_argument("--workers", type=int, default=2, help="processes for the end-to-end run")
    parser.add_argument("--harvest", action="store_true", help="also time the header-only harvest")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # pydicom warns about vendor values longer than their VR allows
    import pydicom

    from medal_catalog.dicom.deidentify import (
        LOCAL_OPTIONS,
        Deidentifier,
        burned_in_refusal,
        checked_copy,
        dataset_key,
        plan,
        read_original,
        served_copy,
    )
    from medal_catalog.dicom.local import LocalOptions, _output_name, deidentify
    from medal_catalog.harvesters.dicom import walk

    sources, _ = walk(args.paths)
    # Part 10 files only (preamble and DICM): pydicom and dicognito refuse the others without force=True.
    files = [s.path for s in sources if s.member is None and Path(s.path).read_bytes()[128:132] == b"DICM"]
    files = files[: args.limit or None]
    blobs = [Path(f).read_bytes() for f in files]
    size = sum(map(len, blobs)) / 1e6
    options = ["retain_longitudinal_modified_dates", "retain_patient_characteristics", "clean_descriptors"]
    served = Deidentifier(dataset_key("benchmark"), plan({"profile_options": options}))
    local = Deidentifier(os.urandom(32), plan({"profile_options": options}, LOCAL_OPTIONS), per_patient_dates=True)

    def bare() -> int:
        for data in blobs:
            ds = pydicom.dcmread(io.BytesIO(data))
            ds.save_as(io.BytesIO())
        return len(blobs)

    def dicognito_run() -> int:
        from dicognito.anonymizer import Anonymizer

        anonymizer = Anonymizer(seed="benchmark")
        for data in blobs:
            ds = pydicom.dcmread(io.BytesIO(data))
            anonymizer.anonymize(ds)
            ds.save_as(io.BytesIO())
        return len(blobs)

    def served_run() -> int:
        return sum(served_copy(b, f"s/{i:05d}.dcm", served, "NO")[0] is not None for i, b in enumerate(blobs))

    def local_run() -> int:
        kept = 0
        for data in blobs:
            original = read_original(data)
            if isinstance(original, str) or burned_in_refusal(*original):
                continue
            out, ds, _ = checked_copy(data, "image.dcm", local, original[1])
            if out is not None:
                _output_name(ds)
                kept += 1
        return kept

    runs: list[tuple[str, Callable[[], int]]] = [("pydicom read + write (bare)", bare)]
    try:
        import dicognito  # noqa: F401

        runs.append(("dicognito 0.19.0 read + anonymize + write", dicognito_run))
    except ImportError:
        print("dicognito is not installed (pip install dicognito==0.19.0): compared to the bare reference only")
    runs += [
        ("served copy: audit, rewrite, audit again", served_run),
        ("medal deidentify per file (in memory)", local_run),
    ]
    best: dict[str, float] = {}
    kept: dict[str, int] = {}
    for _ in range(args.repeat):
        for name, run in runs:
            start = time.perf_counter()
            kept[name] = run()
            elapsed = time.perf_counter() - start
            best[name] = min(best.get(name, elapsed), elapsed)
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "in"
        source.mkdir()
        for i, data in enumerate(blobs):
            (source / f"{i:06d}.dcm").write_bytes(data)
        for workers in sorted({1, args.workers}):
            name = f"medal deidentify end to end on disk, {workers} process{'es' if workers > 1 else ''}"
            for attempt in range(args.repeat):
                out, link = Path(scratch) / f"out{workers}-{attempt}", Path(scratch) / f"link{workers}-{attempt}"
                start = time.perf_counter()
                summary = deidentify(source, out, LocalOptions(options=tuple(options), workers=workers, linkage=link))
                elapsed = time.perf_counter() - start
                best[name] = min(best.get(name, elapsed), elapsed)
                kept[name] = summary.written
                shutil.rmtree(out)
                shutil.rmtree(link)
    if args.harvest:
        from medal_catalog.config import Settings
        from medal_catalog.harvesters.dicom import harvest_dicom

        start = time.perf_counter()
        harvest_dicom(files, "benchmark", jobs=1, settings=Settings())
        best["header-only harvest (1 process)"] = time.perf_counter() - start
        kept["header-only harvest (1 process)"] = len(files)
    print(f"{len(files)} files, {size:.1f} MB; load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    bare_rate = len(files) / best[runs[0][0]]
    cognito = "dicognito 0.19.0 read + anonymize + write"
    cognito_rate = len(files) / best[cognito] if cognito in best else None
    for name, seconds in best.items():
        rate = len(files) / seconds
        line = f"{name:<62} {rate:7.1f} files/s {size / seconds:6.2f} MB/s  {rate / bare_rate:5.2f}x bare"
        if cognito_rate:
            line += f"  {rate / cognito_rate:5.2f}x dicognito"
        print(line + f"  ({kept[name]} written)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
