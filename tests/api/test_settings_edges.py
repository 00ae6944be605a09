"""Settings enter at the edge: two apps built in one process with different settings each use their own
de-identification key (create_app(settings) -> the catalog it opens -> the rewrite of uploaded DICOM), never the
environment's."""

from __future__ import annotations

import ast
import io
import zipfile
from pathlib import Path

import pydicom
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from medal_catalog.api import create_app
from medal_catalog.api.app import from_environment
from medal_catalog.api.tokens import create_token
from medal_catalog.cli import main
from medal_catalog.config import Settings, get_settings
from medal_catalog.dicom.deidentify import dataset_key, keyed_uid
from medal_catalog.harvesters.bundle import build_bundle
from medal_catalog.store import open_store
from api.test_submit import _deidentified_series
from submission_fill import PHILIPS_SERIES, fill

real = pytest.mark.skipif(not PHILIPS_SERIES.is_dir(), reason="the shared real DICOM is not here")


def _first_series_uid(zipped: bytes) -> tuple[str, str]:
    """(member name, SeriesInstanceUID) of the first DICOM member of a zip."""
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        name = sorted(n for n in archive.namelist() if n.endswith(".dcm"))[0]
        return name, str(pydicom.dcmread(io.BytesIO(archive.read(name))).SeriesInstanceUID)


@real
def test_two_apps_in_one_process_each_rewrite_with_their_own_key(tmp_path, monkeypatch):
    """The same bundle sent to two apps whose settings name different MEDAL_DEID_SECRETs (and an environment
    naming a third) is served by each as its own rewrite: UIDs keyed with that app's secret, so they differ."""
    monkeypatch.setenv("MEDAL_DEID_SECRET", "the-environment-s-secret")
    folder = tmp_path / "my-submission"
    assert CliRunner().invoke(main, ["init", "submission", str(folder)]).exit_code == 0
    fill(folder, _deidentified_series(tmp_path))
    bundle = build_bundle(folder, out_root=tmp_path / "out", jobs=1, settings=Settings())
    assert bundle.ok, bundle.report.to_dict()["summary"]
    sent = next(f for f in bundle.files if f.path == "dicom.zip")
    _, uploaded_uid = _first_series_uid(sent.content)
    parts = [("bundle", ("bundle.json", bundle.manifest(), "application/json"))]
    parts += [("file", (f.name, f.content, f.media_type)) for f in bundle.files]

    served = {}
    for secret in ("secret-of-catalog-a", "secret-of-catalog-b"):
        url = f"sqlite:///{tmp_path / (secret + '.db')}"
        store = open_store(url)
        token = create_token(store, "amira", "contributor")
        store.close()
        app = create_app(Settings(catalog=url, deid_secret=secret))
        with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as client:
            answer = client.post("/api/submissions", files=parts)
            assert answer.status_code == 201, answer.text
            kept = client.get("/api/datasets/my-dataset/files/dicom.zip")
            assert kept.status_code == 200, kept.text
        served[secret] = _first_series_uid(kept.content)[1]
        expected = keyed_uid(dataset_key("my-dataset", secret)[:16], uploaded_uid)
        assert served[secret] == expected, f"the app with {secret} did not rewrite with its own key"
    assert served["secret-of-catalog-a"] != served["secret-of-catalog-b"]


def test_only_the_serving_edge_reads_the_environment(tmp_path, monkeypatch):
    """create_app needs the settings it serves with; from_environment (the factory `medal serve` gives uvicorn)
    is the one place under api/ that reads them from the environment, and each app keeps its own."""
    with pytest.raises(TypeError):
        create_app()  # type: ignore[call-arg]
    monkeypatch.setenv("MEDAL_CATALOG", f"sqlite:///{tmp_path / 'environment.db'}")
    get_settings.cache_clear()
    try:
        served = from_environment()
    finally:
        get_settings.cache_clear()
    own = create_app(Settings(catalog=f"sqlite:///{tmp_path / 'own.db'}", small_cell_threshold=3))
    assert served.state.settings.catalog.endswith("environment.db")
    assert own.state.settings.catalog.endswith("own.db") and own.state.settings.small_cell_threshold == 3

    api = Path(__file__).resolve().parents[2] / "src" / "medal_catalog" / "api"
    readers = []
    for path in sorted(api.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                isinstance(call, ast.Call) and getattr(call.func, "id", None) == "get_settings"
                for call in ast.walk(node)
            ):
                readers.append(f"{path.relative_to(api)}:{node.name}")
    assert readers == ["app.py:from_environment"]
