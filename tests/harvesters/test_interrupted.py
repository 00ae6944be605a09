"""A harvest killed or stopped: its reader processes die with it (kill -9 included), SIGTERM ends it with exit 143
and a message, the store never shows a dataset with part of its series, and `medal check` finds (and with
--repair fixes) what a crash can leave in the index."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from dicom_samples import mr_dataset, write

from medal_catalog.catalog import Catalog
from medal_catalog.cli import main
from stress.kill_harvest import alive, children

MEDAL = Path(sys.executable).with_name("medal")


def _tree(root: Path, files: int = 600) -> Path:
    """Enough files (three series) that two readers are busy for a while."""
    for i in range(files):
        write(mr_dataset(series=f"se{i % 3}", number=i % 3 + 1, instance=i), root / f"se{i % 3}" / f"{i}.dcm")
    return root


def _harvest(tree: Path, db: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(MEDAL),
            "harvest",
            str(tree),
            "--dataset",
            "killed",
            "--jobs",
            "2",
            "--no-cache",
            "--timeout",
            "0",
            "--out",
            str(out),
            "--catalog",
            f"sqlite:///{db}",
            *extra,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _readers(process: subprocess.Popen, timeout: float = 60) -> set[int]:
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        found = children(process.pid)
        if len(found) >= 2:
            return found
        time.sleep(0.01)
    raise AssertionError("the harvest never started its readers")


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_readers_die_with_their_harvest_and_a_rerun_is_exact(tmp_path, sig):
    """kill -9 / SIGTERM of `medal harvest` while its two readers work: no reader alive 5 s later (on main they
    stayed, parent pid 1), SIGTERM exits 143 with a message; `medal check` is clean and a re-run stores exactly
    the counts of the tree."""
    tree = _tree(tmp_path / "tree")
    db, out = tmp_path / "catalog.db", tmp_path / "out"
    process = _harvest(tree, db, out)
    readers = _readers(process)
    process.send_signal(sig)
    _, err = process.communicate(timeout=60)
    deadline = time.monotonic() + 5
    while alive(readers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = alive(readers)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"reader processes outlived the harvest: {left}"
    if sig == signal.SIGTERM:
        assert process.returncode == 143 and b"stopped by SIGTERM" in err, err[-500:]
    else:
        assert process.returncode == -signal.SIGKILL
    if db.exists():
        checked = subprocess.run([str(MEDAL), "check", "--catalog", f"sqlite:///{db}"], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout
    rerun = _harvest(tree, db, out, "--json")
    assert rerun.wait(timeout=300) == 0
    with Catalog.open(f"sqlite:///{db}") as catalog:
        series = [v.document for v in catalog.store.iter_current(["ImagingSeries"])]
        assert sorted(s["instance_count"] for s in series) == [200, 200, 200]
        assert catalog.get("ImagingDataset", "killed").document["series_count"] == 3


def test_a_kill_in_the_write_phase_leaves_no_half_dataset(tmp_path):
    """A process killed after it wrote the dataset and some of its series, before the commit: the store holds
    none of them (on main each entry was its own transaction: 962 of 1,200 series stayed visible)."""
    db = tmp_path / "catalog.db"
    script = textwrap.dedent(f"""
        import os
        from sqlalchemy import event
        from medal_catalog.catalog import Catalog
        from medal_catalog.ingestion import put_entries
        catalog = Catalog.open("sqlite:///{db}")
        dataset = {{"type": "ImagingDataset", "id": "half", "title": "half", "access_level": "open",
                   "license": {{"spdx_id": "CC-BY-4.0"}}, "series_count": 40, "instance_count": 40}}
        series = [{{"type": "ImagingSeries", "id": f"half.s{{i}}", "dataset": "half", "modality": "MR",
                    "series_instance_uid": f"2.25.{{i + 1}}", "instance_count": 1}} for i in range(40)]
        seen = []
        def trace(statement):
            if statement.startswith("INSERT INTO entries"):
                seen.append(statement)
                if len(seen) == 30:
                    os._exit(9)  # the dataset and 29 series written, not committed
        event.listen(catalog.store.engine, "checkout", lambda c, r, p: c.set_trace_callback(trace))
        put_entries(catalog, [dataset, *series], author="harvester", reason="killed in the write phase")
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 9, run.stderr
    raw = sqlite3.connect(db)
    assert raw.execute("SELECT count(*) FROM entries").fetchone()[0] == 0
    raw.close()
    code, report = _check(db)
    assert code == 0 and report["ok"] is True


def _catalog_with_a_dataset(tmp_path: Path) -> Path:
    """A catalog holding one harvested dataset of three series."""
    db = tmp_path / "catalog.db"
    tree = tmp_path / "tree"
    for i in range(6):
        write(mr_dataset(series=f"se{i % 3}", number=i % 3 + 1, instance=i), tree / f"{i}.dcm")
    done = CliRunner().invoke(
        main,
        [
            "harvest",
            str(tree),
            "--dataset",
            "checked",
            "--jobs",
            "1",
            "--out",
            str(tmp_path / "out"),
            "--catalog",
            f"sqlite:///{db}",
        ],
    )
    assert done.exit_code == 0, done.output
    return db


def _check(db: Path, *extra: str) -> tuple[int, dict]:
    """`medal check --json` (in this process: the command is what is tested, not its start-up)."""
    done = CliRunner().invoke(main, ["check", "--json", *extra, "--catalog", f"sqlite:///{db}"])
    return done.exit_code, json.loads(done.output)


def test_check_finds_a_half_dataset_and_a_broken_reference(tmp_path):
    """A series removed behind the catalog's back: store.series-count; its twin pointing at no dataset:
    store.reference. --repair does not touch the store, so they remain (exit 1)."""
    db = _catalog_with_a_dataset(tmp_path)
    code, report = _check(db)
    assert code == 0 and report["ok"], report
    raw = sqlite3.connect(db)
    first, second, _ = [r[0] for r in raw.execute("SELECT id FROM entries WHERE kind = 'ImagingSeries' ORDER BY id")]
    raw.execute("DELETE FROM entries WHERE kind = 'ImagingSeries' AND id = ?", (first,))
    document = json.loads(raw.execute("SELECT document FROM entries WHERE id = ?", (second,)).fetchone()[0])
    raw.execute(
        "UPDATE entries SET document = ? WHERE id = ?", (json.dumps({**document, "dataset": "no-such-dataset"}), second)
    )
    raw.commit()
    raw.close()
    code, report = _check(db)
    codes = {p["code"] for p in report["problems"]}
    assert code == 1 and {"store.series-count", "store.reference"} <= codes
    code, repaired = _check(db, "--repair")
    assert code == 1 and {p["code"] for p in repaired["remaining"]} >= {"store.series-count", "store.reference"}


def test_check_repairs_an_index_out_of_step(tmp_path):
    """Index rows lost and a stale body: index.missing / index.stale found (exit 1); --repair rebuilds the
    index (exit 0) and a second check is clean."""
    db = _catalog_with_a_dataset(tmp_path)
    raw = sqlite3.connect(db)
    keys = [r[0] for r in raw.execute("SELECT key FROM search_docs ORDER BY key")]
    raw.execute("DELETE FROM search_docs WHERE key = ?", (keys[0],))
    raw.execute("UPDATE search_docs SET body = ? WHERE key = ?", (json.dumps({"type": "ImagingSeries"}), keys[1]))
    raw.commit()
    raw.close()
    code, report = _check(db)
    assert code == 1 and {p["code"] for p in report["problems"]} >= {"index.missing", "index.stale"}
    code, repaired = _check(db, "--repair")
    assert code == 0 and repaired["repaired"] and repaired["remaining"] == []
    assert _check(db)[0] == 0


def test_check_finds_a_kept_file_whose_bytes_changed(tmp_path):
    """A kept file whose bytes no longer match its sha256: store.file-checksum."""
    db = tmp_path / "catalog.db"
    with Catalog.open(f"sqlite:///{db}") as catalog:
        catalog.put(
            {
                "type": "ImagingDataset",
                "id": "kept",
                "title": "kept",
                "access_level": "open",
                "license": {"spdx_id": "CC-BY-4.0"},
            },
            "ada",
            "test",
        )
        catalog.store.put_files("ImagingDataset", "kept", {"labels.csv": (b"case,label\n1,0\n", "text/csv")})
    assert _check(db)[0] == 0
    raw = sqlite3.connect(db)
    raw.execute("UPDATE entry_files SET data = ? WHERE path = 'labels.csv'", (b"case,label\n1,1\n",))
    raw.commit()
    raw.close()
    code, report = _check(db)
    assert code == 1 and [p["code"] for p in report["problems"]] == ["store.file-checksum"]


def test_updates_still_queued_for_the_index_are_a_note_and_repair_applies_them(tmp_path):
    """A process stopped between its store commit and the index sync leaves queued updates: the queue is how the
    catalog recovers, so `medal check` passes with a note; --repair applies them (nothing left queued)."""
    db = _catalog_with_a_dataset(tmp_path)
    with Catalog.open(f"sqlite:///{db}") as catalog:
        current = catalog.get("ImagingDataset", "checked").document
        catalog.store.put({**current, "title": "retitled"}, "harvester", "stopped before the index sync")
        assert catalog.store.pending_count() == 1
    code, report = _check(db)
    assert code == 0 and report["problems"] == [] and "behind by 1 queued update" in report["notes"][0]
    code, repaired = _check(db, "--repair")
    assert code == 0 and repaired["repaired"] == ["applied the queued index updates"]
    with Catalog.open(f"sqlite:///{db}") as catalog:
        assert catalog.store.pending_count() == 0
        assert "retitled" in str(catalog.index.get("ImagingDataset:checked")["title"])


def test_a_croissant_import_killed_before_its_files_leaves_nothing_and_a_rerun_completes_it(tmp_path):
    """An open Croissant import killed while writing its kept files (its dataset written before them): the
    catalog holds neither the dataset nor any file (one transaction; on main the dataset, its series and its
    files were three), and importing it again stores all of it."""
    from croissant_layouts import csv_joins

    from medal_catalog.ingestion import ingest_croissant

    db = tmp_path / "catalog.db"
    path = csv_joins(tmp_path / "croissant")
    script = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from sqlalchemy import event
        from medal_catalog.catalog import Catalog
        from medal_catalog.ingestion import ingest_croissant
        catalog = Catalog.open("sqlite:///{db}")
        def trace(statement):
            if statement.startswith("INSERT INTO entry_files"):
                os._exit(9)  # the dataset written (and, on main, committed), its files not
        event.listen(catalog.store.engine, "checkout", lambda c, r, p: c.set_trace_callback(trace))
        ingest_croissant(Path({str(path)!r}), catalog)
    """)
    run = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])},
    )
    assert run.returncode == 9, run.stderr
    raw = sqlite3.connect(db)
    assert raw.execute("SELECT count(*) FROM entries").fetchone()[0] == 0
    assert raw.execute("SELECT count(*) FROM entry_files").fetchone()[0] == 0
    raw.close()
    with Catalog.open(f"sqlite:///{db}") as catalog:
        done = ingest_croissant(path, catalog).detail
        assert done.stored.status == "created"
        assert len(catalog.store.list_files("ImagingDataset", "titanic-mini")) == 4


def test_a_submission_killed_before_its_files_leaves_nothing(tmp_path):
    """A submission's harvest killed while writing the files the catalog keeps (its dicom.zip, labels.csv): no
    entry of it is stored either; the re-run stores the whole submission."""
    from medal_catalog.ingestion import ingest_submission

    examples = Path(__file__).parents[2] / "examples" / "valid" / "ct-lung-nodule-malignancy"
    db = tmp_path / "catalog.db"
    script = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from sqlalchemy import event
        from medal_catalog.catalog import Catalog
        from medal_catalog.ingestion import ingest_submission
        catalog = Catalog.open("sqlite:///{db}")
        def trace(statement):
            if statement.startswith("INSERT INTO entry_files"):
                os._exit(9)
        event.listen(catalog.store.engine, "checkout", lambda c, r, p: c.set_trace_callback(trace))
        ingest_submission(Path({str(examples)!r}), catalog, out_root=Path({str(tmp_path / "out")!r}), jobs=1)
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 9, run.stderr
    raw = sqlite3.connect(db)
    assert raw.execute("SELECT count(*) FROM entries").fetchone()[0] == 0
    raw.close()
    with Catalog.open(f"sqlite:///{db}") as catalog:
        done = ingest_submission(examples, catalog, out_root=tmp_path / "out", jobs=1)
        assert not done.failed
        kept = {f.path for f in catalog.store.list_files("ImagingDataset", "ct-lung-screening-2019-2023")}
        assert {"dicom.zip", "labels.csv"} <= kept
        assert catalog.get("BenchmarkTask", "ct-lung-nodule-malignancy") is not None
