"""`medal init` writes templates a contributor can fill from the comments alone, and validate guides them."""

from __future__ import annotations

import json

import yaml
from click.testing import CliRunner

from medal_catalog.cli import main


def _validate(path) -> dict:
    run = CliRunner().invoke(main, ["validate", str(path), "--json"])
    return json.loads(run.output)


def test_a_fresh_template_validates_with_fill_in_warnings_only(tmp_path):
    """No error; every placeholder is a template.unfilled warning naming its slot; the comments list enums."""
    run = CliRunner().invoke(main, ["init", "submission", str(tmp_path / "s")])
    assert run.exit_code == 0, run.output
    task_text = (tmp_path / "s" / "task.yaml").read_text(encoding="utf-8")
    assert "# task_type (required):" in task_text and "One of: classification, detection" in task_text
    assert "(recommended)" in task_text and (tmp_path / "s" / "dicom").is_dir()
    report = _validate(tmp_path / "s")
    assert report["summary"]["errors"] == 0, [i for i in report["issues"] if i["severity"] == "error"]
    unfilled = [i for i in report["issues"] if i["code"] == "template.unfilled"]
    assert {"/title", "/clinical_question", "/submitter/name"} <= {i["pointer"] for i in unfilled}
    assert all(i["severity"] == "warning" and i["hint"] for i in unfilled)


def test_a_filled_template_has_no_placeholder_left(tmp_path):
    """Replacing every placeholder removes every template.unfilled warning (and makes no error)."""
    CliRunner().invoke(main, ["init", "task", str(tmp_path)])
    path = tmp_path / "task.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))

    def fill(value):
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for i, v in enumerate(value)]
        return "filled in by the contributor" if value == "FILL IN" else value

    data = fill(data)
    data["keywords"] = ["lung", "nodule", "CT"]
    data["version"] = "1.0.0"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    report = _validate(tmp_path)
    assert report["summary"]["errors"] == 0
    assert [i for i in report["issues"] if i["code"] == "template.unfilled"] == []


def test_init_never_overwrites(tmp_path):
    """A second init into the same folder refuses (exit 2) and leaves the contributor's file as it was."""
    CliRunner().invoke(main, ["init", "dataset", str(tmp_path)])
    (tmp_path / "dataset.yaml").write_text("edited", encoding="utf-8")
    run = CliRunner().invoke(main, ["init", "dataset", str(tmp_path)])
    assert run.exit_code == 2 and "exists already" in run.output
    assert (tmp_path / "dataset.yaml").read_text(encoding="utf-8") == "edited"
