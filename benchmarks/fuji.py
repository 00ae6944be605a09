"""F-UJI (FAIRsFAIR metrics, offline) against the catalog's served landing pages: an open and a controlled dataset
(and their task), each metric's score and the total. A benchmark, not a test: F-UJI is not on PyPI and is never
part of this repository; run it from its own checkout and virtual environment (docs/aggregators.md):

    git clone https://github.com/pangaea-data-publisher/fuji /opt/fuji && python3 -m venv /opt/fuji-venv
    /opt/fuji-venv/bin/pip install <the dependencies of /opt/fuji/pyproject.toml>
    .venv/bin/python benchmarks/fuji.py --fuji-src /opt/fuji --fuji-python /opt/fuji-venv/bin/python

or point it at a running F-UJI with --fuji-url http://localhost:1071/fuji/api/v1 (user marvel:wonderwoman, its
default). The catalogs are the bundled examples harvested by `medal harvest` (with the panel's records, so the CT
task is accepted and its dataset published): once as they are (the CT dataset controlled), once with the CT dataset
open under CC-BY-4.0. Offline, F-UJI cannot resolve PIDs through registries nor look up re3data: those tests fail
whatever the catalog does.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
DATASET, TASK = "ct-lung-screening-2019-2023", "ct-lung-nodule-malignancy"


def _catalog(folder: Path, open_access: bool) -> Path:
    examples = folder / "examples"
    shutil.copytree(REPO / "examples" / "valid", examples)
    if open_access:
        dataset = examples / TASK / "dataset.yaml"
        text = dataset.read_text(encoding="utf-8").replace("access_level: controlled", "access_level: open")
        dataset.write_text(
            re.sub(r"license:\n(  .*\n)+?(?=data_use_conditions)", "license:\n  spdx_id: CC-BY-4.0\n", text),
            encoding="utf-8",
        )
    db = folder / "catalog.db"
    medal = Path(sys.executable).with_name("medal")
    subprocess.run(
        [
            str(medal),
            "harvest",
            *sorted(str(p) for p in examples.iterdir()),
            "--catalog",
            f"sqlite:///{db}",
            "--out",
            str(folder / "out"),
        ],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    return db


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def fuji_server(src: Path, python: Path, folder: Path):
    """F-UJI's own server from its checkout, on a free port, in debug mode (no downloads of its lists)."""
    port = _free_port()
    config = (src / "fuji_server" / "config" / "server.ini").read_text(encoding="utf-8")
    config = re.sub(r"(?m)^service_port = .*$", f"service_port = {port}", config)
    config = re.sub(r"(?m)^debug_mode = .*$", "debug_mode = true", config)
    ini = folder / "fuji-server.ini"
    ini.write_text(config, encoding="utf-8")
    log = (folder / "fuji.log").open("w")
    process = subprocess.Popen(
        [str(python), "-m", "fuji_server", "-c", str(ini)], cwd=src, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://localhost:{port}/fuji/api/v1"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://localhost:{port}/", timeout=2)
                break
            except httpx.TransportError:
                if process.poll() is not None:
                    raise RuntimeError(f"F-UJI did not start: see {folder / 'fuji.log'}") from None
                time.sleep(1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def evaluate(fuji: str, landing: str, oai: str) -> dict:
    body = {
        "object_identifier": landing,
        "test_debug": True,
        "metric_version": "metrics_v0.5",
        "use_datacite": True,
        "use_github": False,
        "metadata_service_endpoint": oai,
        "metadata_service_type": "oai_pmh",
    }
    response = httpx.post(
        f"{fuji}/evaluate",
        json=body,
        auth=("marvel", "wonderwoman"),
        timeout=900,
        headers={"Accept": "application/json"},
    )
    response.raise_for_status()
    return response.json()


def report(name: str, result: dict) -> float:
    print(f"\n== {name}: {result['request']['object_identifier']}")
    for metric in sorted(result["results"], key=lambda r: r["metric_identifier"]):
        score = metric["score"]
        lost = [
            t
            for t, v in (metric.get("metric_tests") or {}).items()
            if v.get("metric_test_status") != "pass" and v.get("metric_test_score", {}).get("total", 0)
        ]
        lost = lost if float(score["earned"]) < float(score["total"]) else []
        print(
            f"{metric['metric_identifier']:<14} {score['earned']:>4}/{score['total']:<4} "
            f"{metric['test_status']:<5} {'lost: ' + ', '.join(lost) if lost else ''}"
        )
    total = result["summary"]["score_percent"]["FAIR"]
    print(f"{name} TOTAL (FAIR) {total} %")
    return float(total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fuji-src", type=Path, help="a checkout of pangaea-data-publisher/fuji")
    parser.add_argument("--fuji-python", type=Path, help="the python of a virtual environment with F-UJI's deps")
    parser.add_argument("--fuji-url", help="a running F-UJI's API base, instead of starting one")
    parser.add_argument("--json", type=Path, help="also write the full F-UJI results here")
    parser.add_argument(
        "--pid-base",
        default="",
        help="serve the catalogs with this MEDAL_PID_BASE (e.g. "
        "https://w3id.org/medal/); default: the catalog's own /id/ URLs",
    )
    args = parser.parse_args()
    if not args.fuji_url and not (args.fuji_src and args.fuji_python):
        parser.error("give --fuji-url, or --fuji-src and --fuji-python")
    from served import medal_server

    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (1, 5, 15 min)")
    totals, full = {}, {}
    with tempfile.TemporaryDirectory(prefix="medal-fuji-") as tmp, ExitStack() as stack:
        folder = Path(tmp)
        fuji = args.fuji_url or stack.enter_context(fuji_server(args.fuji_src, args.fuji_python, folder))
        for label, open_access in (("open", True), ("controlled", False)):
            sub = folder / label
            sub.mkdir()
            base = stack.enter_context(medal_server(_catalog(sub, open_access), sub, MEDAL_PID_BASE=args.pid_base))
            for kind, entry in (("dataset", DATASET), ("task", TASK)):
                name = f"{label} {kind}"
                path = "datasets" if kind == "dataset" else "tasks"
                started = time.monotonic()
                result = evaluate(fuji, f"{base}/{path}/{entry}", f"{base}/oai")
                full[name] = result
                totals[name] = report(name, result)
                print(f"({time.monotonic() - started:.0f} s)")
    print("\n== totals (F-UJI metrics v0.5, offline)")
    for name, total in totals.items():
        print(f"{name:<20} {total:6.2f} %")
    if args.json:
        args.json.write_text(json.dumps(full, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
