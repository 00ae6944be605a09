"""Every bundled example loads through the generated pydantic models; every schema-broken one is rejected."""

from __future__ import annotations

from pathlib import Path

import pydantic
import pytest
import yaml

from medal_catalog.model import ENTRY_MODELS, MedalCatalog

from conftest import EXAMPLES

#: examples/open holds the demo's task over open data (kept out of examples/valid, whose harvest the API tests'
#: counts are pinned to).
VALID = sorted((EXAMPLES / "valid").rglob("*.yaml")) + sorted((EXAMPLES / "open").rglob("*.yaml"))


def _model_for(doc: dict):
    return ENTRY_MODELS[doc["type"]] if "type" in doc else MedalCatalog


def test_there_are_realistic_examples():
    """The examples cover CT lung nodules, MR brain metastases and chest X-ray triage, with DICOM data."""
    names = {p.stem for p in VALID} | {p.parent.name for p in VALID}
    assert {"ct-lung-nodule-malignancy", "mr-brain-metastasis-segmentation", "cxr-pneumothorax-triage"} <= names
    assert len(list((EXAMPLES / "valid").rglob("*.dcm"))) >= 10


@pytest.mark.parametrize("path", VALID, ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_valid_example_loads_through_generated_models(path: Path):
    """A valid example validates into the generated pydantic model for its type and round-trips."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    model = _model_for(doc).model_validate(doc)
    again = _model_for(doc).model_validate(model.model_dump(mode="json", exclude_none=True))
    assert again == model


def _schema_layer(expected: dict) -> list[str]:
    return sorted(name for name, exp in expected.items() if exp["layer"] == "schema")


def test_every_invalid_file_is_documented(expected_invalid):
    """Every file under examples/invalid/ has a golden entry, and every entry a file."""
    files = {p.name for p in (EXAMPLES / "invalid").glob("*.yaml")} - {"EXPECTED.yaml"}
    assert files == set(expected_invalid)


def test_schema_layer_invalid_examples_rejected_for_their_reason(expected_invalid):
    """Each schema-broken example fails pydantic validation exactly at the documented location."""
    names = _schema_layer(expected_invalid)
    assert len(names) >= 6
    for name in names:
        doc = yaml.safe_load((EXAMPLES / "invalid" / name).read_text(encoding="utf-8"))
        with pytest.raises(pydantic.ValidationError) as caught:
            _model_for(doc).model_validate(doc)
        got = {"/" + "/".join(str(part) for part in err["loc"]) for err in caught.value.errors()}
        want = {e["pointer"] for e in expected_invalid[name]["errors"]}
        # pydantic reports where a union/type failed at a deeper location for some errors; the documented
        # pointer must be among (or be a prefix of) what it reports.
        assert all(any(g == w or g.startswith(w + "/") for g in got) for w in want), (name, got, want)


def test_rule_layer_invalid_examples_pass_the_schema(expected_invalid):
    """Policy-broken examples are schema-valid: only the MEDAL rules can catch them."""
    for name, exp in expected_invalid.items():
        if exp["layer"] != "rules":
            continue
        doc = yaml.safe_load((EXAMPLES / "invalid" / name).read_text(encoding="utf-8"))
        _model_for(doc).model_validate(doc)
