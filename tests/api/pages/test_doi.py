"""`medal doi` registers a dataset's DOI through the DataCite REST API, tested against a local STAND-IN
(tests/datacite_standin.py, not DataCite) that implements the one call used: the XML sent is valid DataCite 4.6
with the DOI as identifier, a registered DOI is recorded in the dataset and becomes its PID, a draft is not, and a
refusal leaves the catalog unchanged."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from api.conftest import EXAMPLES, PANEL_RECORDS
from api.pages.test_datacite import NS, assert_valid_xml

DATASET = "ct-lung-screening-2019-2023"
DOI = f"10.80000/medal.{DATASET}"


def run(db: Path, cwd: Path, standin, *args: str, password: str | None = None):
    medal = Path(sys.executable).with_name("medal")
    env = {
        "MEDAL_DATACITE_URL": standin.url,
        "MEDAL_DATACITE_USER": standin.user,
        "MEDAL_DATACITE_PASSWORD": password or standin.password,
        "MEDAL_DATACITE_PREFIX": "10.80000",
        "MEDAL_CATALOG": f"sqlite:///{db}",
        "PATH": str(Path(sys.executable).parent),
    }
    return subprocess.run(
        [str(medal), "doi", *args, "--base-url", "https://medal.example.org", "--json"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )


@pytest.fixture
def db(harvested, tmp_path) -> Path:
    """The harvested examples with the panel's records, which accept the lung task (so its dataset is public)."""
    target = tmp_path / "catalog.db"
    shutil.copyfile(harvested.db, target)
    medal = Path(sys.executable).with_name("medal")
    subprocess.run(
        [
            str(medal),
            "harvest",
            str(EXAMPLES / "valid" / PANEL_RECORDS),
            "--catalog",
            f"sqlite:///{target}",
            "--out",
            str(tmp_path / "out"),
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    return target


def doi_of_entry(db: Path) -> str | None:
    from medal_catalog.catalog import Catalog

    with Catalog.open(f"sqlite:///{db}") as catalog:
        return catalog.get("ImagingDataset", DATASET).document.get("doi")


def test_draft_then_publish_records_the_doi_and_it_becomes_the_pid(db, tmp_path):
    """A draft reserves the DOI at DataCite and changes nothing here; publish makes it findable, records it in
    the dataset (a new version by `medal doi`), and the landing page then cites the DOI."""
    from datacite_standin import datacite_standin

    with datacite_standin() as standin:
        draft = run(db, tmp_path, standin, DATASET)
        assert draft.returncode == 0, draft.stderr
        assert json.loads(draft.stdout) == {
            "dataset": DATASET,
            "doi": DOI,
            "state": "draft",
            "url": f"https://medal.example.org/datasets/{DATASET}",
            "recorded_in_catalog": False,
        }
        assert doi_of_entry(db) is None
        sent = standin.requests[-1]["body"]["data"]["attributes"]
        assert "event" not in sent
        tree = assert_valid_xml(standin.dois[DOI]["xml"])
        assert (
            tree.find("d:identifier", NS).text == DOI and tree.find("d:identifier", NS).get("identifierType") == "DOI"
        )
        assert b"/files/" not in standin.dois[DOI]["xml"]  # a controlled dataset: no data location
        published = run(db, tmp_path, standin, DATASET, "--event", "publish")
        assert published.returncode == 0, published.stderr
        assert json.loads(published.stdout)["state"] == "findable" and standin.dois[DOI]["state"] == "findable"
        assert json.loads(published.stdout)["recorded_in_catalog"] is True
    assert doi_of_entry(db) == DOI
    from medal_catalog.catalog import Catalog

    with Catalog.open(f"sqlite:///{db}") as catalog:
        last = catalog.history("ImagingDataset", DATASET)[-1]
        assert last.author == "medal doi" and DOI in last.reason


def test_refusals_leave_the_catalog_unchanged(db, tmp_path):
    """Wrong credentials: DataCite's 401 is reported and nothing is recorded; a dataset naming another DOI, or one
    an anonymous visitor cannot find, is refused before anything is sent; without a prefix the command says what to
    set."""
    from datacite_standin import datacite_standin
    from medal_catalog.catalog import Catalog

    with datacite_standin() as standin:
        refused = run(db, tmp_path, standin, DATASET, "--event", "publish", password="wrong")
        assert refused.returncode != 0 and "401" in refused.stderr
        assert doi_of_entry(db) is None
        with Catalog.open(f"sqlite:///{db}") as catalog:
            document = catalog.get("ImagingDataset", DATASET).document
            catalog.put({**document, "doi": "10.5281/zenodo.123"}, author="alice", reason="published on Zenodo")
        sent = len(standin.requests)
        other = run(db, tmp_path, standin, DATASET, "--event", "publish")
        assert other.returncode != 0 and "already has DOI 10.5281/zenodo.123" in other.stderr
        assert len(standin.requests) == sent and doi_of_entry(db) == "10.5281/zenodo.123"
        # a dataset no anonymous visitor may find (no accepted task uses it) gets no DOI: nothing is sent
        hidden = run(db, tmp_path, standin, "mr-brain-mets-srs-2021", "--event", "publish")
        assert hidden.returncode != 0 and "is not public" in hidden.stderr
        assert len(standin.requests) == sent
