"""What a harvest run produced (its problems are :class:`~medal_catalog.dicom.header.FileProblem` issues)."""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Mapping
from typing import Any

from medal_catalog.dicom.header import FileProblem


@dataclass(slots=True)
class HarvestResult:
    """What one harvest produced: catalog records (as generated pydantic models), manifest rows, problems, counts.

    ``dataset`` is a :class:`medal_catalog.model.medal.ImagingDataset`; ``series`` a list of ImagingSeries.
    ``summary`` is the JSON-ready run summary that ``medal harvest --json`` prints.
    """

    dataset: Any
    series: list[Any]
    manifest: list[dict[str, Any]]
    problems: list[FileProblem]
    summary: dict[str, Any] = field(default_factory=dict)
    #: Where each harvested name was read: name -> file path (None for a zip member). A mapping made on first
    #: use by the DICOM harvester (showing 10k paths safely was half an unchanged re-harvest's time).
    locations: Mapping[str, str | None] = field(default_factory=dict)
    #: The run's secret key (kept in the harvest cache, never published): it makes the UID pseudonyms, and the
    #: rewrite of the files the catalog keeps uses it too, so that both carry the same UIDs.
    salt: bytes = b""
    #: Pixel data digests by series id: {series id: {digest: files}} (dicom/pixels.py; empty when not hashed).
    pixels: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def errors(self) -> list[FileProblem]:
        """The problems with files that should have been harvested (corrupt, unreadable, timed out)."""
        return [p for p in self.problems if p.kind == "error"]
