"""Kill `medal harvest` (kill -9 and SIGTERM) at moments spread over its run; after each: no reader process left,
`medal check` clean, and a re-run gives exactly the counts of an uninterrupted harvest.

    .venv/bin/python -m stress.kill_harvest [--trials 10] [--tree /work/shared/data/dicom] [--jobs 2]

Half the kills of each signal land while the readers run, half after they have finished (the write phase).
MEDAL_BIN=/path/to/medal runs it against another build (`medal check` then comes from that build too).
Prints one line per trial and a summary (trials, orphans, check failures, count mismatches); exit 1 on any.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MEDAL = Path(os.environ.get("MEDAL_BIN") or Path(sys.executable).with_name("medal"))
DEFAULT_TREE = Path(os.environ.get("MEDAL_SHARED_DICOM", "/work/shared/data/dicom"))


def children(pid: int) -> set[int]:
    """The live processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(entry.name))
    return found


def alive(pids: set[int]) -> set[int]:
    """Those of ``pids`` still running (not zombies)."""
    out = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            out.add(pid)
    return out


def harvest_args(tree: Path, db: Path, out: Path, jobs: int) -> list[str]:
    return [
        str(MEDAL),
        "harvest",
        str(tree),
        "--dataset",
        "stress-kill",
        "--jobs",
        str(jobs),
        "--no-cache",
        "--out",
        str(out),
        "--catalog",
        f"sqlite:///{db}",
        "--json",
    ]


def counts(db: Path) -> dict[str, int]:
    """Series and instances of the dataset as the store holds them."""
    import sqlite3

    raw = sqlite3.connect(db)
    try:
        rows = raw.execute("SELECT document FROM entries WHERE kind = 'ImagingSeries' AND NOT deleted").fetchall()
        dataset = raw.execute(
            "SELECT document FROM entries WHERE kind = 'ImagingDataset' AND id = 'stress-kill' AND NOT deleted"
        ).fetchone()
    finally:
        raw.close()
    series = [json.loads(r[0]) for r in rows]
    declared = json.loads(dataset[0]) if dataset else {}
    return {
        "series": len(series),
        "instances": sum(s.get("instance_count", 0) for s in series),
        "declared_series": declared.get("series_count", 0),
    }


def phases(process: subprocess.Popen, readers: set[int], until: str) -> float:
    """Wait until the readers have started (``until="start"``) or have all ended (``"end"``); the time then."""
    started = time.monotonic()
    while process.poll() is None and time.monotonic() - started < 300:
        now = children(process.pid)
        readers |= now
        if (until == "start" and readers) or (until == "end" and readers and not alive(readers)):
            break
        time.sleep(0.01)
    return time.monotonic()


def trial(
    tree: Path, folder: Path, sig: signal.Signals, phase: str, delay: float, jobs: int, expected: dict[str, int]
) -> dict[str, object]:
    """One kill ``delay`` seconds after the readers start (phase "read") or end (phase "write"); what was left
    behind and whether a re-run heals."""
    db, out = folder / "catalog.db", folder / "out"
    # stderr to a file, not a pipe: orphaned readers would hold a pipe open (and the wait with it)
    with (folder / "stderr.txt").open("wb") as log:
        process = subprocess.Popen(harvest_args(tree, db, out, jobs), stdout=subprocess.DEVNULL, stderr=log)
    readers: set[int] = set()
    phases(process, readers, "start" if phase == "read" else "end")
    time.sleep(delay)
    readers |= children(process.pid)
    process.send_signal(sig)
    process.wait(timeout=60)
    err = (folder / "stderr.txt").read_bytes()
    deadline = time.monotonic() + 5
    while alive(readers) and time.monotonic() < deadline:
        time.sleep(0.1)
    orphans = alive(readers)
    for pid in orphans:  # do not leave them for the next trial
        os.kill(pid, signal.SIGKILL)
    checked = (
        subprocess.run([str(MEDAL), "check", "--json", "--catalog", f"sqlite:///{db}"], capture_output=True, text=True)
        if db.exists()
        else None
    )
    check_ok = checked is None or checked.returncode == 0
    rerun = subprocess.run(harvest_args(tree, db, out, jobs), capture_output=True, text=True)
    after = counts(db)
    return {
        "signal": sig.name,
        "phase": phase,
        "delay": round(delay, 2),
        "exit": process.returncode,
        "readers": len(readers),
        "orphans": len(orphans),
        "check_ok": check_ok,
        "check": None if check_ok else checked.stdout[-400:],
        "rerun_exit": rerun.returncode,
        "counts_ok": after == expected,
        "counts": after,
        "message": err.decode(errors="replace").strip().splitlines()[-1:] if err else [],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10, help="kills per signal (default 10)")
    parser.add_argument("--tree", type=Path, default=DEFAULT_TREE)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="medal-kill-") as tmp:
        reference = Path(tmp) / "reference"
        reference.mkdir()
        done = subprocess.Popen(
            harvest_args(args.tree, reference / "catalog.db", reference / "out", args.jobs),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        readers: set[int] = set()
        t_start = phases(done, readers, "start")
        t_end = phases(done, readers, "end")
        done.wait()
        t_exit = time.monotonic()
        expected = counts(reference / "catalog.db")
        read_window, write_window = t_end - t_start, t_exit - t_end
        print(
            f"reference harvest: exit {done.returncode}, readers {read_window:.1f} s, then {write_window:.2f} s "
            f"to exit; {expected}"
        )
        results = []
        for sig in (signal.SIGKILL, signal.SIGTERM):
            for i in range(args.trials):
                folder = Path(tmp) / f"{sig.name}-{i}"
                folder.mkdir()
                phase = "read" if i % 2 == 0 else "write"
                delay = rng.uniform(0, (read_window if phase == "read" else write_window) * 0.9)
                result = trial(args.tree, folder, sig, phase, delay, args.jobs, expected)
                results.append(result)
                print(json.dumps(result))
    orphans = sum(r["orphans"] for r in results)
    bad_check = sum(not r["check_ok"] for r in results)
    bad_counts = sum(not r["counts_ok"] for r in results)
    term_exit = sorted({r["exit"] for r in results if r["signal"] == "SIGTERM"})
    print(
        f"trials {len(results)}: orphans {orphans}, medal check failures {bad_check}, re-run count mismatches "
        f"{bad_counts}; SIGTERM exit codes {term_exit}"
    )
    return 1 if orphans or bad_check or bad_counts else 0


if __name__ == "__main__":
    sys.exit(main())
