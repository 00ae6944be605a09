"""schemathesis over every operation of the served OpenAPI, anonymously and as each role, against a real `medal
serve` (uvicorn) over the bundled examples harvested with the panel's records (so one task is accepted and every
kind of entry exists). It asserts no server error and that every answer conforms to what OpenAPI documents for it
(status code, content type, headers, body schema, Allow, authentication).

    .venv/bin/python stress/schemathesis_run.py                      # the long run: 50 examples an operation
    .venv/bin/python stress/schemathesis_run.py --examples 200 --seed 7 --json

tests/api/test_schemathesis.py runs the same suite with a few examples an operation. Two checks are left out, for
reasons of the API's design rather than of its answers: ``positive_data_acceptance`` (a body or query that fits
the JSON Schema may still be refused on its content: a submission failing `medal validate` is a 422, an id no
one may see a 404) and ``negative_data_rejection`` (a query value such as ``false`` for a keyword filter is a
valid string that schemathesis takes for a boolean, and must be searched for, not refused).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# `medal serve` on a port of its own choosing, as the tests start it (tests/served.py)
sys.path.insert(0, str(ROOT / "tests"))
from served import medal_server  # noqa: E402

#: The callers: (token name, role); None is anonymous.
CALLERS = {"anonymous": None, "contributor": "alice", "reviewer": "rita", "admin": "chair"}
EXCLUDED_CHECKS = ("positive_data_acceptance", "negative_data_rejection")


def build_catalog(folder: Path) -> tuple[Path, dict[str, str]]:
    """The examples harvested with the panel's records into ``folder``/catalog.db, and a token per caller."""
    db = folder / "catalog.db"
    url = f"sqlite:///{db}"
    examples = sorted((ROOT / "examples" / "valid").iterdir(), key=lambda p: p.name == "panel-records.yaml")
    for path in examples:  # the submissions first, then the panel's records about them
        subprocess.run(
            [str(BIN / "medal"), "harvest", str(path), "--catalog", url, "--out", str(folder / "out")],
            check=True,
            capture_output=True,
            cwd=folder,
        )
    tokens = {}
    for role, name in CALLERS.items():
        if name:
            made = subprocess.run(
                [str(BIN / "medal"), "token", "create", "--name", name, "--role", role, "--catalog", url],
                check=True,
                capture_output=True,
                text=True,
            )
            tokens[role] = made.stdout.strip()
    return db, tokens


def run_role(
    base: str,
    token: str | None,
    report: Path,
    *,
    examples: int,
    seed: int,
    phases: str = "examples,coverage,fuzzing,stateful",
) -> dict:
    """One schemathesis run as one caller; its JSON report plus the console's last lines (for failures)."""
    command = [
        str(BIN / "schemathesis"),
        "run",
        f"{base}/api/openapi.json",
        "--max-examples",
        str(examples),
        "--seed",
        str(seed),
        "--phases",
        phases,
        "--checks",
        "all",
        "--exclude-checks",
        ",".join(EXCLUDED_CHECKS),
        "--no-color",
        "--report",
        "json",
        "--report-json-path",
        str(report),
        "--suppress-health-check",
        "all",
    ]
    if token:
        command += ["--header", f"Authorization: Bearer {token}"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=report.parent)  # its cache goes there
    result = json.loads(report.read_text(encoding="utf-8"))
    return {
        "exit_code": done.returncode,
        "cases": result["test_cases"]["generated"],
        "failures": result["test_cases"]["unique_failures"],
        "errored": result["test_cases"]["errored"],
        "operations": result["operations"]["tested"],
        "seconds": round(result["running_time"], 1),
        "output": done.stdout[-6000:] if done.returncode else "",
    }


def run_suite(
    folder: Path, *, examples: int, seed: int, phases: str | dict[str, str] = "examples,coverage,fuzzing,stateful"
) -> dict[str, dict]:
    """The suite in ``folder``: a fresh catalog, one server, one run per role (``phases`` for all, or by role).
    Returns each role's summary."""
    db, tokens = build_catalog(folder)
    by_role = phases if isinstance(phases, dict) else {role: phases for role in CALLERS}
    with medal_server(db, folder) as base:
        return {
            role: run_role(
                base,
                tokens.get(role),
                folder / f"schemathesis-{role}.json",
                examples=examples,
                seed=seed,
                phases=role_phases,
            )
            for role, role_phases in by_role.items()
        }


def main(argv: list[str] | None = None) -> int:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=50, help="examples an operation and phase (default 50)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--phases", default="examples,coverage,fuzzing,stateful")
    parser.add_argument("--roles", default=",".join(CALLERS), help=f"comma-separated, of {', '.join(CALLERS)}")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    phases = {role: args.phases for role in args.roles.split(",") if role in CALLERS}
    with tempfile.TemporaryDirectory(prefix="medal-schemathesis-") as folder:
        summary = run_suite(Path(folder), examples=args.examples, seed=args.seed, phases=phases)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        for role, s in summary.items():
            print(
                f"{role:12} {s['cases']:6} cases  {s['operations']} operations  {s['failures']} failures  "
                f"{s['errored']} errored  {s['seconds']} s"
            )
            if s["output"]:
                print(s["output"])
    return 0 if all(s["exit_code"] == 0 for s in summary.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
