"""Check the catalog entries of one metadata document: each against the schema, the MEDAL rules and FAIR completeness
(a compiled gate clears the clean ones), and a dataset's declared files against the submission folder.

The issues go into the run of the submission (validators/submission.py), which also collects, for its checks across
files, the ids and references of the entries, their datasets' files and the label tables their tasks declare.
"""

from __future__ import annotations

import re

from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Callable
import hashlib

from medal_catalog.documents import Document, is_entry_class
from medal_catalog.report import EntrySummary, Issue, Severity, record_issue
from medal_catalog.schema.facts import slot_description
from medal_catalog.schema import ENTRY_CLASSES
from medal_catalog.validators.fair import fair_assessment, fair_gate, full_scores
from medal_catalog.validators.labels import dataset_files, inside
from medal_catalog.validators.rules import check_rules, policy_gate
from medal_catalog.validators.schema import schema_checker
from medal_catalog.validators.run import Run


def check_entry(cls: str, data: dict, today: str) -> tuple[list[Issue], dict | None, bool]:
    """The schema, rule and FAIR issues of one entry (located within it, see report.record_issue), its FAIR scores,
    and whether it is valid."""
    if _clean_test(cls, today)(data):
        return [], full_scores(cls), True
    return _check_unclean_entry(cls, data, today)


def _check_unclean_entry(cls: str, data: dict, today: str) -> tuple[list[Issue], dict | None, bool]:
    """check_entry for an entry that failed _clean_test."""
    # (Schema errors first: the full path needs that validator anyway, and a run whose unclean entries all break
    # the schema, as the benchmark's do, then never compiles the second gate.)
    if schema_checker().is_valid(cls, data) and _rules_clean_test(cls, today)(data):
        # only FAIR suggestions to make: the FAIR checks alone say which
        scores, fair_issues = fair_assessment(cls, data)
        return fair_issues, scores, True
    return _check_entry_fully(cls, data, today)


def _check_entry_fully(cls: str, data: dict, today: str) -> tuple[list[Issue], dict | None, bool]:
    """check_entry without the fast path: every check run and explained."""
    problems = schema_checker().problems(cls, data)
    rule_issues = check_rules(cls, data, today)
    scores, fair_issues = fair_assessment(cls, data)
    valid = not problems and not any(r.severity is Severity.ERROR for r in rule_issues)
    return [*problems, *rule_issues, *fair_issues], scores, valid


@lru_cache(maxsize=16)
def _clean_test(cls: str, today: str) -> Callable[[dict], bool]:
    """One compiled test that holds only for entries on which schema, rules and FAIR would find nothing at all.

    Most entries are like that; they get their (empty) verdict from it alone. Any other entry takes the full path
    above, which gives the located, explained issues; tests/validators/test_fast_path.py checks both agree.
    """
    return schema_checker().gate(cls, [policy_gate(cls, today), fair_gate(cls)])


@lru_cache(maxsize=16)
def _rules_clean_test(cls: str, today: str) -> Callable[[dict], bool]:
    """The same for schema and rules only: an entry that lacks only recommended fields needs just the FAIR checks."""
    return schema_checker().gate(cls, [policy_gate(cls, today)])


#: The mark of a value a `medal init` template asks the contributor to write (``FILL IN``, or ``FILL-IN`` inside
#: identifiers and addresses): every string still holding it is reported, so a fresh template validates with
#: warnings only.
PLACEHOLDER = "FILL IN"
_UNFILLED = re.compile(r"FILL[ -]IN")


def validate_entries(run: Run, doc: Document, folder: Path) -> None:
    """Check every entry of ``doc`` (a metadata file in submission folder ``folder``) into ``run``: its issues, its
    EntrySummary, and what the run's checks across files need of it."""
    # Runs once per entry of a catalog: the clean entries' path (the common one) is kept short on purpose.
    display, today, entries = doc.display, run.today, run.report.entries
    clean_tests: dict[str, Callable[[dict], bool]] = {}
    templated = "FILL" in doc.text  # (a substring test per file keeps this off the common path)
    for ref in doc.entries():
        cls, data, where = ref.cls, ref.data, ref.pointer
        if not is_entry_class(cls):
            run.issue(
                Severity.ERROR,
                "schema.enum",
                display,
                "`type` is not a kind of catalog entry",
                pointer=f"{where}/type",
                hint=f"Allowed: {', '.join(ENTRY_CLASSES)}",
                doc=doc,
            )
            continue
        clean = clean_tests.get(cls) or clean_tests.setdefault(cls, _clean_test(cls, today))
        if clean(data):  # as check_entry
            scores, valid = full_scores(cls), True
        else:
            found, scores, valid = _check_unclean_entry(cls, data, today)
            for issue in found:
                run.place(issue, display, where, doc)
        if cls == "ImagingDataset":
            _check_distribution(run, doc, where, data, folder)
            if (files := dataset_files(data, doc.path.parent, folder)) is not None:
                run.datasets.append(files)
        elif cls == "BenchmarkTask" and isinstance(data.get("labels"), dict):
            run.label_tables.append((display, doc.path, where, run.offset, {k: data.get(k) for k in _LABEL_SLOTS}))
        entry_id = data.get("id")
        if not isinstance(entry_id, str):
            entry_id = None
        entries.append(EntrySummary(display, where, cls, entry_id, valid, scores))
        _note_ids(run, doc, where, cls, data, entry_id)
        if templated:
            for pointer in _unfilled(data, ""):
                slot = next((p for p in reversed(pointer.split("/")) if p and not p.isdigit()), "the value")
                meaning = slot_description(slot)
                run.place(
                    record_issue(
                        Severity.WARNING,
                        "template.unfilled",
                        pointer,
                        f"`{slot}` still holds the template's placeholder",
                        f"Write the {slot}" + (f": {meaning}" if meaning else "."),
                    ),
                    display,
                    where,
                    doc,
                )
    for issue in doc.problems:
        run.place(issue, display, "", doc)


#: The slots of each entry class that name another entry: (slot, class of the entry named).
_REFERENCES = {
    "BenchmarkTask": (("datasets_used", "ImagingDataset"),),
    "ReviewAssessment": (("task", "BenchmarkTask"),),
    "ImagingSeries": (("dataset", "ImagingDataset"),),
}


def _unfilled(value: object, pointer: str):
    """The pointers of the strings within ``value`` that still hold the template placeholder."""
    if isinstance(value, str):
        if _UNFILLED.search(value):
            yield pointer
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _unfilled(item, f"{pointer}/{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _unfilled(item, f"{pointer}/{i}")


def _note_ids(run: Run, doc: Document, pointer: str, cls: str, data: dict, entry_id: str | None) -> None:
    if entry_id:
        run.ids.append((cls, entry_id, doc.display, f"{pointer}/id", run.offset))
    for slot, target in _REFERENCES.get(cls, ()):
        values = data.get(slot)
        if isinstance(values, list):
            run.references.extend(
                (target, value, doc.display, f"{pointer}/{slot}/{i}", run.offset)
                for i, value in enumerate(values)
                if isinstance(value, str)
            )
        elif isinstance(values, str):
            run.references.append((target, values, doc.display, f"{pointer}/{slot}", run.offset))


#: What the label-table checks read of a task.
_LABEL_SLOTS = ("labels", "splits", "datasets_used")


def _check_distribution(run: Run, doc: Document, pointer: str, data: dict, folder: Path) -> None:
    """Declared files exist inside the submission, with the declared size and sha256; file sets match files."""
    items = data.get("distribution")
    if not isinstance(items, list):
        return
    for i, item in enumerate(items):
        if not isinstance(item, dict) or ("path" not in item and "includes" not in item):
            continue
        where = f"{pointer}/distribution/{i}"
        rel = item.get("path")
        if isinstance(rel, str):
            if PurePosixPath(rel).is_absolute() or ".." in PurePosixPath(rel).parts:
                run.issue(
                    Severity.ERROR,
                    "distribution.path-outside",
                    doc.display,
                    "a distribution path must stay inside the submission folder",
                    pointer=f"{where}/path",
                    doc=doc,
                )
                continue
            target = doc.path.parent / rel
            if inside(doc.path.parent, rel, folder) is None:
                run.issue(
                    Severity.ERROR,
                    "distribution.path-outside",
                    doc.display,
                    "the declared file is a symbolic link out of the submission folder; not read",
                    pointer=f"{where}/path",
                    doc=doc,
                    hint="Copy the file into the submission instead.",
                )
                continue
            if not target.is_file():
                run.issue(
                    Severity.ERROR,
                    "distribution.missing-file",
                    doc.display,
                    "the declared file is not in the submission",
                    pointer=f"{where}/path",
                    doc=doc,
                )
                continue
            size = target.stat().st_size
            if isinstance(item.get("byte_size"), int) and item["byte_size"] != size:
                run.issue(
                    Severity.ERROR,
                    "distribution.size-mismatch",
                    doc.display,
                    f"the file has {size} bytes, not the declared byte_size",
                    pointer=f"{where}/byte_size",
                    doc=doc,
                )
            if isinstance(item.get("sha256"), str):
                if _sha256(target) != item["sha256"]:
                    run.issue(
                        Severity.ERROR,
                        "distribution.sha256-mismatch",
                        doc.display,
                        "the file's SHA-256 differs from the declared sha256",
                        pointer=f"{where}/sha256",
                        doc=doc,
                        hint="Recompute it with `sha256sum` after the file's last change.",
                    )
        pattern = item.get("includes")
        if isinstance(pattern, str) and item.get("distribution_kind") == "file_set" and not item.get("url"):
            if not _matches_any_file(doc.path.parent, pattern):
                run.issue(
                    Severity.WARNING,
                    "distribution.empty-file-set",
                    doc.display,
                    "no file in the submission matches the file set's `includes` pattern",
                    pointer=f"{where}/includes",
                    doc=doc,
                )


@lru_cache(maxsize=1024)
def _matches_any_file(base: Path, pattern: str) -> bool:
    """True when some file under ``base`` matches the glob (cached: many datasets share a folder and pattern)."""
    return any(p.is_file() for p in base.glob(pattern))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
