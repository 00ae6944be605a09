"""The catalog's Croissant exports: a stored ImagingDataset (with its series manifest, its DICOM archive and the
record sets of the Croissant it was imported from) or a BenchmarkTask (with its cases and labels files).

The documents are written by the Croissant format package (medal_catalog.croissant); this module is where the
catalog's commands and routes find its exports.
"""

from __future__ import annotations

from medal_catalog.croissant.task import CaseFiles, case_files, export_task
from medal_catalog.croissant.writing import content_addressed, dataset_series, export_dataset

__all__ = ["CaseFiles", "case_files", "content_addressed", "dataset_series", "export_dataset", "export_task"]
