"""DICOM uploaded in a bundle (its ``dicom.zip``): never trusted, rewritten with the catalog's own key and audited
again; only the catalog's rewrite is kept."""

from __future__ import annotations

import io
from typing import Any
import re
import zipfile

from medal_catalog.errors import Unprocessable
from medal_catalog.croissant.vocabulary import DICOM_ARCHIVE
from medal_catalog.dicom.archives import ARCHIVE_ERRORS, archive_kind
from medal_catalog.dicom.deidentify import Deidentifier, dataset_key, plan, rewrite_content
from medal_catalog.errors import PayloadTooLarge
from medal_catalog.harvesters.submission import DICOM_KEPT_LEVELS, MAX_ARCHIVE_BYTES


def dicom_archive_of(entries: list[Any], dataset_id: str, path: str, burned_in_declared: Any) -> dict[str, Any] | None:
    """The dataset entry when ``path`` is the DICOM archive the catalog rewrites for it (``dicom.zip`` of an open
    or controlled dataset whose metadata declares burned-in annotation NO: the bundle's ``burned_in_declared``,
    as the entry says what the files' headers say); None for any other file."""

    if path != DICOM_ARCHIVE:
        return None
    dataset = next(
        (e for e in entries if isinstance(e, dict) and e.get("type") == "ImagingDataset" and e.get("id") == dataset_id),
        None,
    )
    declared = burned_in_declared.get(dataset_id) if isinstance(burned_in_declared, dict) else None
    if dataset is None or dataset.get("access_level") not in DICOM_KEPT_LEVELS or declared != "NO":
        return None
    return dataset


def rewrite_upload(
    entries: list[Any], dataset: dict[str, Any], content: bytes, name: str, secret: str
) -> tuple[bytes | None, list[tuple[str | None, str]]]:
    """The catalog's own rewrite of an uploaded ``dicom.zip`` (the contributor's rewrite, laid out
    ``<series id>/<n>.dcm``), never trusted: every member rewritten again with the catalog's key for the dataset
    and audited (dicom/deidentify.py ``rewrite_content``); a member that is not DICOM, not in that layout, flagged
    or failing is left out with its reason. The UIDs of the dataset's entries (its series' ``*_uid`` slots) are
    re-keyed in place exactly as the members' UIDs are, so that the served files still join their series.
    ``secret``: the catalog's de-identification secret (its settings' ``deid_secret``)."""

    if archive_kind(content[:512]) != "zip":
        raise Unprocessable(f"{name}: a dataset's DICOM archive is a zip")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except ARCHIVE_ERRORS:
        raise Unprocessable(f"{name}: the zip cannot be read") from None
    if total > MAX_ARCHIVE_BYTES:
        raise PayloadTooLarge(f"{name}: its DICOM files exceed {MAX_ARCHIVE_BYTES // 2**20} MiB")
    series = [
        e
        for e in entries
        if isinstance(e, dict) and e.get("type") == "ImagingSeries" and e.get("dataset") == dataset["id"]
    ]
    series_ids = {s.get("id") for s in series}

    def accept(member: str) -> str | None:
        folder, _, file = member.partition("/")
        if folder not in series_ids or not re.fullmatch(r"\d{1,9}\.dcm", file):
            return "not laid out <series id>/<n>.dcm for a series of the dataset"
        return None

    key = dataset_key(dataset["id"], secret)[:16]  # the harvest's salt, as `medal harvest`
    deidentifier = Deidentifier(key, plan(dataset.get("deidentification")))
    try:
        rewritten, problems = rewrite_content(content, name, deidentifier, "NO", accept_member=accept)
    except ARCHIVE_ERRORS:
        raise Unprocessable(f"{name}: the zip cannot be read") from None
    for entry in [dataset, *series]:
        _rekey(entry, deidentifier)
    return rewritten, problems


def _rekey(value: Any, deidentifier: Any) -> None:
    """Replace, at every depth of an entry, the value of each ``*_uid`` slot by the catalog's rewrite of it (the
    DICOM-defined UIDs, such as SOP classes and transfer syntaxes, stay as they are)."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, item in list(items):
        if isinstance(key, str) and key.endswith("_uid") and isinstance(item, str):
            value[key] = deidentifier.uid(item)
        elif isinstance(item, (dict, list)):
            _rekey(item, deidentifier)


def safe_path(path: str) -> bool:
    parts = path.split("/")
    return bool(path) and not path.startswith("/") and "\\" not in path and ".." not in parts and "" not in parts
