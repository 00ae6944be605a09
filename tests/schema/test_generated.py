"""The generated artefacts match the yaml, the schema passes linkml-lint, and every element is documented."""

from __future__ import annotations

import json

import rdflib
from click.testing import CliRunner
from linkml.linter.linter import Linter

from medal_catalog.cli import main
from medal_catalog.schema import SCHEMA_PATH, schema_view
from medal_catalog.generate import ARTEFACTS, render_all


def test_generated_files_do_not_drift():
    """Regenerating every artefact from medal.yaml reproduces the committed files byte for byte."""
    stale = [str(path) for path, text in render_all().items() if path.read_text(encoding="utf-8") != text]
    assert stale == [], f"run `medal schema generate`: {stale}"


def test_drift_check_detects_an_edited_artefact(tmp_path, monkeypatch):
    """`medal schema generate --check` fails when a generated file was edited by hand."""
    from medal_catalog import generate

    target = next(iter(ARTEFACTS))
    copy = tmp_path / target.name
    copy.write_text(target.read_text(encoding="utf-8") + "\n# edited by hand\n", encoding="utf-8")
    monkeypatch.setattr(generate, "ARTEFACTS", {copy: ARTEFACTS[target]})
    result = CliRunner().invoke(main, ["schema", "generate", "--check"])
    assert result.exit_code == 1
    assert "drifted" in result.output


def test_schema_passes_linkml_lint_without_errors():
    """linkml-lint reports no errors (warnings about upper-case DUO/DICOM codes are expected)."""
    problems = list(Linter().lint(str(SCHEMA_PATH)))
    errors = [f"{p.rule_name}: {p.message}" for p in problems if str(p.level).lower().endswith("error")]
    assert errors == []


def test_every_class_slot_and_enum_is_described():
    """Every class, slot, enum and permissible value of the schema carries a description."""
    sv = schema_view()
    missing = [f"class {n}" for n, c in sv.all_classes(imports=False).items() if not c.description]
    missing += [f"slot {n}" for n, s in sv.all_slots(imports=False).items() if not s.description]
    for name, enum in sv.all_enums(imports=False).items():
        missing += [f"enum {name}"] if not enum.description else []
        missing += [f"{name}.{v}" for v, pv in enum.permissible_values.items() if not pv.description]
    assert missing == []


def test_slots_map_to_standard_vocabularies():
    """Core slots carry slot_uris in schema.org, DCAT, DCT, PROV-O, Croissant RAI and SPDX."""
    sv = schema_view()
    uri = {name: sv.get_slot(name).slot_uri for name in sv.all_slots(imports=False)}
    assert uri["title"] == "dcterms:title"
    assert uri["distribution"] == "dcat:distribution"
    assert uri["spdx_id"] == "spdx:licenseId"
    assert uri["started_at"] == "prov:startedAtTime"
    assert uri["data_biases"] == "rai:dataBiases"
    assert uri["sha256"] == "cr:sha256"
    prefixes = {u.split(":")[0] for u in uri.values() if u}
    assert {"schema", "dcat", "dcterms", "prov", "cr", "rai", "spdx"} <= prefixes


def test_enums_with_code_systems_have_meanings():
    """DUO permissions/modifiers, DICOM modalities and CID 7050 options all carry `meaning` CURIEs."""
    sv = schema_view()
    for enum_name, prefix in [
        ("DuoPermissionEnum", "DUO:"),
        ("DuoModifierEnum", "DUO:"),
        ("ModalityEnum", "DICOM:"),
        ("DeidentificationOptionEnum", "DICOM:"),
    ]:
        values = sv.get_enum(enum_name).permissible_values
        assert all((pv.meaning or "").startswith(prefix) for pv in values.values()), enum_name
    assert sv.get_enum("DuoModifierEnum").permissible_values["NMDS"].meaning == "DUO:0000015"
    assert sv.get_enum("DeidentificationOptionEnum").permissible_values["retain_safe_private"].meaning == "DICOM:113111"


def test_jsonld_context_and_shacl_parse():
    """The generated JSON-LD context is JSON with an @context, and the SHACL shapes parse as Turtle."""
    from medal_catalog.schema import CONTEXT_PATH, SHACL_PATH

    context = json.loads(CONTEXT_PATH.read_text(encoding="utf-8"))["@context"]
    assert context["title"]["@id"] == "dcterms:title"
    graph = rdflib.Graph().parse(SHACL_PATH, format="turtle")
    shapes = set(graph.subjects(rdflib.RDF.type, rdflib.URIRef("http://www.w3.org/ns/shacl#NodeShape")))
    assert rdflib.URIRef("http://www.w3.org/ns/dcat#Dataset") in shapes
