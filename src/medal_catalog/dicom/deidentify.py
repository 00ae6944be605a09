"""Rewrite DICOM files with the Basic Application Confidentiality Profile (PS3.15 Annex E) before the catalog
keeps or serves them: what a contributor declares is never taken as done.

The profile itself (Table E.1-1, the 2026c edition) is applied by ``dicom-anonymizer`` (KitwareMedical, pinned in
pyproject.toml); this module chooses its actions for the options the dataset declares and does what the library
leaves open:

  * UIDs: every UID that is not a DICOM-defined one (1.2.840.10008.*) becomes ``2.25.<HMAC-SHA256(key, uid)>``,
    at every depth and in the file meta, so the same input UID gives the same output UID across a dataset (its
    series and studies still group, its manifest still joins) and across runs (a re-harvest writes the same bytes);
  * PatientID becomes a keyed pseudonym (patients stay apart), person names the library's dummy;
  * dates: shifted by one per-dataset offset with Retain Longitudinal With Modified Dates (one per patient for a
    contributor's rewrite, dicom/local.py), emptied otherwise;
  * descriptions are kept with Clean Descriptors only when the audit of the original found no identifying token;
  * every private tag is removed (a contributor may keep the numeric ones of :data:`SAFE_PRIVATE` with Retain
    Safe Private; the served copy never does), the 128-byte preamble is zeroed;
  * (0012,0062/0063/0064) and (0028,0303) say what was applied, and only that.

Pixel data are copied as they are (a contributor's rewrite may blank regions first: dicom/local.py). Files are parsed by pydicom only after the bounded reader accepted them, and
never with ``force=True``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import io
import threading
from dataclasses import dataclass
from typing import Any, Callable
import zipfile

from medal_catalog.dicom.annex_e import ANNEX_E, OPTION_RETAINS, enum_meanings, lookup
from medal_catalog.dicom.archives import ARCHIVE_ERRORS, MAX_NESTED_ARCHIVE_BYTES, archive_kind, is_archive
from medal_catalog.dicom.audit import AUDIT_CAPTURE, AUDIT_WATCH, audit_content, audit_header, burns_in
from medal_catalog.dicom.header import HeaderError, parse, sequence_tags

LIBRARY = "dicom-anonymizer"
TABLE_EDITION = "dicomfields_2026c"
#: Options the rewrite applies when declared; any other declared option is not applied (and not claimed).
SUPPORTED_OPTIONS = ("retain_longitudinal_modified_dates", "retain_patient_characteristics", "clean_descriptors")
#: Options a contributor's own rewrite (dicom/local.py, `medal deidentify`) may apply on top: the catalog's served
#: copy applies none of them (it serves no device identity, no private tag, and audits no pixel).
LOCAL_OPTIONS = SUPPORTED_OPTIONS + ("retain_device_identity", "retain_safe_private", "clean_pixel_data")
#: Private attributes kept under Retain Safe Private: numeric acquisition parameters of PS3.15 Table E.3.10-1
#: (diffusion b-values and directions, mosaic layout, Philips rescaling), (creator, group, element low byte).
#: Only numeric VRs are kept, whatever the creator: a text value could hold anything.
SAFE_PRIVATE: dict[tuple[str, int, int], str] = {
    ("SIEMENS MR HEADER", 0x0019, 0x0A): "NumberOfImagesInMosaic",
    ("SIEMENS MR HEADER", 0x0019, 0x0B): "SliceMeasurementDuration",
    ("SIEMENS MR HEADER", 0x0019, 0x0C): "B_value",
    ("SIEMENS MR HEADER", 0x0019, 0x0E): "DiffusionGradientDirection",
    ("SIEMENS MR HEADER", 0x0019, 0x27): "B_matrix",
    ("SIEMENS MR HEADER", 0x0019, 0x28): "BandwidthPerPixelPhaseEncode",
    ("GEMS_PARM_01", 0x0043, 0x39): "SlopInt6-9 (b-value)",
    ("GEMS_ACQU_01", 0x0019, 0xBB): "UserData20 (diffusion direction)",
    ("GEMS_ACQU_01", 0x0019, 0xBC): "UserData21 (diffusion direction)",
    ("GEMS_ACQU_01", 0x0019, 0xBD): "UserData22 (diffusion direction)",
    ("Philips Imaging DD 001", 0x2001, 0x03): "DiffusionBFactor",
    ("Philips MR Imaging DD 001", 0x2005, 0x0D): "ScaleIntercept",
    ("Philips MR Imaging DD 001", 0x2005, 0x0E): "ScaleSlope",
}
_NUMERIC_VRS = frozenset({"DS", "IS", "FL", "FD", "SL", "SS", "UL", "US", "SV", "UV"})
_STANDARD_UID = "1.2.840.10008."
#: DeviceSerialNumber and StationName: removed, never dummied (the audit flags them whatever their value).
_DEVICE_IDENTITY = frozenset({0x00181000, 0x00081010})
_LOCK = threading.Lock()  # the library keeps its UID map in a module global


class RewriteError(Exception):
    """The file cannot be rewritten (pydicom cannot read or write it); the reason holds no value of the file."""


@dataclass(frozen=True, slots=True)
class Plan:
    """What the rewrite applies to a dataset's files: the options (CID 7050 names), and those declared but not
    applied."""

    applied: tuple[str, ...]
    not_applied: tuple[str, ...]

    def describe(self) -> str:
        """One sentence for the contributor: what is done to every DICOM file the catalog keeps."""
        options = ", ".join(self.applied[1:]) or "no option"
        text = (
            f"rewritten with the PS3.15 Basic Profile ({LIBRARY}) and {options}: UIDs replaced consistently, "
            "names and IDs replaced by dummies or pseudonyms, private tags removed, "
            + (
                "dates shifted by one offset"
                if "retain_longitudinal_modified_dates" in self.applied
                else "dates emptied"
            )
            + ", pixel data unchanged"
        )
        if self.not_applied:
            text += f"; declared but not applied: {', '.join(self.not_applied)}"
        return text


def plan(declared: dict[str, Any] | None, supported: tuple[str, ...] = SUPPORTED_OPTIONS) -> Plan:
    """The rewrite for a dataset's ``deidentification`` declaration (its ``profile_options``); ``supported``:
    the options this rewrite may apply (the served copy's, or :data:`LOCAL_OPTIONS` on a contributor's machine)."""
    options = [o for o in ((declared or {}).get("profile_options") or []) if o != "basic_profile"]
    applied = ("basic_profile",) + tuple(o for o in supported if o in options)
    return Plan(applied, tuple(sorted(o for o in options if o not in supported)))


class Deidentifier:
    """Rewrites the files of one dataset; ``key`` (secret, per dataset) keys the UID map, pseudonyms and the date
    shift, so that all files of the dataset agree."""

    def __init__(self, key: bytes, the_plan: Plan, *, per_patient_dates: bool = False) -> None:
        self.key = key
        self.plan = the_plan
        self.date_offset = self._offset(b"date-offset")
        #: With ``per_patient_dates`` each patient's dates move by their own keyed offset (from the original
        #: PatientID), so intervals within a patient hold and nothing lines patients up by calendar.
        self.per_patient_dates = per_patient_dates
        self._outputs: set[str] = set()
        #: original -> replacement of every UID replaced since the caller last emptied it (the local linkage).
        self.replaced: dict[str, str] = {}

    def _offset(self, label: bytes) -> dt.timedelta:
        digest = hmac.new(self.key, label, hashlib.sha256).digest()
        return dt.timedelta(days=-(365 + int.from_bytes(digest[:4], "big") % 3650))

    def patient_offset(self, patient_id: str) -> dt.timedelta:
        """The date shift of one patient (the dataset's one offset unless ``per_patient_dates``)."""
        if not self.per_patient_dates:
            return self.date_offset
        return self._offset(b"date-offset:" + patient_id.strip().encode("utf-8", "replace"))

    def uid(self, old: str) -> str:
        """The replacement of ``old`` (DICOM-defined UIDs and our own outputs are returned unchanged)."""
        old = old.strip()
        if not old or old.startswith(_STANDARD_UID) or old in self._outputs:
            return old
        new = keyed_uid(self.key, old)
        self._outputs.add(new)
        self.replaced[old] = new
        return new

    def pseudonym(self, value: str) -> str:
        digest = hmac.new(self.key, b"id:" + value.encode("utf-8", "replace"), hashlib.sha256).hexdigest()
        return digest[:16].upper()  # no word of its own: the audit checks free text for tokens of IDs

    def rewrite(self, data: bytes, kept_descriptions: dict[str, str | None] | None = None) -> bytes:
        """The de-identified file for the DICOM file ``data`` (Part 10, with its preamble). ``kept_descriptions``:
        SeriesDescription/StudyDescription as the audit of the original allowed them (None: dropped). Raises
        RewriteError."""
        return self.rewrite_dataset(data, kept_descriptions)[0]

    def rewrite_dataset(
        self,
        data: bytes,
        kept_descriptions: dict[str, str | None] | None = None,
        pixels: Callable[[Any], None] | None = None,
    ) -> tuple[bytes, Any]:
        """:meth:`rewrite`, also returning the rewritten pydicom Dataset; ``pixels`` (given the dataset before
        its header is rewritten) may clean its pixel data, raising RewriteError when it cannot."""
        import pydicom  # inline: pydicom takes ~0.5 s to import
        from dicomanonymizer import simpledicomanonymizer as library  # inline: dicomanonymizer takes ~0.46 s to import

        try:
            ds = pydicom.dcmread(io.BytesIO(data))  # never force=True: the bounded reader accepted this file
        except Exception as exc:  # noqa: BLE001 - pydicom raises many types on a broken file
            raise RewriteError(f"pydicom cannot read it ({type(exc).__name__})") from None
        applied = self.plan.applied
        # Private tags go first: the library would remove them last, after walking them once per repeating-group
        # rule (most of its time on vendor files full of private data).
        if "retain_safe_private" in applied:
            _keep_safe_private(ds)
        else:
            _remove_private(ds)
        shift = "retain_longitudinal_modified_dates" in applied
        try:
            if pixels is not None:
                pixels(ds)
            with _LOCK:
                saved = library.dictionary
                library.dictionary = _KeyedUids(self)
                try:
                    rules = _present_rules(ds, applied)
                    library.anonymize_dataset(ds, None, delete_private_tags=False, base_rules_gen=lambda: rules)
                finally:
                    library.dictionary = saved
            self._finish(ds, shift, kept_descriptions or {})
            out = io.BytesIO()
            ds.preamble = b"\x00" * 128
            ds.save_as(out, enforce_file_format=True)
        except RewriteError:
            raise
        except Exception as exc:  # noqa: BLE001 - a file pydicom cannot rewrite is left out, not a crash
            raise RewriteError(f"it cannot be rewritten ({type(exc).__name__})") from None
        return out.getvalue(), ds

    def _finish(self, ds: Any, shift: bool, kept: dict[str, str | None]) -> None:
        # inline: pydicom takes ~0.5 s to import
        from pydicom.dataset import Dataset
        from pydicom.sequence import Sequence
        from pydicom.uid import PYDICOM_IMPLEMENTATION_UID

        original_id = str(ds.get("PatientID", "") or "")
        offset = self.patient_offset(original_id)
        if original_id.strip():
            ds.PatientID = self.pseudonym(original_id)
        for keyword in ("SeriesDescription", "StudyDescription"):
            value = kept.get(keyword) if "clean_descriptors" in self.plan.applied else None
            if value:
                setattr(ds, keyword, value)
            elif keyword in ds:
                del ds[keyword]

        retained = {kind for kind, option in OPTION_RETAINS.items() if option in self.plan.applied}

        def walk(dataset: Any, nested: bool = False) -> None:
            # Over the raw elements: only those acted on are decoded, the others are written back as read.
            elements = dataset._dict
            for tag in list(elements):
                vr = _element_vr(tag, elements[tag])
                entry = lookup(tag) if nested else ANNEX_E.get(tag)
                if tag in _DEVICE_IDENTITY:
                    del elements[tag]  # the library may leave a dummy; the catalog keeps none at all
                elif nested and entry is not None and entry.kind not in retained and entry.kind not in ("uid", "date"):
                    # Inside a sequence kept whole (references, U*; a retained characteristic's codes) the library
                    # does not look: what the profile removes there goes (a PatientID: a pseudonym).
                    element = dataset[tag]
                    if tag == 0x00100020 and element.value:
                        element.value = self.pseudonym(str(element.value))
                    else:
                        del elements[tag]
                elif vr == "SQ":
                    for item in dataset[tag].value:
                        walk(item, True)
                elif vr == "UI":
                    element = dataset[tag]
                    if element.value:
                        values = element.value if isinstance(element.value, list) else [element.value]
                        mapped = [self.uid(str(v)) for v in values]
                        element.value = mapped if isinstance(element.value, list) else mapped[0]
                elif vr in ("DA", "DT") and entry is not None:
                    element = dataset[tag]
                    if element.value:
                        element.value = self._shift(str(element.value), vr, offset) if shift else ""
                elif vr == "TM" and not shift and entry is not None:
                    dataset[tag].value = ""

        walk(ds)
        meta = ds.file_meta
        meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        # The writer is now us (pydicom): the original's implementation UID and name point at the scanner.
        meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
        meta.ImplementationVersionName = "MEDAL_DEID"
        for tag in (0x00020016, 0x00020017, 0x00020018, 0x00020100, 0x00020102):  # source/sending AE, signatures
            meta.pop(tag, None)
        ds.PatientIdentityRemoved = "YES"
        # LO holds 64 characters; the options are in the code sequence below.
        # Not the library's name: "dicom" could be a token of a patient's name, and then the audit refuses it.
        ds.DeidentificationMethod = "MEDAL catalog rewrite, PS3.15 Annex E Basic Profile"
        meanings = {
            name: meaning.partition(":")[2] for name, meaning in enum_meanings("DeidentificationOptionEnum").items()
        }
        items = []
        for option in self.plan.applied:
            item = Dataset()
            item.CodeValue, item.CodingSchemeDesignator = meanings[option], "DCM"
            item.CodeMeaning = option.replace("_", " ")
            items.append(item)
        ds.DeidentificationMethodCodeSequence = Sequence(items)
        ds.LongitudinalTemporalInformationModified = "MODIFIED" if shift else "REMOVED"

    def _shift(self, value: str, vr: str, offset: dt.timedelta) -> str:
        try:
            day = dt.datetime.strptime(value[:8], "%Y%m%d") + offset
        except (ValueError, OverflowError):
            return ""  # an unparseable date (or the library's 00010101 dummy) cannot be shifted: not kept
        return day.strftime("%Y%m%d") + (value[8:] if vr == "DT" else "")


@functools.lru_cache(maxsize=16)
def _rules(applied: tuple[str, ...]) -> dict[tuple[int, int], Any]:
    """The library's per-tag actions that override its Basic Profile defaults for the options ``applied``."""
    from dicomanonymizer import simpledicomanonymizer as library  # inline: dicomanonymizer takes ~0.46 s to import

    retained = {"characteristic"} if "retain_patient_characteristics" in applied else set()
    if "retain_device_identity" in applied:
        retained.add("device")
    from pydicom.datadict import dictionary_VR  # inline: pydicom takes ~0.5 s to import

    rules: dict[tuple[int, int], Any] = {}
    for tag, entry in ANNEX_E.items():
        if entry.tag.count("x"):
            continue
        # A "date" row that is no date (TimezoneOffsetFromUTC, SH) goes as the profile says: it cannot be shifted.
        if (
            (entry.kind == "date" and _vr(dictionary_VR, tag) in ("DA", "DT", "TM"))
            or (entry.kind in retained and tag not in _DEVICE_IDENTITY)
            or "U*" in entry.action
        ):
            # U*: references (ReferencedImageSequence, SourceImageSequence) kept with their UIDs replaced below,
            # so a SEG, RT or derived series still points at its source images.
            rules[(tag >> 16, tag & 0xFFFF)] = library.keep  # dates: shifted or emptied below, at every depth
    rules[(0x0010, 0x0020)] = library.keep  # PatientID: a pseudonym below
    return rules


@functools.lru_cache(maxsize=16)
def _all_rules(
    applied: tuple[str, ...],
) -> tuple[dict[int, Any], dict[int, Any], tuple[tuple[tuple[int, ...], Any], ...]]:
    """The library's table (edition TABLE_EDITION) with our overrides, built once: actions for data set tags and
    for file meta tags by tag number, and the repeating-group rules (curves, overlays)."""
    from dicomanonymizer import simpledicomanonymizer as library  # inline: dicomanonymizer takes ~0.46 s to import

    merged = library.initialize_actions(TABLE_EDITION)
    merged.update(_rules(applied))
    single = {(t[0] << 16) | t[1]: a for t, a in merged.items() if len(t) == 2 and t[0] != 0x0002}
    meta = {(t[0] << 16) | t[1]: a for t, a in merged.items() if len(t) == 2 and t[0] == 0x0002}
    repeating = tuple((t, a) for t, a in merged.items() if len(t) > 2)
    return single, meta, repeating


def _present_rules(ds: Any, applied: tuple[str, ...]) -> dict[tuple[int, ...], Any]:
    """The library's rules for the tags ``ds`` holds at its top level (and its file meta): the library looks up
    each of its ~600 rules in every file and walks the whole data set once per repeating-group rule; what it
    would do to an absent tag is nothing, so the result is the same. Inside sequences the library does not look;
    Deidentifier._finish does."""
    single, meta, repeating = _all_rules(applied)
    rules: dict[tuple[int, ...], Any] = {}
    for tag in ds._dict:
        action = single.get(tag)
        if action is not None:
            rules[(tag >> 16, tag & 0xFFFF)] = action
    meta_elements = ds.file_meta._dict if getattr(ds, "file_meta", None) is not None else {}
    for tag in meta_elements:
        action = meta.get(int(tag))
        if action is not None:
            rules[(int(tag) >> 16, int(tag) & 0xFFFF)] = action
    if any((tag >> 24) in (0x50, 0x60) for tag in ds._dict):
        rules.update(dict(repeating))
    return rules


def _remove_private(ds: Any) -> None:
    """Remove every private attribute of ``ds`` at every depth, converting only the sequences it descends into
    (pydicom's remove_private_tags decodes every element of the file on the way)."""
    elements = ds._dict
    for tag in [t for t in elements if (t >> 16) & 1]:
        del elements[tag]
    for tag, element in list(elements.items()):
        # As written, else from the dictionary: a sequence written as UN (some exports do) is still a sequence,
        # and a private tag inside it must go (the audit after the rewrite would refuse the whole file).
        if _element_vr(tag, element) != "SQ":
            continue
        value = ds[tag].value
        if ds[tag].VR == "SQ":
            for item in value:
                _remove_private(item)


def _element_vr(tag: int, element: Any) -> str:
    """The VR of a (raw or decoded) element without decoding it: as written, else from the dictionary."""
    vr = element.VR
    if vr is None or vr == "UN":
        known = _DICTIONARY_VR.get(tag)
        if known is None:
            from pydicom.datadict import dictionary_VR  # inline: pydicom takes ~0.5 s to import

            known = _DICTIONARY_VR[tag] = _vr(dictionary_VR, tag)
        if known:
            return known
        if vr is None and getattr(element, "length", 0) == 0xFFFFFFFF and tag != 0x7FE00010:
            return "SQ"
    return vr or ""


_DICTIONARY_VR: dict[int, str] = {}


def _vr(lookup: Callable[[int], str], tag: int) -> str:
    try:
        return lookup(tag)
    except KeyError:
        return ""


def _keep_safe_private(ds: Any) -> None:
    """Remove every private attribute of ``ds`` except the numeric ones of :data:`SAFE_PRIVATE` at its top level
    (and their creators); inside sequences every private attribute goes."""
    creators: dict[tuple[int, int], str] = {}
    for element in ds:
        if element.tag.is_private_creator:
            creators[(element.tag.group, element.tag.element)] = str(element.value).strip()
    kept_blocks: set[tuple[int, int]] = set()
    for element in list(ds):
        tag = element.tag
        if not tag.is_private or tag.is_private_creator:
            if element.VR == "SQ":
                for item in element.value:
                    _remove_private(item)
            continue
        block = (tag.group, tag.element >> 8)
        creator = creators.get(block)
        if (
            creator is not None
            and (creator, tag.group, tag.element & 0xFF) in SAFE_PRIVATE
            and element.VR in _NUMERIC_VRS
        ):
            kept_blocks.add(block)
        else:
            del ds[tag]
    for block in creators:
        if block not in kept_blocks:
            del ds[(block[0] << 16) | block[1]]


class _KeyedUids(dict):
    """Stands in for the library's UID map (``simpledicomanonymizer.dictionary``): keyed, deterministic UIDs
    instead of random ones, so that files rewritten at different times still agree."""

    def __init__(self, owner: Deidentifier) -> None:
        super().__init__()
        self.owner = owner

    def __contains__(self, uid: object) -> bool:
        return True

    def get(self, uid: Any, default: Any = None) -> str:
        return self.owner.uid(str(uid))


def keyed_uid(key: bytes, uid: str) -> str:
    """The catalog's replacement of an original UID under a dataset's ``key`` (its first 16 bytes are the
    harvest's key): ``2.25.<HMAC-SHA256>``."""
    # The harvester's formula (dicom_records.pseudonymous_uid) with the same key: the series entries and
    # manifest publish exactly the UIDs of the files served, and a label table's original UIDs find them.
    digest = hmac.new(key, uid.strip().encode("ascii", "replace"), hashlib.sha256).digest()
    return f"2.25.{int.from_bytes(digest[:16], 'big')}"


def dataset_key(dataset_id: str, secret: str = "") -> bytes:
    """The key for a dataset's rewrite: from the catalog's secret (MEDAL_DEID_SECRET) when set, so that nobody
    holding an original UID can confirm its replacement; from the dataset id alone otherwise."""
    return hashlib.sha256(f"medal-deid\x00{secret}\x00{dataset_id}".encode()).digest()


def served_copy(
    data: bytes, name: str, deidentifier: Deidentifier, declared_burned_in: str | None
) -> tuple[bytes | None, str | None]:
    """The copy of the DICOM file ``data`` that the catalog may keep and serve as ``name``: rewritten, then read
    and audited again, which must find nothing. Returns (the copy, None), or (None, why it is left out).

    Pixels are not audited, so a file is kept only when burned-in annotation is declared NO for the dataset and
    its header does not say YES; US, SC, XA (and the other modalities that burn text in) and Secondary Capture
    must say NO themselves."""
    if declared_burned_in != "NO":
        return None, "burned-in annotation is not declared NO"
    original = read_original(data)
    if isinstance(original, str):
        return None, original
    header, audit = original
    why = burned_in_refusal(header, audit)
    if why:
        return None, why
    out, _, why = checked_copy(data, name, deidentifier, audit)
    return out, why


def read_original(data: bytes) -> tuple[Any, Any] | str:
    """The bounded reader's header of the original file ``data`` and its audit, or why it cannot be read."""

    try:
        header = parse(data, len(data), AUDIT_CAPTURE, AUDIT_WATCH, sequence_tags())
    except HeaderError as exc:
        return f"cannot be read: {exc.reason}"
    return header, audit_header(header)


def burned_in_refusal(header: Any, audit: Any) -> str | None:
    """Why pixel data of this original may carry burned-in text (its header says YES, or it is of a modality that
    burns text in without saying NO); None when the header gives no such reason."""

    if audit.burned_in_annotation == "YES":
        return "its header says BurnedInAnnotation YES"
    if audit.burned_in_annotation != "NO" and burns_in(header.top):
        return "a modality that burns text in, without BurnedInAnnotation NO in its header"
    return None


def checked_copy(
    data: bytes, name: str, deidentifier: Deidentifier, original_audit: Any, pixels: Callable[[Any], None] | None = None
) -> tuple[bytes | None, Any, str | None]:
    """``data`` rewritten (descriptions kept as ``original_audit`` allows), then audited again as ``name``, which
    must find nothing: (the copy, its pydicom Dataset, None), or (None, None, why it is left out)."""

    try:
        out, ds = deidentifier.rewrite_dataset(
            data,
            {
                "SeriesDescription": original_audit.series_description,
                "StudyDescription": original_audit.study_description,
            },
            pixels,
        )
    except RewriteError as exc:
        return None, None, str(exc)
    count, flagged = audit_content(out, name)
    if count != 1 or flagged:
        return None, None, "the rewritten file still fails the audit" + _found(flagged)
    return out, ds, None


def rewrite_content(
    data: bytes,
    name: str,
    deidentifier: Deidentifier,
    declared_burned_in: str | None,
    *,
    accept_member: Callable[[str], str | None] | None = None,
) -> tuple[bytes | None, list[tuple[str | None, str]]]:
    """The content the catalog keeps for a file holding DICOM (a DICOM file, or a zip of files some of which are
    DICOM): every DICOM file replaced by its :func:`served_copy`, other zip members kept as they are, the zip
    rebuilt deterministically. Returns (the content, []) or (None, [(member or None, why)]) when any DICOM
    file cannot be kept (a dataset's data is kept whole or not at all), or when it is another kind of archive.

    With ``accept_member`` (a zip of DICOM the catalog did not build: an uploaded ``dicom.zip``, see
    ingestion.ingest_bundle), which says why a member's name is not accepted (None when it is), every member must
    be a DICOM file with an accepted name whose own audit already finds nothing, and whose copy may be kept; any
    other member is left out and the rest kept. Returns (the content, [(member, why)] for those left out), the
    content None when no member is kept."""

    kind = archive_kind(data[:512])
    if kind is None:
        copy, why = served_copy(data, name, deidentifier, declared_burned_in)
        return (copy, []) if copy is not None else (None, [(None, why or "left out")])
    if kind != "zip":
        return None, [(None, f"DICOM inside a {kind} archive: the catalog rewrites DICOM in zips only")]
    problems: list[tuple[str | None, str]] = []
    kept_count = 0
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in sorted((i for i in source.infolist() if not i.is_dir()), key=lambda i: i.filename):
            refused = accept_member(info.filename) if accept_member else None
            if refused:
                problems.append((info.filename, refused))
                continue
            if info.file_size > MAX_NESTED_ARCHIVE_BYTES:  # read whole into memory: bounded as nested archives are
                problems.append((info.filename, f"larger than {MAX_NESTED_ARCHIVE_BYTES // 2**20} MiB"))
                continue
            try:
                member = source.read(info)
            except ARCHIVE_ERRORS:
                problems.append((info.filename, "it cannot be read from the archive"))
                continue
            if is_archive(member[:512]):
                problems.append((info.filename, "an archive inside the archive: not rewritten"))
                continue
            if _is_dicom(member):
                count, flagged = audit_content(member, info.filename) if accept_member else (1, [])
                if count != 1 or flagged:
                    problems.append((info.filename, "the uploaded file fails the audit" + _found(flagged)))
                    continue
                copy, why = served_copy(member, info.filename, deidentifier, declared_burned_in)
                if copy is None:
                    problems.append((info.filename, why or "left out"))
                    continue
                member = copy
            elif accept_member:
                problems.append((info.filename, "not a DICOM file"))
                continue
            kept = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            kept.external_attr, kept.compress_type = 0o644 << 16, zipfile.ZIP_DEFLATED
            target.writestr(kept, member)
            kept_count += 1
    if accept_member:
        return (out.getvalue() if kept_count else None), problems
    return (None, problems) if problems else (out.getvalue(), [])


def _found(flagged: list[Any]) -> str:
    """The keywords the audit flagged (never a value), as `` (A, B)``; empty when it names none."""
    found = sorted({f.keyword for problem in flagged if problem.audit for f in problem.audit.findings})
    return f" ({', '.join(found)})" if found else ""


def _is_dicom(data: bytes) -> bool:
    """Whether the bounded reader takes ``data`` for DICOM (with or without a preamble), as the audit does."""

    try:
        parse(data, len(data), AUDIT_CAPTURE, AUDIT_WATCH, sequence_tags())
    except HeaderError as exc:
        return not exc.not_dicom
    return True
