"""The Croissant validator: refused contexts and data locations are located errors, and mlcroissant then does
not run; shipped contexts named by URL validate like the inline ones."""

from __future__ import annotations

import hashlib
import json

from croissant_fixtures import croissant

from medal_catalog.report import Severity
from medal_catalog.validators.submission import validate_paths

LABELS = "case_id,tear\nk1,1\n"


def _file(tmp_path, document):
    (tmp_path / "labels.csv").write_text(LABELS)
    for item in document["distribution"]:
        item["sha256"] = hashlib.sha256(LABELS.encode()).hexdigest()
    path = tmp_path / "croissant.json"
    path.write_text(json.dumps(document))
    return path


def _errors(path):
    return [(i.code, i.pointer) for i in validate_paths([path]).issues if i.severity is Severity.ERROR]


def test_remote_context_is_a_located_error_that_does_not_quote_the_url(tmp_path):
    """A context URL we do not ship is refused at its pointer; the message does not repeat the URL."""
    path = _file(
        tmp_path,
        croissant(**{"@context": ["http://mlcommons.org/croissant/1.1", "https://example.org/private/ctx.jsonld"]}),
    )
    report = validate_paths([path])
    assert [(i.code, i.pointer) for i in report.issues] == [("croissant.remote-context", "/@context/1")]
    assert "example.org" not in report.issues[0].message


def test_unsafe_location_is_reported_and_mlcroissant_does_not_run(tmp_path):
    """A contentUrl outside the submission is an unsafe-location error at its pointer, and the only error: the
    document is not handed to mlcroissant (whose own checks would look at that location)."""
    document = croissant()
    document["distribution"][0]["contentUrl"] = "../labels.csv"
    assert _errors(_file(tmp_path, document)) == [("croissant.unsafe-location", "/distribution/0/contentUrl")]


def test_location_under_an_aliased_term_is_caught_after_parsing(tmp_path):
    """A location given under a term the document aliases to schema:contentUrl is caught in mlcroissant's parsed
    view, before any file is read."""
    document = croissant()
    document["@context"] = {**document["@context"], "where": "sc:contentUrl"}
    document["distribution"][0]["where"] = (
        document["distribution"][0].pop("contentUrl").replace("labels.csv", "/etc/hostname")
    )
    assert _errors(_file(tmp_path, document)) == [("croissant.unsafe-location", "/distribution/0/contentUrl")]


def test_shipped_context_by_url_validates_like_the_inline_one(tmp_path):
    """Naming the Croissant 1.1 context by URL validates with no error, from the shipped copy."""
    path = _file(tmp_path, croissant(**{"@context": "http://mlcommons.org/croissant/1.1"}))
    assert _errors(path) == []
