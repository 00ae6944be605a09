"""Hostile documents and archives, each through a real `medal` process: the time and peak memory (RSS) each costs,
and whether it ended as it must (a `file.*` error from `medal validate`, a refused file from `medal harvest`).

    .venv/bin/python -m stress.hostile [--reference /work/main/.venv/bin/medal] [--limit-seconds 20]
                                       [--limit-mb 400] [--skip-http]

With --reference, every case also runs through that build first (e.g. main), in the same run, and the table
shows both with the ratio. Cases: the billion laughs, YAML 50,000 deep, JSON 2,000 and 300 deep, Croissant
JSON-LD 5,000 and 300 deep (validate, and POST /api/submissions to a real server, which must still answer
/api/health after each); a 600 MB zero-bomb DICOM (sparse), and four of them in one zip (harvest).
A reference build is given a time limit (--reference-timeout, default 180 s) and an address-space cap of 8 GB, so
that a billion laughs cannot take the machine down; a case it did not survive shows as "killed".
Exit 1 when this build breaks a limit or a case does not end as it must.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from stress.hostile_inputs import DOCUMENTS, write_documents, zero_bomb, zero_bomb_zip

MEDAL = Path(sys.executable).with_name("medal")
REFERENCE_AS_BYTES = 8 << 30


def run_case(medal: Path, case: str, path: Path, tmp: Path, timeout: float, cap: int | None) -> dict[str, object]:
    """One case through one build, in a fresh interpreter so that its peak RSS is its own."""
    runner = [sys.executable, "-c", _RUNNER, str(medal), case, str(path), str(tmp), str(timeout), str(cap or 0)]
    done = subprocess.run(runner, capture_output=True, text=True, timeout=timeout + 60)
    return json.loads(done.stdout.strip().splitlines()[-1])


# A child interpreter per case: RUSAGE_CHILDREN's maximum is then the peak of that case alone.
_RUNNER = r"""
import json, os, resource, signal, subprocess, sys, time
medal, case, path, tmp, timeout, cap = sys.argv[1:7]
timeout, cap = float(timeout), int(cap)
if case == "harvest":
    args = [medal, "harvest", path, "--dataset", "bomb", "--timeout", "0", "--json", "--out", tmp + "/out",
            "--catalog", "sqlite:///" + tmp + "/c.db"]
else:
    args = [medal, "validate", path, "--json"]
def limit():
    if cap:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
started = time.monotonic()
p = subprocess.Popen(args, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, preexec_fn=limit,
                     start_new_session=True)
try:
    out, _ = p.communicate(timeout=timeout); code = p.returncode
except subprocess.TimeoutExpired:
    os.killpg(p.pid, signal.SIGKILL); out, _ = p.communicate(); code = "timeout"
seconds = time.monotonic() - started
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"exit": code, "seconds": seconds, "rss_mb": rss, "out": out.decode("utf-8", "replace")[-20000:]}))
"""


def verdict(case: str, name: str, result: dict[str, object]) -> bool:
    """Whether a case ended as it must: validate exits 1 naming a file.* code; harvest refuses every bomb."""
    out = str(result["out"])
    if case == "validate":
        try:
            codes = [i["code"] for i in json.loads(out)["issues"]]
        except (ValueError, KeyError):
            return False
        return result["exit"] == 1 and bool(codes) and all(c.startswith("file.") for c in codes)
    try:
        summary = json.loads(out)
    except ValueError:
        return False
    return result["exit"] == 1 and summary["dicom_read"] == 0 and summary["skipped"] == summary["files_seen"]


def http_cases(tmp: Path) -> list[tuple[str, bool, float]]:
    """Each hostile document POSTed to a real server: (name, 422 with its file.* code and still healthy, s)."""
    import httpx

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from served import medal_server

    db = tmp / "http.db"
    token = subprocess.run(
        [str(MEDAL), "token", "create", "--role", "contributor", "--name", "mallory", "--catalog", f"sqlite:///{db}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    media = {".yaml": "application/yaml", ".json": "application/json", ".jsonld": "application/ld+json"}
    out = []
    with medal_server(db, tmp) as base:
        for name, make in DOCUMENTS.items():
            started = time.monotonic()
            try:
                answer = httpx.post(
                    f"{base}/api/submissions",
                    content=make().encode(),
                    timeout=120,
                    headers={"Authorization": f"Bearer {token}", "Content-Type": media[Path(name).suffix]},
                )
                healthy = httpx.get(f"{base}/api/health", timeout=10).status_code == 200
                ok = answer.status_code == 422 and '"file.' in answer.text and healthy
            except httpx.HTTPError:
                ok = False
            out.append((name, ok, time.monotonic() - started))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, help="another build's `medal` to measure in the same run")
    parser.add_argument("--reference-timeout", type=float, default=180.0)
    parser.add_argument("--limit-seconds", type=float, default=20.0, help="per case, start-up included")
    parser.add_argument("--limit-mb", type=float, default=400.0, help="peak RSS per case")
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory(prefix="medal-hostile-") as tmp_name:
        tmp = Path(tmp_name)
        cases = [("validate", p.name, p) for p in write_documents(tmp / "documents")]
        (tmp / "bomb").mkdir()
        zero_bomb(tmp / "bomb" / "bomb.dcm")
        (tmp / "bombs").mkdir()
        zero_bomb_zip(tmp / "bombs" / "bombs.zip", members=4)
        cases += [
            ("harvest", "zero-bomb 600 MB (sparse)", tmp / "bomb"),
            ("harvest", "zip of 4 zero bombs", tmp / "bombs"),
        ]
        print(
            f"{'case':<28} {'this build':>22} {'ok':>4}"
            + (f" {'reference':>26} {'time ratio':>10}" if args.reference else "")
        )
        for kind, name, path in cases:
            work = tmp / f"work-{len(name)}-{kind}"
            work.mkdir(exist_ok=True)
            ours = run_case(MEDAL, kind, path, work, args.limit_seconds * 3, None)
            ok = verdict(kind, name, ours) and ours["seconds"] <= args.limit_seconds and ours["rss_mb"] <= args.limit_mb
            failures += not ok
            line = f"{name:<28} {ours['seconds']:>8.2f} s {ours['rss_mb']:>7.0f} MB {'yes' if ok else 'NO':>4}"
            if args.reference:
                ref_work = tmp / f"ref-{len(name)}-{kind}"
                ref_work.mkdir(exist_ok=True)
                ref = run_case(args.reference, kind, path, ref_work, args.reference_timeout, REFERENCE_AS_BYTES)
                ended = (
                    ""
                    if verdict(kind, name, ref)
                    else (" timeout" if ref["exit"] == "timeout" else f" exit {ref['exit']}")
                )
                line += (
                    f" {ref['seconds']:>8.2f} s {ref['rss_mb']:>7.0f} MB{ended:>8}"
                    f" {ref['seconds'] / max(ours['seconds'], 1e-9):>9.1f}x"
                )
            print(line, flush=True)
        if not args.skip_http:
            for name, ok, seconds in http_cases(tmp):
                failures += not (ok and seconds <= args.limit_seconds)
                print(f"POST {name:<23} {seconds:>8.2f} s {'':>10} {'yes' if ok else 'NO':>4}  (422, server alive)")
    print(f"failures: {failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
