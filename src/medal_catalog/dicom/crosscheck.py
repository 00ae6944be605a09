"""Checks of a DICOM header that do not depend on what the file declares about its own de-identification.

A file can say PatientIdentityRemoved YES, list the Basic Profile and Clean Descriptors in (0012,0064) and
still hold the patient's name. These checks look at the values themselves and apply whatever is declared:

  * a description, comment or protocol name holding a token of the patient's name, IDs or birth date found in
    the same header (``identifying-token``);
  * a UID under a known vendor or institution root (data/uid_roots.tsv) in a file declaring de-identification
    (``vendor-uid``): such a UID was issued by the scanner, so it was not replaced;
  * a person name that is neither empty nor a recognisable dummy (``person-name``), a patient ID that is neither
    a dummy nor pseudonym-shaped (``patient-id``);
  * dates said to be modified (LongitudinalTemporalInformationModified MODIFIED) while one equals the date a
    vendor UID of the same header encodes (``dates-not-shifted``);
  * a device serial number or station name at all (``device-identity``), an institution name or address that is
    not a dummy (``institution-identity``), whatever option is declared.

Findings name the attribute and tag, never the value.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from importlib import resources
from typing import Callable

from medal_catalog.dicom.annex_e import ANNEX_E

PATIENT_TOKEN_TAGS = frozenset(
    {0x00100010, 0x00100020, 0x00100030, 0x00101000, 0x00101001, 0x00101005, 0x00101060, 0x00100021, 0x00080050}
)
#: Free text that must never hold those tokens: every Annex E descriptor plus the protocol name.
TEXT_TAGS = frozenset(t for t, e in ANNEX_E.items() if e.kind == "descriptor")
UID_TAGS = frozenset(t for t, e in ANNEX_E.items() if e.kind == "uid")
#: Person Name attributes of the table (PN, from the DICOM data dictionary).
PERSON_NAME_TAGS = frozenset(
    t
    for t, e in ANNEX_E.items()
    if e.kind in ("patient", "person")
    and e.keyword.endswith(("Name", "Names"))
    and "Institution" not in e.keyword
    and "Station" not in e.keyword
)
#: PatientID, OtherPatientIDs: a record number, unless dummy or pseudonym-shaped.
PATIENT_ID_TAGS = (0x00100020, 0x00101000)
#: InstitutionName, InstitutionAddress: the catalog serves no institution identity (the option is not applied).
INSTITUTION_TAGS = (0x00080080, 0x00080081)
DEVICE_TAGS = {0x00181000: ("DeviceSerialNumber", "(0018,1000)"), 0x00081010: ("StationName", "(0008,1010)")}
DATE_TAGS = frozenset(t for t, e in ANNEX_E.items() if e.kind == "date" and "Date" in e.keyword)
CAPTURE = (
    PATIENT_TOKEN_TAGS
    | TEXT_TAGS
    | UID_TAGS
    | PERSON_NAME_TAGS
    | frozenset(DEVICE_TAGS)
    | DATE_TAGS
    | frozenset(INSTITUTION_TAGS)
    | frozenset(PATIENT_ID_TAGS)
)

#: Words a de-identification tool writes in place of a name (with optional digits: ANON0001, Subject 12).
_DUMMY = re.compile(
    r"^(anonymi[sz]ed|anonymous|anon|removed|redacted|de-?identified|deid|unknown|none|empty|"
    r"patient|pat|subject|sub|case|study|phantom|research|test|dummy|name|x+|z+|\*+|-+)?"
    r"[\s_\-#]*\d*$"
)
_PSEUDONYM = re.compile(
    r"^([0-9A-Fa-f]{12,}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
)
_TOKEN = re.compile(r"[^\W_]+")


@lru_cache(maxsize=1)
def uid_roots() -> tuple[tuple[str, str], ...]:
    """(root, organisation) pairs from the shipped list (data/uid_roots.tsv, each line with its source)."""
    rows = []
    table = resources.files("medal_catalog").joinpath("data/uid_roots.tsv").read_text("utf-8")
    for line in table.splitlines():
        if line.strip() and not line.startswith("#"):
            root, organisation, _source = line.split("\t")
            rows.append((root.strip(), organisation.strip()))
    return tuple(rows)


def vendor_root(uid: str) -> str | None:
    """The known vendor or institution root ``uid`` lies under, or None."""
    for root, organisation in uid_roots():
        if uid == root or uid.startswith(root + "."):
            return organisation
    return None


def is_dummy_name(value: str) -> bool:
    """True for an empty person name or one a de-identification tool writes (ANONYMIZED, Subject^001, ...)."""
    parts = [p.strip() for p in re.split(r"[\^=]", value) if p.strip()]
    return all(_DUMMY.match(p.lower()) for p in parts)


def is_pseudonym(value: str) -> bool:
    """True for an ID that is empty, a dummy or a keyed pseudonym (12+ hex digits, a UUID): not a record number."""
    return is_dummy_name(value) and not value.strip().isdigit() or bool(_PSEUDONYM.match(value.strip()))


def uninformative(value: str) -> bool:
    """True for a value that identifies nobody: a dummy word without digits (ANONYMIZED, REMOVED) or a keyed
    pseudonym (12+ hex digits with a letter, a UUID); its pieces are no tokens to look for elsewhere."""
    stripped = value.strip()
    return (is_dummy_name(stripped) and not any(c.isdigit() for c in stripped)) or (
        bool(_PSEUDONYM.match(stripped)) and not stripped.isdigit()
    )


def _tokens(values: list[tuple[int, str]]) -> set[str]:
    found: set[str] = set()
    for tag, value in values:
        if (tag in PERSON_NAME_TAGS and is_dummy_name(value)) or uninformative(value):
            continue  # "ANONYMIZED" in a description reveals nothing
        for token in _TOKEN.findall(value.lower()):
            if len(token) >= 3 or (len(token) == 2 and token.isalpha()):
                found.add(token)
    return found


def _mentions(value: str, tokens: set[str]) -> bool:
    words = set(_TOKEN.findall(value.lower()))
    lowered = value.lower()
    return bool(words & tokens) or any(len(t) >= 5 and t in lowered for t in tokens)


def _uid_dates(uids: list[str]) -> set[str]:
    """Dates (YYYYMMDD) that vendor UIDs encode in a component: leading digits (Philips) or a Unix time (GE)."""
    found: set[str] = set()
    for uid in uids:
        if vendor_root(uid) is None:
            continue
        for part in uid.split("."):
            if len(part) >= 8 and part[:2] in ("19", "20"):
                try:
                    found.add(dt.datetime.strptime(part[:8], "%Y%m%d").strftime("%Y%m%d"))
                except ValueError:
                    pass
            if len(part) == 10 and part[0] == "1":
                moment = dt.datetime.fromtimestamp(int(part), dt.timezone.utc)
                found.update((moment + dt.timedelta(days=d)).strftime("%Y%m%d") for d in (-1, 0, 1))
    return found


Finding = tuple[str, str, str, str]  # keyword, tag, action, reason


def crosscheck(values: Callable[[int], list[str]], declares_deidentified: bool, dates_modified: bool) -> list[Finding]:
    """Findings from the values themselves; ``values(tag)`` gives every decoded value of a tag in the header
    (top level and inside sequences). ``declares_deidentified``: PatientIdentityRemoved YES or a profile code."""
    findings: list[Finding] = []

    def add(tag: int, reason: str) -> None:
        entry = ANNEX_E.get(tag)
        keyword, written = DEVICE_TAGS.get(tag, (entry.keyword, entry.tag) if entry else (f"{tag:08X}", None))
        findings.append((keyword, written, entry.action if entry else "X", reason))

    tokens = _tokens([(tag, v) for tag in PATIENT_TOKEN_TAGS for v in values(tag)])
    if tokens:
        for tag in sorted(TEXT_TAGS):
            if any(_mentions(v, tokens) for v in values(tag)):
                add(tag, "identifying-token")
    uids = {tag: values(tag) for tag in UID_TAGS}
    if declares_deidentified:
        for tag in sorted(uids):
            if any(vendor_root(u) for u in uids[tag]):
                add(tag, "vendor-uid")
    for tag in sorted(PERSON_NAME_TAGS):
        if any(not is_dummy_name(v) for v in values(tag)):
            add(tag, "person-name")
    for tag in PATIENT_ID_TAGS:
        if any(not is_pseudonym(v) for v in values(tag)):
            add(tag, "patient-id")
    if dates_modified:
        encoded = _uid_dates([u for us in uids.values() for u in us])
        for tag in sorted(DATE_TAGS):
            if any(v[:8] in encoded for v in values(tag)):
                add(tag, "dates-not-shifted")
    for tag in DEVICE_TAGS:
        if values(tag):
            add(tag, "device-identity")
    for tag in INSTITUTION_TAGS:
        if any(not is_dummy_name(v) for v in values(tag)):
            add(tag, "institution-identity")
    return findings
