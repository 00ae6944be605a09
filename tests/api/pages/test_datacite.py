"""DataCite metadata (schema 4.6) by content negotiation on landing pages and /id/ URLs: valid against the
official XSD (tests/data/datacite-4.6), with ORCIDs, RORs, SPDX rights, related identifiers and subjects, the
configured PID, and nothing a caller's view withholds."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from api.conftest import HIDDEN_DATASET, HIDDEN_TASK
from api.pages.conftest import OPEN_DATASET, OPEN_TASK

XSD = Path(__file__).resolve().parents[2] / "data" / "datacite-4.6" / "metadata.xsd"
JSON = "application/vnd.datacite.datacite+json"
XML = "application/vnd.datacite.datacite+xml"
NS = {"d": "http://datacite.org/schema/kernel-4"}


@lru_cache(maxsize=1)
def schema():
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(XSD)))


def assert_valid_xml(data: bytes):
    """The parsed DataCite XML, after asserting it validates against the official 4.6 XSD."""
    from lxml import etree

    tree = etree.fromstring(data)
    assert schema().validate(tree), "\n".join(str(e) for e in schema().error_log)
    return tree


@pytest.mark.parametrize("path", [f"/datasets/{OPEN_DATASET}", f"/tasks/{OPEN_TASK}"])
@pytest.mark.parametrize("accept", [XML, "application/xml"])
def test_datacite_xml_by_content_negotiation_validates(web, path, accept):
    """The landing page answers DataCite XML to its own media type and to plain application/xml, valid against
    the 4.6 XSD, with the PID, creators with ORCIDs and affiliations or publishers with RORs."""
    response = web.get(path, headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith(XML)
    tree = assert_valid_xml(response.content)
    assert tree.findtext("d:identifier", namespaces=NS).endswith(
        path.replace("/datasets/", "/id/datasets/").replace("/tasks/", "/id/tasks/")
    )
    orcids = tree.xpath("//d:creator/d:nameIdentifier[@nameIdentifierScheme='ORCID']/text()", namespaces=NS)
    assert orcids and all(o.startswith("https://orcid.org/") for o in orcids)
    assert tree.xpath("//d:subject", namespaces=NS)
    relations = tree.xpath("//d:relatedIdentifier/@relationType", namespaces=NS)
    assert "IsPartOf" in relations and "HasMetadata" in relations
    assert ("IsSourceOf" if "/datasets/" in path else "IsDerivedFrom") in relations


def test_open_dataset_datacite_json_holds_what_aggregators_read(web):
    """DataCite JSON of the open dataset: ORCID creators, ROR publisher, SPDX licence URL and open access, the
    task that uses it, DICOM subjects, the data download's size first, and the XML of the same record."""
    response = web.get(f"/datasets/{OPEN_DATASET}", headers={"Accept": JSON})
    assert response.status_code == 200 and response.headers["content-type"] == JSON
    record = response.json()
    assert record["types"]["resourceTypeGeneral"] == "Dataset"
    haddad = record["creators"][0]
    assert haddad["familyName"] == "Haddad" and haddad["nameIdentifiers"][0] == {
        "nameIdentifier": "https://orcid.org/0000-0002-1825-0097",
        "nameIdentifierScheme": "ORCID",
        "schemeUri": "https://orcid.org",
    }
    assert record["contributors"][0]["contributorType"] == "Researcher"
    assert record["publisher"]["publisherIdentifier"] == "https://ror.org/013meh722"
    spdx = next(r for r in record["rightsList"] if r.get("rightsIdentifierScheme") == "SPDX")
    assert spdx["rightsIdentifier"] == "CC-BY-4.0" and spdx["rightsUri"] == "https://spdx.org/licenses/CC-BY-4.0"
    assert {"rights": "Open Access", "rightsUri": "info:eu-repo/semantics/openAccess", "lang": "en"} in record[
        "rightsList"
    ]
    assert any(
        r["relationType"] == "IsSourceOf" and r["relatedIdentifier"].endswith(f"/id/tasks/{OPEN_TASK}")
        for r in record["relatedIdentifiers"]
    )
    assert {
        "subject": "CT",
        "subjectScheme": "DICOM Modality (CID 29)",
        "schemeUri": "https://dicom.nema.org/medical/dicom/current/output/chtml/part16/sect_CID_29.html",
    } in record["subjects"]
    assert {
        "date": "2019-03-01/2023-12-31",
        "dateType": "Collected",
        "dateInformation": "period the images were acquired in",
    } in record["dates"]
    # sizes[0] / formats[0] describe the last content URL, the one an assessor downloads.
    last = record["contentUrl"]
    data = web.get(last.removeprefix("http://testserver"))
    assert record["sizes"][0] == f"{len(data.content)} bytes"
    assert data.headers["content-type"].startswith(record["formats"][0])
    xml = assert_valid_xml(web.get(f"/datasets/{OPEN_DATASET}", params={"format": "datacite-xml"}).content)
    assert xml.findtext("d:publisher", namespaces=NS) == "University of Cambridge"


def test_id_urls_negotiate_datacite(web):
    """/id/ URLs of tasks and datasets send DataCite requests to the landing page's DataCite representation."""
    for path in (f"/id/datasets/{OPEN_DATASET}", f"/id/tasks/{OPEN_TASK}"):
        for accept, fmt in ((JSON, "datacite"), (XML, "datacite-xml"), ("application/xml", "datacite-xml")):
            redirect = web.get(path, headers={"Accept": accept}, follow_redirects=False)
            assert redirect.status_code == 303
            assert redirect.headers["location"].endswith(f"?format={fmt}")
        followed = web.get(path, headers={"Accept": XML})
        assert_valid_xml(followed.content)


def test_version_identifiers_negotiate_datacite_of_that_version(web):
    """/id/datasets/<id>/v1 answers DataCite of version 1: its versioned identifier, IsVersionOf the entry's PID;
    a version that does not exist is a 404."""
    redirect = web.get(f"/id/datasets/{OPEN_DATASET}/v1", headers={"Accept": XML}, follow_redirects=False)
    assert redirect.status_code == 303
    assert redirect.headers["location"] == f"/datasets/{OPEN_DATASET}?format=datacite-xml&version=1"
    tree = assert_valid_xml(web.get(redirect.headers["location"]).content)
    assert tree.findtext("d:identifier", namespaces=NS) == f"http://testserver/id/datasets/{OPEN_DATASET}/v1"
    version_of = tree.xpath("//d:relatedIdentifier[@relationType='IsVersionOf']/text()", namespaces=NS)
    assert version_of == [f"http://testserver/id/datasets/{OPEN_DATASET}"]
    assert web.get(f"/datasets/{OPEN_DATASET}", params={"format": "datacite", "version": "99"}).status_code == 404


def test_hidden_and_controlled_views_withhold_in_datacite(client):
    """A reviewer's DataCite record of a hidden-test dataset is valid, closed access, and names no file; an
    anonymous caller gets the same 404 as for its page; a controlled dataset offers no content URL."""
    from api.conftest import auth

    reviewer = {**auth(client, "rita"), "Accept": XML}
    hidden = client.get(f"/datasets/{HIDDEN_DATASET}", headers=reviewer)
    tree = assert_valid_xml(hidden.content)
    assert "info:eu-repo/semantics/closedAccess" in tree.xpath("//d:rights/@rightsURI", namespaces=NS)
    assert b"/files/" not in hidden.content and b"series.jsonl" not in hidden.content
    assert client.get(f"/datasets/{HIDDEN_DATASET}", headers={"Accept": XML}).status_code == 404
    assert (
        client.get(f"/id/datasets/{HIDDEN_DATASET}", headers={"Accept": JSON}, follow_redirects=True).status_code == 404
    )
    controlled = client.get("/datasets/ct-lung-screening-2019-2023", headers={**auth(client, "rita"), "Accept": JSON})
    record = controlled.json()
    assert "/files/" not in record.get("contentUrl", "")
    assert {
        "rights": "Restricted Access",
        "rightsUri": "info:eu-repo/semantics/restrictedAccess",
        "lang": "en",
    } in record["rightsList"]
    assert HIDDEN_TASK  # the hidden task's dataset is the one above


def test_configured_pid_base_is_cite_as_and_in_every_format(open_harvested, tmp_path):
    """With MEDAL_PID_BASE set to a w3id base, the landing page's cite-as, DataCite's identifier (type w3id),
    the DCAT dct:identifier and schema.org's first identifier are all the w3id PID; the catalog's own /id/ URL
    stays as an alternate identifier."""
    import shutil
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from medal_catalog.api import create_app
    from medal_catalog.config import Settings

    target = tmp_path / "catalog.db"
    shutil.copyfile(open_harvested.db, target)
    pid = f"https://w3id.org/medal/datasets/{OPEN_DATASET}"
    with TestClient(create_app(Settings(catalog=f"sqlite:///{target}", pid_base="https://w3id.org/medal/"))) as web:
        page = web.get(f"/datasets/{OPEN_DATASET}", headers={"Accept": "text/html"})
        assert f'<{pid}>; rel="cite-as"' in page.headers["link"]
        tree = assert_valid_xml(web.get(f"/datasets/{OPEN_DATASET}", headers={"Accept": XML}).content)
        assert (
            tree.find("d:identifier", NS).text == pid and tree.find("d:identifier", NS).get("identifierType") == "w3id"
        )
        assert (
            tree.findtext("d:alternateIdentifiers/d:alternateIdentifier", namespaces=NS)
            == f"http://testserver/id/datasets/{OPEN_DATASET}"
        )
        linked = web.get(f"/datasets/{OPEN_DATASET}", headers={"Accept": "application/ld+json"}).json()
        assert linked["dcterms:identifier"] == pid
        schemaorg = web.get(f"/datasets/{OPEN_DATASET}", params={"format": "schemaorg"}).json()
        assert schemaorg["identifier"][0] == {"@type": "PropertyValue", "propertyID": "w3id", "value": pid, "url": pid}


@pytest.mark.parametrize("fmt", ["datacite", "datacite-xml"])
def test_medal_export_writes_datacite(harvested, tmp_path, fmt):
    """`medal export --format datacite[-xml]` writes the record as the panel sees it: valid XML, the ARK PID
    given by --pid-base, and no data location of the controlled dataset."""
    import json
    import subprocess
    import sys

    medal = Path(sys.executable).with_name("medal")
    dataset = "ct-lung-screening-2019-2023"
    done = subprocess.run(
        [
            str(medal),
            "export",
            dataset,
            "--format",
            fmt,
            "--catalog",
            f"sqlite:///{harvested.db}",
            "--out",
            str(tmp_path),
            "--pid-base",
            "https://n2t.net/ark:/99999/medal/",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    written = tmp_path / f"{dataset}.datacite.{'json' if fmt == 'datacite' else 'xml'}"
    if fmt == "datacite":
        record = json.loads(written.read_text(encoding="utf-8"))
        assert record["identifiers"] == [
            {"identifier": f"ark:/99999/medal/datasets/{dataset}", "identifierType": "ARK"}
        ]
    else:
        tree = assert_valid_xml(written.read_bytes())
        assert tree.find("d:identifier", NS).get("identifierType") == "ARK"
    assert "/files/" not in written.read_text(encoding="utf-8")
