"""`medal validate` reads each DICOM file of a submission once (issue 29): the audit, the Part 10 test and the
public check share one open. Opens are counted by an audit hook in the `medal validate` process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "valid" / "ct-lung-nodule-malignancy"

COUNTING = r"""
import os, sys
under, log = os.environ["COUNT_UNDER"], os.open(os.environ["COUNT_LOG"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)

def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes)) and os.fsdecode(args[0]).startswith(under):
        os.write(log, os.fsencode(args[0]) + b"\n")

sys.addaudithook(hook)
from medal_catalog.cli import main
main(args=sys.argv[1:], prog_name="medal")
"""


def test_validate_opens_each_dicom_file_once(tmp_path):
    """Every DICOM file of the folder is opened exactly once, and the report still holds its audit and its
    public-check section with every image hashed."""
    folder = shutil.copytree(EXAMPLE, tmp_path / "submission")
    dicom = sorted(str(p) for p in folder.rglob("*.dcm"))
    assert len(dicom) >= 4
    log = tmp_path / "opens.log"
    run = subprocess.run(
        [sys.executable, "-c", COUNTING, "validate", str(folder), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COUNT_UNDER": str(folder), "COUNT_LOG": str(log)},
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    opens = Counter(line for line in log.read_text().split() if line.endswith(".dcm"))
    assert sorted(opens) == dicom and set(opens.values()) == {1}, opens
    sections = report["contamination"]
    assert sum(s["pixel_hashes"]["files"] for s in sections.values()) == len(dicom)
    assert report["summary"]["errors"] == 0
