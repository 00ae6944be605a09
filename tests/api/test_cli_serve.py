"""`medal token create` prints a token once and keeps only its hash; `medal serve` refuses a bad catalog URL."""

from __future__ import annotations

from click.testing import CliRunner

from medal_catalog.cli import main


def test_token_create_prints_once_and_stores_the_hash(tmp_path):
    """The printed token authenticates its holder with the given role; the database never holds it in clear."""
    from medal_catalog.api.tokens import digest, lookup
    from medal_catalog.store import open_store

    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    result = CliRunner().invoke(main, ["token", "create", "--role", "reviewer", "--name", "rita", "--catalog", url])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    store = open_store(url)
    try:
        assert lookup(store, token).role == "reviewer" and lookup(store, token + "x") is None
    finally:
        store.close()
    raw = (tmp_path / "catalog.db").read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("catalog.db-*"))
    assert token.encode() not in raw and digest(token).encode() in raw


def test_token_create_refuses_bad_names_and_roles(tmp_path):
    """Names with spaces (which could pose as `medal harvest`) and unknown roles are usage errors."""
    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    spaced = CliRunner().invoke(
        main, ["token", "create", "--role", "admin", "--name", "medal harvest", "--catalog", url]
    )
    assert spaced.exit_code == 2 and "no spaces" in spaced.output
    assert CliRunner().invoke(main, ["token", "create", "--role", "king", "--name", "x"]).exit_code == 2


def test_serve_refuses_an_unknown_catalog_scheme():
    """`medal serve` fails before listening when the catalog URL names no backend."""
    result = CliRunner().invoke(main, ["serve", "--catalog", "mongodb://x/y", "--port", "0"])
    assert result.exit_code == 2 and "no catalog store" in result.output


def test_serve_refuses_several_workers_over_what_sqlite_cannot_share(tmp_path, monkeypatch):
    """`medal serve --workers 2` over the SQLite store or its FTS5 index is a usage error that says what to use;
    PostgreSQL with Elasticsearch passes the check."""
    from medal_catalog.cli.serve import refuse_workers

    # `medal serve` writes MEDAL_CATALOG / MEDAL_INDEX into the environment (for its workers): recorded here so
    # that they are put back, or a later test's server would search this test's index.
    for name in ("MEDAL_CATALOG", "MEDAL_INDEX"):
        monkeypatch.setenv(name, "recorded")
        monkeypatch.delenv(name)

    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    result = CliRunner().invoke(main, ["serve", "--catalog", url, "--workers", "2", "--port", "0"])
    assert result.exit_code == 2
    assert "needs PostgreSQL and Elasticsearch" in result.output and "--workers 1" in result.output
    assert not (tmp_path / "catalog.db").exists()  # refused before anything was opened
    half = CliRunner().invoke(
        main,
        [
            "serve",
            "--catalog",
            "postgresql://u@127.0.0.1:9/db",
            "--workers",
            "2",
            "--index",
            f"sqlite:///{tmp_path / 'index.db'}",
            "--port",
            "0",
        ],
    )
    assert half.exit_code == 2 and "is not Elasticsearch" in half.output and "not PostgreSQL" not in half.output
    refuse_workers(4, "postgresql://u@db/catalog", "elasticsearch://es:9200/medal")  # no error


def test_serve_refuses_a_cpu_it_may_not_use(tmp_path, monkeypatch):
    """`--cpu` takes auto, all or a CPU this process may use; anything else is a usage error naming the CPUs it
    may use, before the catalog is opened."""
    import os

    import pytest

    if not hasattr(os, "sched_getaffinity"):
        pytest.skip("no CPU affinities on this system")
    for name in ("MEDAL_CATALOG", "MEDAL_INDEX"):
        monkeypatch.setenv(name, "recorded")
        monkeypatch.delenv(name)
    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    for value, said in (("fast", "give auto, all or a CPU number"), ("100000", "this process may use CPUs")):
        result = CliRunner().invoke(main, ["serve", "--catalog", url, "--cpu", value, "--port", "0"])
        assert result.exit_code == 2 and said in result.output, result.output
    assert not (tmp_path / "catalog.db").exists()


def test_serve_runs_on_one_cpu_unless_told_otherwise(tmp_path):
    """A single server process pins itself to one of the CPUs it may use and says which; `--cpu all` leaves it
    free to use every CPU it may (issue 32: its threads hand the GIL to each other on one core)."""
    import os

    import pytest

    from served import medal_serve_process

    if not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs CPU affinities and at least two CPUs")
    allowed = os.sched_getaffinity(0)
    env = {"MEDAL_CATALOG": f"sqlite:///{tmp_path / 'catalog.db'}"}
    with medal_serve_process(tmp_path, env) as (_, process):
        pinned = os.sched_getaffinity(process.pid)
        assert len(pinned) == 1 and pinned <= allowed
        assert f"serving from CPU {next(iter(pinned))} " in "".join(process.log)
        threads = os.listdir(f"/proc/{process.pid}/task")
        assert len(threads) > 1  # the request threads, the refresher, numpy's
        assert {frozenset(os.sched_getaffinity(int(tid))) for tid in threads} == {frozenset(pinned)}
    with medal_serve_process(tmp_path, env, ("--cpu", "all")) as (_, process):
        assert os.sched_getaffinity(process.pid) == allowed
        assert "serving from CPU" not in "".join(process.log)


def test_work_a_pinned_server_forks_goes_back_to_its_cpus():
    """A process pinned by `medal serve` hands its forked workers (a large submission's checks, a harvest's readers)
    the CPUs it had before, and counts those for them. Run in a child process: pinning this one would slow the rest
    of the suite."""
    import os
    import subprocess
    import sys

    import pytest

    if not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs CPU affinities and at least two CPUs")
    script = """
import os, sys
from medal_catalog.affinity import pin, usable_cpus, widen
before = sorted(os.sched_getaffinity(0))
pin(before[0])
assert sorted(os.sched_getaffinity(0)) == before[:1] and usable_cpus() == len(before)
read, write = os.pipe()
if os.fork() == 0:
    widen()
    os.write(write, ",".join(map(str, sorted(os.sched_getaffinity(0)))).encode())
    os._exit(0)
os.wait()
print(os.read(read, 100).decode(), ",".join(map(str, before)))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    child, before = done.stdout.split()
    assert child == before
