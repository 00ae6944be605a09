"""Without the IDC index, `medal harvest` says how to install it once per catalog, not on every harvest (each
dataset's line still says the index was missing); `medal validate -v` says it every time (an info)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import EXAMPLES

MEDAL = str(Path(sys.executable).with_name("medal"))
HINT = "pip install 'medal-catalog[public-index]'"


def _without_index(tmp_path: Path) -> dict[str, str]:
    """An environment where `import idc_index_data` fails, as on a machine without the extra."""
    shadow = tmp_path / "shadow" / "idc_index_data"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('idc-index-data is not installed here')\n")
    cache = tmp_path / "index-cache"
    return {**os.environ, "PYTHONPATH": str(shadow.parent), "MEDAL_PUBLIC_INDEX_CACHE": str(cache)}


def test_the_install_hint_is_said_once_per_catalog(tmp_path):
    env = _without_index(tmp_path)
    submissions = [
        str(EXAMPLES / "valid" / "ct-lung-nodule-malignancy"),
        str(EXAMPLES / "valid" / "mr-brain-metastasis-segmentation"),
    ]

    def harvest(db: str) -> str:
        run = subprocess.run(
            [MEDAL, "harvest", *submissions, "--catalog", f"sqlite:///{tmp_path / db}", "--out", str(tmp_path / "out")],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=300,
        )
        assert run.returncode == 0, run.stderr
        return run.stdout

    first = harvest("one.db")
    assert first.count(HINT) == 1 and first.count("no IDC index") == 2  # two datasets, one hint
    again = harvest("one.db")
    assert HINT not in again and "no IDC index" in again
    other = harvest("two.db")
    assert other.count(HINT) == 1
    validate = subprocess.run(
        [MEDAL, "validate", "-v", submissions[0]], capture_output=True, text=True, env=env, timeout=300
    )
    assert HINT in validate.stdout + validate.stderr
