"""The quality gates run, not just exist: ruff finds nothing in the code we write (generated models excluded), the
type checker passes strict on the packages pyproject.toml names, and vulture finds no unused code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import REPO


def test_ruff_check_is_clean():
    """`ruff check` over src, tests, benchmarks, stress and scripts: no finding (unused names, undefined names, ...)."""
    ruff = Path(sys.executable).with_name("ruff")
    run = subprocess.run(
        [str(ruff), "check", "--no-cache", "src", "tests", "benchmarks", "stress", "scripts"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


def test_ruff_format_is_clean():
    """`ruff format --check` over the same folders: the code is in the one layout the formatter writes, so a diff
    shows changes, not reflowed lines (run `ruff format src tests benchmarks stress scripts` before a commit)."""
    ruff = Path(sys.executable).with_name("ruff")
    run = subprocess.run(
        [str(ruff), "format", "--check", "--no-cache", "src", "tests", "benchmarks", "stress", "scripts"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


def test_mypy_strict_where_configured(tmp_path):
    """mypy, configured in pyproject.toml (strict on store/, search/, api/ and catalog.py), reports no error."""
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "mypy-cache")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "no issues found" in run.stdout


def test_vulture_finds_no_unused_code():
    """vulture, configured in pyproject.toml ([tool.vulture]: the package, with tests, benchmarks, stress runs and
    scripts as its users; tests/vulture_whitelist.py for what frameworks use), finds no unused function, class,
    variable, attribute or import."""
    vulture = Path(sys.executable).with_name("vulture")
    run = subprocess.run([str(vulture)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
