"""README keeps its promises: two commands first, CI runs the test one, and the CLI reference is current."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import REPO


def _first_block() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```(?:bash)?\n(.*?)```", text, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_readme_starts_with_two_commands_and_ci_runs_the_test_one():
    """The first code block holds exactly two commands; .ci/run runs the second verbatim."""
    commands = _first_block()
    assert len(commands) == 2
    assert "medal" in commands[0] and "pytest" not in commands[0]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert any(line.strip() == commands[1].strip() for line in ci.splitlines())


def test_cli_reference_is_current():
    """README's CLI reference equals what scripts/cli_reference.py generates from --help."""
    out = subprocess.run([sys.executable, str(REPO / "scripts" / "cli_reference.py"), "--check"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr


def test_readme_library_example_runs(tmp_path):
    """The Python example of "Use it as a library" runs as written (in a scratch folder holding the examples)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    example = re.search(r"## Use it as a library.*?```python\n(.*?)```", text, re.S).group(1)
    (tmp_path / "examples").symlink_to(REPO / "examples")
    code = example + "\nassert report.ok and not results[0].failed and document['name'] and hits.total >= 0\n"
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert (tmp_path / "catalog.db").exists()
