"""`medal review`, `medal decide` and `medal panel` (ranking, lifecycle steps): the panel's work on the local
catalog, through the same library calls as the HTTP API.

The command line acts on the catalog file directly, but as a named member of the panel, never as anyone: who acts
is a token of that catalog (``--token``, or ``MEDAL_TOKEN``) or a configured identity (``--as NAME``, or
``MEDAL_AS``) that must be the name of one of its active tokens. The token's role is checked as the API checks it
(a review needs a reviewer or an admin, a decision an admin), so a typo or an outsider's name is refused rather
than recorded as a reviewer, and the lifecycle's rules (open for review, enough reviews, the allowed next steps)
apply as well. The name is recorded as the author of the versions it writes.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from medal_catalog.cli.options import catalog_option, index_option, reports_errors

if TYPE_CHECKING:
    from medal_catalog.catalog import Catalog


def _as_option(func):
    func = click.option(
        "--token",
        "token",
        envvar="MEDAL_TOKEN",
        metavar="T",
        default=None,
        help="Act as this token's holder (a token of this catalog)  [env: MEDAL_TOKEN]",
    )(func)
    return click.option(
        "--as",
        "as_name",
        envvar="MEDAL_AS",
        metavar="NAME",
        default=None,
        help="Act as NAME, who must hold an active token of this catalog with the role needed; "
        "recorded as the author (and, for a review, the reviewer)  [env: MEDAL_AS]",
    )(func)


#: Roles by rank: a name holding several tokens acts with its highest role.
_RANK = {"contributor": 1, "reviewer": 2, "admin": 3}
_NEEDS = {"reviewer": ("reviewer", "admin"), "admin": ("admin",), "any": ("contributor", "reviewer", "admin")}


def panel_actor(catalog: Catalog, as_name: str | None, token: str | None, needs: str) -> Any:
    """The Actor a panel command acts as: the holder of ``token``, or ``as_name`` if it names an active token of
    the catalog; refused (UsageError, or Forbidden for a role that may not) otherwise. ``needs``: reviewer, admin
    or any."""
    # Imported here, not at the top: `medal panel --help` would pay about 420 ms more CPU for them (measured on
    # 2 cores; the group already loads this module only when its command runs: cli/lazy.py).
    from medal_catalog.api.tokens import lookup
    from medal_catalog.errors import Forbidden, UsageError
    from medal_catalog.panel import Actor

    if token:
        holder = lookup(catalog, token)
        if holder is None:
            raise UsageError("the --token given is not an active token of this catalog (unknown or revoked)")
        if as_name and as_name != holder.name:
            raise UsageError(f"--as {as_name} and --token (held by {holder.name}) name different people")
        name, role = holder.name, holder.role
    elif as_name:
        roles = [t.role for t in catalog.list_tokens() if t.name == as_name]
        if not roles:
            raise UsageError(
                f"{as_name!r} is not a member of this catalog's panel (no active token of that name): "
                f"an admin makes one with `medal token create --role reviewer --name {as_name}`; "
                "or pass --token"
            )
        name, role = as_name, max(roles, key=_RANK.__getitem__)
    else:
        raise UsageError(
            "say who acts: --token T (or MEDAL_TOKEN), or --as NAME (or MEDAL_AS) naming a token holder of this catalog"
        )
    if role not in _NEEDS[needs]:
        raise Forbidden(f"{name} is a {role}; this needs {' or '.join(_NEEDS[needs])}")
    return Actor(name, role)


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
@click.option(
    "--recommendation", required=True, type=click.Choice(["accept", "minor_revision", "major_revision", "reject"])
)
@click.option("--comment", default=None, help="Comments to the contributor and the panel.")
@click.option(
    "--conflict",
    default=None,
    metavar="STATEMENT",
    help="Declare a conflict of interest (the review is recorded but does not count).",
)
@_as_option
@_json_option
@catalog_option
@index_option
@reports_errors("review")
def review(
    task_id: str,
    relevance: int,
    unmet_need: int,
    patient_impact: int,
    feasibility: int | None,
    data_quality: int | None,
    recommendation: str,
    comment: str | None,
    conflict: str | None,
    as_name: str | None,
    token: str | None,
    as_json: bool,
    catalog_url: str | None,
    index_url: str | None,
) -> None:
    """Record a review of TASK's current version by a reviewer or admin of this catalog (--token, or --as NAME
    holding such a token), dated today; a second review by the same reviewer of the same version replaces the
    first (kept in history)."""
    from medal_catalog.catalog import Catalog
    from medal_catalog.panel import record_review

    assessment = {
        "clinical_relevance_score": relevance,
        "unmet_need_score": unmet_need,
        "patient_impact_score": patient_impact,
        "feasibility_score": feasibility,
        "data_quality_score": data_quality,
        "recommendation": recommendation,
        "comments": comment,
        "conflict_of_interest": conflict is not None,
        "conflict_of_interest_statement": conflict,
    }
    with Catalog.open(catalog_url, index_url) as catalog:
        outcome = record_review(catalog, task_id, assessment, panel_actor(catalog, as_name, token, "reviewer"))
    verb = "replaced" if outcome.replaced else outcome.review.status
    _emit(
        as_json,
        outcome.to_dict(),
        f"review {outcome.review.id} {verb} (version {outcome.review.version})"
        + (f"; task {task_id} is now under review" if outcome.task else ""),
    )


@click.command("decide")
@click.argument("task_id", metavar="TASK")
@click.argument("decision", type=click.Choice(["accept", "reject"]))
@click.option("--reason", required=True, help="Why (recorded with the new version).")
@_as_option
@_json_option
@catalog_option
@index_option
@reports_errors("decide")
def decide(
    task_id: str,
    decision: str,
    reason: str,
    as_name: str | None,
    token: str | None,
    as_json: bool,
    catalog_url: str | None,
    index_url: str | None,
) -> None:
    """Accept or reject TASK (under review, with at least MEDAL_MIN_REVIEWS reviews without a conflict of
    interest), as its next version, by an admin of this catalog (--token, or --as NAME holding an admin token)."""
    from medal_catalog.catalog import Catalog
    from medal_catalog.panel import decide as decide_task

    with Catalog.open(catalog_url, index_url) as catalog:
        stored = decide_task(catalog, task_id, decision, reason, panel_actor(catalog, as_name, token, "admin"))
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
        click.echo(
            f"{row['rank']:>3}. {score:>5}  {row['task']}  ({row['reviews']} reviews"
            f"{'; ' + ', '.join(row['flags']) if row['flags'] else ''})"
        )
    alphas = ", ".join(
        f"{c} {'-' if a['alpha'] is None else format(a['alpha'], '.2f')}" for c, a in result["agreement"].items()
    )
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
def panel_step(
    task_id: str,
    action: str,
    reason: str,
    as_name: str | None,
    token: str | None,
    as_json: bool,
    catalog_url: str | None,
    index_url: str | None,
) -> None:
    """Take a lifecycle step other than a decision on TASK (see the panel guide, docs/panel.md), as a token holder of
    this catalog (--token, or --as NAME): reopen and retire need an admin, withdraw and resubmit the task's
    contributor or an admin."""
    from medal_catalog.catalog import Catalog
    from medal_catalog.panel import transition

    with Catalog.open(catalog_url, index_url) as catalog:
        stored = transition(catalog, task_id, action, panel_actor(catalog, as_name, token, "any"), reason)
    _emit(as_json, {"task": stored.to_dict()}, f"task {task_id}: {action} (version {stored.version})")
