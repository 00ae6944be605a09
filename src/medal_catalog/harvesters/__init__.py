"""Harvesters turn sources (DICOM folders and zips, later Croissant files and submissions) into catalog records.

Shared result types live in base.py; each source kind has its own module (dicom.py for DICOM).
"""

from medal_catalog.dicom.header import FileProblem
from medal_catalog.harvesters.base import HarvestResult

__all__ = ["FileProblem", "HarvestResult"]
