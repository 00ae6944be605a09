"""A corrupt JSON or YAML file is reported as corrupt, with line and column (issue 26), not as "no MEDAL
metadata: give --dataset ID", which sent contributors harvesting their broken task file as a DICOM tree."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from medal_catalog.cli import main


@pytest.mark.parametrize(
    "name, text, where",
    [
        ("task.yaml", "type: BenchmarkTask\nid: x\n  title: [unclosed\n", "line 3, column 8"),
        ("task.json", '{"type": "BenchmarkTask",\n "id": }\n', "line 2, column 8"),
    ],
)
@pytest.mark.parametrize("as_folder", [False, True])
def test_harvest_of_a_corrupt_file_says_corrupt_with_line_and_column(tmp_path, name, text, where, as_folder):
    """`medal harvest` of the file (or of a folder holding it) exits non-zero naming the file, corrupt, the
    position; it does not suggest --dataset and writes no catalog."""
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / name).write_text(text)
    target = folder if as_folder else folder / name
    run = CliRunner().invoke(main, ["harvest", str(target), "--catalog", f"sqlite:///{tmp_path / 'c.db'}"])
    assert run.exit_code != 0
    assert f"{folder / name} is corrupt" in run.output and where in run.output, run.output
    assert "--dataset" not in run.output
    assert not (tmp_path / "c.db").exists()
