"""The DICOMweb view (PS3.18, read-only) of the catalog's de-identified rewrites: every dataset's ``dicom.zip``
indexed by Study, Series and SOP Instance UID, its headers as DICOM JSON (PS3.18 F.2), and the QIDO-RS matching
rules this server implements (PS3.18 8.3.4: single value, wildcard ``*``/``?`` on strings, UID lists, date and
time ranges; ``includefield``, ``limit``, ``offset``).

Only the rewrite is ever read: a file the harvest left out of the archive does not exist here. Access is the data's
(api/access.py): a search finds only the studies of datasets the caller may fetch; a retrieve by UID of a dataset
the caller may see but not fetch answers 401/403, of one they may not see (or hidden-test, for anyone) 404. The
index of one archive version (keyed by its sha256) is built on first use and kept, bounded.
"""

from __future__ import annotations

import io
import re
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from medal_catalog.api.access import Caller, View, may_fetch_data, require_data, search_scope, view_of
from medal_catalog.catalog import Catalog
from medal_catalog.croissant.vocabulary import DICOM_ARCHIVE
from medal_catalog.errors import NotFound, UsageError

if TYPE_CHECKING:
    from pydicom.dataset import Dataset

# pydicom is imported where a DICOMweb request first needs it, not with the app: it adds about 150-280 ms to the
# start of every server and test app (python -X importtime), and most never answer a DICOMweb request.

#: Instance headers kept in the index (pixel data never): a query walks every visible dataset's index, so the
#: cache holds them by instance count, not by archive, and a catalog of many small datasets does not re-read every
#: archive on each query. At 2-10 KB a header, 200,000 of them take 0.4-2 GB.
INSTANCES_KEPT = 200_000
#: Binary values longer than this are left out of metadata (pixel data is retrieved as frames or instances).
BULK_BYTES = 1024
_BINARY_VRS = {"OB", "OD", "OF", "OL", "OV", "OW", "UN"}

#: The attributes each QIDO-RS level returns by default (PS3.18 Table 6.7.1-2), as keywords.
STUDY_FIELDS = (
    "StudyDate",
    "StudyTime",
    "AccessionNumber",
    "ModalitiesInStudy",
    "ReferringPhysicianName",
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "PatientSex",
    "StudyInstanceUID",
    "StudyID",
    "StudyDescription",
    "NumberOfStudyRelatedSeries",
    "NumberOfStudyRelatedInstances",
)
SERIES_FIELDS = (
    "Modality",
    "SeriesDescription",
    "SeriesNumber",
    "SeriesInstanceUID",
    "StudyInstanceUID",
    "NumberOfSeriesRelatedInstances",
    "PerformedProcedureStepStartDate",
    "BodyPartExamined",
)
INSTANCE_FIELDS = (
    "SOPClassUID",
    "SOPInstanceUID",
    "InstanceNumber",
    "Rows",
    "Columns",
    "BitsAllocated",
    "NumberOfFrames",
    "StudyInstanceUID",
    "SeriesInstanceUID",
)
#: Query parameters that are not attribute matches.
CONTROL = ("includefield", "limit", "offset", "fuzzymatching")


@dataclass(frozen=True, slots=True)
class Instance:
    """One file of a rewrite: where it is, its UIDs and its header (without pixel data) as pydicom read it."""

    dataset_id: str
    member: str
    study: str
    series: str
    sop: str
    header: Dataset  # without pixel data


def tag_of(name: str) -> int:
    """The tag of a QIDO attribute parameter: a keyword (``StudyDate``) or eight hex digits (``00080020``);
    400 for neither."""
    from pydicom.datadict import tag_for_keyword

    if re.fullmatch(r"[0-9A-Fa-f]{8}", name):
        return int(name, 16)
    tag = tag_for_keyword(name)
    if tag is None:
        raise UsageError(
            f"{name!r} is neither a DICOM keyword nor a tag (gggg eeee in hex); QIDO-RS also takes {', '.join(CONTROL)}"
        )
    return int(tag)


def _element_json(header: Dataset, tag: int) -> dict[str, Any] | None:
    """One attribute of a header as DICOM JSON; None when absent or binary (bulk data is not searched)."""
    if tag not in header or header[tag].VR in _BINARY_VRS:
        return None
    return header[tag].to_json_dict(bulk_data_element_handler=None, bulk_data_threshold=BULK_BYTES)


def _value(vr: str, values: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"vr": vr}
    if values:
        out["Value"] = values
    return out


def metadata(header: Dataset) -> dict[str, Any]:
    """The DICOM JSON of a whole header, pixel data and long binary values left out."""
    from pydicom.dataset import Dataset

    kept = Dataset()
    for element in header:
        if element.tag.group == 0x7FE0 or element.tag.is_private:
            continue
        if element.VR in _BINARY_VRS and element.value is not None and len(element.value) > BULK_BYTES:
            continue
        kept.add(element)
    return kept.to_json_dict(bulk_data_element_handler=lambda _: "", bulk_data_threshold=1 << 30)


def _text(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue":
        return [str(v) for v in value]
    return [str(value)]


def matches(header_values: list[str], wanted: str, vr: str) -> bool:
    """Whether one attribute's values match a QIDO-RS query value (PS3.18 8.3.4.1): empty matches anything;
    UID lists; date/time ranges (``a-b``, ``a-``, ``-b``); ``*``/``?`` wildcards; else exact (person names and
    codes case-insensitive)."""
    if wanted == "":
        return True
    if vr == "UI":
        return any(v in wanted.split(",") for v in header_values) or any(v in wanted.split("\\") for v in header_values)
    if vr in ("DA", "TM", "DT") and "-" in wanted:
        low, _, high = wanted.partition("-")
        return any((not low or v >= low) and (not high or v[: len(high)] <= high) for v in header_values)
    if "*" in wanted or "?" in wanted:
        pattern = re.compile(
            "^" + re.escape(wanted).replace(r"\*", ".*").replace(r"\?", ".") + "$", re.IGNORECASE if vr == "PN" else 0
        )
        return any(pattern.match(v) for v in header_values)
    if vr == "PN":
        return any(v.lower() == wanted.lower() for v in header_values)
    return wanted in header_values


class Archives:
    """The UID index of every archive read so far (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: OrderedDict[tuple[str, str], tuple[Instance, ...]] = OrderedDict()

    def instances(self, catalog: Catalog, dataset_id: str) -> tuple[Instance, ...]:
        """The instances in a dataset's rewrite (none when it has no archive)."""
        stored = next((f for f in catalog.list_files("ImagingDataset", dataset_id) if f.path == DICOM_ARCHIVE), None)
        if stored is None:
            return ()
        key = (dataset_id, stored.sha256)
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return found
        found = tuple(_read(catalog, dataset_id))
        with self._lock:
            self._kept[key] = found
            while len(self._kept) > 1 and sum(len(v) for v in self._kept.values()) > INSTANCES_KEPT:
                self._kept.popitem(last=False)
        return found

    def file(self, catalog: Catalog, instance: Instance) -> bytes:
        """The bytes of one instance as the rewrite holds them."""
        return self.files(catalog, [instance])[0]

    def files(self, catalog: Catalog, instances: list[Instance]) -> list[bytes]:
        """The bytes of each instance, in order: each dataset's archive is read from the store once (a study of N
        instances is one read, not N)."""
        by_dataset: dict[str, list[int]] = {}
        for i, instance in enumerate(instances):
            by_dataset.setdefault(instance.dataset_id, []).append(i)
        out: list[bytes] = [b""] * len(instances)
        for dataset_id, positions in by_dataset.items():
            stored = catalog.get_file("ImagingDataset", dataset_id, DICOM_ARCHIVE)
            if stored is None or stored.data is None:
                raise NotFound("the de-identified copy changed: search again")
            with zipfile.ZipFile(io.BytesIO(stored.data)) as archive:
                for i in positions:
                    try:
                        out[i] = archive.read(instances[i].member)
                    except KeyError:
                        raise NotFound("the de-identified copy changed: search again") from None
        return out


def _read(catalog: Catalog, dataset_id: str) -> Iterator[Instance]:
    import pydicom

    stored = catalog.get_file("ImagingDataset", dataset_id, DICOM_ARCHIVE)
    if stored is None or stored.data is None:
        return
    with zipfile.ZipFile(io.BytesIO(stored.data)) as archive:
        for name in sorted(archive.namelist()):
            if not name.endswith(".dcm"):
                continue
            try:
                header = pydicom.dcmread(io.BytesIO(archive.read(name)), stop_before_pixels=True)
                yield Instance(
                    dataset_id,
                    name,
                    str(header.StudyInstanceUID),
                    str(header.SeriesInstanceUID),
                    str(header.SOPInstanceUID),
                    header,
                )
            except Exception:  # a member pydicom cannot read is not served; the reason names no value
                continue


def _candidates(catalog: Catalog, caller: Caller) -> list[tuple[str, dict[str, Any], View]]:
    """(dataset id, document, view) of every dataset the caller finds and that is not hidden-test."""
    scope = search_scope(catalog, caller)
    hits, page = [], 1
    while True:
        result = catalog.search("", filters={"type": "ImagingDataset"}, sort="key", page=page, size=500, scope=scope)
        hits += result.hits
        if page * 500 >= result.total:
            break
        page += 1
    found = catalog.get_many(h.key for h in hits)
    out: list[tuple[str, dict[str, Any], View]] = []
    for hit in hits:
        version = found.get(hit.key)
        if version is None or version.document is None:
            continue
        view = view_of(catalog, caller, version)
        if view is None or version.document.get("access_level") == "hidden_test":
            continue
        out.append((hit.id, version.document, view))
    return out


def fetchable(catalog: Catalog, caller: Caller, archives: Archives) -> list[Instance]:
    """Every instance the caller may retrieve: of the datasets they find, may fetch, and that are not
    hidden-test."""
    out: list[Instance] = []
    for dataset_id, document, view in _candidates(catalog, caller):
        if may_fetch_data(document, view):
            out += archives.instances(catalog, dataset_id)
    return out


def locate(
    catalog: Catalog, caller: Caller, archives: Archives, study: str, series: str | None = None, sop: str | None = None
) -> list[Instance]:
    """The instances of a study (series, instance) for a retrieve: 404 when no dataset the caller may see holds
    it; 401/403 (require_data) when they may see it but not fetch its data."""
    for dataset_id, document, view in _candidates(catalog, caller):
        chosen = [
            i
            for i in archives.instances(catalog, dataset_id)
            if i.study == study and (series is None or i.series == series) and (sop is None or i.sop == sop)
        ]
        if chosen:
            require_data(caller, document, view, f"study {study}")
            return chosen
    what = "instance" if sop else "series" if series else "study"
    raise NotFound(f"no {what} with that UID is visible to you")


def _first_json(instances: list[Instance], tag: int) -> dict[str, Any] | None:
    for instance in instances:
        found = _element_json(instance.header, tag)
        if found is not None:
            return found
    return None


def _level_json(level: str, group: list[Instance], fields: Iterable[int]) -> dict[str, Any]:
    from pydicom.datadict import dictionary_VR

    out: dict[str, Any] = {}
    for tag in fields:
        found = _first_json(group, tag)
        if found is not None:
            out[f"{tag:08X}"] = found
    if level == "study":
        out["00201206"] = _value("IS", [len({i.series for i in group})])
        out["00201208"] = _value("IS", [len(group)])
        modalities = sorted({str(i.header.get("Modality", "")) for i in group} - {""})
        out["00080061"] = _value("CS", modalities)
    elif level == "series":
        out["00201209"] = _value("IS", [len(group)])
    for hex_tag in list(out):
        out[hex_tag].setdefault("vr", dictionary_VR(int(hex_tag, 16)))
    return dict(sorted(out.items()))


def search(
    instances: list[Instance],
    level: str,
    params: list[tuple[str, str]],
    study: str | None = None,
    series: str | None = None,
) -> list[dict[str, Any]]:
    """The QIDO-RS answer at ``level`` (studies, series, instances) over ``instances``, within ``study`` /
    ``series`` when the path names them: matching, includefield, offset and limit."""
    from pydicom.datadict import dictionary_VR, keyword_for_tag

    defaults = {"study": STUDY_FIELDS, "series": SERIES_FIELDS, "instance": INSTANCE_FIELDS}[level]
    fields = [tag_of(k) for k in defaults]
    matching: list[tuple[int, str]] = []
    limit, offset, everything = None, 0, False
    for name, value in params:
        if name == "includefield":
            for item in value.split(","):
                if item.strip() == "all":
                    everything = True
                elif item.strip():
                    fields.append(tag_of(item.strip()))
        elif name in ("limit", "offset"):
            try:
                number = int(value)
            except ValueError:
                raise UsageError(f"{name} must be a whole number, not {value!r}") from None
            if number < 0:
                raise UsageError(f"{name} must not be negative")
            limit, offset = (number, offset) if name == "limit" else (limit, number)
        elif name == "fuzzymatching":
            continue
        else:
            matching.append((tag_of(name), value))
            fields.append(tag_of(name))
    chosen = [i for i in instances if (study is None or i.study == study) and (series is None or i.series == series)]
    keys: dict[str, Callable[[Instance], Hashable]] = {
        "study": lambda i: i.study,
        "series": lambda i: (i.study, i.series),
        "instance": lambda i: i.sop,
    }
    key = keys[level]
    groups: dict[Hashable, list[Instance]] = {}
    for instance in chosen:
        groups.setdefault(key(instance), []).append(instance)
    out: list[dict[str, Any]] = []
    for group in groups.values():
        ok = True
        for tag, wanted in matching:
            if tag == 0x00080061:  # ModalitiesInStudy: any series' modality
                values = sorted({str(i.header.get("Modality", "")) for i in group})
                ok = any(v in wanted.split(",") or v in wanted.split("\\") for v in values)
            else:
                values = sorted({v for i in group for v in _text(i.header.get(tag).value if tag in i.header else None)})
                ok = matches(values, wanted, dictionary_VR(tag) if keyword_for_tag(tag) else "LO")
            if not ok:
                break
        if not ok:
            continue
        tags = fields
        if everything:
            tags = sorted(
                {int(e.tag) for i in group[:1] for e in i.header if e.tag.group != 0x7FE0 and not e.tag.is_private}
                | set(fields)
            )
        out.append(_level_json(level, group, tags))
    out = out[offset:]
    return out[:limit] if limit is not None else out
