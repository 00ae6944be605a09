"""The `medal` command: --version, --help lists only built commands, schema summary."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from medal_catalog import __version__


def _medal(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "medal_catalog", *args], capture_output=True, text=True, timeout=120)


def test_version():
    """`medal --version` prints the package version."""
    out = _medal("--version")
    assert out.returncode == 0 and __version__ in out.stdout


def test_help_lists_commands_that_exist():
    """Every command listed by `medal --help` runs its own --help successfully (no stubs)."""
    out = _medal("--help")
    assert out.returncode == 0
    listed = [line.split()[0] for line in out.stdout.split("Commands:")[1].splitlines() if line.strip()]
    assert "schema" in listed
    for command in listed:
        assert _medal(command, "--help").returncode == 0, command


def test_schema_summary_json():
    """`medal schema summary --json` reports the entry classes and their URIs."""
    out = _medal("schema", "summary", "--json")
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    names = {e["name"]: e for e in summary["entries"]}
    assert names["ImagingDataset"]["uri"] == "http://www.w3.org/ns/dcat#Dataset"
    assert summary["enum_count"] >= 15


def test_harvest_of_a_dicom_tree_lists_the_files_it_wrote(tmp_path):
    """`medal harvest DIR --dataset X` ends with one `wrote <path>` line per output file (catalog, manifest,
    report), each a file that exists, and never prints an internal object's repr."""
    from submission_fill import GE_SERIES

    if not GE_SERIES.is_dir():
        import pytest

        pytest.skip("the shared real DICOM is not here")
    out = tmp_path / "out"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "medal_catalog",
            "harvest",
            str(GE_SERIES),
            "--dataset",
            "ge-dwi",
            "--out",
            str(out),
            "--catalog",
            f"sqlite:///{tmp_path / 'catalog.db'}",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "PutResult" not in run.stdout
    wrote = [line.split("wrote ", 1)[1] for line in run.stdout.splitlines() if line.strip().startswith("wrote ")]
    assert len(wrote) >= 3 and all(Path(p).is_file() for p in wrote), run.stdout
