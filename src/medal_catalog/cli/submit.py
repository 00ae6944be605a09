"""`medal submit` and `medal status`: send a submission, harvested on this machine, to a running catalog, and see
where it stands in the panel's workflow with the panel's feedback."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from medal_catalog.cli.options import reports_errors

if TYPE_CHECKING:
    from medal_catalog.catalog import Catalog

_TO = click.option(
    "--to",
    "base_url",
    required=True,
    metavar="URL",
    envvar="MEDAL_URL",
    help="The catalog's base URL, e.g. https://medal.example.org  [env: MEDAL_URL]",
)


def _token(required: bool):
    return click.option(
        "--token",
        required=required,
        envvar="MEDAL_TOKEN",
        metavar="T",
        help="Your contributor token (from `medal token create` on the catalog)  [env: MEDAL_TOKEN]",
    )


@click.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@_TO
@_token(required=True)
@click.option("--jobs", type=click.IntRange(min=1), help="DICOM reader processes (default: all cores).")
@click.option("--json", "as_json", is_flag=True, help="Print what was sent and stored as JSON.")
@reports_errors("submit")
def submit(path: Path, base_url: str, token: str, jobs: int | None, as_json: bool) -> None:
    """Validate and harvest the submission at PATH here, then send it to the catalog at --to.

    The DICOM headers are read on this machine, as `medal harvest` reads them: what is sent is the entries
    (tasks, datasets with their harvested counts, acquisition summary and identifying-attribute audit, series
    with keyed UIDs), the non-DICOM files the datasets declare (label and clinical tables, sha256 checked by
    the catalog) and, for an open or controlled dataset declaring burned-in annotation NO, its dicom.zip as
    `medal harvest` builds it: only files whose audit found nothing, each rewritten here with the Basic Profile
    (no original DICOM byte leaves this machine). The catalog rewrites and audits every file of it again with
    its own key and serves only that; files it leaves out are listed. Nothing is sent when validation finds an
    error: the errors are printed (as `medal validate PATH` prints them) and the exit code is 1. On success,
    prints the URL and status of each new entry; tasks enter the panel's workflow as `submitted`.
    """
    # Imported here, not at the top: `medal submit --help` would pay about 210 ms more CPU for them (measured on
    # 2 cores; the group already loads this module only when its command runs: cli/lazy.py).
    import httpx

    from medal_catalog.client import CatalogError, Client
    from medal_catalog.config import get_settings
    from medal_catalog.harvesters.bundle import build_bundle

    with tempfile.TemporaryDirectory(prefix="medal-submit-") as out:
        bundle = build_bundle(path, out_root=Path(out), jobs=jobs, settings=get_settings())
    if not bundle.ok:
        if as_json:
            click.echo(json.dumps({"sent": False, **bundle.summary(), "report": bundle.report.to_dict()}, indent=2))
        else:
            from medal_catalog.cli.validate import _print_human

            _print_human(bundle.report, quiet=True, verbose=False)
            click.echo(f"not sent: fix the errors above (`medal validate {path}` shows every message)", err=True)
        sys.exit(1)
    if bundle.file_errors() and not as_json:
        click.echo(
            f"note: the DICOM audit found {bundle.file_errors()} errors in the files (`medal validate {path}` "
            "groups them); flagged files are not sent, and the catalog sees them as the dataset's audit "
            "counts",
            err=True,
        )
    base = base_url.rstrip("/")
    try:
        with Client(base, token=token) as catalog:
            answer = catalog.submit(bundle.manifest(), [(f.name, f.content, f.media_type) for f in bundle.files])
            stored = [_described(catalog, base, put) for put in answer["stored"]]
    except CatalogError as err:
        _refused(err, as_json)
    except httpx.TransportError as err:
        raise click.ClickException(f"cannot reach {base}: {err}") from None
    left_out = [
        {"file": i["file"], "reason": i["message"]}
        for i in (answer.get("report") or {}).get("issues", [])
        if i.get("code") == "bundle.dicom-left-out"
    ]
    result = {
        "sent": True,
        **bundle.summary(),
        "stored": stored,
        "files_kept": answer.get("files", {}),
        "left_out_by_catalog": left_out,
    }
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    for entry in stored:
        status = f" ({entry['status']})" if entry.get("status") else ""
        click.echo(f"{entry['outcome']:<9} {entry['type']} {entry['id']}{status}: {entry['url']}")
    for dataset, files in answer.get("files", {}).items():
        click.echo(f"kept      {len(files)} file(s) of {dataset}: {', '.join(f['path'] for f in files)}")
    for item in left_out:
        click.echo(f"left out  {item['file']} {item['reason']}")
    for item in bundle.not_sent:
        click.echo(f"not sent  {item['dataset']} {item['path']}: {item['reason']}")
    tasks = [e["id"] for e in stored if e["type"] == "BenchmarkTask"]
    if tasks:
        click.echo(f"next: `medal status {tasks[0]} --to {base}` shows the panel's progress and feedback")


_KINDS = {"BenchmarkTask": "tasks", "ImagingDataset": "datasets", "ImagingSeries": "series"}


def _described(catalog: Catalog, base: str, put: dict[str, Any]) -> dict[str, Any]:
    """One write result with the entry's URL, and a task's workflow status as the catalog now has it."""
    kind, _, entry_id = put["key"].partition(":")
    out = {
        "type": kind,
        "id": entry_id,
        "outcome": put.get("status"),
        "version": put.get("version"),
        "url": f"{base}/api/{_KINDS.get(kind, kind)}/{entry_id}",
    }
    if kind == "BenchmarkTask":
        out["status"] = (catalog.get("task", entry_id).get("document") or {}).get("status")
    return out


def _refused(err: Any, as_json: bool) -> None:
    """Print the catalog's refusal (a 422's validation report as its errors) and exit 1."""
    detail = err.detail
    if as_json:
        click.echo(json.dumps({"sent": False, "status": err.status, "detail": detail}, indent=2))
    elif isinstance(detail, dict) and "issues" in detail:
        click.echo(f"the catalog refused the submission ({err.status}):", err=True)
        for issue in detail["issues"]:
            if issue.get("severity") == "error":
                click.echo(
                    f"  {issue['code']} {issue.get('file', '')}{issue.get('pointer', '')}: {issue['message']}", err=True
                )
    else:
        click.echo(f"the catalog refused the submission ({err.status}): {detail}", err=True)
    sys.exit(1)


@click.command()
@click.argument("task_id", metavar="TASK")
@_TO
@_token(required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the status and feedback as JSON.")
@reports_errors("status")
def status(task_id: str, base_url: str, token: str | None, as_json: bool) -> None:
    """Where the task TASK stands in the panel's workflow (submitted, under_review, accepted, ...), and the
    panel's feedback once it has decided: the decision's reason and each review's scores, recommendation and
    comments, never the reviewer's name (whatever the token's role)."""
    from medal_catalog.client import CatalogError, Client

    base = base_url.rstrip("/")
    with Client(base, token=token) as catalog:
        try:
            task = catalog.get("task", task_id)
        except CatalogError as err:
            raise click.ClickException(f"task {task_id!r}: {err.detail} ({err.status})") from None
        feedback, note, decision = [], None, None
        try:
            answer = catalog.feedback(task_id)
            feedback, decision = [_anonymous(r) for r in answer["reviews"]], answer.get("decision")
        except CatalogError as err:  # 401/403: the panel's feedback is shown once it has decided
            note = str(err.detail)
    result = {
        "task": task_id,
        "status": (task.get("document") or {}).get("status"),
        "version": task.get("version"),
        "url": f"{base}/api/tasks/{task_id}",
        "decision": decision,
        "reviews": feedback,
        "note": note,
    }
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    click.echo(f"{task_id}: {result['status']}  ({result['url']})")
    if decision:
        click.echo(f"decision: {decision['action']} (version {decision['task_version']}): {decision['reason']}")
    if note:
        click.echo(f"feedback: {note}")
    for i, review in enumerate(feedback, 1):
        scores = ", ".join(f"{k} {v}" for k, v in review["scores"].items())
        click.echo(f"review {i}: {review.get('recommendation') or '-'}; {scores}")
        for comment in review["comments"]:
            click.echo(f"  {comment}")


#: The score slots of a review by criterion (panel/reviews.py CRITERIA; the CLI reads them off the wire).
_SCORES = {
    "clinical_relevance": "clinical_relevance_score",
    "unmet_need": "unmet_need_score",
    "patient_impact": "patient_impact_score",
    "feasibility": "feasibility_score",
    "data_quality": "data_quality_score",
}


def _anonymous(review: dict[str, Any]) -> dict[str, Any]:
    """What a contributor is shown of a review: scores, recommendation, comments; a panel member's token gets
    more from the API (reviewer, conflict statement), which is dropped here so the output never names anyone."""
    document = review.get("document") or {}
    comments = document.get("comments")
    return {
        "task_version": review.get("task_version"),
        "recommendation": document.get("recommendation"),
        "scores": {k: document[slot] for k, slot in _SCORES.items() if slot in document},
        "comments": [comments] if isinstance(comments, str) else list(comments or []),
    }
