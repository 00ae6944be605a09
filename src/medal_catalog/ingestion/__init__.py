"""The one path from a source into the catalog (store + index): a submission folder or file, a bare DICOM tree, a
Croissant file, or a metadata or Croissant document sent over HTTP. `medal harvest`, ``POST /api/submissions``
and the web upload call these functions; what is written, and whether a re-run writes anything at all, is
decided here and nowhere else.

    from medal_catalog import ingest, open_catalog
    with open_catalog("sqlite:///catalog.db") as catalog:
        results = ingest(["examples/valid/ct-lung-nodule"], catalog)

One module per job: ``entries`` (the one write), ``orchestrate`` (sources on disk), ``documents`` (HTTP bodies),
``uploads`` (uploaded DICOM), ``contamination`` (the facts a harvest stores and checks), ``idc`` (public collections).
"""

from __future__ import annotations

from medal_catalog.ingestion.documents import check_document, ingest_bundle, ingest_croissant_document, ingest_document
from medal_catalog.ingestion.entries import (
    HARVEST_AUTHOR,
    CheckWrites,
    IngestResult,
    SourceKind,
    attachments,
    put_entries,
)
from medal_catalog.ingestion.idc import BACKGROUND_INDEX_SERIES, ingest_idc
from medal_catalog.ingestion.orchestrate import (
    HarvestOptions,
    corrupt_metadata,
    ingest,
    ingest_croissant,
    ingest_dicom_tree,
    ingest_submission,
    plan,
    source_kind,
)

__all__ = [
    "BACKGROUND_INDEX_SERIES",
    "CheckWrites",
    "HARVEST_AUTHOR",
    "HarvestOptions",
    "IngestResult",
    "SourceKind",
    "attachments",
    "check_document",
    "corrupt_metadata",
    "ingest",
    "ingest_bundle",
    "ingest_croissant",
    "ingest_croissant_document",
    "ingest_dicom_tree",
    "ingest_document",
    "ingest_idc",
    "ingest_submission",
    "plan",
    "put_entries",
    "source_kind",
]
