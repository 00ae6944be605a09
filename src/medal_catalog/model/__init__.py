"""Pydantic models generated from the LinkML schema (see medal.py; never edit it by hand)."""

from medal_catalog.model.medal import BenchmarkTask, ImagingDataset, ImagingSeries, MedalCatalog, ReviewAssessment

#: Entry class by the value of its ``type`` designator.
ENTRY_MODELS = {cls.__name__: cls for cls in (BenchmarkTask, ImagingDataset, ImagingSeries, ReviewAssessment)}

__all__ = ["BenchmarkTask", "ImagingDataset", "ImagingSeries", "MedalCatalog", "ReviewAssessment", "ENTRY_MODELS"]
