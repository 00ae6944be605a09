"""`medal schema`: inspect the LinkML schema and regenerate its artefacts."""

from __future__ import annotations

import json
import sys

import click


@click.group()
def schema() -> None:
    """The MEDAL LinkML schema and the artefacts generated from it."""


@schema.command("summary")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def schema_summary(as_json: bool) -> None:
    """Summarise the schema: classes, slots, enumerations and where the schema file lives."""
    from medal_catalog.schema.summary import summarise

    summary = summarise()
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    click.echo(f"{summary['title']} {summary['version']}  ({summary['path']})")
    click.echo(f"{summary['class_count']} classes, {summary['slot_count']} slots, {summary['enum_count']} enumerations")
    click.echo("Catalog entries (a file may hold one, with `type:`, or a MedalCatalog of many):")
    for entry in summary["entries"]:
        click.echo(
            f"  {entry['name']:<18} {entry['slot_count']:>3} slots, {entry['required_count']:>2} required"
            f"  {entry['uri']}"
        )


@schema.command("generate")
@click.option("--check", is_flag=True, help="Do not write; exit 1 if any generated file drifted from the yaml.")
def schema_generate(check: bool) -> None:
    """Regenerate pydantic models, JSON Schema, JSON-LD context, SHACL and the markdown reference."""
    from medal_catalog.generate import drifted, write_all

    if check:
        stale = drifted()
        for path in stale:
            click.echo(f"drifted: {path}", err=True)
        if stale:
            click.echo("Run `medal schema generate` and commit the result.", err=True)
            sys.exit(1)
        click.echo("All generated artefacts match medal.yaml.")
        return
    changed = write_all()
    for path in changed:
        click.echo(f"wrote {path}")
    if not changed:
        click.echo("Nothing changed.")
