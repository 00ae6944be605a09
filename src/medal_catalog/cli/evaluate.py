"""`medal evaluate`: score a predictions file on a task's split, offline on a visible split, or on the catalog's
server (``--to``) for a hidden one."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from medal_catalog.cli.options import catalog_option, reports_errors


@click.command()
@click.argument("task", metavar="TASK_OR_FOLDER")
@click.argument("predictions", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--split", required=True, metavar="NAME", help="The split to score (e.g. validation, test_hidden).")
@click.option("--task", "task_id", metavar="ID", help="Which task of a folder describing several.")
@click.option(
    "--resamples",
    type=click.IntRange(min=1000),
    default=1000,
    show_default=True,
    help="Bootstrap resamples for the 95 % intervals (percentile method).",
)
@click.option("--seed", type=int, default=None, help="Bootstrap seed [default: the catalog's fixed seed].")
@click.option(
    "--min-group",
    type=click.IntRange(min=1),
    default=None,
    envvar="MEDAL_MIN_GROUP",
    help="Smallest subgroup reported  [env: MEDAL_MIN_GROUP; default 20]",
)
@click.option(
    "--to",
    "base_url",
    metavar="URL",
    envvar="MEDAL_URL",
    help="Score on this catalog's server instead (needed for hidden splits)  [env: MEDAL_URL]",
)
@click.option("--token", envvar="MEDAL_TOKEN", metavar="T", help="Your token on that catalog  [env: MEDAL_TOKEN]")
@click.option("--model", "model_name", metavar="NAME", help="The model's name (server: shown on the leaderboard).")
@click.option("--model-version", metavar="V", help="The model's version.")
@click.option("--code-url", metavar="URL", help="Where the model's code is (optional).")
@click.option("--wait/--no-wait", default=True, show_default=True, help="With --to: wait for the result.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@catalog_option
@reports_errors("evaluate")
def evaluate(
    task: str,
    predictions: Path,
    split: str,
    task_id: str | None,
    resamples: int,
    seed: int | None,
    min_group: int | None,
    base_url: str | None,
    token: str | None,
    model_name: str | None,
    model_version: str | None,
    code_url: str | None,
    wait: bool,
    as_json: bool,
    catalog_url: str | None,
) -> None:
    """Score PREDICTIONS on split --split of TASK_OR_FOLDER, printing every declared metric the catalog computes
    with its 95 % percentile-bootstrap interval (seeded, 1000 resamples unless --resamples says more) and the
    subgroups (site, country, vendor, sex, age band) of at least --min-group cases.

    TASK_OR_FOLDER is a submission folder (the task's YAML, its dataset's YAML and the label table) or the id of
    a task in the catalog (--catalog). Offline scoring covers visible splits only; a hidden split is scored by
    the catalog holding its labels: add --to URL --token T (the result is kept and may enter the leaderboard).

    PREDICTIONS: a CSV keyed by case id (classification: the probability of class 1 in a column named as the
    label; regression: the value), a zip of NIfTI masks <case id>.nii.gz (segmentation), or a CSV of findings
    (detection). docs/evaluation.md describes each format.
    """
    if base_url:
        _remote(base_url, token, task, predictions, split, model_name, model_version, code_url, wait, as_json)
        return
    from medal_catalog.evaluation.bootstrap import DEFAULT_SEED
    from medal_catalog.evaluation.exams import exam_from_catalog, exam_from_folder
    from medal_catalog.evaluation.grading import Options, grade

    folder = Path(task)
    if folder.is_dir():
        exam = exam_from_folder(folder, split, task_id)
    else:
        from medal_catalog.catalog import open_catalog

        with open_catalog(catalog_url) as catalog:
            exam = exam_from_catalog(catalog, task, split, allow_hidden=False)
    options = Options(resamples=resamples, seed=DEFAULT_SEED if seed is None else seed, min_group=min_group or 20)
    result = grade(exam, predictions.read_bytes(), options, progress=_progress() if not as_json else None).result
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        _print(result)


def _progress():
    def show(done: int, total: int) -> None:
        click.echo(f"\rscoring cases: {done}/{total}", nl=done == total, err=True)

    return show


def _fmt(value: Any) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def _print(result: dict[str, Any]) -> None:
    b = result["bootstrap"]
    click.echo(
        f"task {result['task']}, split {result['split']}: {result['cases']} cases ({result['problem_category']})"
    )
    click.echo(f"95 % intervals: {b['method']} bootstrap over cases, {b['resamples']} resamples, seed {b['seed']}")
    width = max([len(m["name"]) for m in result["metrics"]] + [6])
    for m in result["metrics"]:
        mark = "*" if m["role"] == "primary" else " "
        click.echo(
            f" {mark} {m['name']:<{width}}  {_fmt(m['value'])}  [{_fmt(m['ci_low'])}, {_fmt(m['ci_high'])}]"
            f"{'  (lower is better)' if not m['higher_is_better'] else ''}"
        )
    for s in result["not_computed"]:
        click.echo(f"   {s['name']}: not computed ({s['reason']})")
    if result["subgroups"]:
        click.echo(f"subgroups of at least {result['min_group']} cases (primary metric):")
        primary = next(m["metric"] for m in result["metrics"] if m["role"] == "primary")
        for g in result["subgroups"]:
            m = next(x for x in g["metrics"] if x["metric"] == primary)
            click.echo(
                f"   {g['attribute']}={g['group']} ({g['cases']} cases): {_fmt(m['value'])} "
                f"[{_fmt(m['ci_low'])}, {_fmt(m['ci_high'])}]"
            )


def _remote(
    base_url: str,
    token: str | None,
    task: str,
    predictions: Path,
    split: str,
    model_name: str | None,
    model_version: str | None,
    code_url: str | None,
    wait: bool,
    as_json: bool,
) -> None:
    import httpx

    from medal_catalog.client import CatalogError, Client

    if not token:
        raise click.UsageError("--to needs --token (or MEDAL_TOKEN): evaluations on the server are for members")
    try:
        with Client(base_url, token=token, timeout=120) as catalog:
            queued = catalog.evaluate(
                task,
                split,
                (predictions.name, predictions.read_bytes()),
                model_name=model_name or "",
                model_version=model_version or "",
                code_url=code_url or "",
            )
            answer = queued
            while wait and answer.get("status") in ("queued", "running"):
                time.sleep(1)
                answer = catalog.evaluation(queued["url"])
    except CatalogError as err:
        click.echo(f"medal evaluate: the catalog refused: {err.detail}", err=True)
        sys.exit(1)
    except httpx.TransportError as err:
        raise click.ClickException(f"cannot reach {base_url}: {err}") from None
    if as_json:
        click.echo(json.dumps(answer, indent=2))
    elif answer.get("status") == "done":
        _print(answer["result"])
        click.echo(f"kept as {answer['url']}")
    else:
        click.echo(
            f"evaluation {answer.get('status')}: {answer.get('url')}"
            + (f" ({answer['error']})" if answer.get("error") else "")
        )
    if answer.get("status") == "failed":
        sys.exit(1)
