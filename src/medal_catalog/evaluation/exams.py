"""Where a split's reference comes from: a submission folder on disk (``medal evaluate FOLDER``) or a task kept in
a catalog (``medal evaluate TASK`` and the server). Both give an :class:`~medal_catalog.evaluation.grading.Exam`."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from medal_catalog.errors import InputError
from medal_catalog.evaluation.grading import Exam
from medal_catalog.labels import label_dataset, read_label_table
from medal_catalog.validators.labels import inside
from medal_catalog.documents import DocumentError, read_document
from medal_catalog.labels import declared_splits
from medal_catalog.store.base import iter_entries

if TYPE_CHECKING:
    from medal_catalog.catalog import Catalog


def _split(task: dict[str, Any], name: str, hidden_names: set[str]) -> bool:
    """Whether split ``name`` of ``task`` hides its labels; InputError naming the task's splits when it has none
    of that name."""
    splits = {s.get("name"): s for s in task.get("splits") or [] if isinstance(s, dict)}
    if name not in splits:
        raise InputError(f"the task has no split {name!r}; its splits: {', '.join(map(str, splits)) or 'none'}")
    return bool(splits[name].get("labels_hidden")) or name in hidden_names


def exam_from_folder(folder: Path, split: str, task_id: str | None = None) -> Exam:
    """The exam of ``split`` of the task described in a submission folder (its YAML/JSON metadata files, the label
    table and reference files next to the dataset's file). Hidden splits are refused: they are graded only by the
    catalog holding their labels."""

    tasks, datasets = {}, {}
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in (".yaml", ".yml", ".json")):
        try:
            data = read_document(path).data
        except DocumentError as err:
            raise InputError(f"{path}: {err.message}") from None
        if not isinstance(data, dict):
            continue
        for entry in iter_entries(data):
            if isinstance(entry, dict) and entry.get("type") == "BenchmarkTask":
                tasks[entry.get("id")] = entry
            elif isinstance(entry, dict) and entry.get("type") == "ImagingDataset":
                datasets[entry.get("id")] = (entry, path.parent)
    if task_id is None and len(tasks) != 1:
        raise InputError(f"{folder} describes {len(tasks)} tasks; name one with --task")
    task = tasks.get(task_id) if task_id else next(iter(tasks.values()))
    if task is None:
        raise InputError(f"{folder} describes no task {task_id!r}; it has {', '.join(map(str, tasks)) or 'none'}")
    if _split(task, split, set()):
        raise InputError(f"split {split!r} hides its labels: only the catalog grades it (medal evaluate ... --to URL)")
    spec = task.get("labels") or {}
    dataset_id = label_dataset(task)
    if not spec or dataset_id not in datasets:
        raise InputError("the task declares no label table in this folder (labels: and the dataset holding it)")
    dataset, base = datasets[dataset_id]
    path = next(
        (d.get("path") for d in dataset.get("distribution") or [] if d.get("name") == spec.get("distribution_name")),
        None,
    )
    target = inside(base, path, folder) if isinstance(path, str) else None
    if target is None or not target.is_file():
        raise InputError(f"the label table {spec.get('distribution_name')!r} is not a file inside {folder}")
    data = target.read_bytes()

    def reference_file(rel: str) -> bytes:
        found = inside(base, rel, folder)
        if found is None or not found.is_file():
            raise InputError("a reference file the label table names is not a file inside the folder")
        return found.read_bytes()

    try:
        table = read_label_table(data, spec)
    except ValueError as err:
        raise InputError(str(err)) from None
    return Exam(
        task=task,
        split=split,
        table=table,
        table_sha256=hashlib.sha256(data).hexdigest(),
        hidden=False,
        reference_file=reference_file,
    )


def exam_from_catalog(catalog: Catalog, task_id: str, split: str, *, allow_hidden: bool) -> Exam:
    """The exam of ``split`` of a task kept in ``catalog`` (the label table and reference files are the label
    dataset's kept files). A hidden split needs ``allow_hidden`` (the server's own grading)."""

    current = catalog.get("BenchmarkTask", task_id)
    if current is None or current.deleted:
        raise InputError(f"the catalog has no task {task_id!r}")
    task = current.document
    hidden = _split({**task, "splits": declared_splits(catalog, task)}, split, set())
    if hidden and not allow_hidden:
        raise InputError(
            f"split {split!r} hides its labels: submit to the catalog's server to grade it "
            "(medal evaluate ... --to URL --token T)"
        )
    spec, dataset_id = task.get("labels") or {}, label_dataset(task)
    stored = catalog.get("ImagingDataset", dataset_id) if dataset_id else None
    if not spec or stored is None or stored.deleted:
        raise InputError("the task declares no label table the catalog holds")
    path = next(
        (
            d.get("path")
            for d in stored.document.get("distribution") or []
            if d.get("name") == spec.get("distribution_name")
        ),
        None,
    )
    kept = catalog.get_file("ImagingDataset", dataset_id, path) if path else None
    if kept is None:
        raise InputError("the catalog does not keep the task's label table file")

    def reference_file(rel: str) -> bytes:
        found = catalog.get_file("ImagingDataset", dataset_id, rel)
        if found is None:
            raise InputError("the catalog does not keep a reference file the label table names")
        return found.data

    try:
        table = read_label_table(kept.data, spec)
    except ValueError as err:
        raise InputError(str(err)) from None
    return Exam(
        task=task,
        split=split,
        table=table,
        table_sha256=kept.sha256,
        hidden=hidden,
        reference_file=reference_file,
        task_version=current.version,
    )
