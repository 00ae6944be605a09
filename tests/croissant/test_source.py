"""An imported Croissant's record sets merged into the catalog's export of its dataset."""

from __future__ import annotations

from medal_catalog.croissant.source import merge_source


def test_export_merge_keeps_ids_unique():
    """The export keeps the original's @ids as they are (records are keyed by them) and renames the catalog's own
    nodes on a clash; its empty `series` record set gives way to an imported one of that name."""
    ours = {
        "@context": {"cr": "http://mlcommons.org/croissant/"},
        "distribution": [{"@type": "cr:FileObject", "@id": "series-manifest", "name": "series-manifest"}],
        "recordSet": [
            {
                "@type": "cr:RecordSet",
                "@id": "series",
                "name": "series",
                "key": {"@id": "series/id"},
                "field": [{"@id": "series/id", "name": "id", "source": {"fileObject": {"@id": "series-manifest"}}}],
            }
        ],
    }
    source = {
        "@context": {"wd": "https://www.wikidata.org/wiki/"},
        "distribution": [{"@type": "cr:FileObject", "@id": "series-manifest", "contentUrl": "s.csv"}],
        "recordSet": [{"@type": "cr:RecordSet", "@id": "series", "name": "series"}],
    }
    empty = merge_source(ours, source, "https://c.example/files/", {"s.csv": "0" * 64}, has_series=False)
    assert [r["@id"] for r in empty["recordSet"]] == ["series"]
    assert [d["@id"] for d in empty["distribution"]] == ["medal-series-manifest", "series-manifest"]
    assert empty["distribution"][1]["contentUrl"] == "https://c.example/files/s.csv"
    assert empty["@context"]["wd"] and empty["@context"]["containedIn"] == "cr:containedIn"
    both = merge_source(ours, source, "https://c.example/files/", {}, has_series=True)
    renamed = both["recordSet"][0]
    assert renamed["@id"] == "medal-series" and renamed["key"] == {"@id": "medal-series/id"}
    assert renamed["field"][0]["source"] == {"fileObject": {"@id": "medal-series-manifest"}}
    assert both["distribution"][1]["contentUrl"] == "s.csv"  # not kept by the catalog: left as it was
