"""The validation report: issues collected (never thrown), each with a stable code, severity and location.

The same report is printed by `medal validate`, returned by the API when a submission is rejected, and
serialised as JSON with :meth:`Report.to_dict` (shape documented in docs/contributors.md, "medal validate --json").
"""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
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
        out = {
            "severity": self.severity.value,
            "code": self.code,
            "file": self.file,
            "pointer": self.pointer,
            "tag": self.tag,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "hint": self.hint,
        }
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
        return {
            "file": self.file,
            "pointer": self.pointer,
            "type": self.type,
            "id": self.id,
            "valid": self.valid,
            "fair": self.fair,
        }


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
            "summary": {
                "files": self.files_checked,
                "entries": len(self.entries),
                "errors": self.count(Severity.ERROR),
                "warnings": self.count(Severity.WARNING),
                "infos": self.count(Severity.INFO),
            },
            "issues": [issue.to_dict() for issue in self.sorted_issues()],
            "entries": [entry.to_dict() for entry in self.entries],
        }
        if self.contamination:
            out["contamination"] = self.contamination
        return out


# --- paths inside a submission, as reports show them -------------------------------------------------------------
#
# A contributor's folders are often named after the patient (DOE^JOHN_19700101, Smith_John_MRN123456). Every report
# that names a file inside a submission (validate's text and JSON, harvest's output, harvest-report.json and cache,
# the API's 422 bodies) shows its path through one PathShower: a component that passes the check stays as given, one
# that does not becomes "folder N" / "file N", its rank among its siblings (stable for the same tree).

#: What in a path component may identify a patient: a DICOM person-name separator, a word naming an identifier
#: (as the free-text rule for descriptions screens for), a calendar date, or a long number that is not part of a
#: dotted UID nor a zero-padded counter (record numbers, phone numbers).
_IDENTIFYING_COMPONENT = re.compile(
    r"\^|mrn|dob|nhs|ssn|birth"
    r"|(?<!\d)(?:19|20)\d{2}[-_.]?(?:0[1-9]|1[0-2])[-_.]?(?:0[1-9]|[12]\d|3[01])(?!\d)"
    r"|(?<!\d)\d{1,2}[-_.](?:0?[1-9]|1[0-2])[-_.](?:19|20)\d{2}(?!\d)"
    r"|(?<![\d.])[1-9]\d{5,}(?![\d.])|\d{3}-\d{2}-\d{4}",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_]+")
#: A component that starts with a dotted UID (a file named after its SOPInstanceUID, say).
_UID_NAME = re.compile(r"^(\d+(?:\.\d+){3,})")
#: A UID component that encodes when the image was made: a date (Philips, Siemens: YYYYMMDD...) or a Unix time
#: of 10 digits (GE: 1516669692 is 2018-01-23).
_UID_TIME = re.compile(r"^(?:(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d*|1\d{9})$")


def identifying_component(component: str, tokens: frozenset[str] = frozenset()) -> bool:
    """Whether a path component may identify a patient: it matches :data:`_IDENTIFYING_COMPONENT`, is a UID
    (before any extension) with a timestamp in it, or holds a whole word of ``tokens`` (lower-case identifying
    values of the files' own headers, as dicom.audit checks descriptions against them)."""
    if _IDENTIFYING_COMPONENT.search(component):
        return True
    uid = _UID_NAME.match(component)
    if uid and not uid.group(1).startswith("2.25.") and any(_UID_TIME.match(part) for part in uid.group(1).split(".")):
        return True  # 2.25.<integer> UIDs are random (UUID-derived): they encode no time
    return bool(tokens) and any(word in tokens for word in _WORD.findall(component.lower()))


class PathShower:
    """Shows paths inside a submission as the contributor gave them when every component passes
    :func:`identifying_component`, else with each failing component as ``folder N`` or ``file N`` of its folder.

    ``root``: the folder the paths are relative to (numbering lists it on disk); ``known``: every path of the
    tree (numbering ranks among them when the disk cannot tell, as for zip members); ``strip``: a prefix to drop
    first (the server's temporary folder: a report never names it)."""

    def __init__(
        self,
        root: Path | str | None = None,
        known: Iterable[str] = (),
        strip: str | None = None,
        tokens: frozenset[str] = frozenset(),
    ) -> None:
        self.root = Path(root) if root is not None else None
        self.strip = strip.rstrip("/\\") + os.sep if strip else None
        self.tokens = tokens
        self._known: dict[tuple[str, str], set[str]] = {}
        for path in known:
            self._note(path.replace("\\", "/").split("/"))
        self._memo: dict[str, str] = {}

    def _note(self, parts: list[str]) -> None:
        for i, part in enumerate(parts):
            kind = "file" if i == len(parts) - 1 else "folder"
            self._known.setdefault(("/".join(parts[:i]), kind), set()).add(part)

    def _rank(self, parts: list[str], i: int) -> int:
        parent, kind = "/".join(parts[:i]), "file" if i == len(parts) - 1 else "folder"
        names: set[str] = set(self._known.get((parent, kind), ()))
        folder = (self.root / parent) if self.root is not None else Path(parent or ".")
        try:
            with os.scandir(folder) as listing:
                names |= {e.name for e in listing if e.is_dir() == (kind == "folder")}
        except OSError:
            pass  # an unreadable or vanished folder: rank among the paths the report knows
        names.add(parts[i])
        return sorted(names).index(parts[i]) + 1

    def show(self, path: str | os.PathLike[str] | None) -> str | None:
        """``path`` as reports may show it."""
        if path is None:
            return None
        text = os.fspath(path)
        if self.strip and text.startswith(self.strip):
            text = text[len(self.strip) :]
        shown = self._memo.get(text)
        if shown is None:
            parts = text.replace("\\", "/").split("/")
            shown = "/".join(
                part
                if not identifying_component(part, self.tokens)
                else f"{'file' if i == len(parts) - 1 else 'folder'} {self._rank(parts, i)}"
                for i, part in enumerate(parts)
            )
            self._memo[text] = shown
        return shown

    def issue(self, issue: Issue) -> Issue:
        """The issue with its file shown."""
        shown = self.show(issue.file)
        return issue if shown == issue.file else replace(issue, file=shown)

    def report(self, report: Report) -> Report:
        """The report with every file it names shown (issues and entries; the report is changed in place)."""
        report.issues = [self.issue(i) for i in report.issues]
        for entry in report.entries:
            entry.file = self.show(entry.file)
        return report
