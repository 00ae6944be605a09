"""A click group that imports a command's module only when that command runs (issue 29: `medal --help` and
`medal validate FILE` paid for importing every command's module, the search index and the API among them).

The group knows each command by a table row, name -> ("module:attribute", short help); `--help` lists the short
helps from the table without importing anything. tests/test_cli_lazy.py checks every row against the real command
(its name, and its short help at several widths), so the table cannot drift from the commands.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

import click


class LazyCommands(MutableMapping[str, click.Command]):
    """``group.commands`` whose values are imported on first access (``main.commands["harvest"]`` still works)."""

    def __init__(self, table: Mapping[str, tuple[str, str]]) -> None:
        self._table = dict(table)
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            if name not in self._table:
                raise KeyError(name)
            module, _, attribute = self._table[name][0].partition(":")
            command = getattr(importlib.import_module(module), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self._table[name][0]} is not a click command")
            self._loaded[name] = command
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        self._table.pop(name, None)
        del self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(set(self._table) | set(self._loaded)))

    def __len__(self) -> int:
        return len(set(self._table) | set(self._loaded))

    def short_help(self, name: str) -> str | None:
        """The table's short help of a command not imported yet (None once imported: ask the command)."""
        return None if name in self._loaded or name not in self._table else self._table[name][1]


def short_help(summary: str, limit: int) -> str:
    """``summary`` cut to ``limit`` characters as click cuts a command's help for the command list."""
    return click.Command("-", help=summary).get_short_help_str(limit)


class LazyGroup(click.Group):
    """A group whose commands are named in ``table`` (name -> ("module:attribute", short help))."""

    def __init__(self, *args: Any, table: Mapping[str, tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands: LazyCommands = LazyCommands(table)  # type: ignore[assignment]

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from the table, as click writes it, without importing the commands."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            summary = self.commands.short_help(name)
            if summary is None:
                command = self.commands[name]
                if command.hidden:
                    continue
                rows.append((name, command.get_short_help_str(limit)))
            else:
                rows.append((name, short_help(summary, limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)
