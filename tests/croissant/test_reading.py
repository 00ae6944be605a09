"""One rule says what Croissant is, for a parsed document and for a file: validation, import and `medal harvest`
all ask it."""

from __future__ import annotations

import json

from croissant_fixtures import croissant

from medal_catalog.croissant.reading import is_croissant, is_croissant_file


def test_a_croissant_document_names_croissant_in_its_context_or_conformance():
    """The Croissant namespace in @context, conformsTo or dct:conformsTo makes a JSON-LD document Croissant."""
    assert is_croissant(croissant())
    dataset = {"@context": {"@vocab": "https://schema.org/"}, "@type": "sc:Dataset"}
    assert is_croissant({**dataset, "conformsTo": "http://mlcommons.org/croissant/1.1"})
    assert is_croissant({**dataset, "dct:conformsTo": "http://mlcommons.org/croissant/1.0"})
    # Without a Dataset type it is still Croissant: mlcroissant's validation says what is missing.
    assert is_croissant({"@context": {"cr": "http://mlcommons.org/croissant/"}, "name": "x"})


def test_other_documents_are_not_croissant():
    """No @context, or no mention of Croissant (another vocabulary's conformance), is not Croissant."""
    assert not is_croissant({"type": "ImagingDataset", "id": "x"})
    assert not is_croissant({"conformsTo": "http://mlcommons.org/croissant/1.1"})
    assert not is_croissant({"@context": {"dct": "http://purl.org/dc/terms/"}, "dct:conformsTo": "https://x.test/"})
    assert not is_croissant([croissant()]) and not is_croissant(None)


def test_a_croissant_file_is_json_of_metadata_size(tmp_path):
    """A .json/.jsonld file holding Croissant; other suffixes, folders, missing files, bad JSON and other content
    are not."""
    for name in ("a.json", "b.jsonld", "c.yaml"):
        (tmp_path / name).write_text(json.dumps(croissant()))
    assert is_croissant_file(tmp_path / "a.json") and is_croissant_file(tmp_path / "b.jsonld")
    assert not is_croissant_file(tmp_path / "c.yaml") and not is_croissant_file(tmp_path)
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "entry.json").write_text(json.dumps({"type": "ImagingDataset", "id": "x"}))
    assert not is_croissant_file(tmp_path / "bad.json") and not is_croissant_file(tmp_path / "entry.json")
    assert not is_croissant_file(tmp_path / "missing.json")
