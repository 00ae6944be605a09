"""A task split's leaderboard: its evaluations ranked by the primary metric, each value with its interval, the rank
uncertainty from the bootstrap and ties by a paired bootstrap.

Every evaluation of a split is graded with the same seed and resample count over the same cases, so resample b
draws the same cases for every entry: ranking the entries within each resample gives each one's distribution of
ranks (challengeR's bootstrap ranking), and the difference of two entries' values over the same resamples is a
paired bootstrap of their difference. Two entries whose difference's 95 % percentile interval holds 0 are tied.
Entries graded under another seed, resample count or label table cannot be paired; they are ranked by value with
no rank interval.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _primary(result: dict[str, Any]) -> dict[str, Any] | None:
    return next((m for m in result.get("metrics") or [] if m.get("role") == "primary"), None)


def _key(result: dict[str, Any]) -> tuple:
    b = result.get("bootstrap") or {}
    return (b.get("seed"), b.get("resamples"), result.get("cases"), result.get("label_table_sha256"))


def leaderboard(evaluations: list[Any]) -> dict[str, Any]:
    """Rank ``evaluations`` (StoredEvaluation, done, with replicates, of one task and split; the newest per
    submitter and model is kept) and describe each entry: no per-case value, no replicate."""
    latest: dict[tuple, Any] = {}
    for e in evaluations:
        if e.status == "done" and e.result and _primary(e.result):
            latest[(e.submitter, e.about.get("model_name") or "", e.about.get("model_version") or "")] = e
    entries = list(latest.values())
    if not entries:
        return {"metric": None, "entries": []}
    # One metric per board: after a task's primary metric changed, only the entries graded on the newest one rank
    # (values of two metrics, or of two directions, are not comparable).
    newest = max(entries, key=lambda e: e.finished_at or "")
    code = (_primary(newest.result) or {}).get("metric")
    entries = [e for e in entries if (_primary(e.result) or {}).get("metric") == code]
    primary = _primary(entries[0].result)
    higher = bool(primary.get("higher_is_better", True))
    sign = 1.0 if higher else -1.0
    entries.sort(
        key=lambda e: -sign
        * (_primary(e.result).get("value") if _primary(e.result).get("value") is not None else -sign * np.inf)
    )
    reference = _key(entries[0].result)
    paired = [e for e in entries if _key(e.result) == reference and e.replicates]
    ranks = _bootstrap_ranks(paired, sign) if len(paired) > 1 else {}
    rows = []
    for position, e in enumerate(entries, start=1):
        m = _primary(e.result)
        rows.append(
            {
                "rank": position,
                "evaluation": e.id,
                "submitter": e.submitter,
                "model_name": e.about.get("model_name"),
                "model_version": e.about.get("model_version"),
                "code_url": e.about.get("code_url"),
                "version": e.version,
                "evaluated_at": e.finished_at,
                "value": m.get("value"),
                "ci_low": m.get("ci_low"),
                "ci_high": m.get("ci_high"),
                **ranks.get(e.id, {"rank_interval": None, "rank_share": None}),
                "tied_with_next": None,
                "metrics": [
                    {k: x.get(k) for k in ("metric", "name", "value", "ci_low", "ci_high")}
                    for x in e.result.get("metrics") or []
                ],
            }
        )
    by_id = {e.id: e for e in paired}
    for this, following in zip(rows, rows[1:]):
        a, b = by_id.get(this["evaluation"]), by_id.get(following["evaluation"])
        if a is not None and b is not None:
            this["tied_with_next"] = _tied(a, b)
    return {
        "metric": primary.get("metric"),
        "metric_name": primary.get("name"),
        "higher_is_better": higher,
        "ranking": "bootstrap ranks (2.5th-97.5th percentile); ties: paired percentile bootstrap of the "
        "difference, 95 %",
        "resamples": reference[1],
        "seed": reference[0],
        "entries": rows,
    }


def _replicates(e: Any) -> np.ndarray:
    return np.frombuffer(e.replicates, dtype="<f8")


def _bootstrap_ranks(entries: list[Any], sign: float) -> dict[str, dict[str, Any]]:
    values = np.vstack([_replicates(e) for e in entries]) * sign  # larger is better
    values = np.where(np.isnan(values), -np.inf, values)
    # rank 1 = best; ties within a resample share the better rank
    ranks = (values[None, :, :] > values[:, None, :]).sum(axis=1) + 1
    point = np.arange(1, len(entries) + 1)
    out = {}
    for i, e in enumerate(entries):
        low, high = np.percentile(ranks[i], [2.5, 97.5])
        out[e.id] = {
            "rank_interval": [int(np.floor(low)), int(np.ceil(high))],
            "rank_share": float(np.mean(ranks[i] == point[i])),
        }
    return out


def _tied(a: Any, b: Any) -> bool:
    diff = _replicates(a) - _replicates(b)
    diff = diff[~np.isnan(diff)]
    if diff.size == 0:
        return True
    low, high = np.percentile(diff, [2.5, 97.5])
    return bool(low <= 0 <= high)
