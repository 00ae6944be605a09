#!/usr/bin/env python3
"""`medal validate` on a submission of real DICOM against the harvest of the same files (issue 29).

    .venv/bin/python benchmarks/validate_dicom.py /work/shared/data/dicom [--rounds 3]

Makes a submission folder around the tree (the example CT dataset's metadata, its file set widened to every file,
the tree hard-linked in as dicom/), then, in turn each round: validates it (`validate_paths`, as `medal validate` does:
audit, Part 10 test, public check with pixel digests, one read per file) and harvests the tree (`harvest_dicom`,
no re-harvest cache, the public index prepared). Prints the medians, files/s of both and their ratio, the harvest
being the reference, with the machine's load. The harvest reads in a process pool (all cores); validate reads in
one process, so on N cores the ratio to expect is about 1/N.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "valid" / "ct-lung-nodule-malignancy"


def submission(tree: Path, folder: Path) -> Path:
    text = (EXAMPLE / "dataset.yaml").read_text(encoding="utf-8")
    assert "includes: dicom/**/*.dcm" in text
    (folder / "dataset.yaml").write_text(
        text.replace("includes: dicom/**/*.dcm", "includes: dicom/**/*"), encoding="utf-8"
    )  # GE names its files i22.MRDC.1
    (folder / "labels.csv").write_bytes((EXAMPLE / "labels.csv").read_bytes())
    # Hard links (validate refuses symbolic links that lead out of the submission), copies across file systems.
    import shutil

    def link(source: str, target: str) -> None:
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)

    shutil.copytree(tree, folder / "dicom", copy_function=link)
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from medal_catalog.contamination.index import load_index
    from medal_catalog.dicom import audit as phi
    from medal_catalog.config import Settings
    from medal_catalog.harvesters.dicom import harvest_dicom, walk
    from medal_catalog.validators.submission import validate_paths

    load_index()
    files = len(walk([args.tree])[0])
    print(f"load before: {os.getloadavg()[0]:.2f} (1-min average, {os.cpu_count()} cores)")
    validates, harvests = [], []
    with tempfile.TemporaryDirectory() as tmp:
        folder = submission(args.tree, Path(tmp))
        for _ in range(args.rounds):
            phi._MEMO.clear()
            phi._TOKEN_MEMO.clear()
            start = time.perf_counter()
            report = validate_paths([folder])
            validates.append(time.perf_counter() - start)
            phi._MEMO.clear()
            phi._TOKEN_MEMO.clear()
            start = time.perf_counter()
            harvest_dicom([args.tree], "benchmark", settings=Settings())
            harvests.append(time.perf_counter() - start)
    hashed = sum(s["pixel_hashes"]["files"] for s in report.contamination.values())
    v, h = statistics.median(validates), statistics.median(harvests)
    print(f"files: {files} ({hashed} DICOM checked by validate); rounds: {args.rounds} (medians)")
    print(
        f"medal validate (one process):   {v:7.2f} s {files / v:7.0f} files/s  [{', '.join(f'{t:.2f}' for t in validates)}]"
    )
    print(
        f"harvest ({os.cpu_count()} reader processes):  {h:7.2f} s {files / h:7.0f} files/s  "
        f"[{', '.join(f'{t:.2f}' for t in harvests)}]"
    )
    print(
        f"ratio validate / harvest speed: {h / v:.2f}x (per core: {h / v * os.cpu_count():.2f}x); median of the "
        f"rounds' own ratios {statistics.median(hh / vv for hh, vv in zip(harvests, validates)):.2f}x"
    )
    print(f"load after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
