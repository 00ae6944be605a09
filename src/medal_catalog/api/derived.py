"""Derived artefacts (issue 29): what pages compute from the catalog, kept in the store beside what they were
computed from, so that the first view after a start-up reads them instead of computing them.

Each artefact has a key (``campaign:anonymous``, ``leaderboard:TASK:SPLIT``, ``preview:DATASET:SERIES:N:SIZE``) and
the fingerprint of its inputs: the campaign's is the version of every task and dataset entry
(:meth:`Catalog.entries_version`), a leaderboard's its split's evaluations
(:meth:`Catalog.evaluations_version`), a preview's the sha256 of the de-identified archive it was drawn from. A
reader computes the fingerprint (one cheap query) and uses the kept bytes only when it is the same, so a stale
artefact is never served. The store keeps bytes, not decisions: who may see a page or a preview is checked on
every request as before, and a view that depends on who asks (a member's own entries) is computed, not kept.
Artefacts hold what the pages show (counts under the small-cell rule, aggregates, de-identified pixels), nothing
identifying a patient.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from medal_catalog._version import __version__
from medal_catalog.catalog import Catalog
from medal_catalog.evaluation.leaderboard import leaderboard
from medal_catalog.store import StoredArtefact

#: Bump when the shape of a kept artefact changes (its fingerprint changes with it: old rows are recomputed).
FORMAT = 1

#: Artefacts read from the store in this process (key -> (fingerprint, value)), so that a warm view pays for the
#: fingerprint query only.
_MEMO: OrderedDict[tuple[str, str], tuple[str, Any]] = OrderedDict()
_MEMO_SIZE = 256
_LOCK = threading.Lock()
#: How many artefacts this process computed (tests: a view served from the store computes none).
COMPUTED = [0]


def fingerprint(*parts: Any) -> str:
    """The fingerprint of an artefact's inputs (with the code's version and :data:`FORMAT`)."""
    return hashlib.sha256(json.dumps([FORMAT, __version__, *parts], sort_keys=True, default=str).encode()).hexdigest()


def _remember(key: tuple[str, str], print_: str, value: Any) -> None:
    with _LOCK:
        _MEMO[key] = (print_, value)
        _MEMO.move_to_end(key)
        while len(_MEMO) > _MEMO_SIZE:
            _MEMO.popitem(last=False)


def kept_json(
    catalog: Catalog, key: str, print_: str, compute: Callable[[], dict[str, Any]], keep: bool = True
) -> dict[str, Any]:
    """The JSON value kept under ``key`` when its fingerprint is ``print_``; else ``compute()``, kept (unless
    ``keep`` is False: inputs not settled yet) and returned."""
    where = (str(catalog.url), key)  # one process may serve (or test) several catalogs
    with _LOCK:
        memo = _MEMO.get(where)
    if memo is not None and memo[0] == print_:
        remembered: dict[str, Any] = memo[1]
        return remembered
    stored = catalog.get_artefacts([key]).get(key)
    if stored is not None and stored.fingerprint == print_:
        value: dict[str, Any] = json.loads(stored.data)
        _remember(where, print_, value)
        return value
    value = compute()
    COMPUTED[0] += 1
    if keep:
        catalog.put_artefacts(
            [StoredArtefact(key, print_, "application/json", json.dumps(value, separators=(",", ":")).encode())]
        )
        _remember(where, print_, value)
    return value


def poke(state: Any) -> None:
    """Ask the app's refresher (api/refresh.py), when it runs, to compute stale artefacts again."""
    refresher = getattr(state, "refresher", None)
    if refresher is not None:
        refresher.poke()


def forget_memo() -> None:
    """Empty this process's memo of artefacts read (tests: as in a new process)."""
    with _LOCK:
        _MEMO.clear()


# --- leaderboards ------------------------------------------------------------------------------------------------
def leaderboard_key(task: str, split: str) -> str:
    return f"leaderboard:{task}:{split}"


def ranked(catalog: Catalog, task: str, split: str) -> dict[str, Any]:
    """The ranking of every done evaluation of a task's split (:func:`~medal_catalog.evaluation.leaderboard.
    leaderboard`), from the store when its evaluations did not change since it was kept. The same for every
    caller who may see all entries; who may is the caller's business (api/routes/evaluations.board)."""

    def compute() -> dict[str, Any]:
        return leaderboard(catalog.list_evaluations(task=task, split=split, status="done", with_replicates=True))

    return kept_json(
        catalog, leaderboard_key(task, split), fingerprint(catalog.evaluations_version(task, split)), compute
    )
