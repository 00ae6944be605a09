"""`medal review`, `medal decide` and `medal panel` (ranking, lifecycle steps): the panel's work on the local
catalog, through the same library calls as the HTTP API.

The command line acts on the catalog file directly, so it takes who acts from ``--as NAME`` (recorded as the author
of the versions it writes): whoever may write the catalog file could do anything to it anyway, so the CLI
checks the lifecycle's rules (open for review, enough reviews, the allowed next steps) but not a token's role.
"""

from __future__ import annotations

import json
from typing import Any

import click

from medal_catalog.cli.options import catalog_option, index_option, reports_errors


def _as_option(func):
    return click.option("--as", "as_name", required=True, metavar="NAME",
                        help="Who acts: recorded as the author (and, for a review, the reviewer).")(func)


def _json_option(func):
    return click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")(func)


def _emit(as_json: bool, payload: dict[str, Any], line: str) -> None:
    click.echo(json.dumps(payload, indent=2) if as_json else line)


@click.command("review")
@click.argument("task_id", metavar="TASK")
@click.option("--relevance", type=click.IntRange(1, 5), required=True, help="Clinical relevance, 1-5.")
@click.option("--unmet-need", type=click.IntRange(1, 5), required=True, help="Unmet need, 1-5.")
@click.option("--patient-impact", type=click.IntRange(1, 5), required=True, help="Patient impact, 1-5.")
@click.option("--feasibility", type=click.IntRange(1, 5), help="Feasibility with the data provided, 1-5.")
@click.option("--data-quality", type=click.IntRange(1, 5), help="Quality of data and reference standard, 1-5.")
@click.option("--recommendation", required=True,
              type=click.Choice(["accept", "minor_revision", "major_revision", "reject"]))
@click.option("--comment", default=None, help="Comments to the contributor and the panel.")
@click.option("--conflict", default=None, metavar="STATEMENT",
              help="Declare a conflict of interest (the review is recorded but does not count).")
@_as_option
@_json_option
@catalog_option
@index_option
@reports_errors("review")
def review(task_id: str, relevance: int, unmet_need: int, patient_impact: int, feasibility: int | None,
           data_quality: int | None, recommendation: str, comment: str | None, conflict: str | None, as_name: str,
           as_json: bool, catalog_url: str | None, index_url: str | None) -> None:
    """Record a review of TASK's current version by --as NAME, dated today; a second review by the same
    reviewer of the same version replaces the first (kept in history)."""
    from medal_catalog.catalog import Catalog
    from medal_catalog.panel import Actor, record_review

    assessment = {"clinical_relevance_score": relevance, "unmet_need_score": unmet_need,
                  "patient_impact_score": patient_impact, "feasibility_score": feasibility,
                  "data_quality_score": data_quality, "recommendation": recommendation, "comments": comment,
                  "conflict_of_interest": conflict is not None, "conflict_of_interest_statement": conflict}
    with Catalog.open(catalog_url, index_url) as catalog:
        outcome = record_review(catalog, task_id, assessment, Actor(as_name, "reviewer"))
    verb = "replaced" if outcome.replaced else outcome.review.status
    _emit(as_json, outcome.to_dict(), f"review {outcome.review.id} {verb} (version {outcome.review.version})"
          + (f"; task {task_id} is now under review" if outcome.task else ""))


@click.command("decide")
@click.argument("task_id", metavar="TASK")
@click.argument("decision", type=click.Choice(["accept", "reject"]))
@click.option("--reason", required=True, help="Why (recorded with the new version).")
@_as_option
@_json_option
@catalog_option
@index_option
@reports_errors("decide")
def decide(task_id: str, decision: str, reason: str, as_name: str, as_json: bool, catalog_url: str | None,
           index_url: str | None) -> None:
    """Accept or reject TASK (under review, with at least MEDAL_MIN_REVIEWS reviews without a conflict of
    interest), as its next version authored by --as NAME."""
    from medal_catalog.catalog import Catalog
    from medal_catalog.panel import Actor
    from medal_catalog.panel import decide as decide_task

    with Catalog.open(catalog_url, index_url) as catalog:
        stored = decide_task(catalog, task_id, decision, reason, Actor(as_name, "admin"))
    _emit(as_json, {"task": stored.to_dict()}, f"task {task_id} {decision}ed (version {stored.version})")


@click.group("panel")
def panel() -> None:
    """The review panel: the ranked shortlist and the other lifecycle steps."""


@panel.command("ranking")
@click.option("--all", "all_statuses", is_flag=True, help="Rank decided tasks too, not only those open for review.")
@_json_option
@catalog_option
@index_option
@reports_errors("panel ranking")
def panel_ranking(all_statuses: bool, as_json: bool, catalog_url: str | None, index_url: str | None) -> None:
    """The tasks open for review ranked by priority score (MEDAL_RANKING_WEIGHTS), with each criterion's mean,
    median and spread, Krippendorff's alpha per criterion, and flags (disagreement, lacking_reviews)."""
    from medal_catalog.catalog import Catalog
    from medal_catalog.panel import ranking

    statuses = ("submitted", "under_review", "accepted", "rejected", "retired") if all_statuses else None
    with Catalog.open(catalog_url, index_url) as catalog:
        result = ranking(catalog, statuses=statuses) if statuses else ranking(catalog)
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    for row in result["tasks"]:
        score = "-" if row["priority"] is None else f"{row['priority']:.2f}"
        click.echo(f"{row['rank']:>3}. {score:>5}  {row['task']}  ({row['reviews']} reviews"
                   f"{'; ' + ', '.join(row['flags']) if row['flags'] else ''})")
    alphas = ", ".join(f"{c} {'-' if a['alpha'] is None else format(a['alpha'], '.2f')}"
                       for c, a in result["agreement"].items())
    click.echo(f"Krippendorff's alpha (ordinal): {alphas}")


@panel.command("step")
@click.argument("task_id", metavar="TASK")
@click.argument("action", type=click.Choice(["reopen", "retire", "withdraw", "resubmit"]))
@click.option("--reason", required=True, help="Why (recorded with the new version).")
@_as_option
@_json_option
@catalog_option
@index_option
@reports_errors("panel step")
def panel_step(task_id: str, action: str, reason: str, as_name: str, as_json: bool, catalog_url: str | None,
               index_url: str | None) -> None:
    """Take a lifecycle step other than a decision on TASK (see the panel guide, docs/panel.md), as --as NAME."""
    from medal_catalog.catalog import Catalog
    from medal_catalog.panel import Actor, transition

    with Catalog.open(catalog_url, index_url) as catalog:
        stored = transition(catalog, task_id, action, Actor(as_name, "admin"), reason)
    _emit(as_json, {"task": stored.to_dict()}, f"task {task_id}: {action} (version {stored.version})")
