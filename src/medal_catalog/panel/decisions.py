"""Decisions kept in a file of the panel's records (a MedalCatalog's ``decisions``), replayed by a harvest.

A recorded decision is the chair's work, so the harvest applies it through the same lifecycle rule as an API
decision (enough reviews without a conflict of interest, the task under review), and only once: its id goes into
the reason of the version it writes, and a decision found in a task's history is never applied again, so a later
reopen or retire by the panel is never undone by harvesting the same records again.
"""

from __future__ import annotations

from typing import Any

from medal_catalog.catalog import Catalog
from medal_catalog.config import Settings
from medal_catalog.errors import MedalError
from medal_catalog.panel.lifecycle import Actor, transition


def applied(catalog: Catalog, task_id: str, decision_id: str) -> bool:
    """Whether the task's history holds the version a recorded decision wrote."""
    mark = f"[decision {decision_id}]"
    return any(mark in (v.reason or "") for v in catalog.history("BenchmarkTask", task_id))


def replay(catalog: Catalog, decisions: list[dict[str, Any]], settings: Settings | None = None) -> list[dict[str, Any]]:
    """Apply each recorded decision not applied before; one outcome each: ``applied``, ``already applied`` or
    ``refused`` with the reason (a task not under review, too few reviews, an invalid record)."""
    from pydantic import ValidationError  # inline: pydantic takes ~45 ms to import

    from medal_catalog.model.medal import PanelDecision  # inline: adds ~110 ms to this module's import

    outcomes = []
    for raw in decisions:
        try:
            record = PanelDecision.model_validate(raw).model_dump(mode="json", exclude_none=True)
        except ValidationError as err:
            outcomes.append(
                {
                    "decision": raw.get("id") if isinstance(raw, dict) else None,
                    "outcome": "refused",
                    "reason": "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors()),
                }
            )
            continue
        outcome = {"decision": record["id"], "task": record["task"], "action": record["decision"]}
        if applied(catalog, record["task"], record["id"]):
            outcomes.append({**outcome, "outcome": "already applied"})
            continue
        actor = Actor(record["decided_by"]["name"], "admin")
        try:
            put = transition(
                catalog,
                record["task"],
                record["decision"],
                actor,
                f"{record['decision_reason']} [decision {record['id']}]",
                settings,
            )
        except MedalError as err:
            outcomes.append({**outcome, "outcome": "refused", "reason": str(err)})
            continue
        outcomes.append({**outcome, "outcome": "applied", "version": put.version})
    return outcomes
