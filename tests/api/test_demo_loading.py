"""The demo as a consumer meets it: README's harvest of examples/ served by a real `medal serve`; the loading
snippet a task page shows is run, as the page shows it, by stock mlcroissant in a clean process. The open task's
snippet loads every record set anonymously; a controlled task's page gives the signed-link snippet only to callers
who may fetch its data, and tells everyone else what access they need and whom to ask."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from api.conftest import EXAMPLES, auth
from conftest import REPO
from served import medal_server

OPEN_DEMO_TASK, CONTROLLED_TASK = "ct-kidney-stone-detection", "ct-lung-nodule-malignancy"
#: Appended to a page's snippet in the subprocess: what each record set yields, by count (a Dataset made again
#: from the snippet's source for each: mlcroissant yields a record set's records once per Dataset).
REPORT = """
import json as _json
print(_json.dumps({rs: len(list(type(ds)(jsonld=ds.jsonld).records(rs))) for rs in RECORD_SETS}))
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """README's demo: `medal harvest examples/valid/* examples/open/*` (the panel's records included), served."""
    from medal_catalog.api.tokens import create_token
    from medal_catalog.store import open_store

    folder = tmp_path_factory.mktemp("demo")
    db = folder / "catalog.db"
    medal = Path(sys.executable).with_name("medal")
    subprocess.run(
        [
            str(medal),
            "harvest",
            *map(str, readme_harvest()),
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
        tokens = {
            name: create_token(store, name, role)
            for name, role in {"chair": "admin", "rita": "reviewer", "alice": "contributor"}.items()
        }
    finally:
        store.close()
    with medal_server(db, folder) as base:
        with httpx.Client(base_url=base, timeout=30) as client:
            client.tokens = tokens
            yield client


def readme_harvest() -> list[Path]:
    """The paths README's first command (scripts/demo.sh) harvests, its globs expanded as a shell in the repository
    does."""
    first = (REPO / "README.md").read_text(encoding="utf-8").split("```bash\n", 1)[1].splitlines()[0]
    script = (REPO / first.split()[0]).read_text(encoding="utf-8")
    words = re.search(r"medal harvest ([^&\n]+)", script).group(1).split()
    paths = [p for word in words for p in sorted(REPO.glob(word))]
    assert any(p.parent == EXAMPLES / "open" for p in paths), "README's demo harvests examples/open"
    return paths


def snippet(page: str) -> str:
    """The code of the page's mlcroissant snippet, as a reader copies it."""
    section = page[page.index("Load with mlcroissant") :]
    return html.unescape(re.search(r"<pre class=\"snippet\"[^>]*><code>(.*?)</code>", section, re.S).group(1))


def run(code: str, tmp_path: Path, record_sets: list[str], **names: str) -> subprocess.CompletedProcess:
    """``code`` in a fresh interpreter with stock mlcroissant, no credentials and a private HOME (its cache)."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    head = "".join(f"{k} = {v!r}\n" for k, v in names.items()) + f"RECORD_SETS = {record_sets!r}\n"
    return subprocess.run(
        [sys.executable, "-I", "-c", head + code + REPORT],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(home)},
        cwd=tmp_path,
        timeout=300,
    )


@pytest.mark.slow
def test_the_open_demo_tasks_snippet_loads_every_record_anonymously(demo, tmp_path):
    """An anonymous visitor finds the accepted open task, and its page's snippet, run as shown, yields its splits,
    cases, published labels, series and DICOM images through stock mlcroissant."""
    found = demo.get("/api/search", params={"type": "BenchmarkTask", "status": "accepted"}).json()
    assert OPEN_DEMO_TASK in {h["id"] for h in found["hits"]}
    page = demo.get(f"/tasks/{OPEN_DEMO_TASK}")
    assert page.status_code == 200
    code = snippet(page.text)
    assert "croissant-link" not in code and "not open" not in page.text
    loaded = run(code, tmp_path, ["splits", "cases", "labels", "series", "images"])
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    assert json.loads(loaded.stdout.splitlines()[-1]) == {
        "splits": 2,
        "cases": 3,
        "labels": 3,
        "series": 3,
        "images": 9,
    }


@pytest.mark.slow
def test_a_controlled_tasks_page_gives_the_signed_snippet_only_to_who_may_use_it(demo, tmp_path):
    """The controlled task's page: anonymous visitors and a reviewer are told the data are controlled, where the
    data use agreement is and whom to ask, and get a snippet that works for them (the splits); the admin gets the
    signed-link snippet, which, run with their token, loads the cases."""
    dua = "https://w3id.org/medal/licenses/dua-1.0"
    for headers in ({}, auth(demo, "rita"), auth(demo, "alice")):
        page = demo.get(f"/tasks/{CONTROLLED_TASK}", headers=headers)
        assert page.status_code == 200, headers
        text = page.text
        assert (
            "are not open" in text and "controlled dataset" in text and dua in text and "a.haddad@example.org" in text
        )
        code = snippet(text)
        assert "croissant-link" not in code and 'records("splits")' in code
    shown = run(code, tmp_path, ["splits"])
    assert shown.returncode == 0, shown.stderr[-3000:]
    assert json.loads(shown.stdout.splitlines()[-1]) == {"splits": 2}

    admin = demo.get(f"/tasks/{CONTROLLED_TASK}", headers=auth(demo, "chair")).text
    assert "are not open" not in admin
    code = snippet(admin)
    assert "/croissant-link" in code
    loaded = run(code, tmp_path, ["cases", "labels"], TOKEN=demo.tokens["chair"])
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    assert json.loads(loaded.stdout.splitlines()[-1]) == {"cases": 2, "labels": 1}
