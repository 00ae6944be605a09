"""The validation report: issues collected (never thrown), each with a stable code, severity and location.

The same report is printed by `medal validate`, returned by the API when a submission is rejected, and
serialised as JSON with :meth:`Report.to_dict` (shape documented in README "validate --json").
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Severity(str, enum.Enum):
    """How bad an issue is: errors block a submission, warnings do not (unless --strict), infos inform."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem, located by file and JSON pointer (metadata) or file and DICOM tag (images).

    Messages never quote the offending value: it may be a patient identifier.
    """

    severity: Severity
    code: str
    file: str
    message: str
    pointer: str | None = None
    hint: str | None = None
    tag: str | None = None
    line: int | None = None
    column: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The issue as a JSON-ready dict, omitting empty location fields."""
        out = {"severity": self.severity.value, "code": self.code, "file": self.file, "pointer": self.pointer,
               "tag": self.tag, "line": self.line, "column": self.column, "message": self.message,
               "hint": self.hint}
        return {k: v for k, v in out.items() if v is not None or k in ("pointer",)}


def record_issue(severity: Severity, code: str, pointer: str, message: str, hint: str | None = None) -> Issue:
    """An issue found in a record before it is known which file holds it: ``file`` is "" and ``pointer`` is relative
    to the record, until the caller places it in its file (the validators' checks of one record make these)."""
    return Issue(severity, code, "", message, pointer, hint)


@dataclass(slots=True)
class EntrySummary:
    """A catalog entry found while validating, with its verdict and FAIR scores."""

    file: str
    pointer: str
    type: str
    id: str | None
    valid: bool
    fair: dict[str, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The entry summary as a JSON-ready dict."""
        return {"file": self.file, "pointer": self.pointer, "type": self.type, "id": self.id, "valid": self.valid,
                "fair": self.fair}


@dataclass(slots=True)
class Report:
    """Everything one validation run found."""

    issues: list[Issue] = field(default_factory=list)
    entries: list[EntrySummary] = field(default_factory=list)
    files_checked: int = 0
    #: What the public-archive and duplicate checks found, per dataset id (counts only; empty when not checked).
    contamination: dict[str, Any] = field(default_factory=dict)

    def add(self, issue: Issue) -> None:
        """Record one issue."""
        self.issues.append(issue)

    def extend(self, issues) -> None:
        """Record several issues."""
        self.issues.extend(issues)

    def count(self, severity: Severity) -> int:
        """How many issues of this severity were found."""
        return sum(1 for issue in self.issues if issue.severity is severity)

    @property
    def ok(self) -> bool:
        """True when no issue is an error."""
        return self.count(Severity.ERROR) == 0

    def exit_code(self, strict: bool = False) -> int:
        """0 when clean, 1 when any error (or, with strict, any warning)."""
        if self.count(Severity.ERROR) or (strict and self.count(Severity.WARNING)):
            return 1
        return 0

    def sorted_issues(self) -> list[Issue]:
        """Issues grouped by file, errors before warnings before infos, then in file order."""
        order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
        return sorted(self.issues, key=lambda i: (i.file, order[i.severity], i.line or 0, i.pointer or "", i.code))

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON-ready dict: summary, issues, entries (and ``contamination`` when checked)."""
        out = {
            "valid": self.ok,
            "summary": {"files": self.files_checked, "entries": len(self.entries),
                        "errors": self.count(Severity.ERROR), "warnings": self.count(Severity.WARNING),
                        "infos": self.count(Severity.INFO)},
            "issues": [issue.to_dict() for issue in self.sorted_issues()],
            "entries": [entry.to_dict() for entry in self.entries],
        }
        if self.contamination:
            out["contamination"] = self.contamination
        return out
