"""The API's bounded parameters, one definition each, so that OpenAPI states every limit and a value past it is a
422 (never an integer SQLite cannot hold, which was a 500: issue 13)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

#: The largest version number an entry can have (SQLite's INTEGER holds 2**63 - 1; no entry gets near this).
MAX_VERSION = 2**31 - 1
#: The last page a list or search pages to: 100 million entries at the largest page size.
MAX_PAGE = 1_000_000
#: Page sizes of lists and search.
MAX_SIZE = 100
#: The representations of an entry or catalog by ``?format=`` name (``render.negotiate`` maps the aliases; empty
#: is no format, as a form's blank field sends it: the Accept header decides).
FORMATS = ("json", "jsonld", "ttl", "turtle", "json-ld", "ld+json", "")

PageNo = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"The page, from 1 (at most {MAX_PAGE}).")]
Size = Annotated[int, Query(ge=1, le=MAX_SIZE, description=f"Entries per page (1 to {MAX_SIZE}).")]
VersionNo = Annotated[int, Path(ge=1, le=MAX_VERSION, description="A version number, from 1.")]
Format = Annotated[
    str | None,
    Query(
        description="json, jsonld or ttl: overrides the Accept header (for browsers).",
        json_schema_extra={"enum": list(FORMATS)},
    ),
]
