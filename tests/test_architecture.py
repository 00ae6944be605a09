"""The layering the README and pyproject.toml describe is checked here, so it cannot silently erode."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "medal_catalog"


def test_import_contracts_hold():
    """import-linter's contracts (layers, no circles between sibling files or packages) are all kept."""
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert lint, "import-linter is a test dependency: pip install -e '.[test]'"
    run = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert re.search(r"Contracts: \d+ kept, 0 broken", run.stdout), run.stdout[-2000:]


def test_the_api_holds_no_sql():
    """The HTTP layer asks the store: no SQLAlchemy, no SQL text, so a second store backend needs no API change."""
    offenders = []
    for path in (PACKAGE / "api").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"\bsqlalchemy\b|\bsqlite3\b|\bSELECT\s|\bINSERT\s+INTO\b|\.execute\(", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_every_top_level_module_is_in_a_layer():
    """A module the layers contract does not name would escape it: every module and package of medal_catalog
    is one of its layers."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["type"] == "layers")["layers"]
    named = {name.strip() for layer in layers for name in re.split(r"[|:]", layer)}
    present = {
        f"medal_catalog.{p.stem if p.is_file() else p.name}"
        for p in PACKAGE.iterdir()
        if (p.suffix == ".py" and p.stem not in ("__init__", "__main__"))
        or (p.is_dir() and (p / "__init__.py").exists())
    }
    assert present - named == set()
