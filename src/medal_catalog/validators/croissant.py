"""Croissant files: mlcroissant's own validation, reported as our issues.

A document whose @context is (or includes) a URL is refused before any JSON-LD processing: expanding it would
make rdflib fetch that URL, and validation must stay offline and never read outside the submission.
"""

from __future__ import annotations

import logging
from typing import Any

from medal_catalog.documents import Document
from medal_catalog.validators.report import Issue, Severity


def _remote_contexts(context: Any) -> list[str]:
    if isinstance(context, str):
        return [context]
    if isinstance(context, list):
        return [c for item in context for c in _remote_contexts(item)]
    if isinstance(context, dict):
        return [c for value in context.values() if isinstance(value, dict) and "@context" in value
                for c in _remote_contexts(value["@context"])]
    return []


def check_croissant(doc: Document) -> list[Issue]:
    """mlcroissant's errors and warnings for one Croissant document, as error/warning issues."""
    remote = _remote_contexts(doc.data.get("@context"))
    if remote:
        return [Issue(Severity.ERROR, "croissant.remote-context", doc.display,
                      "the @context refers to a remote or file document, which is never fetched", pointer="/@context",
                      hint="Inline the Croissant context (as mlcroissant and Croissant editors write it).")]
    import mlcroissant as mlc
    from etils import epath
    from mlcroissant._src.core.context import Context
    from mlcroissant._src.operation_graph.graph import OperationGraph
    from mlcroissant._src.structure_graph.nodes.metadata import Metadata

    ctx = Context()
    ctx.folder = epath.Path(doc.path.parent)
    failure = None
    previous = logging.getLogger().level
    logging.getLogger().setLevel(logging.ERROR)  # mlcroissant logs its warnings too; we report them ourselves
    try:
        metadata = Metadata.from_json(ctx=ctx, json_=doc.data)
        OperationGraph.from_nodes(ctx=ctx, metadata=metadata).check_graph(ctx=ctx)
    except mlc.ValidationError:
        pass  # the issues are in ctx.issues
    except Exception as exc:  # noqa: BLE001 - mlcroissant raises many kinds on malformed input
        failure = f"{type(exc).__name__}: {exc}"
    finally:
        logging.getLogger().setLevel(previous)
    issues = [Issue(Severity.ERROR, "croissant.error", doc.display, message, pointer="")
              for message in sorted(ctx.issues.errors)]
    issues += [Issue(Severity.WARNING, "croissant.warning", doc.display, message, pointer="")
               for message in sorted(ctx.issues.warnings)]
    if failure and not issues:
        issues.append(Issue(Severity.ERROR, "croissant.load-error", doc.display,
                            f"mlcroissant could not read the file ({failure[:300]})", pointer=""))
    return issues
