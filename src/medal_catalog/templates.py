"""Annotated starting points for a submission (`medal init`), written from the schema: every required slot with a
comment saying what it means, enums listed, the slots MEDAL recommends marked, the rest listed as comments.

A value the contributor must replace holds :data:`PLACEHOLDER`; `medal validate` reports each one left
(``template.unfilled``, a warning), so a fresh template validates with warnings only.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from typing import Any

from medal_catalog.validators.entries import PLACEHOLDER
from medal_catalog.dicom.local import block
from medal_catalog.errors import UsageError
from medal_catalog.schema import schema_view
from medal_catalog.validators.fair import CHECKS

KINDS = {"task": "BenchmarkTask", "dataset": "ImagingDataset"}
#: Starting values where a placeholder could not pass the rules: an id in the schema's pattern, a dataset that
#: is controlled under a data use agreement until the contributor chooses otherwise (open access needs an open
#: licence, which only they can choose).
STARTING_VALUES: dict[str, dict[str, Any]] = {
    "BenchmarkTask": {"id": "my-task", "datasets_used": ["my-dataset"], "modalities": ["MR"]},
    "ImagingDataset": {
        "id": "my-dataset",
        "access_level": "controlled",
        "modalities": ["MR"],
        "file_formats": ["application/dicom"],
        "license": {
            "spdx_id": "LicenseRef-FILL-IN",
            "dua_required": True,
            "dua_url": "https://example.org/FILL-IN-data-use-agreement",
        },
    },
}
_WIDTH = 116


def _deidentification_example() -> list[str]:
    """The block `medal deidentify --dataset` writes, as comments: what a filled one looks like."""
    import yaml  # inline: PyYAML takes ~40 ms to import

    example = block(
        ("basic_profile", "retain_longitudinal_modified_dates", "retain_patient_characteristics", "clean_descriptors")
    )
    example["deidentification_date"] = dt.date.fromisoformat(example["deidentification_date"])
    dumped = yaml.safe_dump({"deidentification": example}, sort_keys=False, width=_WIDTH).splitlines()
    return [
        "# `medal deidentify IN dicom --dataset dataset.yaml` de-identifies the images and fills this block in,",
        "# for example (docs/deidentify.md):",
        *[f"#   {line}" for line in dumped],
    ]


#: Commented examples shown under a slot: (class, slot) -> lines.
EXAMPLES: dict[tuple[str, str], list[str]] = {("ImagingDataset", "deidentification"): _deidentification_example()}


def render(kind: str) -> str:
    """The annotated YAML template of one entry kind (``task`` or ``dataset``)."""

    cls = KINDS[kind]
    view = schema_view()
    recommended = {check.pointer.split("/")[1] for check in CHECKS.get(cls, [])}
    lines = [
        f"# A MEDAL {cls}: replace every '{PLACEHOLDER}' value, then run `medal validate` on this folder.",
        "# (required) slots must be filled; (recommended) ones make the entry findable and reusable (FAIR);",
        "# the optional ones are listed, commented out, at the end.",
        f"type: {cls}",
    ]
    optional: list[str] = []
    slots = sorted((s for s in view.class_induced_slots(cls) if s.name != "type"), key=lambda s: s.name != "id")
    for slot in slots:
        if slot.required or slot.name in recommended:
            label = "required" if slot.required else "recommended"
            lines += _comment(f"{slot.name} ({label}): {slot.description or ''}{_choices(view, slot)}")
            value = STARTING_VALUES[cls].get(slot.name, _value(view, slot))
            if value in (PLACEHOLDER, [PLACEHOLDER]) and _patterned(view, slot):
                # No placeholder passes a pattern: the contributor writes the value (the comment says its form).
                lines += [f"# {slot.name}: {_form(view, slot)}"]
            else:
                lines += _yaml(slot.name, value)
            lines += EXAMPLES.get((cls, slot.name), [])
        else:
            optional.append(f"#   {slot.name}: {_first_sentence(slot.description)}")
    if optional:
        lines += ["", "# Optional slots (see the schema reference for their shapes):", *optional]
    return "\n".join(lines) + "\n"


def write(kind: str, folder: Path) -> list[Path]:
    """Write the template of ``kind`` (``task``, ``dataset`` or ``submission``: both, with a dicom/ folder) into
    ``folder``; never overwrites a file. Returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    names = {"task": ["task"], "dataset": ["dataset"], "submission": ["task", "dataset"]}[kind]
    targets = [folder / f"{name}.yaml" for name in names]
    taken = [t for t in targets if t.exists()]
    if taken:
        raise UsageError(f"{taken[0]} exists already: choose an empty folder, or move the file away")
    for name, target in zip(names, targets):
        target.write_text(render(name), encoding="utf-8")
    if "dataset" in names:
        (folder / "dicom").mkdir(exist_ok=True)
    return targets


def _value(view: Any, slot: Any) -> Any:
    rng = slot.range or "string"
    if rng in view.all_enums():
        value: Any = next(iter(view.get_enum(rng).permissible_values))
    elif rng in view.all_classes():
        value = {s.name: _value(view, s) for s in view.class_induced_slots(rng) if s.required}
    elif rng in ("date",):
        value = dt.date.today().isoformat()
    elif rng in ("integer",):
        value = 1
    elif rng in ("boolean",):
        value = False
    else:
        value = PLACEHOLDER
    if slot.multivalued:
        return [value] * (3 if slot.name == "keywords" else 1)
    return value


def _patterned(view: Any, slot: Any) -> bool:
    rng = view.all_types().get(slot.range) if slot.range else None
    return bool(slot.pattern or (rng is not None and rng.pattern))


def _form(view: Any, slot: Any) -> str:
    rng = view.all_types().get(slot.range) if slot.range else None
    text = (rng.description if rng is not None else None) or "a value in the schema's format"
    return f"[{text}]" if slot.multivalued else text


def _choices(view: Any, slot: Any) -> str:
    rng = slot.range or ""
    if rng in view.all_enums():
        return " One of: " + ", ".join(view.get_enum(rng).permissible_values) + "."
    return ""


def _first_sentence(text: str | None) -> str:
    first = (text or "").split(". ")[0].strip()
    return first if first.endswith(".") else first + "."


def _comment(text: str) -> list[str]:
    return [""] + textwrap.wrap(text.strip(), _WIDTH - 2, initial_indent="# ", subsequent_indent="# ")


def _yaml(key: str, value: Any) -> list[str]:
    import yaml  # inline: PyYAML takes ~40 ms to import

    dumped = yaml.safe_dump({key: value}, sort_keys=False, allow_unicode=True, width=_WIDTH).rstrip("\n")
    return dumped.splitlines()
