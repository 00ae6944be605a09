"""The identifying-attribute audit of DICOM headers, following DICOM PS3.15 Annex E (Table E.1-1 in annex_e.py).

For one header it reports which attributes the Basic Profile removes or replaces still carry a value — at any
depth, private tags included — with keyword, tag and action code, never the value. It also reads what the file
declares about its own de-identification (PatientIdentityRemoved, DeidentificationMethod and its CID 7050 code
sequence, LongitudinalTemporalInformationModified, BurnedInAnnotation) and decides whether the series and study
descriptions may be kept in the catalog.

Rules, per non-empty attribute of the table:
  * UIDs (action U) are flagged only when the file does not declare PatientIdentityRemoved YES: a header cannot
    show whether they were replaced, and original UIDs often embed a device serial number.
  * An attribute that a declared option retains (institution, device, patient characteristics, clean
    descriptors, structured content, graphics) is not flagged.
  * Dates and times are flagged unless LongitudinalTemporalInformationModified is MODIFIED (shifted dates).
  * SeriesDescription and StudyDescription are kept unless they contain a token of an identifying value found in
    the same header (names, IDs, institution, device, dates when flagged), Clean Descriptors declared or not.
  * Then the checks that trust no declaration (crosscheck.py): patient tokens in any free text, vendor UIDs in
    a file declaring de-identification, real person names, dates said shifted but equal to a vendor UID's,
    device serial numbers and station names.
  * Attributes the profile removes (X) are flagged; those it may keep with a dummy value (Z, D) are flagged only
    when the file does not declare PatientIdentityRemoved YES (otherwise the value is presumed to be the dummy).
  * Private groups are flagged unless Retain Safe Private is declared.
  * BurnedInAnnotation YES is flagged, and so is its absence on modalities that commonly burn text in.

The audit records what it found (IdentifyingAttribute, FlaggedFile: data the harvester also counts); only
:func:`attribute_issues`, :func:`flagged_issues` and :func:`audit_issues` turn those records into report issues,
for every stage that audits DICOM (submission and Croissant validation, Croissant import).
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Iterable, Iterator

from medal_catalog.dicom.annex_e import ANNEX_E, CID_7050, IDENTIFYING_KINDS, OPTION_RETAINS, lookup
from medal_catalog.dicom.crosscheck import CAPTURE as CROSSCHECK_CAPTURE
from medal_catalog.dicom.crosscheck import crosscheck, uninformative
from medal_catalog.dicom.archives import (
    ARCHIVE_ERRORS,
    MAX_ARCHIVE_DEPTH,
    ArchiveRefused,
    Budget,
    Rest,
    archive_kind,
    each_member,
    is_archive,
    read_nested,
)
from medal_catalog.dicom.header import (
    DEFAULT_MAX_HEADER_BYTES,
    FileProblem,
    Header,
    HeaderError,
    parse,
    read,
    sequence_tags,
)
from medal_catalog.report import Issue, Severity

PATIENT_IDENTITY_REMOVED = 0x00120062
DEIDENTIFICATION_METHOD = 0x00120063
DEIDENTIFICATION_CODES = 0x00120064
CODE_VALUE, CODING_SCHEME = 0x00080100, 0x00080102
LONGITUDINAL_MODIFIED = 0x00280303
BURNED_IN_ANNOTATION = 0x00280301
SPECIFIC_CHARACTER_SET = 0x00080005
MODALITY, SOP_CLASS = 0x00080060, 0x00080016
SERIES_DESCRIPTION, STUDY_DESCRIPTION = 0x0008103E, 0x00081030

#: Modalities whose pixels commonly carry burned-in text (and Secondary Capture of any modality).
BURNED_IN_MODALITIES = frozenset({"US", "SC", "XA", "RF", "ES", "XC"})
SECONDARY_CAPTURE_PREFIX = "1.2.840.10008.5.1.4.1.1.7"

_DESCRIPTIONS = (SERIES_DESCRIPTION, STUDY_DESCRIPTION)
_IDENTIFYING_TAGS = frozenset(t for t, e in ANNEX_E.items() if e.kind in IDENTIFYING_KINDS)
_DATE_TAGS = frozenset(t for t, e in ANNEX_E.items() if e.kind == "date")
# Dates (not times: they change with every image and say little) count as identifying values when not shifted.
_TOKEN_SOURCES_WITH_DATES = _IDENTIFYING_TAGS | {t for t in _DATE_TAGS if "Date" in ANNEX_E[t].keyword}
#: Tags whose values the audit needs: its own declarations plus the sources of identifying tokens.
AUDIT_CAPTURE = (
    frozenset(
        {
            PATIENT_IDENTITY_REMOVED,
            DEIDENTIFICATION_METHOD,
            CODE_VALUE,
            CODING_SCHEME,
            LONGITUDINAL_MODIFIED,
            BURNED_IN_ANNOTATION,
            SPECIFIC_CHARACTER_SET,
            MODALITY,
            SOP_CLASS,
            *_DESCRIPTIONS,
        }
    )
    | _IDENTIFYING_TAGS
    | _DATE_TAGS
    | CROSSCHECK_CAPTURE
)
#: Tags the audit counts wherever they occur.
AUDIT_WATCH = frozenset(ANNEX_E)

_WORDS = re.compile(r"[^\W_]+")
_LETTERS_OR_DIGITS = re.compile(r"[^\W\d_]+|\d+")


@dataclass(frozen=True, slots=True)
class IdentifyingAttribute:
    """One identifying attribute present in a header: keyword, tag (gggg,eeee), Annex E action, why, how often."""

    keyword: str
    tag: str | None
    action: str
    reason: str
    occurrences: int = 1

    def to_dict(self) -> dict[str, Any]:
        """The finding as a JSON-ready mapping (it holds no value from the file)."""
        return {
            "keyword": self.keyword,
            "tag": self.tag,
            "action": self.action,
            "reason": self.reason,
            "occurrences": self.occurrences,
        }


@dataclass(frozen=True, slots=True)
class PhiAudit:
    """The audit of one header: findings, the file's de-identification declarations, the descriptions kept.

    ``series_description``/``study_description`` hold the text only when the audit allows the catalog to keep it.
    ``deidentification_method`` likewise is dropped when it carries an identifying token.
    """

    findings: tuple[IdentifyingAttribute, ...]
    patient_identity_removed: bool | None
    deidentification_method: str | None
    profile_options: tuple[str, ...]
    burned_in_annotation: str
    longitudinal_temporal_information_modified: str | None
    series_description: str | None = None
    study_description: str | None = None
    path_withheld: bool = False  # the file's path (when given) mentions an identifying value of its header
    truncated: str | None = None  # why the file looks cut short (Header.truncated): a fact of the file, not PHI

    @property
    def flagged(self) -> bool:
        """True when at least one identifying attribute was found."""
        return bool(self.findings)

    def to_dict(self) -> dict[str, Any]:
        """The audit as a JSON-ready mapping."""
        return {
            "flagged": self.flagged,
            "findings": [f.to_dict() for f in self.findings],
            "patient_identity_removed": self.patient_identity_removed,
            "deidentification_method": self.deidentification_method,
            "profile_options": list(self.profile_options),
            "burned_in_annotation": self.burned_in_annotation,
            "longitudinal_temporal_information_modified": self.longitudinal_temporal_information_modified,
            "series_description": self.series_description,
            "study_description": self.study_description,
            "path_withheld": self.path_withheld,
        }


def text(raw: bytes | None, charset: bytes | None = None) -> str | None:
    """Decode a text value as the file's SpecificCharacterSet says; None when absent or blank."""
    if not raw:
        return None
    raw = raw.rstrip(b"\x00 ")
    if not raw:
        return None
    if not charset or charset.strip() in (b"ISO_IR 100", b"ISO_IR 6", b""):
        return raw.decode("latin-1").strip() or None
    if b"192" in charset:
        return raw.decode("utf-8", "replace").strip() or None
    from pydicom.charset import decode_bytes  # rare multi-byte sets (ISO 2022 escapes): let pydicom decode

    try:
        encodings = [c.strip() for c in charset.decode("ascii", "replace").split("\\")]
        return decode_bytes(raw, encodings, set()).strip() or None
    except Exception:  # noqa: BLE001 - a broken charset must not stop the audit; latin-1 always decodes
        return raw.decode("latin-1").strip() or None


def audit_header(header: Header, path: str | None = None) -> PhiAudit:
    """Audit one parsed header (see the module docstring for the rules).

    With ``path`` (the file's path as it would be published) the audit also reports, as FilePath, a path that
    contains an identifying value of the header, so that it can be withheld.
    """
    top = header.top
    charset = top.get(SPECIFIC_CHARACTER_SET)
    removed_text = text(top.get(PATIENT_IDENTITY_REMOVED))
    identity_removed = None if removed_text is None else removed_text.upper() == "YES"
    options = _options(header)
    ltim = text(top.get(LONGITUDINAL_MODIFIED))
    dates_shifted = (ltim or "").upper() == "MODIFIED"
    burned_raw = text(top.get(BURNED_IN_ANNOTATION))
    # Files of one series almost always share their attribute layout: audit each layout once.
    key = (
        tuple(header.seen.items()),
        tuple(header.private.items()),
        identity_removed,
        tuple(sorted(options)),
        dates_shifted,
        burned_raw,
        burns_in(top),
    )
    memo = _MEMO.get(key)
    if memo is None:
        if len(_MEMO) > 4096:
            _MEMO.clear()
        memo = _MEMO[key] = _attribute_findings(header, identity_removed, options, dates_shifted, burned_raw)
    found, flagged_dates, burned = memo
    findings = list(found)

    kept: dict[int, str | None] = {}
    tokens: frozenset[str] | None = None
    for tag, keyword in ((SERIES_DESCRIPTION, "SeriesDescription"), (STUDY_DESCRIPTION, "StudyDescription")):
        value = text(top.get(tag), charset)
        # Clean Descriptors is a claim; the text is checked whatever the file declares.
        if value is not None:
            tokens = _identifying_tokens(header, charset, flagged_dates) if tokens is None else tokens
            if _mentions(value, tokens):
                findings.append(
                    IdentifyingAttribute(keyword, ANNEX_E[tag].tag, ANNEX_E[tag].action, "identifying-token")
                )
                value = None
        kept[tag] = value
    method = text(top.get(DEIDENTIFICATION_METHOD), charset)
    if method is not None:
        tokens = _identifying_tokens(header, charset, flagged_dates) if tokens is None else tokens
        if _mentions(method, tokens):
            findings.append(IdentifyingAttribute("DeidentificationMethod", "(0012,0063)", "K", "identifying-token"))
            method = None
    seen_keywords = {f.keyword for f in findings}
    for keyword, tag_text, action, reason in crosscheck(
        _values_of(header, charset), bool(identity_removed or options), dates_shifted
    ):
        if keyword in ("SeriesDescription", "StudyDescription"):
            kept[SERIES_DESCRIPTION if keyword == "SeriesDescription" else STUDY_DESCRIPTION] = None
        if keyword not in seen_keywords:
            seen_keywords.add(keyword)
            findings.append(IdentifyingAttribute(keyword, tag_text, action, reason))
    withheld = False
    if path:
        tokens = _identifying_tokens(header, charset, flagged_dates) if tokens is None else tokens
        if _mentions(path, tokens):
            findings.append(IdentifyingAttribute("FilePath", None, "", "identifying-token"))
            withheld = True
    return PhiAudit(
        tuple(findings),
        identity_removed,
        method,
        tuple(sorted(options)),
        burned,
        ltim,
        kept[SERIES_DESCRIPTION],
        kept[STUDY_DESCRIPTION],
        withheld,
    )


_MEMO: dict[tuple, tuple] = {}


def _values_of(header: Header, charset: bytes | None) -> Callable[[int], list[str]]:
    """``values(tag)``: every decoded, non-blank value of a captured tag, top level first, then inside sequences
    (in the order they were read). The nested values are grouped by tag once and each tag decoded once: the
    cross-checks ask for about 140 tags per file, and walking every nested value for each was a quarter of a
    harvest's time (issue 29)."""
    nested: dict[int, list[bytes]] = {}
    for (_, inner), found in header.nested.items():
        nested.setdefault(inner, []).extend(found)
    top = header.top
    decoded: dict[int, list[str]] = {}

    def values(tag: int) -> list[str]:
        found = decoded.get(tag)
        if found is None:
            if tag not in top and tag not in nested:
                return []  # most tags asked for are absent
            raws = ([top[tag]] if tag in top else []) + nested.get(tag, [])
            found = decoded[tag] = [v for v in (text(raw, charset) for raw in raws) if v is not None]
        return found

    return values


_TOKEN_MEMO: dict[tuple, frozenset[str]] = {}


def _attribute_findings(
    header: Header, identity_removed: bool | None, options: set[str], dates_shifted: bool, burned_raw: str | None
) -> tuple[tuple[IdentifyingAttribute, ...], bool, str]:
    """Findings for the attributes, private groups and burned-in text of a header; whether dates were flagged."""
    retained = {kind for kind, option in OPTION_RETAINS.items() if option in options}
    findings: list[IdentifyingAttribute] = []
    flagged_dates = False
    for tag, count in sorted(header.seen.items()):
        entry = lookup(tag)
        if entry is None or tag in _DESCRIPTIONS or entry.kind in retained:
            continue
        if entry.kind == "uid":
            # Original UIDs can embed a device serial number or a timestamp; without a declared de-identification
            # they are presumed original (the harvester then replaces them in everything it writes).
            if entry.action == "U" and not identity_removed:
                findings.append(
                    IdentifyingAttribute(entry.keyword, entry.tag, entry.action, "uids-not-replaced", count)
                )
            continue
        if entry.kind == "date":
            if dates_shifted:
                continue
            reason, flagged_dates = "dates-not-modified", True
        elif entry.may_be_dummy:
            if identity_removed:
                continue
            reason = "identity-removal-not-declared"
        else:
            reason = "removed-by-profile"
        findings.append(IdentifyingAttribute(entry.keyword, entry.tag, entry.action, reason, count))
    if "retain_safe_private" not in options:
        for group, count in sorted(header.private.items()):
            findings.append(IdentifyingAttribute("PrivateTag", f"({group:04X},xxxx)", "X", "private", count))
    burned = (burned_raw or "UNKNOWN").upper()
    burned = burned if burned in ("YES", "NO") else "UNKNOWN"
    if burned == "YES":
        findings.append(IdentifyingAttribute("BurnedInAnnotation", "(0028,0301)", "C", "burned-in"))
    elif burned == "UNKNOWN" and burns_in(header.top):
        findings.append(IdentifyingAttribute("BurnedInAnnotation", "(0028,0301)", "C", "burned-in-undeclared"))
    return tuple(findings), flagged_dates, burned


def audit_file(path: str | os.PathLike[str], limit: int = DEFAULT_MAX_HEADER_BYTES) -> PhiAudit | FileProblem:
    """Read one file's header (never its pixels, at most ``limit`` bytes) and audit it; a file that cannot be read
    becomes a FileProblem."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            header = read(stream, size, AUDIT_CAPTURE, AUDIT_WATCH, limit)
    except HeaderError as exc:
        return FileProblem(name, exc.reason, "skipped" if exc.not_dicom else "error", exc.not_dicom)
    except OSError as exc:
        return FileProblem(name, f"cannot read: {exc.strerror or exc.__class__.__name__}")
    audit = audit_header(header)
    if header.truncated:
        audit = replace(audit, truncated=header.truncated)
    return audit


def audit_dataset(ds: Any) -> PhiAudit:
    """Audit a pydicom Dataset already in memory, with the same reader and rules as files.

    The dataset is encoded once in its own transfer syntax (explicit VR little endian when unknown) and the
    bytes audited, so both paths agree exactly. Raises ValueError if pydicom cannot encode the dataset.
    """
    # inline: pydicom takes ~0.5 s to import
    from pydicom.dataset import FileMetaDataset
    from pydicom.filebase import DicomBytesIO
    from pydicom.filewriter import write_dataset, write_file_meta_info
    from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

    implicit, little = ds.original_encoding if ds.original_encoding[0] is not None else (False, True)
    meta = FileMetaDataset()
    meta.TransferSyntaxUID = ImplicitVRLittleEndian if implicit else ExplicitVRLittleEndian
    meta.MediaStorageSOPClassUID = getattr(ds, "SOPClassUID", "1.2.840.10008.5.1.4.1.1.7")
    meta.MediaStorageSOPInstanceUID = getattr(ds, "SOPInstanceUID", "1.2.3")
    fp = DicomBytesIO()
    fp.write(b"\x00" * 128 + b"DICM")
    try:
        write_file_meta_info(fp, meta, enforce_standard=False)
        fp.is_little_endian, fp.is_implicit_VR = True, implicit
        body = ds.copy()
        body.pop(0x7FE00010, None)  # the audit never looks at pixels; do not copy them
        write_dataset(fp, body)
    except Exception as exc:  # noqa: BLE001 - pydicom raises many types; the caller gets one
        raise ValueError(f"dataset cannot be encoded for the audit ({exc.__class__.__name__})") from None
    data = fp.getvalue()
    return audit_header(parse(data, len(data), AUDIT_CAPTURE, AUDIT_WATCH, sequence_tags()))


def _options(header: Header) -> set[str]:
    values = header.nested.get((DEIDENTIFICATION_CODES, CODE_VALUE), [])
    schemes = header.nested.get((DEIDENTIFICATION_CODES, CODING_SCHEME), [])
    options = set()
    for i, raw in enumerate(values):
        scheme = text(schemes[i]) if i < len(schemes) else "DCM"
        option = CID_7050.get(text(raw) or "")
        if option and (scheme or "DCM").upper() == "DCM":
            options.add(option)
    return options


def burns_in(top: dict[int, bytes]) -> bool:
    """Whether a header (its top-level values) is of a modality or class that commonly burns text into pixels."""
    modality = (text(top.get(MODALITY)) or "").upper()
    sop_class = text(top.get(SOP_CLASS)) or ""
    return modality in BURNED_IN_MODALITIES or sop_class.startswith(SECONDARY_CAPTURE_PREFIX)


def _split(value: str) -> set[str]:
    lowered = value.lower()
    return set(_WORDS.findall(lowered)) | set(_LETTERS_OR_DIGITS.findall(lowered))


def _identifying_tokens(header: Header, charset: bytes | None, with_dates: bool) -> frozenset[str]:
    """Lower-case tokens of identifying values in the header; person names keep 2-letter tokens (Li, Ng)."""
    sources = _TOKEN_SOURCES_WITH_DATES if with_dates else _IDENTIFYING_TAGS
    raws = tuple((tag, raw) for tag, raw in header.top.items() if tag in sources)
    raws += tuple((tag, raw) for (_, tag), values in header.nested.items() if tag in sources for raw in values)
    key = (charset, raws)
    tokens = _TOKEN_MEMO.get(key)
    if tokens is not None:
        return tokens
    found: set[str] = set()
    for tag, raw in raws:
        value = text(raw, charset)
        if value is None or uninformative(value):
            continue  # a dummy or a keyed pseudonym says nothing ("15" of one is not a token of "PS3.15")
        minimum = 2 if ANNEX_E[tag].kind == "patient" else 3
        found.update(t for t in _split(value) if len(t) >= minimum)
    if len(_TOKEN_MEMO) > 4096:
        _TOKEN_MEMO.clear()
    tokens = _TOKEN_MEMO[key] = frozenset(found)
    return tokens


def _mentions(value: str, tokens: frozenset[str]) -> bool:
    """True when ``value`` contains a whole identifying token, or a long one (5+ characters) anywhere."""
    if not tokens:
        return False
    if _split(value) & tokens:
        return True
    lowered = value.lower()
    return any(len(t) >= 5 and t in lowered for t in tokens)


@dataclass(frozen=True, slots=True)
class FlaggedFile:
    """The audit's record of a DICOM file inside some content (the content itself, or a member of an archive) that
    the catalog must not keep: its audit found identifying attributes (``audit``), or it could not be audited
    (``reason``). ``member`` is the member's path in the archive (``outer!inner`` when nested), or ``member N``
    when that path itself mentions an identifying value of the header; None for the content itself.
    :func:`flagged_issues` turns these records into report issues."""

    member: str | None
    audit: PhiAudit | None = None
    reason: str | None = None


def audit_content(
    data: bytes | os.PathLike[str], name: str, limit: int = DEFAULT_MAX_HEADER_BYTES
) -> tuple[int, list[FlaggedFile]]:
    """Audit every DICOM file in a file the catalog would keep and serve as it is (its bytes, or its path): the
    file itself when it is DICOM, or each member of a zip or tar archive (archives inside it too), by content,
    headers only (a member is never decompressed past its header), paths included (``name`` is the file's
    published path); a header may take at most ``limit`` bytes (MEDAL_DICOM_MAX_HEADER_BYTES, from the caller's
    settings). Returns how many DICOM files were found and those the catalog must not keep.
    Raises OSError when a path cannot be read."""

    found: list[FlaggedFile] = []
    if isinstance(data, bytes):
        return _audit(io.BytesIO(data), data[:512], len(data), name, None, found, 0, limit=limit), found
    with open(data, "rb") as stream:
        head = stream.read(512)
        stream.seek(0)
        return _audit(stream, head, os.fstat(stream.fileno()).st_size, name, None, found, 0, limit=limit), found


def _audit(
    stream: Any,
    head: bytes,
    size: int,
    path: str,
    member: str | None,
    found: list[FlaggedFile],
    depth: int,
    budget: Budget | None = None,
    limit: int = DEFAULT_MAX_HEADER_BYTES,
) -> int:
    """Audit ``stream`` (``size`` bytes, starting with ``head``); random access only when it is an archive."""
    kind = archive_kind(head)
    if kind is None:
        try:
            header = read(stream, size, AUDIT_CAPTURE, AUDIT_WATCH, limit)
        except HeaderError as exc:
            if exc.not_dicom:
                return 0
            found.append(FlaggedFile(member, reason=f"a DICOM file that cannot be read: {exc.reason}"))
            return 1
        audit = audit_header(header, path)
        if audit.flagged:
            found.append(FlaggedFile(member, audit))
        return 1
    if depth >= MAX_ARCHIVE_DEPTH:
        found.append(FlaggedFile(member, reason="archives nested too deep to audit"))
        return 0
    done = 0  # the members audited before the archive broke still count

    def visit(inner: Any, inner_size: int, inner_name: str, index: int) -> int:
        nonlocal done
        count = _audit_member(inner, inner_size, inner_name, member, found, depth, index, budget, limit)
        done += count
        return count

    outer = budget is None
    budget = budget or Budget()
    try:
        return each_member(stream, head, kind, path, visit, budget)
    except ArchiveRefused as exc:
        if not outer:
            raise  # the outermost archive is the one refused, and reported once
        found.append(FlaggedFile(member, reason=f"a {kind} archive refused: it {exc.reason}"))
    except ARCHIVE_ERRORS as exc:
        found.append(FlaggedFile(member, reason=f"a {kind} archive that cannot be read ({type(exc).__name__})"))
    return done


def _audit_member(
    stream: Any,
    size: int,
    name: str,
    parent: str | None,
    found: list[FlaggedFile],
    depth: int,
    index: int,
    budget: Budget | None = None,
    limit: int = DEFAULT_MAX_HEADER_BYTES,
) -> int:
    """Audit one archive member (``index``: its place in the archive); only a nested archive is read whole."""

    label = f"{parent}!{name}" if parent else name
    head = stream.read(512)
    if is_archive(head):
        data = read_nested(head, stream)
        if data is None:
            found.append(FlaggedFile(label, reason="a nested archive too large to audit"))
            return 0
        return _audit(io.BytesIO(data), head, len(data), name, label, found, depth + 1, budget, limit)
    before = len(found)
    count = _audit(Rest(head, stream), head, size, name, label, found, depth + 1, budget, limit)
    if len(found) > before and found[-1].audit is not None and found[-1].audit.path_withheld:
        found[-1] = FlaggedFile(f"{parent}!member {index + 1}" if parent else f"member {index + 1}", found[-1].audit)
    return count


DEIDENTIFY = (
    "De-identify with the Basic Profile before submitting: `medal deidentify IN OUT` does it on your "
    "machine with the catalog's own rules (see docs/deidentify.md)."
)


def attribute_issues(findings: Iterable[IdentifyingAttribute], name: str) -> Iterator[Issue]:
    """One ``dicom.phi`` error per identifying attribute found in the file ``name``: keyword, tag and Annex E
    action, never the value."""
    for finding in findings:
        yield Issue(
            Severity.ERROR,
            "dicom.phi",
            name,
            f"{finding.keyword}: {finding.reason} (PS3.15 Annex E action {finding.action}); its value is not shown",
            tag=finding.tag,
            hint=DEIDENTIFY,
        )


def flagged_issues(flagged: Iterable[FlaggedFile], display: str) -> Iterator[Issue]:
    """Issues for the DICOM files that :func:`audit_content` flagged in the file named ``display`` (members are
    named ``display!member``): their identifying attributes, or why they cannot be audited."""
    for problem in flagged:
        name = f"{display}!{problem.member}" if problem.member else display
        if problem.audit is None:
            yield Issue(
                Severity.ERROR,
                "dicom.unreadable",
                name,
                f"cannot be audited: {problem.reason}",
                hint="The catalog keeps no DICOM it cannot audit.",
            )
            continue
        yield from attribute_issues(problem.audit.findings, name)


def audit_issues(
    data: bytes | os.PathLike[str],
    name: str,
    display: str,
    *,
    unreadable: str = "path.unreadable",
    limit: int = DEFAULT_MAX_HEADER_BYTES,
) -> list[Issue]:
    """The Annex E audit of a file the catalog would keep as it is (see :func:`audit_content`; ``name`` is its
    published path, ``display`` how the report names it) as report issues: none when the catalog may keep it.
    A file that cannot be read is one error with code ``unreadable``."""
    try:
        _, flagged = audit_content(data, name, limit)
    except OSError as exc:
        return [Issue(Severity.ERROR, unreadable, display, f"cannot read the file ({exc.strerror})")]
    return list(flagged_issues(flagged, display))
