"""A minimal Croissant 1.1 document (inline context) over a small CSV, for validation tests."""

from __future__ import annotations

import copy

from medal_catalog.croissant.vocabulary import CROISSANT_CONTEXT

CONTEXT = CROISSANT_CONTEXT

CROISSANT = {
    "@context": CONTEXT,
    "@type": "sc:Dataset",
    "conformsTo": "http://mlcommons.org/croissant/1.1",
    "name": "knee-acl-labels",
    "description": "ACL tear labels of knee MRI examinations.",
    "url": "https://example.org/knee-acl",
    "license": "https://spdx.org/licenses/CC-BY-4.0.html",
    "creator": {"@type": "sc:Person", "name": "Data Curator"},
    "datePublished": "2026-01-01",
    "version": "1.0.0",
    "citeAs": "Curator D. Knee ACL labels (2026).",
    "distribution": [
        {
            "@type": "cr:FileObject",
            "@id": "labels.csv",
            "name": "labels.csv",
            "contentUrl": "labels.csv",
            "encodingFormat": "text/csv",
            "sha256": "0" * 64,
        }
    ],
    "recordSet": [
        {
            "@type": "cr:RecordSet",
            "@id": "cases",
            "name": "cases",
            "field": [
                {
                    "@type": "cr:Field",
                    "@id": "cases/case_id",
                    "name": "case_id",
                    "dataType": "sc:Text",
                    "source": {"fileObject": {"@id": "labels.csv"}, "extract": {"column": "case_id"}},
                },
                {
                    "@type": "cr:Field",
                    "@id": "cases/tear",
                    "name": "tear",
                    "dataType": "sc:Integer",
                    "source": {"fileObject": {"@id": "labels.csv"}, "extract": {"column": "tear"}},
                },
            ],
        }
    ],
}


def croissant(**changes) -> dict:
    """A copy of the minimal document with top-level keys replaced (None deletes)."""
    doc = copy.deepcopy(CROISSANT)
    for key, value in changes.items():
        if value is None:
            doc.pop(key, None)
        else:
            doc[key] = value
    return doc
