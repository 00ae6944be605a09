"""Import -> serve -> load, against a real uvicorn: for each of Croissant's own example layouts (CSV joins, parquet
file sets with splits, JSON with jsonPath, a zip of DICOM), mlcroissant loading our export from the catalog URL
yields exactly the records that loading the original file yields, and every mapped field survives the trip."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from croissant_layouts import LAYOUTS, ORCID, RAI, load_records
from served import medal_server

#: Round trips through a real server and mlcroissant, each over 5 s: `-m "not slow"` leaves them out.
pytestmark = pytest.mark.slow

OWNER, ADMIN = "olga", "chair"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Every layout imported (open access) by OWNER into a fresh catalog served by `medal serve`; yields the base
    URL, the tokens, the originals' paths and a private mlcroissant cache folder."""
    from medal_catalog.api.tokens import create_token
    from medal_catalog.ingestion import ingest_croissant
    from medal_catalog.catalog import Catalog

    root = tmp_path_factory.mktemp("croissant-roundtrip")
    db = root / "catalog.db"
    originals = {}
    with Catalog.open(f"sqlite:///{db}") as catalog:
        for name, build in LAYOUTS.items():
            folder = root / name
            folder.mkdir()
            originals[name] = build(folder)
            result = ingest_croissant(originals[name], catalog, author=OWNER).detail
            assert result.ok and result.stored.changed, result.report.to_dict()
        tokens = {
            OWNER: create_token(catalog.store, OWNER, "contributor"),
            ADMIN: create_token(catalog.store, ADMIN, "admin"),
        }
    with medal_server(db, root) as base:
        netrc = root / "netrc"
        netrc.write_text(f"machine 127.0.0.1 login {OWNER} password {tokens[OWNER]}\n")
        netrc.chmod(0o600)
        yield {
            "base": base,
            "tokens": tokens,
            "originals": originals,
            "cache": root / "cache",
            # mlcroissant fetches the JSON-LD with requests (which reads NETRC) and the files with the
            # CROISSANT_BASIC_AUTH_* credentials; the API takes a token as the Basic password.
            "env": {
                "NETRC": str(netrc),
                "CROISSANT_BASIC_AUTH_USERNAME": OWNER,
                "CROISSANT_BASIC_AUTH_PASSWORD": tokens[OWNER],
            },
        }


def _dataset_id(path: Path) -> str:
    return json.loads(path.read_text())["name"]


def _normalised(records: list[dict]) -> list[str]:
    return sorted(json.dumps(r, sort_keys=True) for r in records)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_export_loads_the_same_records(served, layout):
    """mlcroissant loading the served export (owner's credentials) yields exactly the original's records, per
    record set, and reports no validation error on the export."""
    original = served["originals"][layout]
    names = [r["name"] for r in json.loads(original.read_text())["recordSet"]]
    expected = load_records(str(original), names, served["cache"] / "original")
    url = f"{served['base']}/api/datasets/{_dataset_id(original)}/croissant"
    got = load_records(url, names, served["cache"] / layout, env=served["env"])
    for name in names:
        assert expected[name], f"{layout}/{name}: the original yields no record"
        assert _normalised(got[name]) == _normalised(expected[name]), f"{layout}/{name}"
    validate = subprocess.run(
        [str(Path(sys.executable).with_name("mlcroissant")), "validate", "--jsonld", url],
        capture_output=True,
        text=True,
        env={**os.environ, **served["env"], "CROISSANT_CACHE": str(served["cache"] / "v")},
        timeout=120,
    )
    assert validate.returncode == 0, validate.stderr[-2000:]


def test_export_keeps_every_mapped_field(served):
    """name, description, licence, creators (ORCID, organisations), datePublished, version, keywords, citeAs,
    checksums, RAI fields and usageInfo of the original are all in the export."""
    original = json.loads(served["originals"]["csv-joins"].read_text())
    headers = {"Authorization": f"Bearer {served['tokens'][OWNER]}"}
    export = httpx.get(f"{served['base']}/api/datasets/titanic-mini/croissant", headers=headers).json()
    assert export["alternateName"] == original["name"] and export["name"] == "titanic-mini"
    assert export["description"] == original["description"]
    assert export["license"] == "https://spdx.org/licenses/CC-BY-4.0.html"  # the original's CC URL, as SPDX
    assert export["version"] == original["version"] and export["datePublished"] == original["datePublished"]
    assert export["keywords"] == original["keywords"] and export["citeAs"] == original["citeAs"]
    creators = {c["name"]: c for c in export["creator"]}
    assert creators["Ada Example"]["@id"] == ORCID and "Example Lab" in creators
    assert original["url"] in export["sameAs"] + [d["@id"] for d in export.get("prov:wasDerivedFrom", [])]
    for key, value in RAI.items():
        got = export[key]
        if key == "rai:dataCollectionTimeframe":
            assert [d[:10] for d in got] == value
        elif isinstance(value, list):
            assert got == value
        else:
            assert value in (got if isinstance(got, list) else [got]) or got == value, key
    assert set(original["usageInfo"]) <= set(export["usageInfo"])
    sums = {d["name"]: d["sha256"] for d in export["distribution"] if d.get("sha256")}
    assert all(sums[d["name"]] == d["sha256"] for d in original["distribution"])
    assert {d["@id"] for d in export["distribution"]} >= {d["@id"] for d in original["distribution"]}
    # No DICOM series were harvested with it: no series manifest and no empty series record set (issue 31).
    assert "series-manifest" not in {d["@id"] for d in export["distribution"]}
    assert "series" not in {r["@id"] for r in export["recordSet"]}
    ids = [n["@id"] for n in export["distribution"] + export["recordSet"]]
    assert len(ids) == len(set(ids))


def test_export_points_at_the_catalog(served):
    """Local files point at the catalog's files endpoint, which serves them with the declared digest; the
    original document is served unchanged."""
    headers = {"Authorization": f"Bearer {served['tokens'][ADMIN]}"}
    export = httpx.get(f"{served['base']}/api/datasets/titanic-mini/croissant", headers=headers).json()
    files = {d["@id"]: d for d in export["distribution"] if d["@id"] != "series-manifest"}
    for node in files.values():
        assert node["contentUrl"].startswith(f"{served['base']}/api/datasets/titanic-mini/files/")
        body = httpx.get(node["contentUrl"], headers=headers)
        assert body.status_code == 200
        import hashlib

        assert hashlib.sha256(body.content).hexdigest() == node["sha256"]
    kept = httpx.get(f"{served['base']}/api/datasets/titanic-mini/files/titanic-mini.croissant.json", headers=headers)
    assert kept.content == served["originals"]["csv-joins"].read_bytes()


def test_imported_dataset_is_searchable(served):
    """The imported dataset is in the index: its owner finds it by words of its description."""
    headers = {"Authorization": f"Bearer {served['tokens'][OWNER]}"}
    hits = httpx.get(f"{served['base']}/api/search", params={"q": "lookup tables"}, headers=headers).json()
    assert "titanic-mini" in [h.get("id") for h in hits["hits"]]


def test_submit_croissant_over_http(served, tmp_path):
    """POST /api/submissions with an application/ld+json Croissant gives the verdict `medal validate` and `medal
    harvest` give (issue 26, "one check everywhere"): a remote data location is refused (nothing is fetched, so
    the catalog cannot check it), and so is a local one, since a body carries no data files; the 422's detail is
    the report, and nothing is stored. An invalid Croissant is refused the same way."""
    from croissant_layouts import json_path

    doc = json.loads(json_path(tmp_path).read_text())
    doc["name"] = "remote-items"
    doc["distribution"][0]["contentUrl"] = "https://data.example.org/items.json"
    headers = {"Authorization": f"Bearer {served['tokens'][OWNER]}", "Content-Type": "application/ld+json"}
    auth = {"Authorization": headers["Authorization"]}
    posted = httpx.post(
        f"{served['base']}/api/submissions",
        content=json.dumps(doc),
        headers=headers,
        params={"access_level": "registered"},
    )
    assert posted.status_code == 422, posted.text
    assert [(i["code"], i["pointer"]) for i in posted.json()["detail"]["issues"] if i["severity"] == "error"] == [
        ("croissant.unsafe-location", "/distribution/0/contentUrl")
    ]
    assert httpx.get(f"{served['base']}/api/datasets/remote-items", headers=auth).status_code == 404
    doc["distribution"][0]["contentUrl"] = "data/items.json"
    doc["name"] = "local-items"
    posted = httpx.post(
        f"{served['base']}/api/submissions",
        content=json.dumps(doc),
        headers=headers,
        params={"access_level": "registered"},
    )
    assert posted.status_code == 422 and "croissant.missing-file" in {
        i["code"] for i in posted.json()["detail"]["issues"]
    }
    doc["recordSet"][0]["field"][0]["source"]["fileObject"]["@id"] = "missing"
    doc["name"] = "broken-items"
    bad = httpx.post(
        f"{served['base']}/api/submissions",
        content=json.dumps(doc),
        headers=headers,
        params={"access_level": "registered"},
    )
    assert bad.status_code == 422 and bad.json()["detail"]["summary"]["errors"] > 0
    assert httpx.get(f"{served['base']}/api/datasets/broken-items", headers=auth).status_code == 404


def test_a_label_table_of_a_task_is_left_out_of_the_imported_export(tmp_path):
    """When a task names a CSV of an imported open dataset as its label table (it may hold hidden labels), the
    dataset's export leaves that file out, with the record set that reads it, and the rest still loads as the
    original does; the files route neither lists nor serves it."""
    import yaml

    from medal_catalog.api.tokens import create_token
    from medal_catalog.ingestion import ingest_croissant
    from medal_catalog.catalog import Catalog

    from conftest import EXAMPLES
    from croissant_layouts import csv_joins

    (tmp_path / "data").mkdir()
    original = csv_joins(tmp_path / "data")
    db = tmp_path / "catalog.db"
    task = yaml.safe_load((EXAMPLES / "valid" / "ct-lung-nodule-malignancy" / "task.yaml").read_text())
    task = json.loads(json.dumps(task, default=lambda v: v.isoformat()))
    task.update(
        id="titanic-survival",
        datasets_used=["titanic-mini"],
        status="submitted",
        labels={
            "dataset": "titanic-mini",
            "distribution_name": "passengers.csv",
            "case_id_column": "name",
            "split_column": "embarked",
            "label_columns": ["survived"],
        },
    )
    with Catalog.open(f"sqlite:///{db}") as catalog:
        assert ingest_croissant(original, catalog, author=OWNER).detail.ok
        assert catalog.put(task, author=OWNER, reason="submitted").changed
        token = create_token(catalog.store, OWNER, "contributor")
    headers = {"Authorization": f"Bearer {token}"}
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login {OWNER} password {token}\n")
    netrc.chmod(0o600)
    env = {"NETRC": str(netrc), "CROISSANT_BASIC_AUTH_USERNAME": OWNER, "CROISSANT_BASIC_AUTH_PASSWORD": token}
    with medal_server(db, tmp_path) as base:
        export = httpx.get(f"{base}/api/datasets/titanic-mini/croissant", headers=headers).json()
        listed = [f["path"] for f in httpx.get(f"{base}/api/datasets/titanic-mini/files", headers=headers).json()]
        served_file = httpx.get(f"{base}/api/datasets/titanic-mini/files/passengers.csv", headers=headers)
        (tmp_path / "export.json").write_text(json.dumps(export))
        kept = ["genders", "embarkation_ports"]
        got = load_records(f"{base}/api/datasets/titanic-mini/croissant", kept, tmp_path / "cache", env=env)
    ids = {n["@id"] for n in export["distribution"] + export["recordSet"]}
    assert "passengers.csv" not in ids and "passengers" not in ids
    assert {"genders.csv", "embarkation_ports.csv", *kept} <= ids
    assert "Allen" not in json.dumps(export)
    assert "passengers.csv" not in listed and "data/genders.csv" in listed
    assert served_file.status_code == 404
    expected = load_records(str(original), kept, tmp_path / "cache-original")
    for name in kept:
        assert expected[name] and _normalised(got[name]) == _normalised(expected[name])


#: Official Croissant examples vendored under tests/data/croissant-examples (see its README).
OFFICIAL = Path(__file__).resolve().parents[1] / "data" / "croissant-examples"
#: Every record of the named record sets, an image field as its mode, size and pixel digest (so that two loads
#: compare by content, not by object identity).
_RECORDS = """
import hashlib, json, sys
import mlcroissant as mlc
def plain(value):
    if hasattr(value, "tobytes") and hasattr(value, "size"):
        return f"image {value.mode} {value.size} {hashlib.sha256(value.tobytes()).hexdigest()}"
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value
dataset = mlc.Dataset(jsonld=sys.argv[1])
print(json.dumps({name: [{k: plain(v) for k, v in r.items()} for r in dataset.records(name)]
                  for name in sys.argv[2:]}, default=str))
"""


def _records(jsonld: str, names: list[str], cache: Path, env: dict[str, str] | None = None) -> dict[str, list]:
    done = subprocess.run(
        [sys.executable, "-c", _RECORDS, jsonld, *names],
        capture_output=True,
        text=True,
        env={**os.environ, "CROISSANT_CACHE": str(cache), **(env or {})},
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("example", sorted(p.name for p in OFFICIAL.iterdir() if p.is_dir()))
def test_an_official_example_round_trips_record_for_record(tmp_path, example):
    """An official Croissant 1.0 example with local data (mlcommons/croissant's datasets/1.0, coco2014-mini among
    them) imported (open), served, and loaded from the catalog's export with its importer's token: every record
    set yields exactly the records the original yields (coco's ``captions/split`` stays ``train``, though the
    caption file is served from a catalog URL), and the export has no empty ``series`` record set."""
    import shutil

    from medal_catalog.api.tokens import create_token
    from medal_catalog.catalog import Catalog
    from medal_catalog.ingestion import ingest_croissant

    folder = shutil.copytree(OFFICIAL / example, tmp_path / example)
    original = folder / "metadata.json"
    names = [r["name"] for r in json.loads(original.read_text())["recordSet"]]
    db = tmp_path / "catalog.db"
    with Catalog.open(f"sqlite:///{db}") as catalog:
        result = ingest_croissant(original, catalog, access_level="open", author=OWNER).detail
        assert result.ok and result.stored.changed, result.report.to_dict()
        dataset_id = result.stored.id
        token = create_token(catalog.store, OWNER, "contributor")
    expected = _records(str(original), names, tmp_path / "cache-original")
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login {OWNER} password {token}\n")
    netrc.chmod(0o600)
    with medal_server(db, tmp_path) as base:
        url = f"{base}/api/datasets/{dataset_id}/croissant"
        export = httpx.get(url, headers={"Authorization": f"Bearer {token}"}).json()
        got = _records(url, names, tmp_path / "cache-export", env={"NETRC": str(netrc)})
    assert [r["name"] for r in export["recordSet"]] == names
    for name in names:
        assert expected[name], f"{name}: the original yields no record"
        assert _normalised(got[name]) == _normalised(expected[name]), name
    if example == "coco2014-mini":
        assert {r["captions/split"] for r in got["captions"]} == {"train"}
