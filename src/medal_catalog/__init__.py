"""MEDAL catalog: the data catalog and FAIR metadata service of the MEDAL benchmark.

The library's entry points (the CLI and the HTTP API are built on these)::

    import medal_catalog as medal

    report = medal.validate(["examples/valid"])              # a Report of Issues, as `medal validate --json`
    with medal.open_catalog("sqlite:///catalog.db") as catalog:
        results = medal.ingest(["examples/valid/ct-lung-nodule-malignancy"], catalog)  # one IngestResult a source
        hits = catalog.search("lung", filters={"type": "BenchmarkTask"}, facets=["modality"])
        document, manifest = medal.export_dataset(catalog, "ct-lung-screening-2019-2023", "https://catalog.example")

Names load on first use, so ``import medal_catalog`` stays cheap for the command line.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from medal_catalog._version import __version__

#: Public name -> the module that defines it.
_EXPORTS = {
    "validate": "medal_catalog.validators.submission",
    "ingest": "medal_catalog.ingestion",
    "IngestResult": "medal_catalog.ingestion",
    "open_catalog": "medal_catalog.catalog",
    "Catalog": "medal_catalog.catalog",
    "SearchRequest": "medal_catalog.search",
    "SearchResult": "medal_catalog.search",
    "export_dataset": "medal_catalog.exports.croissant",
    "export_task": "medal_catalog.exports.croissant",
    "to_jsonld": "medal_catalog.exports.jsonld",
    "to_dcat": "medal_catalog.exports.dcat",
    "Report": "medal_catalog.report",
    "Issue": "medal_catalog.report",
    "Severity": "medal_catalog.report",
    "MedalError": "medal_catalog.errors",
    "create_app": "medal_catalog.api",
    "deidentify": "medal_catalog.dicom.local",
    "DeidentifyOptions": "medal_catalog.dicom.local",
}
#: Public names that are another name in their module.
_ALIASES = {"validate": "validate_paths", "DeidentifyOptions": "LocalOptions"}

__all__ = ["__version__", *sorted(_EXPORTS)]

if TYPE_CHECKING:  # for type checkers and IDEs; at run time __getattr__ imports on first use
    from medal_catalog.api import create_app
    from medal_catalog.catalog import Catalog, open_catalog
    from medal_catalog.dicom.local import LocalOptions as DeidentifyOptions
    from medal_catalog.dicom.local import deidentify
    from medal_catalog.errors import MedalError
    from medal_catalog.exports.croissant import export_dataset, export_task
    from medal_catalog.exports.dcat import to_dcat
    from medal_catalog.exports.jsonld import to_jsonld
    from medal_catalog.ingestion import IngestResult, ingest
    from medal_catalog.report import Issue, Report, Severity
    from medal_catalog.search import SearchRequest, SearchResult
    from medal_catalog.validators.submission import validate_paths as validate


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'medal_catalog' has no attribute {name!r}")
    value = getattr(import_module(module), _ALIASES.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
