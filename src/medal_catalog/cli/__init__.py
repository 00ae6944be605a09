"""The `medal` command line. One thin module per command group; each parses, calls the library, prints.

A package rather than one cli.py so that each command's argument handling sits next to its peers without one
file growing past what a reader can hold. The group imports a command's module only when that command runs
(cli/lazy.py): `medal --help` and `medal validate FILE` load what they use and nothing else (issue 29).
"""

from __future__ import annotations

import click

from medal_catalog._version import __version__
from medal_catalog.cli.lazy import LazyGroup

#: Every command: name -> ("module:attribute", its short help as `medal --help` lists it). Checked against the
#: commands themselves by tests/test_cli_lazy.py: a row that drifts from its command fails there.
COMMANDS: dict[str, tuple[str, str]] = {
    "check": (
        "medal_catalog.cli.check:check",
        "Check the catalog: series counts of each dataset against the series the store holds, references "
        "between entries, kept files against their sha256, and the search index against the store.",
    ),
    "check-public": (
        "medal_catalog.cli.check_public:check_public",
        "Check a submission folder (or a bare DICOM folder) against public archives, offline.",
    ),
    "decide": (
        "medal_catalog.cli.panel:decide",
        "Accept or reject TASK (under review, with at least MEDAL_MIN_REVIEWS reviews without a conflict of "
        "interest), as its next version, by an admin of this catalog (--token, or --as NAME holding an "
        "admin token).",
    ),
    "deidentify": (
        "medal_catalog.cli.deidentify:deidentify",
        "De-identify the DICOM files under IN into OUT with the PS3.15 Annex E Basic Profile and the "
        "options you choose, by the same rules as the catalog's own copy, then audit each file again: "
        "files that cannot be made clean are left out and listed with the reason, never half-written.",
    ),
    "doi": (
        "medal_catalog.cli.doi:doi",
        "Register DATASET_ID's DOI (<MEDAL_DATACITE_PREFIX>/medal.<id>) with the DataCite REST API.",
    ),
    "evaluate": (
        "medal_catalog.cli.evaluate:evaluate",
        "Score PREDICTIONS on split --split of TASK_OR_FOLDER, printing every declared metric the catalog "
        "computes with its 95 % percentile-bootstrap interval (seeded, 1000 resamples unless --resamples "
        "says more) and the subgroups (site, country, vendor, sex, age band) of at least --min-group "
        "cases.",
    ),
    "export": (
        "medal_catalog.cli.export:export",
        "Export the ImagingDataset or BenchmarkTask ENTRY_ID as Croissant 1.1 with RAI, or as DataCite metadata.",
    ),
    "harvest": ("medal_catalog.cli.harvest:harvest", "Harvest submissions and DICOM trees into the catalog."),
    "init": (
        "medal_catalog.cli.init:init",
        "Write an annotated template of a KIND (a submission: a task and its dataset, with a dicom/ folder for "
        "the images) into FOLDER (default ./my-submission), ready to fill in.",
    ),
    "link": (
        "medal_catalog.cli.link:link",
        "Print a signed link to the Croissant of task (or --dataset) ENTRY_ID, acting for TOKEN's holder.",
    ),
    "panel": ("medal_catalog.cli.panel:panel", "The review panel: the ranked shortlist and the other lifecycle steps."),
    "reindex": (
        "medal_catalog.cli.reindex:reindex",
        "Rebuild a search index from every current entry of the store, then swap it in whole.",
    ),
    "review": (
        "medal_catalog.cli.panel:review",
        "Record a review of TASK's current version by a reviewer or admin of this catalog (--token, or --as "
        "NAME holding such a token), dated today; a second review by the same reviewer of the same version "
        "replaces the first (kept in history).",
    ),
    "schema": ("medal_catalog.cli.schema:schema", "The MEDAL LinkML schema and the artefacts generated from it."),
    "search": ("medal_catalog.cli.search:search", "Search catalog entries."),
    "serve": (
        "medal_catalog.cli.serve:serve",
        "Serve the catalog over HTTP: web pages at / (search, landing pages, the panel's desk, /campaign), the "
        "API under /api (OpenAPI at /api/openapi.json, docs at /api/docs) and resolvable identifiers under "
        "/id.",
    ),
    "status": (
        "medal_catalog.cli.submit:status",
        "Where the task TASK stands in the panel's workflow (submitted, under_review, accepted, ...), and the "
        "panel's feedback once it has decided: the decision's reason and each review's scores, "
        "recommendation and comments, never the reviewer's name (whatever the token's role).",
    ),
    "submit": (
        "medal_catalog.cli.submit:submit",
        "Validate and harvest the submission at PATH here, then send it to the catalog at --to.",
    ),
    "token": ("medal_catalog.cli.token:token", "API tokens (stored hashed in the catalog database)."),
    "validate": (
        "medal_catalog.cli.validate:validate",
        "Validate submission folders, metadata files (YAML/JSON) and Croissant files, offline.",
    ),
}


@click.group(
    cls=LazyGroup, table=COMMANDS, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110}
)
@click.version_option(__version__, "-V", "--version", prog_name="medal")
def main() -> None:
    """MEDAL catalog: validate, harvest and publish metadata of MEDAL benchmark tasks and imaging datasets."""


__all__ = ["COMMANDS", "main"]
