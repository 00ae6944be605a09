"""API fixtures: the bundled examples harvested once per session, copied fresh for each test, with one token per
role."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

ROLES = {"alice": "contributor", "bob": "contributor", "rita": "reviewer", "remy": "reviewer", "chair": "admin"}
#: The bundled file of the panel's records (reviews, a decision); the API tests start from the submissions alone.
PANEL_RECORDS = "panel-records.yaml"
#: A review body as the API takes it (the reviewer comes from the token, the date from the clock).
REVIEW = {
    "clinical_relevance_score": 4,
    "unmet_need_score": 4,
    "patient_impact_score": 3,
    "recommendation": "accept",
    "conflict_of_interest": False,
}
HIDDEN_TASK, HIDDEN_DATASET = "mr-brain-metastasis-segmentation", "mr-brain-mets-srs-2021"
OPEN_TASK, CONTROLLED_DATASET = "ct-lung-nodule-malignancy", "ct-lung-screening-2019-2023"


TASK_FILE = EXAMPLES / "valid" / OPEN_TASK / "task.yaml"
DATASET_FILE = TASK_FILE.with_name("dataset.yaml")


def own_submission(
    task_id: str, status: str = "submitted", dataset_id: str | None = None, with_dataset: bool = True
) -> str:
    """A valid submission as YAML text: the example task under a new id with the example dataset it uses under a
    new id too (``<task id>-data``: a contributor attaches a task only to datasets of their own), or without it
    (``with_dataset=False``)."""
    dataset = dataset_id or f"{task_id}-data"
    task = (
        TASK_FILE.read_text(encoding="utf-8")
        .replace("id: ct-lung-nodule-malignancy", f"id: {task_id}")
        .replace("status: submitted", f"status: {status}")
        .replace("ct-lung-screening-2019-2023", dataset)
    )
    text = "tasks:\n" + _item(task)
    if with_dataset:
        text += "datasets:\n" + _item(
            DATASET_FILE.read_text(encoding="utf-8").replace("id: ct-lung-screening-2019-2023", f"id: {dataset}")
        )
    return text


def _item(text: str) -> str:
    """A YAML mapping's text as an item of a block list."""
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    return "".join(("  - " if n == 0 else "    ") + line + "\n" for n, line in enumerate(lines))


@dataclass
class Harvested:
    """A harvested catalog file and a token per name in ROLES."""

    db: Path
    tokens: dict[str, str]


@pytest.fixture(scope="session")
def harvested(tmp_path_factory) -> Harvested:
    """examples/valid's submissions harvested by `medal harvest` (README's main command, before the panel's
    records: no task is reviewed or decided yet), with tokens."""
    from medal_catalog.api.tokens import create_token
    from medal_catalog.store import open_store

    folder = tmp_path_factory.mktemp("harvested")
    db = folder / "catalog.db"
    medal = Path(sys.executable).with_name("medal")
    subprocess.run(
        [
            str(medal),
            "harvest",
            *sorted(str(p) for p in (EXAMPLES / "valid").iterdir() if p.name != PANEL_RECORDS),
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
        store.close()  # disposing of the engine checkpoints the WAL into the file
    return Harvested(db, tokens)


@pytest.fixture
def catalog_copy(harvested, tmp_path) -> Path:
    """A private copy of the harvested catalog file."""
    target = tmp_path / "catalog.db"
    shutil.copyfile(harvested.db, target)
    return target


@pytest.fixture
def client(catalog_copy, harvested):
    """An in-process TestClient of an app over a private catalog copy; ``client.auth_as(name)`` gives headers."""
    import warnings

    with warnings.catch_warnings():
        # Starlette nudges towards httpx2; httpx 0.28 is what we pin and what the end-to-end tests use.
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from medal_catalog.api import create_app
    from medal_catalog.config import Settings

    app = create_app(
        Settings(
            catalog=f"sqlite:///{catalog_copy}", max_body_bytes=64 * 1024, cors_origins=["https://medal.example.org"]
        )
    )
    with TestClient(app) as test_client:
        test_client.tokens = harvested.tokens
        yield test_client


def auth(client_or_tokens, name: str) -> dict[str, str]:
    """The Authorization header of ``name``'s token."""
    tokens = getattr(client_or_tokens, "tokens", client_or_tokens)
    return {"Authorization": f"Bearer {tokens[name]}"}


def accept_with_reviews(post, task_id: str, headers_of, decision: str = "accept"):
    """Decide a task the way the panel must: two reviews (rita, remy), then the chair's decision; ``post`` is a
    client's post, ``headers_of(name)`` a token's headers. Returns the decision's response."""
    for name in ("rita", "remy"):
        post(f"/api/tasks/{task_id}/reviews", json=REVIEW, headers=headers_of(name))
    return post(
        f"/api/tasks/{task_id}/decision",
        json={"decision": decision, "reason": "panel vote"},
        headers=headers_of("chair"),
    )
