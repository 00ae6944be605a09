"""Fuzz the DICOM harvester's reader with mutations of real files: 0 crashes, every bad file refused with a reason,
every good file harvested, every truncated file either refused with a reason or harvested with a warning.

    .venv/bin/python -m stress.fuzz_dicom [--mutations 1000] [--seed 13] [--tree /work/shared/data/dicom]

Mutations of the header (bit flips, bytes overwritten, lengths set huge, bytes cut out or inserted, zeroed runs)
may make a file good or bad: either way it must end as a record or a reason, never an exception or an "unexpected
reader failure". Mutations of the pixel data only, and bytes appended after it, leave a good file: it must be
harvested with no problem. Truncations anywhere must not pass silently. Prints the figures; exit 1 on a failure.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from medal_catalog.dicom.header import FileProblem, HeaderError, read
from medal_catalog.harvesters.dicom import Source, read_one

DEFAULT_TREE = Path(os.environ.get("MEDAL_SHARED_DICOM", "/work/shared/data/dicom"))
HEADER_KINDS = ("flip", "overwrite", "huge-length", "cut-out", "insert", "zero-run")
GOOD_KINDS = ("pixel-bytes", "append")


@dataclass
class Outcome:
    """The figures of one fuzz run."""

    cases: int = 0
    by_kind: Counter = field(default_factory=Counter)
    harvested: int = 0
    refused: int = 0
    warned: int = 0
    failures: list[str] = field(default_factory=list)
    slowest: float = 0.0
    seconds: float = 0.0
    peak_rss_mb: float = 0.0

    def line(self) -> str:
        return (
            f"cases {self.cases} ({dict(self.by_kind)}): harvested {self.harvested} (with a truncation warning "
            f"{self.warned}), refused with a reason {self.refused}, failures {len(self.failures)}; slowest file "
            f"{self.slowest * 1000:.0f} ms, total {self.seconds:.1f} s, peak RSS {self.peak_rss_mb:.0f} MB"
        )


def real_files(tree: Path, limit: int = 64) -> list[Path]:
    """Up to ``limit`` real DICOM files under ``tree``, spread over its series (every n-th file, sorted)."""
    files = sorted(
        p for p in tree.rglob("*") if p.is_file() and p.suffix.lower() in (".dcm", "") and p.stat().st_size > 132
    )
    step = max(1, len(files) // limit)
    return files[::step][:limit]


def pixel_offset(data: bytes) -> int | None:
    """Where the pixel data element starts (its header_end), or None when the file has none."""
    import io

    header = read(io.BytesIO(data), len(data), frozenset(), frozenset())
    return header.header_end if header.header_end < len(data) else None


def mutate(data: bytes, kind: str, rng: random.Random, pixels: int | None) -> bytes:
    """One mutation of ``data`` of the given kind (header kinds touch bytes before the pixel data)."""
    end = pixels or len(data)
    buf = bytearray(data)
    at = rng.randrange(132, max(133, end - 1))
    if kind == "flip":
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(132, max(133, end))
            buf[i] ^= 1 << rng.randrange(8)
    elif kind == "overwrite":
        buf[at : at + 4] = rng.choice([b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", rng.randbytes(4)])
    elif kind == "huge-length":
        buf[at : at + 4] = rng.choice([b"\xff\xff\xff\xff", b"\xf0\xff\xff\x7f", b"\x00\x00\x00\x10"])
    elif kind == "cut-out":
        del buf[at : at + rng.randint(1, 64)]
    elif kind == "insert":
        buf[at:at] = rng.randbytes(rng.randint(1, 64))
    elif kind == "zero-run":
        n = rng.randint(8, 512)
        buf[at : at + n] = b"\x00" * len(buf[at : at + n])
    elif kind == "pixel-bytes":
        start = (pixels or len(data)) + 12
        for _ in range(rng.randint(1, 32)):
            if start < len(buf):
                buf[rng.randrange(start, len(buf))] = rng.randrange(256)
    elif kind == "append":
        buf += rng.randbytes(rng.randint(1, 4096))
    elif kind == "truncate":
        del buf[rng.randrange(0, len(data)) :]
    return bytes(buf)


def judge(kind: str, result: object, out: Outcome, label: str) -> None:
    """Count one result and record a failure when it breaks the rules above."""
    if isinstance(result, FileProblem):
        if result.kind == "warning":
            raise AssertionError("read_one returns records or problems, never a warning")
        if not result.reason or result.reason.startswith("unexpected reader failure"):
            out.failures.append(f"{label}: crash ({result.reason!r})")
        elif kind in GOOD_KINDS:
            out.failures.append(f"{label}: a good file refused ({result.reason})")
        else:
            out.refused += 1
        return
    out.harvested += 1
    if result.get("truncated"):
        out.warned += 1
    if kind in GOOD_KINDS and result.get("truncated"):
        out.failures.append(f"{label}: a good file harvested with a truncation warning")
    if kind == "truncate" and not result.get("truncated"):
        out.failures.append(f"{label}: truncated, yet harvested without a warning")


def fuzz(files: list[Path], mutations: int, seed: int, folder: Path) -> Outcome:
    """Run ``mutations`` mutations of ``files`` (plus each original, which must harvest cleanly)."""
    rng = random.Random(seed)
    out = Outcome()
    started = time.monotonic()
    originals = []
    for path in files:
        data = path.read_bytes()
        originals.append((path, data, pixel_offset(data)))
        out.cases += 1
        out.by_kind["original"] += 1
        judge("pixel-bytes", _read(folder / "original.dcm", data, out), out, f"{path.name} original")
    kinds = (*HEADER_KINDS, *GOOD_KINDS, "truncate", "truncate")
    for i in range(mutations):
        path, data, pixels = originals[i % len(originals)]
        kind = rng.choice(kinds)
        if kind == "pixel-bytes" and pixels is None:
            kind = "append"
        mutated = mutate(data, kind, rng, pixels)
        out.cases += 1
        out.by_kind[kind] += 1
        judge(kind, _read(folder / f"case-{i}.dcm", mutated, out), out, f"{path.name} #{i} {kind}")
    out.seconds = time.monotonic() - started
    out.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _read(path: Path, data: bytes, out: Outcome) -> object:
    path.write_bytes(data)
    st = path.stat()
    began = time.monotonic()
    try:
        result = read_one(
            Source(str(path), path.name, str(path), None, st.st_size, st.st_mtime_ns), b"fuzz", False, 10.0
        )
    except HeaderError as exc:  # read_one must turn every reader error into a FileProblem
        result = FileProblem(path.name, f"unexpected reader failure (HeaderError escaped: {exc.reason})")
    except Exception as exc:  # noqa: BLE001 - that is what a crash is
        result = FileProblem(path.name, f"unexpected reader failure ({type(exc).__name__} escaped)")
    out.slowest = max(out.slowest, time.monotonic() - began)
    path.unlink()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutations", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--tree", type=Path, default=DEFAULT_TREE)
    args = parser.parse_args()
    files = real_files(args.tree)
    if not files:
        print(f"no DICOM files under {args.tree} (set MEDAL_SHARED_DICOM or --tree)")
        return 2
    with tempfile.TemporaryDirectory(prefix="medal-fuzz-") as tmp:
        out = fuzz(files, args.mutations, args.seed, Path(tmp))
    print(f"{len(files)} real files from {args.tree}")
    print(out.line())
    for failure in out.failures[:50]:
        print("  FAIL", failure)
    return 1 if out.failures else 0


if __name__ == "__main__":
    sys.exit(main())
