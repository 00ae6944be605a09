"""The Croissant vocabulary the catalog reads and writes: contexts, namespaces, the names under which the catalog
keeps an imported dataset's files, and the small helpers for reading JSON-LD nodes as plain JSON.

The DUO codes are read from the schema (``DuoPermissionEnum``, ``DuoModifierEnum`` and their ``meaning``), so that
a code the schema adds is exported and imported without a second list to update.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

#: The @context of every Croissant document the catalog writes (Croissant 1.1 with RAI, PROV and ours).
CROISSANT_CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
    "samplingRate": "cr:samplingRate",
    "equivalentProperty": "cr:equivalentProperty",
    "containedIn": "cr:containedIn",
    "prov": "http://www.w3.org/ns/prov#",
    "medal": "https://w3id.org/medal/schema/",
}
#: What the catalog's Croissant documents conform to.
CONFORMS_TO = ("http://mlcommons.org/croissant/1.1", "http://mlcommons.org/croissant/RAI/1.0")
#: The part every Croissant context and conformance IRI shares (http or https).
CROISSANT_NAMESPACE = "mlcommons.org/croissant"
#: The Croissant RAI namespace, for documents that write RAI terms as full IRIs.
RAI = "http://mlcommons.org/croissant/RAI/"
#: The MEDAL schema namespace (``medal:`` in our context).
MEDAL = "https://w3id.org/medal/schema/"

#: The OBO namespace DUO terms live in (a DUO term is ``DUO + "DUO_0000004"``).
DUO = "http://purl.obolibrary.org/obo/"


@lru_cache(maxsize=1)
def duo_codes() -> dict[str, str]:
    """DUO code (``NRES``, ``IRB``, ...) -> its term's local name under :data:`DUO` (``DUO_0000004``), permissions
    first, as the schema's DUO enums give them."""
    # Imported here: the schema's facts take PyYAML, which checking a JSON file never needs otherwise.
    from medal_catalog.schema.facts import enum_meanings, expand

    codes = {}
    for enum in ("DuoPermissionEnum", "DuoModifierEnum"):
        for code, meaning in enum_meanings(enum).items():
            codes[code] = expand(meaning).removeprefix(DUO)
    return codes


def duo_terms(consent: Mapping[str, Any]) -> list[str]:
    """The DUO term IRIs of a MEDAL consent: its permission, then its modifiers (codes DUO lacks left out)."""
    codes = duo_codes()
    return [
        DUO + codes[code]
        for code in [consent.get("duo_permission"), *(consent.get("duo_modifiers") or [])]
        if code in codes
    ]


#: The name under which the catalog keeps an open dataset's DICOM archive (harvesters.submission.dicom_archive).
DICOM_ARCHIVE = "dicom.zip"
#: Where the catalog keeps the zip of a local FileSet's files, under the dataset's kept files.
FILESET_ARCHIVE_DIR = "medal-filesets"
#: Table formats whose local FileSets are kept as one table (see :func:`fileset_table_path`), by file suffix.
TABLE_FORMATS = {"csv": "text/csv", "parquet": "application/x-parquet"}
#: The columns of a kept FileSet table that hold each row's file properties (mlcroissant's ``fileProperty``).
FILE_PROPERTY_COLUMNS = {"filename": "medal:filename", "fullpath": "medal:fullpath", "filepath": "medal:filepath"}

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def fileset_archive_path(fileset_id: str) -> str:
    """The kept path of the zip that holds a local FileSet's files."""
    return f"{FILESET_ARCHIVE_DIR}/{_safe(fileset_id)}.zip"


def fileset_table_path(fileset_id: str, suffix: str) -> str:
    """The kept path of the one table (``csv`` or ``parquet``) that holds the rows of a local FileSet's tables."""
    return f"{FILESET_ARCHIVE_DIR}/{_safe(fileset_id)}.{suffix}"


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "fileset"


def local_path(content_url: Any) -> str | None:
    """The normalised relative POSIX path of a local ``contentUrl`` (None for URLs and unsafe paths)."""
    if not isinstance(content_url, str) or not content_url or _SCHEME.match(content_url):
        return None
    parts = [p for p in content_url.replace("\\", "/").split("/") if p not in ("", ".")]
    if content_url.startswith("/") or ".." in parts or not parts:
        return None
    return "/".join(parts)


def node_id(node: Mapping[str, Any]) -> str | None:
    """A distribution or record set's @id (Croissant 1.0 and 1.1 documents may name nodes by ``name`` only)."""
    value = node.get("@id") or node.get("name")
    return value if isinstance(value, str) else None


def node_kind(node: Mapping[str, Any]) -> str | None:
    """The local name of a node's @type (FileObject, RecordSet, ...)."""
    return local_name(node.get("@type"))


def local_name(value: Any) -> str | None:
    """The part after the last ':', '/' or '#' of the first string in ``value`` (a CURIE or IRI)."""
    for item in as_list(value):
        if isinstance(item, str):
            return re.split(r"[:/#]", item)[-1]
    return None


def as_list(value: Any) -> list:
    """A JSON-LD value as a list: itself if a list, [] for None, else [value]."""
    return value if isinstance(value, list) else [] if value is None else [value]
