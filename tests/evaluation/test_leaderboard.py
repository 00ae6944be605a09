"""The leaderboard ranks one metric: after a task's primary metric changed, entries graded on the earlier one are
left off rather than ranked against values of another metric."""

from __future__ import annotations

from types import SimpleNamespace

from medal_catalog.evaluation.leaderboard import leaderboard


def _evaluation(i: int, metric: str, value: float, finished: str, higher: bool = True) -> SimpleNamespace:
    result = {
        "metrics": [
            {
                "metric": metric,
                "role": "primary",
                "value": value,
                "ci_low": value - 0.1,
                "ci_high": value + 0.1,
                "higher_is_better": higher,
            }
        ],
        "bootstrap": {"seed": 1, "resamples": 10},
        "cases": 20,
        "label_table_sha256": "x",
    }
    return SimpleNamespace(
        id=f"e{i}",
        status="done",
        result=result,
        submitter=f"team-{i}",
        about={"model_name": f"m{i}", "model_version": "1"},
        version=1,
        finished_at=finished,
        replicates=None,
    )


def test_entries_of_another_primary_metric_are_not_ranked():
    """Two AUROC entries graded before the task moved to Brier (lower is better), one Brier entry after: the board
    is the Brier one alone, ranked lower-is-better."""
    board = leaderboard(
        [
            _evaluation(1, "auroc", 0.9, "2026-01-01"),
            _evaluation(2, "auroc", 0.8, "2026-01-02"),
            _evaluation(3, "brier", 0.2, "2026-02-01", higher=False),
        ]
    )
    assert [row["evaluation"] for row in board["entries"]] == ["e3"]
    same = leaderboard([_evaluation(1, "auroc", 0.7, "2026-01-01"), _evaluation(2, "auroc", 0.9, "2026-01-02")])
    assert [row["evaluation"] for row in same["entries"]] == ["e2", "e1"]
