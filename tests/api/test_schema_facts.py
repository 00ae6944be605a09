"""The API derives the schema's facts instead of copying them: these fail when a copy drifts from medal.yaml."""

from __future__ import annotations

from typing import get_args

from api.conftest import OPEN_TASK, auth
from medal_catalog.schema import CONTAINER_SLOTS, ENTRY_CLASSES, facts


def test_access_levels_are_the_schemas_wherever_they_are_listed(client):
    """The submission route's access_level (its type and its OpenAPI enum), the search parameter's description
    and `medal harvest --access-level` all offer exactly AccessLevelEnum's values, in its order."""
    from medal_catalog.api.models import AccessLevel
    from medal_catalog.cli import main

    levels = facts.access_levels()
    assert get_args(AccessLevel) == levels
    spec = client.get("/api/openapi.json").json()
    params = {p["name"]: p for p in spec["paths"]["/api/submissions"]["post"]["parameters"]}
    assert [s for s in params["access_level"]["schema"]["anyOf"] if "enum" in s][0]["enum"] == list(levels)
    search = {p["name"]: p for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert ", ".join(levels) in search["access_level"]["description"]
    harvest = {p.name: p for p in main.commands["harvest"].params}
    assert tuple(harvest["access_level"].type.choices) == levels


def test_rdf_types_references_and_access_rights_come_from_the_schema(client):
    """An entry's @type is its class_uri and mappings (a task is a schema:MedicalStudy, as medal.yaml maps it),
    references are the slots whose range is an entry class, and access rights are AccessLevelEnum's meanings."""
    from medal_catalog.exports.dcat import access_rights
    from medal_catalog.exports.jsonld import REFERENCES, TYPES

    assert set(TYPES) == set(ENTRY_CLASSES)
    assert TYPES["BenchmarkTask"] == ["medal:BenchmarkTask", "schema:MedicalStudy"]
    assert REFERENCES == {"datasets_used": "ImagingDataset", "dataset": "ImagingDataset", "task": "BenchmarkTask"}
    assert access_rights() == facts.enum_meanings("AccessLevelEnum")
    linked = client.get(f"/api/tasks/{OPEN_TASK}", params={"format": "jsonld"}, headers=auth(client, "rita"))
    assert linked.json()["@type"] == [facts.class_uri("BenchmarkTask"), *facts.class_mappings("BenchmarkTask")]


def test_the_values_the_access_rules_name_are_the_schemas():
    """URL segments are the container's list slots; the statuses, access levels and slots the access rules and
    the review workflow name exist in the schema (a renamed value would silently match nothing)."""
    from medal_catalog.api import access
    from medal_catalog.panel.lifecycle import OPEN_FOR_REVIEW
    from medal_catalog.model import ENTRY_MODELS
    from medal_catalog.model.medal import Distribution

    assert access.KINDS == CONTAINER_SLOTS
    assert {"open", "hidden_test"} <= set(facts.access_levels())
    assert {*OPEN_FOR_REVIEW, "accepted", "rejected"} <= set(facts.enum_values("LifecycleStatusEnum"))
    assert set(access.HIDDEN_VIEW_SLOTS) <= set(ENTRY_MODELS["ImagingDataset"].model_fields)
    assert set(access.LOCATION_SLOTS) <= set(Distribution.model_fields)
