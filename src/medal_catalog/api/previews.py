"""Preview images of a series, rendered from the catalog's own de-identified rewrite (the dataset's ``dicom.zip``,
members ``<series id>/<n>.dcm``), under the data's access rules, and cached.

Who sees a preview is who may fetch the data (:func:`~medal_catalog.api.access.require_data`): anyone for an
open dataset the caller may see, the owner and admins for a controlled one (401 anonymous, 403 signed in), never
for a hidden-test one, whoever asks (404: a sequestered test set is not looked at through the catalog). Only files
the rewrite kept are shown: it keeps none unless burned-in annotation was declared NO (and leaves out a file whose
header says otherwise); a dataset whose record says YES, or whose audit flags burned-in annotation, gets no
preview unless its pixel data were cleaned (``clean_pixel_data`` among its options).

Two caches, both in memory and bounded: the slice order of each series of an archive (read once per archive
version: the archive's sha256 is part of the key, so a re-harvest is never served stale), and rendered PNGs. Both
are also kept in the store (api/derived.py, fingerprinted by the archive's sha256), where :func:`prepare` puts
the middle slice of every series after a harvest, so that a new process serves a series page's images without
reading the archive or decoding pixels (issue 29). The store keeps the bytes only: every request passes
:func:`check_access` first, and a hidden-test dataset is never rendered.
"""

from __future__ import annotations

import io
import json
import threading
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from medal_catalog.api.access import Caller, require_data, view_of
from medal_catalog.api.render import visible
from medal_catalog.catalog import Catalog
from medal_catalog.croissant.vocabulary import DICOM_ARCHIVE
from medal_catalog.dicom.preview import THUMBNAIL, VIEW, PreviewError, render, slice_key
from medal_catalog.errors import NotFound
from medal_catalog.store import StoredArtefact

#: Sizes of preview offered: name -> longest side in pixels.
SIZES = {"thumbnail": THUMBNAIL, "view": VIEW}
#: The rendered PNGs kept, in bytes.
CACHE_BYTES = 64 * 1024 * 1024
#: The largest archive whose bytes are kept between two previews.
ARCHIVE_KEPT_BYTES = 256 * 1024 * 1024
#: Archives whose slice order is kept.
ARCHIVES_KEPT = 8


@dataclass(frozen=True, slots=True)
class Slice:
    """One slice of a series: a member of the archive and a frame of it."""

    member: str
    frame: int


@dataclass(frozen=True, slots=True)
class SeriesImages:
    """What a caller may preview of a series: its dataset, the archive version and the slices in order."""

    series_id: str
    dataset_id: str
    archive_sha256: str
    slices: tuple[Slice, ...]

    @property
    def middle(self) -> int:
        return len(self.slices) // 2


def burned_in_refusal(dataset: dict[str, Any]) -> str | None:
    """Why a dataset's pixels may not be previewed for burned-in text, or None when they may.

    The served copy itself exists only when the contributor declared burned-in annotation NO and each file's
    header agreed (:func:`~medal_catalog.dicom.deidentify.served_copy`); the dataset's record then says what the
    headers found (``UNKNOWN`` when they are silent). A record of YES, or an audit finding of burned-in
    annotation, stops previews unless pixel cleaning was applied."""
    deid = dataset.get("deidentification") or {}
    if "clean_pixel_data" in (deid.get("profile_options") or []):
        return None
    findings = ((deid.get("audit") or {}).get("findings")) or []
    if any(f.get("attribute") == "BurnedInAnnotation" for f in findings if isinstance(f, dict)):
        return "the audit flagged burned-in annotation and no pixel cleaning was applied"
    if deid.get("burned_in_annotation") == "YES":
        return "its pixels carry burned-in annotation and no pixel cleaning was applied"
    return None


def check_access(catalog: Catalog, caller: Caller, series_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The series and its dataset documents when ``caller`` may see the series' images; else the error the data
    gets: 404 (series not visible, hidden test), 401 anonymous / 403 signed in (controlled)."""
    current, _ = visible(catalog, caller, "ImagingSeries", series_id)
    series = current.document or {}
    dataset = catalog.get("ImagingDataset", str(series.get("dataset", "")))
    view = view_of(catalog, caller, dataset) if dataset is not None else None
    if dataset is None or view is None or (dataset.document or {}).get("access_level") == "hidden_test":
        raise NotFound(f"the images of series {series_id!r} are not published")
    require_data(caller, dataset.document, view, f"the images of series {series_id!r}")
    return series, dataset.document or {}


class Previews:
    """The preview caches of one app (thread-safe)."""

    def __init__(self, cache_bytes: int = CACHE_BYTES) -> None:
        self._lock = threading.Lock()
        self._images: OrderedDict[tuple[str, str, str, int, str], bytes] = OrderedDict()
        self._bytes = 0
        self._limit = cache_bytes
        self._orders: OrderedDict[tuple[str, str], dict[str, tuple[Slice, ...]]] = OrderedDict()
        self._last_archive: tuple[tuple[str, str], bytes] | None = None
        self.hits = 0
        self.misses = 0

    def series(self, catalog: Catalog, series_id: str, dataset: dict[str, Any]) -> SeriesImages:
        """The slices of a series in its dataset's archive, in order; 404 with the reason when there are none."""
        why = burned_in_refusal(dataset)
        if why:
            raise NotFound(f"no preview of series {series_id!r}: {why}")
        dataset_id = str(dataset.get("id"))
        stored = next((f for f in catalog.list_files("ImagingDataset", dataset_id) if f.path == DICOM_ARCHIVE), None)
        if stored is None:
            raise NotFound(
                f"no preview of series {series_id!r}: the catalog keeps no de-identified copy of its "
                "images (the harvest report says why)"
            )
        key = (dataset_id, stored.sha256)
        with self._lock:
            orders = self._orders.get(key)
            if orders is not None:
                self._orders.move_to_end(key)
        if orders is None:
            orders = self._kept_orders(catalog, dataset_id, stored.sha256)
            with self._lock:
                self._orders[key] = orders
                while len(self._orders) > ARCHIVES_KEPT:
                    self._orders.popitem(last=False)
        slices = orders.get(series_id)
        if not slices:
            raise NotFound(f"no preview of series {series_id!r}: none of its files is in the de-identified copy")
        return SeriesImages(series_id, dataset_id, stored.sha256, slices)

    def _archive(self, catalog: Catalog, images: SeriesImages) -> bytes:
        """The archive's bytes: the last one read is kept (a page asks for several slices of one series)."""
        with self._lock:
            last = self._last_archive
        if last is not None and last[0] == (images.dataset_id, images.archive_sha256):
            return last[1]
        stored = catalog.get_file("ImagingDataset", images.dataset_id, DICOM_ARCHIVE)
        if stored is None or stored.data is None or stored.sha256 != images.archive_sha256:
            raise NotFound(f"the de-identified copy of series {images.series_id!r} changed: reload the page")
        if len(stored.data) <= ARCHIVE_KEPT_BYTES:
            with self._lock:
                self._last_archive = ((images.dataset_id, stored.sha256), stored.data)
        return stored.data

    def _kept_orders(self, catalog: Catalog, dataset_id: str, sha256: str) -> dict[str, tuple[Slice, ...]]:
        """The slice orders of an archive: from the store when kept for this archive, else read and kept."""
        key = order_key(dataset_id)
        kept = catalog.get_artefacts([key]).get(key)
        if kept is not None and kept.fingerprint == sha256:
            return {s: tuple(Slice(m, f) for m, f in rows) for s, rows in json.loads(kept.data).items()}
        orders = self._read_orders(catalog, dataset_id)
        data = json.dumps({s: [[x.member, x.frame] for x in rows] for s, rows in orders.items()}).encode()
        catalog.put_artefacts([StoredArtefact(key, sha256, "application/json", data)])
        return orders

    @staticmethod
    def _read_orders(catalog: Catalog, dataset_id: str) -> dict[str, tuple[Slice, ...]]:
        stored = catalog.get_file("ImagingDataset", dataset_id, DICOM_ARCHIVE)
        if stored is None or stored.data is None:
            return {}
        # series -> (sort key, member, frame) per slice
        keyed: dict[str, list[tuple[tuple[bool, float, int, str, int], str, int]]] = {}
        with zipfile.ZipFile(io.BytesIO(stored.data)) as archive:
            for name in archive.namelist():
                series_id, _, rest = name.partition("/")
                if not rest or not name.endswith(".dcm"):
                    continue
                try:
                    key = slice_key(archive.read(name))
                except PreviewError:
                    continue
                for frame in range(key.frames):
                    # Position first (None last), then instance number, then the member's own order.
                    keyed.setdefault(series_id, []).append(
                        ((key.position is None, key.position or 0.0, key.instance, name, frame), name, frame)
                    )
        return {s: tuple(Slice(name, frame) for _, name, frame in sorted(rows)) for s, rows in keyed.items()}

    def image(self, catalog: Catalog, images: SeriesImages, index: int, size: str) -> bytes:
        """The PNG of slice ``index`` (0-based) at ``size`` (``thumbnail`` / ``view``)."""
        if size not in SIZES:
            raise NotFound(f"no preview size {size!r} (use {', '.join(SIZES)})")
        if not 0 <= index < len(images.slices):
            raise NotFound(f"series {images.series_id!r} has slices 0 to {len(images.slices) - 1}, not {index}")
        key = (images.dataset_id, images.archive_sha256, images.series_id, index, size)
        with self._lock:
            found = self._images.get(key)
            if found is not None:
                self._images.move_to_end(key)
                self.hits += 1
                return found
            self.misses += 1
        stored_key = image_key(images.dataset_id, images.series_id, index, size)
        kept = catalog.get_artefacts([stored_key]).get(stored_key)
        if kept is not None and kept.fingerprint == images.archive_sha256:
            png = kept.data
        else:
            chosen = images.slices[index]
            with zipfile.ZipFile(io.BytesIO(self._archive(catalog, images))) as archive:
                data = archive.read(chosen.member)
            try:
                png = render(data, chosen.frame, SIZES[size])
            except PreviewError as exc:
                raise NotFound(f"no preview of slice {index} of series {images.series_id!r}: {exc}") from None
            catalog.put_artefacts([StoredArtefact(stored_key, images.archive_sha256, "image/png", png)])
        with self._lock:
            if key not in self._images:
                self._images[key] = png
                self._bytes += len(png)
            while self._bytes > self._limit and self._images:
                _, dropped = self._images.popitem(last=False)
                self._bytes -= len(dropped)
        return png


def order_key(dataset_id: str) -> str:
    """The store key of the slice orders of a dataset's archive."""
    return f"preview-order:{dataset_id}"


def image_key(dataset_id: str, series_id: str, index: int, size: str) -> str:
    """The store key of one preview PNG."""
    return f"preview:{dataset_id}:{series_id}:{index}:{size}"


def prepare(catalog: Catalog, dataset: dict[str, Any], previews: Previews | None = None) -> int:
    """Keep in the store what a series page of ``dataset`` shows first: the slice orders and the middle slice of
    every series at both sizes, unless kept already for this archive. Nothing for a hidden-test dataset, one
    whose pixels may not be previewed (:func:`burned_in_refusal`) or one without a de-identified copy. Returns how
    many images were not kept yet."""
    dataset_id = str(dataset.get("id"))
    stored = next((f for f in catalog.list_files("ImagingDataset", dataset_id) if f.path == DICOM_ARCHIVE), None)
    kept = catalog.artefact_fingerprints(f"preview:{dataset_id}:")
    if stored is None or dataset.get("access_level") == "hidden_test" or burned_in_refusal(dataset):
        if kept:  # requests are refused before any kept image is looked at; the images go too, as the data would
            catalog.drop_artefacts(f"preview:{dataset_id}:")
        return 0
    previews = previews or Previews()
    made = 0
    for series_id, slices in sorted(previews._kept_orders(catalog, dataset_id, stored.sha256).items()):
        images = SeriesImages(series_id, dataset_id, stored.sha256, slices)
        for size in SIZES:
            if kept.get(image_key(dataset_id, series_id, images.middle, size)) == stored.sha256:
                continue
            try:
                previews.image(catalog, images, images.middle, size)
            except NotFound:
                continue
            made += 1
    return made


_APP_LOCK = threading.Lock()


def previews_of(state: Any) -> Previews:
    """The app's preview caches (``app.state.previews``), made on first use."""
    found = getattr(state, "previews", None)
    if found is None:
        with _APP_LOCK:
            found = getattr(state, "previews", None)
            if found is None:
                found = state.previews = Previews()
    return found
