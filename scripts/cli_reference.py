#!/usr/bin/env python3
"""Regenerate the docs site's CLI reference (docs/reference/cli.md) from `medal --help` and each command's --help.

`--check` exits non-zero when the page drifted from the commands (tests/test_docs.py runs it).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click.testing import CliRunner

from medal_catalog.cli import main

PAGE = Path(__file__).resolve().parent.parent / "docs" / "reference" / "cli.md"
HEADER = """# CLI reference

Generated from `--help` by `scripts/cli_reference.py`; do not edit by hand (a test fails when it drifts).
Every command takes `-h` / `--help`; most take `--json` for machine-readable output.
"""


def _commands(group: click.Group, prefix: list[str]):
    for name in sorted(group.commands):
        command = group.commands[name]
        yield [*prefix, name]
        if isinstance(command, click.Group):
            yield from _commands(command, [*prefix, name])


def render() -> str:
    """The reference: one section with a fenced block per command, in the order `medal --help` lists them."""
    runner = CliRunner()
    parts = [HEADER]
    for path in [[], *_commands(main, [])]:
        result = runner.invoke(main, [*path, "--help"], prog_name="medal", terminal_width=110)
        parts += [f"## `{' '.join(['medal', *path])}`", "", "```text", result.output.rstrip(), "```", ""]
    return "\n".join(parts).rstrip() + "\n"


if __name__ == "__main__":
    wanted = render()
    if "--check" in sys.argv:
        current = PAGE.read_text(encoding="utf-8") if PAGE.exists() else ""
        sys.exit(0 if current == wanted else "docs/reference/cli.md is stale: run scripts/cli_reference.py")
    PAGE.parent.mkdir(parents=True, exist_ok=True)
    PAGE.write_text(wanted, encoding="utf-8")
    print(f"wrote {PAGE}")
