"""Harvesters turn sources (DICOM folders and zips, Croissant files, submissions) into catalog records, ready for
medal_catalog.ingestion to store; they read the formats through the format packages (dicom/, croissant/).

Shared result types live in base.py; each source kind has its own module.
"""

from medal_catalog.dicom.header import FileProblem
from medal_catalog.harvesters.base import HarvestResult

__all__ = ["FileProblem", "HarvestResult"]
