"""The `medal` command line. One thin module per command group; each parses, calls the library, prints.

A package rather than one cli.py so that each command's argument handling sits next to its peers without one
file growing past what a reader can hold.
"""

from __future__ import annotations

import click

from medal_catalog._version import __version__
from medal_catalog.cli.check_public import check_public
from medal_catalog.cli.check import check
from medal_catalog.cli.doi import doi
from medal_catalog.cli.evaluate import evaluate
from medal_catalog.cli.deidentify import deidentify
from medal_catalog.cli.export import export
from medal_catalog.cli.harvest import harvest
from medal_catalog.cli.init import init
from medal_catalog.cli.panel import decide, panel, review
from medal_catalog.cli.link import link
from medal_catalog.cli.schema import schema
from medal_catalog.cli.search import search
from medal_catalog.cli.serve import serve
from medal_catalog.cli.reindex import reindex
from medal_catalog.cli.submit import status, submit
from medal_catalog.cli.token import token
from medal_catalog.cli.validate import validate


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, "-V", "--version", prog_name="medal")
def main() -> None:
    """MEDAL catalog: validate, harvest and publish metadata of MEDAL benchmark tasks and imaging datasets."""


main.add_command(check_public)
main.add_command(check)
main.add_command(export)
main.add_command(doi)
main.add_command(decide)
main.add_command(evaluate)
main.add_command(deidentify)
main.add_command(harvest)
main.add_command(init)
main.add_command(panel)
main.add_command(review)
main.add_command(link)
main.add_command(schema)
main.add_command(search)
main.add_command(serve)
main.add_command(reindex)
main.add_command(status)
main.add_command(submit)
main.add_command(token)
main.add_command(validate)

__all__ = ["main"]
