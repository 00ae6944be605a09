"""Hostile metadata documents (billion laughs, 50,000-deep YAML, 2,000-deep JSON, deep Croissant JSON-LD) end as a
`file.*` error, quickly and in bounded memory, from `medal validate` (exit 1) and over HTTP (422, the server still
answering afterwards); documents within the bounds still parse."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from measured import run_measured

from medal_catalog.documents import MAX_ALIAS_NODES, MAX_DEPTH, DocumentError, load_json, load_yaml
from served import medal_server
from stress.hostile_inputs import DOCUMENTS, billion_laughs, deep_json, deep_yaml, write_documents

MEDAL = Path(sys.executable).with_name("medal")
#: What one hostile document may cost `medal validate`, start-up included (the machine is shared: generous).
SECONDS, PEAK_RSS_MB = 20, 400
EXPECTED = {"laughs.yaml": "file.too-many-aliases"} | {n: "file.too-deep" for n in DOCUMENTS if n != "laughs.yaml"}


def _run_measured(args: list[str], cwd: Path) -> tuple[int, str, float, float]:
    """Run a command; its exit code, stdout, seconds and peak RSS in MB."""
    return run_measured(args, cwd)


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_validate_refuses_hostile_document_with_a_file_code(tmp_path, name):
    """`medal validate --json` on each hostile document exits 1 with its file.* code, no traceback, in bounds."""
    path = next(p for p in write_documents(tmp_path) if p.name == name)
    started = time.monotonic()
    done = subprocess.run(
        [str(MEDAL), "validate", str(path), "--json"], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    seconds = time.monotonic() - started
    assert done.returncode == 1, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    codes = [i["code"] for i in json.loads(done.stdout)["issues"]]
    assert codes == [EXPECTED[name]]
    assert seconds < SECONDS


def test_validate_of_billion_laughs_stays_small(tmp_path):
    """The billion laughs is refused before it is expanded: peak RSS of `medal validate` stays under the bound."""
    path = tmp_path / "laughs.yaml"
    path.write_text(billion_laughs(), encoding="utf-8")
    code, out, seconds, rss = _run_measured([str(MEDAL), "validate", str(path)], tmp_path)
    assert code == 1 and "file.too-many-aliases" in out
    assert seconds < SECONDS
    assert 0 < rss < PEAK_RSS_MB, f"peak RSS {rss:.0f} MB"


def test_bounded_parsers_keep_what_is_within_bounds():
    """Depth MAX_DEPTH and a few aliases parse; one level more or alias expansion past the budget is refused."""
    assert load_yaml(deep_yaml(MAX_DEPTH - 1))["keywords"] is not None
    assert load_json(deep_json(MAX_DEPTH - 1))["id"] == "hostile"
    assert load_yaml("a: &x [1, 2]\nb: *x\n") == {"a": [1, 2], "b": [1, 2]}
    assert load_json('{"s": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\""}')["s"]
    for bad, code in [
        (deep_yaml(MAX_DEPTH + 1), "file.too-deep"),
        (deep_json(MAX_DEPTH + 1), "file.too-deep"),
        (billion_laughs(levels=3, width=30), "file.too-many-aliases"),
        ("[1, 2", "file.parse-error"),
    ]:
        with pytest.raises(DocumentError) as refused:
            (load_json if bad.lstrip().startswith(("{", "[")) and "type:" not in bad else load_yaml)(bad)
        assert refused.value.code == code, bad[:40]
    assert MAX_ALIAS_NODES < 30**3


def test_dates_stay_strings_and_syntax_errors_keep_their_position():
    """The bounded YAML reader keeps the old promises: ISO dates as strings, errors with line and column."""
    assert load_yaml("d: 2024-01-02\n") == {"d": "2024-01-02"}
    with pytest.raises(DocumentError) as refused:
        load_yaml("a: [1,\nb: }\n")
    assert refused.value.code == "file.parse-error" and refused.value.line


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real `medal serve` over an empty catalog, with a contributor's token."""
    folder = tmp_path_factory.mktemp("hostile-http")
    db = folder / "catalog.db"
    token = subprocess.run(
        [str(MEDAL), "token", "create", "--role", "contributor", "--name", "mallory", "--catalog", f"sqlite:///{db}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    with medal_server(db, folder) as base:
        yield base, {"Authorization": f"Bearer {token}"}


_MEDIA = {".yaml": "application/yaml", ".json": "application/json", ".jsonld": "application/ld+json"}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_http_refuses_hostile_document_with_422_and_survives(server, name):
    """POST /api/submissions with each hostile document: 422 naming its file.* code, quickly; /api/health after."""
    base, headers = server
    body = DOCUMENTS[name]().encode()
    started = time.monotonic()
    answer = httpx.post(
        f"{base}/api/submissions",
        content=body,
        timeout=60,
        headers={**headers, "Content-Type": _MEDIA[Path(name).suffix]},
    )
    assert answer.status_code == 422, answer.text[:500]
    assert EXPECTED[name] in answer.text
    assert time.monotonic() - started < SECONDS
    assert httpx.get(f"{base}/api/health", timeout=10).status_code == 200


def test_http_refuses_a_deep_bundle_manifest(server):
    """A bundle (multipart) whose manifest is 2,000 deep: 422 saying it is too deep, and the server answers after."""
    base, headers = server
    answer = httpx.post(
        f"{base}/api/submissions",
        headers=headers,
        timeout=60,
        files={"bundle": ("bundle.json", deep_json(2_000).encode(), "application/json")},
    )
    assert answer.status_code == 422, answer.text[:500]
    assert "file.too-deep" in answer.text
    assert httpx.get(f"{base}/api/health", timeout=10).status_code == 200
