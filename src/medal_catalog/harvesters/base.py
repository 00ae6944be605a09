"""Result types shared by harvesters: a problem with one input file, and what a harvest run produced."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

#: "skipped" files are not what the harvester reads (not DICOM, a DICOMDIR); "error" files should have been.
ProblemKind = Literal["skipped", "error"]


@dataclass(frozen=True, slots=True)
class FileProblem:
    """One input file that was not harvested, and why. The reason never quotes a value read from the file."""

    path: str
    reason: str
    kind: ProblemKind = "error"
    not_dicom: bool = False  # the content is not DICOM at all (as opposed to broken DICOM)

    def to_dict(self) -> dict[str, Any]:
        """The problem as a JSON-ready mapping."""
        return {"path": self.path, "reason": self.reason, "kind": self.kind, "not_dicom": self.not_dicom}


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
    #: Where each harvested name was read: name -> file path (None for a zip member).
    locations: dict[str, str | None] = field(default_factory=dict)

    @property
    def errors(self) -> list[FileProblem]:
        """The problems with files that should have been harvested (corrupt, unreadable, timed out)."""
        return [p for p in self.problems if p.kind == "error"]
