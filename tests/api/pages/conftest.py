"""Web page fixtures: the bundled examples with the CT dataset made open-access (CC-BY-4.0) harvested with the
panel's records (so its task is accepted and an anonymous visitor finds both), with one token per role."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from api.conftest import EXAMPLES, ROLES, Harvested

OPEN_DATASET, OPEN_TASK = "ct-lung-screening-2019-2023", "ct-lung-nodule-malignancy"


@pytest.fixture(scope="session")
def open_harvested(tmp_path_factory) -> Harvested:
    """examples/valid with the CT dataset open (CC-BY-4.0), harvested by `medal harvest` with the panel's
    records (the CT task accepted), and a token per name in ROLES."""
    from medal_catalog.api.tokens import create_token
    from medal_catalog.store import open_store

    folder = tmp_path_factory.mktemp("open-harvested")
    examples = folder / "examples"
    shutil.copytree(EXAMPLES / "valid", examples)
    dataset = examples / OPEN_TASK / "dataset.yaml"
    text = dataset.read_text(encoding="utf-8").replace("access_level: controlled", "access_level: open")
    dataset.write_text(
        re.sub(r"license:\n(  .*\n)+?(?=data_use_conditions)", "license:\n  spdx_id: CC-BY-4.0\n", text),
        encoding="utf-8",
    )
    db = folder / "catalog.db"
    medal = Path(sys.executable).with_name("medal")
    subprocess.run(
        [
            str(medal),
            "harvest",
            *sorted(str(p) for p in examples.iterdir()),
            "--catalog",
            f"sqlite:///{db}",
            "--out",
            str(folder / "out"),
        ],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    store = open_store(f"sqlite:///{db}")
    try:
        tokens = {name: create_token(store, name, role) for name, role in ROLES.items()}
    finally:
        store.close()
    return Harvested(db, tokens)


@pytest.fixture
def web(open_harvested, tmp_path):
    """An in-process TestClient over a private copy of the open catalog (``web.tokens`` by name)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from medal_catalog.api import create_app
    from medal_catalog.config import Settings

    target = tmp_path / "catalog.db"
    shutil.copyfile(open_harvested.db, target)
    with TestClient(create_app(Settings(catalog=f"sqlite:///{target}"))) as client:
        client.tokens = open_harvested.tokens
        yield client
