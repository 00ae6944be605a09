"""The documentation site builds without a warning, its CLI reference is current, and its examples run."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO


def test_docs_build_strict(tmp_path):
    """`mkdocs build --strict` (a broken link or a page missing from the nav fails it) into a temporary folder."""
    mkdocs = Path(sys.executable).with_name("mkdocs")
    run = subprocess.run(
        [str(mkdocs), "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    page = (tmp_path / "site" / "reference" / "cli" / "index.html").read_text(encoding="utf-8")
    assert "medal harvest" in page
    # nothing the site needs comes from a CDN (fonts are off; search is built locally)
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis.com" not in index and "cdn.jsdelivr" not in index


def test_cli_reference_is_current():
    """docs/reference/cli.md equals what scripts/cli_reference.py generates from --help."""
    out = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "cli_reference.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr


def test_library_example_runs(tmp_path):
    """The Python example of the consumer guide's "Use it as a library" runs as written (in a scratch folder)."""
    text = (REPO / "docs" / "consumers.md").read_text(encoding="utf-8")
    example = re.search(r"## Use it as a library.*?```python\n(.*?)```", text, re.S).group(1)
    (tmp_path / "examples").symlink_to(REPO / "examples")
    code = example + "\nassert report.ok and not results[0].failed and document['name'] and hits.total >= 0\n"
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert (tmp_path / "catalog.db").exists()
