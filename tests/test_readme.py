"""README is a door: two commands first (CI runs the test one verbatim), short, and its links lead into the site."""

from __future__ import annotations

import re

from conftest import REPO

README = REPO / "README.md"


def _first_block() -> list[str]:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```(?:bash)?\n(.*?)```", text, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_readme_starts_with_two_commands_and_ci_runs_the_test_one():
    """The first code block holds exactly two commands; .ci/run runs the second verbatim."""
    commands = _first_block()
    assert len(commands) == 2
    assert "pytest" not in commands[0]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert any(line.strip() == commands[1].strip() for line in ci.splitlines())


def test_the_first_command_runs_the_main_job():
    """The first command is a script in the checkout that validates, harvests the bundled examples and serves."""
    script = REPO / commands_script()
    assert script.is_file(), script
    text = script.read_text(encoding="utf-8")
    for step in ("medal validate examples/valid", "medal harvest examples/valid/* examples/open/*", "medal serve"):
        assert step in text, step
    assert "--port" in text


def commands_script() -> str:
    return _first_block()[0].split()[0]


def test_readme_is_short_and_links_into_the_docs():
    """At most 150 lines; every docs/ page it links to exists."""
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 150
    links = re.findall(r"\]\((docs/[^)#]+)", text)
    assert links, "README links into the docs site"
    for link in links:
        assert (REPO / link).is_file(), link
