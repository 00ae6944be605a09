"""The `medal` group loads command modules lazily (issue 29): its table names every real command, with the short
help that command gives, and `medal --help` / `medal validate FILE` import no other command's module."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner
from medal_catalog.cli import COMMANDS, main
from medal_catalog.cli.lazy import short_help

#: A real GE MR file (the vendor series in the shared data).
GE_FILE = "/work/shared/data/dicom/ge/01_Ax_DWI_TENSOR_R2/i22.MRDC.1"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_table_row_matches_its_command(name):
    """Each row names a click command of that name whose short help, at any width, is the row's."""
    module, _, attribute = COMMANDS[name][0].partition(":")
    command = getattr(importlib.import_module(module), attribute)
    assert isinstance(command, click.Command)
    assert command.name == name
    for limit in (30, 45, 60, 80, 104, 10_000):
        assert short_help(COMMANDS[name][1], limit) == command.get_short_help_str(limit)


def test_every_command_module_is_in_the_table():
    """No click command defined in a cli/ module is left out of the table (a new command must get a row)."""
    import pkgutil

    import medal_catalog.cli as package

    listed = {spec for spec, _ in COMMANDS.values()}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"medal_catalog.cli.{info.name}")
        for attribute, value in vars(module).items():
            if (
                isinstance(value, click.Command)
                and value is not main
                and value.callback is not None
                and value.callback.__module__ == module.__name__
                and not any(
                    value is g.commands.get(value.name)
                    for g in vars(module).values()
                    if isinstance(g, click.Group) and g is not value
                )
            ):
                assert f"{module.__name__}:{attribute}" in listed, f"{module.__name__}:{attribute} has no row"


def test_help_lists_every_command_as_click_would():
    """`medal --help` lists the table's commands with the same text click writes from the commands."""
    shown = CliRunner().invoke(main, ["--help"], terminal_width=80)
    assert shown.exit_code == 0, shown.output
    listing = shown.output.split("Commands:")[1]
    for name in COMMANDS:
        assert f"\n  {name} " in listing
    real = click.Group(
        name="medal",
        commands={n: main.commands[n] for n in COMMANDS},
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
    )
    expected = CliRunner().invoke(real, ["--help"], terminal_width=80).output.split("Commands:")[1]
    assert listing == expected


def _imported(args: list[str]) -> set[str]:
    # validate leaves by os._exit after running the exit handlers (cli/validate.py): report from one.
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('MODULES ' + ' '.join(sorted(sys.modules)), flush=True))\n"
        "from medal_catalog.cli import main\nmain(%r, prog_name='medal')" % (args,)
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, env={**os.environ, "COLUMNS": "100"}
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("MODULES "))
    return set(line.split()[1:])


def test_help_and_validate_import_only_what_they_use():
    """`medal --help` imports no command module; `medal validate FILE` imports validate's, and neither imports
    the API, the search index, the store's SQL layer or the ingestion."""
    heavy = {
        "medal_catalog.api",
        "medal_catalog.search",
        "medal_catalog.store.sql",
        "sqlalchemy",
        "fastapi",
        "matplotlib",
        "medal_catalog.ingestion",
    }
    helped = _imported(["--help"])
    assert not {m for m in helped if m.startswith("medal_catalog.cli.") and m != "medal_catalog.cli.lazy"}
    assert not heavy & helped
    validated = _imported(["validate", GE_FILE, "--json"])
    commands = {m for m in validated if m.startswith("medal_catalog.cli.")} - {"medal_catalog.cli.lazy"}
    assert "medal_catalog.cli.validate" in commands
    assert not commands - {"medal_catalog.cli.validate", "medal_catalog.cli.options"}
    assert not heavy & validated
    # a DICOM file needs neither the Croissant reader nor the metadata entry checks (about 115 ms of imports)
    assert not {"medal_catalog.croissant.reading", "medal_catalog.validators.entries"} & validated


def test_validate_through_the_lazy_group_still_reports():
    """The lazily loaded `validate` runs as before: a real GE file gets a JSON report."""
    done = CliRunner().invoke(main, ["validate", GE_FILE, "--json"])
    assert done.exit_code in (0, 1), done.output
    assert json.loads(done.output)
