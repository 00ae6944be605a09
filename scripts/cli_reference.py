#!/usr/bin/env python3
"""Regenerate README's CLI reference from `medal --help` (and each command's --help). `--check` reports drift."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click.testing import CliRunner

from medal_catalog.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- cli-reference:start -->", "<!-- cli-reference:end -->"


def _commands(group: click.Group, prefix: list[str]):
    for name in sorted(group.commands):
        command = group.commands[name]
        yield [*prefix, name]
        if isinstance(command, click.Group):
            yield from _commands(command, [*prefix, name])


def render() -> str:
    """The reference: one fenced block per command, in the order `medal --help` lists them."""
    runner = CliRunner()
    parts = [START, "", "Generated from `--help` by `scripts/cli_reference.py`.", ""]
    for path in [[], *_commands(main, [])]:
        result = runner.invoke(main, [*path, "--help"], prog_name="medal", terminal_width=110)
        parts += [f"### `{' '.join(['medal', *path])}`", "", "```text", result.output.rstrip(), "```", ""]
    parts.append(END)
    return "\n".join(parts)


def splice(text: str, block: str) -> str:
    """README text with its reference block replaced (or appended when absent)."""
    if START in text and END in text:
        head, rest = text.split(START, 1)
        return head + block + rest.split(END, 1)[1]
    return text.rstrip() + "\n\n## CLI reference\n\n" + block + "\n"


if __name__ == "__main__":
    current = README.read_text(encoding="utf-8")
    wanted = splice(current, render())
    if "--check" in sys.argv:
        sys.exit(0 if current == wanted else "README's CLI reference is stale: run scripts/cli_reference.py")
    README.write_text(wanted, encoding="utf-8")
