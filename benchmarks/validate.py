#!/usr/bin/env python3
"""Benchmark `medal validate` against `linkml-validate` on the same 10,000 records (1% invalid).

Both tools run as commands, as a contributor would run them, on two JSON files (datasets and tasks, 5,000 each).
The script checks that both flag exactly the same records, then prints records/s for both and the ratio.

Both run from bytecode, as installed packages do: pip compiled linkml's modules when it installed them, and this
script compiles medal_catalog's first (an editable checkout under PYTHONDONTWRITEBYTECODE would otherwise be
compiled from source on every run; --no-byte-compile measures that case).

    .venv/bin/python benchmarks/validate.py [--records 10000] [--invalid-share 0.01] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic_records import make_records  # noqa: E402
from medal_catalog.schema import SCHEMA_PATH  # noqa: E402

BIN = Path(sys.executable).parent


def run_medal(files: list[Path]) -> tuple[float, dict[str, set[int]]]:
    start = time.perf_counter()
    out = subprocess.run([str(BIN / "medal"), "validate", "--json", *map(str, files)], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    report = json.loads(out.stdout)
    flagged: dict[str, set[int]] = {f.name: set() for f in files}
    for issue in report["issues"]:
        if issue["severity"] == "error":
            flagged[Path(issue["file"]).name].add(int(issue["pointer"].split("/")[1]))
    return elapsed, flagged


def run_linkml(files: list[tuple[Path, str]]) -> tuple[float, dict[str, set[int]]]:
    flagged: dict[str, set[int]] = {}
    start = time.perf_counter()
    for path, cls in files:
        out = subprocess.run(
            [str(BIN / "linkml-validate"), "-s", str(SCHEMA_PATH), "-C", cls, str(path)], capture_output=True, text=True
        )
        flagged[path.name] = {int(m) for m in re.findall(rf"\[{re.escape(str(path))}/(\d+)\]", out.stdout)}
    return time.perf_counter() - start, flagged


def byte_compile() -> None:
    """Compile medal_catalog to bytecode (__pycache__, ignored by git), as installing it would."""
    import compileall

    import medal_catalog

    compileall.compile_dir(Path(medal_catalog.__file__).parent, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--invalid-share", type=float, default=0.01)
    parser.add_argument("--keep", type=Path, help="write the record files here and keep them (for profiling)")
    parser.add_argument("--no-byte-compile", action="store_true", help="leave medal_catalog uncompiled")
    args = parser.parse_args()
    if not args.no_byte_compile:
        byte_compile()
    half = args.records // 2
    with tempfile.TemporaryDirectory() as tmp:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            tmp = str(args.keep)
        files, broken = [], {}
        for kind, cls in [("dataset", "ImagingDataset"), ("task", "BenchmarkTask")]:
            records, bad = make_records(half, kind, args.invalid_share)
            path = Path(tmp) / f"{kind}s.json"
            path.write_text(json.dumps(records), encoding="utf-8")
            files.append((path, cls))
            broken[path.name] = bad
        medal_s, medal_flags = run_medal([p for p, _ in files])
        linkml_s, linkml_flags = run_linkml(files)
    same = medal_flags == linkml_flags == broken
    n = 2 * half
    print(f"records: {n} ({sum(map(len, broken.values()))} invalid)")
    print(f"medal validate : {medal_s:8.2f} s  {n / medal_s:10.0f} records/s")
    print(f"linkml-validate: {linkml_s:8.2f} s  {n / linkml_s:10.0f} records/s")
    print(f"identical verdicts: {same}")
    print(f"ratio: {linkml_s / medal_s:.1f}x linkml-validate (target >= 30x)")
    if not same:
        for name in broken:
            print(
                f"  {name}: medal-only {sorted(medal_flags[name] - linkml_flags[name])[:10]} "
                f"linkml-only {sorted(linkml_flags[name] - medal_flags[name])[:10]}"
            )
        sys.exit(1)


if __name__ == "__main__":
    main()
