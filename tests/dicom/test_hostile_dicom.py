"""Hostile DICOM: a preamble and 600 MB of zeros (sparse, and zipped) is refused in bounded time and memory; a
header past MEDAL_DICOM_MAX_HEADER_BYTES is refused with that reason; archives past their member, byte and time
bounds are refused as a whole with the reason; files cut before or inside their pixel data are harvested with a
`dicom.truncated` warning (harvest and validate); a small fuzz run keeps its rules."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from measured import run_measured
from dicom_samples import element, minimal_body, mr_dataset, part10, write

from medal_catalog.config import Settings
from medal_catalog.dicom import archives
from medal_catalog.dicom.audit import audit_content
from medal_catalog.dicom.header import HeaderError, read
from medal_catalog.harvesters.dicom import harvest_dicom
from stress.fuzz_dicom import fuzz, real_files
from stress.hostile_inputs import zero_bomb, zero_bomb_zip

MEDAL = Path(sys.executable).with_name("medal")
SHARED = Path(os.environ.get("MEDAL_SHARED_DICOM", "/work/shared/data/dicom"))
#: Bounds for one zero bomb through `medal harvest`, start-up included (on main: 31 s to 128 s and 1.1 GB).
SECONDS, PEAK_RSS_MB = 20, 400


def _harvest_measured(path: Path, tmp_path: Path) -> tuple[int, dict, float, float]:
    """`medal harvest --json --timeout 0` of ``path``: exit code, summary, seconds, peak RSS (MB) of the process
    and its readers (wait4 on the harvest; its readers are its children)."""
    code, out, seconds, rss = run_measured(
        [
            str(MEDAL),
            "harvest",
            str(path),
            "--dataset",
            "bomb",
            "--timeout",
            "0",
            "--json",
            "--out",
            str(tmp_path / "out"),
            "--catalog",
            f"sqlite:///{tmp_path / 'c.db'}",
        ],
        tmp_path,
    )
    return code, json.loads(out), seconds, rss


@pytest.fixture
def warm_public_index(public_index_cache):
    """The reduced IDC index built before the measured harvest: its one-time build (about 650 MB peak, measured by
    benchmarks/public_index.py) is not what a hostile file costs."""
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from medal_catalog.contamination.index import try_load_index; "
            f"try_load_index(__import__('pathlib').Path({str(public_index_cache)!r}))",
        ],
        check=True,
    )


@pytest.mark.usefixtures("warm_public_index")
def test_zero_bomb_is_refused_quickly_in_bounded_memory(tmp_path):
    """A 600 MB file of a preamble and zeros (sparse on disk): refused with a reason, within the bounds."""
    folder = tmp_path / "in"
    folder.mkdir()
    zero_bomb(folder / "bomb.dcm")
    code, summary, seconds, rss = _harvest_measured(folder, tmp_path)
    assert code == 1
    [problem] = summary["problems"]
    assert problem["kind"] == "error" and "repeats" in problem["reason"]
    assert seconds < SECONDS and rss < PEAK_RSS_MB, (seconds, rss)


@pytest.mark.usefixtures("warm_public_index")
def test_zipped_zero_bombs_are_refused_quickly(tmp_path):
    """Four zero bombs in one zip: each member refused with a reason, the whole run within the bounds."""
    folder = tmp_path / "in"
    folder.mkdir()
    zero_bomb_zip(folder / "bombs.zip", members=4, zeros=80 << 20)  # each past the 64 MiB header bound
    code, summary, seconds, rss = _harvest_measured(folder, tmp_path)
    assert code == 1 and len(summary["problems"]) == 4
    assert all("repeats" in p["reason"] for p in summary["problems"])
    assert seconds < SECONDS and rss < PEAK_RSS_MB, (seconds, rss)


def test_header_past_the_byte_bound_is_refused_with_that_reason(tmp_path, monkeypatch):
    """A header of distinct elements running past MEDAL_DICOM_MAX_HEADER_BYTES is refused, naming the setting;
    the same file is read when the bound allows it (one pass: no re-parse per buffer doubling)."""
    from medal_catalog.config import get_settings

    big = part10(
        minimal_body() + element(0x0009, 0x0010, b"LO", b"ACME ") + element(0x0009, 0x1001, b"OB", b"\x00" * (3 << 20))
    )
    stream = io.BytesIO(big)
    with pytest.raises(HeaderError) as refused:
        read(stream, len(big), frozenset(), frozenset(), limit=1 << 20)
    assert "MEDAL_DICOM_MAX_HEADER_BYTES" in refused.value.reason
    assert read(io.BytesIO(big), len(big), frozenset(), frozenset(), limit=8 << 20).header_end == len(big)
    monkeypatch.setenv("MEDAL_DICOM_MAX_HEADER_BYTES", str(1 << 20))
    get_settings.cache_clear()
    try:
        (tmp_path / "big.dcm").write_bytes(big)
        result = harvest_dicom([tmp_path], "big-header", jobs=1, settings=Settings())
    finally:
        get_settings.cache_clear()
    assert ["MEDAL_DICOM_MAX_HEADER_BYTES" in p.reason for p in result.problems] == [True]


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_archive_bounds_refuse_the_archive_with_a_reason(tmp_path):
    """An archive past its member, byte or time bound is refused as a whole, with the bound in the reason."""
    good = tmp_path / "a.dcm"
    write(mr_dataset(), good)
    data = _zip({f"m{i}.dcm": good.read_bytes() for i in range(5)})
    count, flagged = audit_content(data, "ok.zip")
    assert count == 5 and all(f.reason is None for f in flagged)  # audited (findings), not refused
    assert audit_content_with(data, archives.Budget()) is None
    for bounds, word in (
        ({"members": 3}, "5 members, more than 3"),
        ({"expanded_bytes": 1000}, "expands past"),
        ({"seconds": -1.0}, "longer than"),
    ):
        refused = audit_content_with(data, archives.Budget(**bounds))
        assert refused and word in refused, (bounds, refused)


def audit_content_with(data: bytes, budget: archives.Budget) -> str | None:
    """The reason each_member refuses ``data`` under ``budget`` (None when it is read whole)."""
    try:
        archives.each_member(
            io.BytesIO(data),
            data[:512],
            "zip",
            "x.zip",
            lambda inner, size, name, i: len(inner.read(4096)) and 1,
            budget,
        )
    except archives.ArchiveRefused as exc:
        return exc.reason
    return None


def test_audit_reports_a_refused_archive_on_the_archive(tmp_path, monkeypatch):
    """audit_content names the refusal on the archive itself (kept files, uploads)."""
    write(mr_dataset(), tmp_path / "a.dcm")
    data = _zip({f"m{i}.dcm": (tmp_path / "a.dcm").read_bytes() for i in range(4)})
    monkeypatch.setattr(archives.Budget, "__init__", _budget_init(members=2))
    _, flagged = audit_content(data, "many.zip")
    assert [f.reason for f in flagged if f.reason] == [
        "a zip archive refused: it holds 4 members, more than 2 (the limit per archive)"
    ]


def _budget_init(**bounds):
    original = archives.Budget.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **{**kwargs, **bounds})

    return init


def _cut_before_pixels(data: bytes) -> bytes:
    import re

    found = re.search(rb"\x28\x00[\x00-\xff]{2}(US|SS|CS|DS|IS)", data[132:])
    return data[: 132 + found.start()]


def test_truncated_files_are_harvested_with_a_warning_and_validate_warns(tmp_path):
    """A file cut before group 0028 and one cut inside its pixel data: harvested, each with a dicom.truncated
    warning (exit 0); `medal validate` warns about both; the whole file has no warning."""
    folder = tmp_path / "in"
    whole = write(mr_dataset(), folder / "whole.dcm").read_bytes()
    (folder / "cut-before.dcm").write_bytes(_cut_before_pixels(whole))
    (folder / "cut-inside.dcm").write_bytes(whole[:-8])
    result = harvest_dicom([folder], "cut", jobs=1, settings=Settings())
    warned = {Path(p.path).name: p for p in result.problems}
    assert set(warned) == {"cut-before.dcm", "cut-inside.dcm"}
    assert all(p.kind == "warning" and p.code == "dicom.truncated" for p in warned.values())
    assert "before its pixel data" in warned["cut-before.dcm"].reason
    assert "inside its pixel data" in warned["cut-inside.dcm"].reason
    assert result.dataset.instance_count == 3 and result.errors == []
    assert result.summary["warnings"] == 2 and result.summary["skipped"] == 0
    checked = subprocess.run([str(MEDAL), "validate", str(folder), "--json"], capture_output=True, text=True)
    report = json.loads(checked.stdout)
    truncated = sorted(Path(i["file"]).name for i in report["issues"] if i["code"] == "dicom.truncated")
    assert truncated == ["cut-before.dcm", "cut-inside.dcm"]


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared real DICOM is not here")
def test_real_file_cut_before_group_0028_is_not_harvested_silently(tmp_path):
    """The issue's case on a real Philips file: cut before group 0028, it comes with a warning, not `[]`."""
    real = sorted((SHARED / "philips").rglob("*.dcm"))[0].read_bytes()
    (tmp_path / "cut.dcm").write_bytes(_cut_before_pixels(real))
    result = harvest_dicom([tmp_path], "cut", jobs=1, settings=Settings())
    assert [p.code for p in result.problems] == ["dicom.truncated"]


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared real DICOM is not here")
def test_small_fuzz_run_keeps_its_rules(tmp_path):
    """150 mutations of 8 real files: no crash, every bad file with a reason, every good file harvested, every
    truncation refused or warned (stress/fuzz_dicom.py runs 1,000)."""
    outcome = fuzz(real_files(SHARED, limit=8), 150, 7, tmp_path)
    assert outcome.failures == []
    assert outcome.refused and outcome.harvested and outcome.warned
