"""`python -m medal_catalog` runs the `medal` command."""

from medal_catalog.cli import main

main(prog_name="medal")
