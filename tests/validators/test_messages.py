"""Messages a contributor can act on alone: every issue has a hint, and near misses suggest the right slot or
value (the hints come from the schema's descriptions, so they name what the schema means)."""

from __future__ import annotations

from pathlib import Path

from medal_catalog.validators.submission import validate_paths

INVALID = Path(__file__).resolve().parents[2] / "examples" / "invalid"


def test_every_issue_of_the_invalid_examples_has_a_hint():
    """No error, warning or info about examples/invalid/ leaves the contributor without a next step."""
    report = validate_paths([INVALID])
    assert report.issues
    assert [(i.file, i.code) for i in report.issues if not (i.hint or "").strip()] == []


def _issues(tmp_path: Path, text: str) -> dict[str, list]:
    path = tmp_path / "entry.yaml"
    path.write_text(text, encoding="utf-8")
    found: dict[str, list] = {}
    for issue in validate_paths([path]).issues:
        found.setdefault(issue.pointer, []).append(issue)
    return found


def test_near_misses_suggest_the_slot_or_value(tmp_path):
    """A space for `_` suggests the slot, MRI suggests MR, and an object given as text names the keys it needs."""
    found = _issues(
        tmp_path,
        "type: ImagingDataset\nid: near-miss\ntitle: Near miss\n"
        "access level: open\nmodalities: [MRI, ct]\nlicense: CC-BY-4.0\n",
    )
    assert "access_level" in found["/access level"][0].hint
    assert found["/modalities/0"][0].hint.startswith("Did you mean MR?")
    assert found["/modalities/1"][0].hint.startswith("Did you mean CT?")
    license_hint = found["/license"][0].hint
    assert "`spdx_id` (required)" in license_hint


def test_formats_are_explained_in_words_not_regular_expressions(tmp_path):
    """A malformed UID or ROR id gets the format and an example, never the pattern."""
    found = _issues(
        tmp_path,
        "type: ImagingSeries\nid: s1\ndataset: d1\nmodality: MR\ninstance_count: 1\nseries_instance_uid: 1.2.03.abc\n",
    )
    hint = found["/series_instance_uid"][0].hint
    assert "digits and dots" in hint and "such as" in hint and "^(" not in hint
