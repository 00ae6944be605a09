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
