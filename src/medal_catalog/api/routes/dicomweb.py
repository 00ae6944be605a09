"""``/dicomweb``: DICOMweb read-only (PS3.18) over the catalog's de-identified rewrites, under the data's access
rules (api/dicomweb.py). QIDO-RS searches studies, series and instances (``application/dicom+json``); WADO-RS
retrieves instances, series and studies (``multipart/related; type="application/dicom"``), their metadata, frames
(``application/octet-stream``) and rendered images (``image/png``). Viewers (OHIF, 3D Slicer's DICOMweb browser)
connect with ``{catalog}/dicomweb`` as both the QIDO and the WADO root."""

from __future__ import annotations

import io
import secrets
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from medal_catalog.api import dicomweb as web
from medal_catalog.api.access import Caller
from medal_catalog.api.deps import CallerDep, CatalogDep
from medal_catalog.api.envelope import Responses
from medal_catalog.api.previews import burned_in_refusal
from medal_catalog.catalog import Catalog
from medal_catalog.dicom.preview import PreviewError, render
from medal_catalog.errors import NotAcceptable, NotFound

router = APIRouter(prefix="/dicomweb", tags=["dicomweb"])
DICOM_JSON = "application/dicom+json"
Uid = Annotated[str, Path(pattern=r"^[0-9.]{1,64}$", description="a DICOM UID")]
_QIDO: Responses = {200: {"content": {DICOM_JSON: {}}, "description": "matching results (an empty array when none)"}}
_WADO: Responses = {200: {"content": {"multipart/related": {}}, "description": "the instances, one part each"}}


def _archives(request: Request) -> web.Archives:
    state = request.app.state
    found: web.Archives | None = getattr(state, "dicomweb", None)
    if found is None:
        found = state.dicomweb = web.Archives()
    return found


def _json(body: object) -> Response:
    return Response(orjson.dumps(body), media_type=DICOM_JSON, headers={"Vary": "Authorization"})


async def _search(
    request: Request, catalog: Catalog, caller: Caller, level: str, study: str | None = None, series: str | None = None
) -> Response:
    archives = _archives(request)
    params = list(request.query_params.multi_items())

    def work() -> list[dict[str, Any]]:
        instances = web.fetchable(catalog, caller, archives)
        if study is not None and not any(i.study == study for i in instances):
            web.locate(catalog, caller, archives, study, series)  # 401/403/404 as a retrieve would answer
        return web.search(instances, level, params, study, series)

    return _json(await run_in_threadpool(work))


@router.get("/studies", responses=_QIDO)
async def search_studies(request: Request, catalog: CatalogDep, caller: CallerDep) -> Response:
    """QIDO-RS: the studies the caller may retrieve. Match by keyword or tag (``PatientID=...``,
    ``StudyDate=20190101-20191231``, ``ModalitiesInStudy=MR``, wildcards ``*``/``?``); ``includefield``, ``limit``,
    ``offset``."""
    return await _search(request, catalog, caller, "study")


@router.get("/series", responses=_QIDO)
async def search_series(request: Request, catalog: CatalogDep, caller: CallerDep) -> Response:
    """QIDO-RS: every series the caller may retrieve, matched as /studies is."""
    return await _search(request, catalog, caller, "series")


@router.get("/instances", responses=_QIDO)
async def search_instances(request: Request, catalog: CatalogDep, caller: CallerDep) -> Response:
    """QIDO-RS: every instance the caller may retrieve, matched as /studies is."""
    return await _search(request, catalog, caller, "instance")


@router.get("/studies/{study}/series", responses=_QIDO)
async def search_study_series(study: Uid, request: Request, catalog: CatalogDep, caller: CallerDep) -> Response:
    """QIDO-RS: the series of one study."""
    return await _search(request, catalog, caller, "series", study)


@router.get("/studies/{study}/instances", responses=_QIDO)
async def search_study_instances(study: Uid, request: Request, catalog: CatalogDep, caller: CallerDep) -> Response:
    """QIDO-RS: the instances of one study."""
    return await _search(request, catalog, caller, "instance", study)


@router.get("/studies/{study}/series/{series}/instances", responses=_QIDO)
async def search_series_instances(
    study: Uid, series: Uid, request: Request, catalog: CatalogDep, caller: CallerDep
) -> Response:
    """QIDO-RS: the instances of one series."""
    return await _search(request, catalog, caller, "instance", study, series)


def _multipart(parts: list[tuple[bytes, str]], kind: str) -> Response:
    boundary = secrets.token_hex(16)
    body = bytearray()
    for data, media in parts:
        body += f"--{boundary}\r\nContent-Type: {media}\r\n\r\n".encode() + data + b"\r\n"
    body += f"--{boundary}--".encode()
    return Response(
        bytes(body),
        media_type=f'multipart/related; type="{kind}"; boundary={boundary}',
        headers={"Vary": "Authorization"},
    )


def _transfer_syntax(instance: web.Instance) -> str:
    meta = getattr(instance.header, "file_meta", None)
    return str(getattr(meta, "TransferSyntaxUID", "1.2.840.10008.1.2.1"))


async def _retrieve(
    request: Request, catalog: Catalog, caller: Caller, study: str, series: str | None = None, sop: str | None = None
) -> Response:
    accept = request.headers.get("accept", "")
    if accept and not any(t in accept for t in ("multipart/related", "application/dicom", "*/*")):
        raise NotAcceptable('WADO-RS retrieve answers multipart/related; type="application/dicom"')
    archives = _archives(request)

    def work() -> list[tuple[bytes, str]]:
        found = web.locate(catalog, caller, archives, study, series, sop)
        return [
            (data, f"application/dicom; transfer-syntax={_transfer_syntax(i)}")
            for i, data in zip(found, archives.files(catalog, found))
        ]

    return _multipart(await run_in_threadpool(work), "application/dicom")


async def _metadata(
    request: Request, catalog: Catalog, caller: Caller, study: str, series: str | None = None, sop: str | None = None
) -> Response:
    archives = _archives(request)

    def work() -> list[dict[str, Any]]:
        return [web.metadata(i.header) for i in web.locate(catalog, caller, archives, study, series, sop)]

    return _json(await run_in_threadpool(work))


@router.get("/studies/{study}", responses=_WADO)
async def retrieve_study(study: Uid, request: Request, catalog: CatalogDep, caller: CallerDep) -> Response:
    """WADO-RS: every instance of a study (401/403 when the caller may see but not fetch its data)."""
    return await _retrieve(request, catalog, caller, study)


@router.get("/studies/{study}/series/{series}", responses=_WADO)
async def retrieve_series(
    study: Uid, series: Uid, request: Request, catalog: CatalogDep, caller: CallerDep
) -> Response:
    """WADO-RS: every instance of a series."""
    return await _retrieve(request, catalog, caller, study, series)


@router.get("/studies/{study}/series/{series}/instances/{sop}", responses=_WADO)
async def retrieve_instance(
    study: Uid, series: Uid, sop: Uid, request: Request, catalog: CatalogDep, caller: CallerDep
) -> Response:
    """WADO-RS: one instance, as the catalog's de-identified rewrite holds it."""
    return await _retrieve(request, catalog, caller, study, series, sop)


@router.get("/studies/{study}/metadata", responses=_QIDO)
async def study_metadata(study: Uid, request: Request, catalog: CatalogDep, caller: CallerDep) -> Response:
    """WADO-RS: the headers of every instance of a study (DICOM JSON, pixel data left out)."""
    return await _metadata(request, catalog, caller, study)


@router.get("/studies/{study}/series/{series}/metadata", responses=_QIDO)
async def series_metadata(
    study: Uid, series: Uid, request: Request, catalog: CatalogDep, caller: CallerDep
) -> Response:
    """WADO-RS: the headers of every instance of a series."""
    return await _metadata(request, catalog, caller, study, series)


@router.get("/studies/{study}/series/{series}/instances/{sop}/metadata", responses=_QIDO)
async def instance_metadata(
    study: Uid, series: Uid, sop: Uid, request: Request, catalog: CatalogDep, caller: CallerDep
) -> Response:
    """WADO-RS: the header of one instance."""
    return await _metadata(request, catalog, caller, study, series, sop)


def _one(found: list[web.Instance]) -> web.Instance:
    """The instance a retrieve names: the first of those the caller may fetch (an archive may hold one SOP
    Instance UID twice), 404 when none (``locate`` already refuses what may not be fetched)."""
    if not found:
        raise NotFound("no such instance")
    return found[0]


def _frame_numbers(text: str) -> list[int]:
    try:
        numbers = [int(n) for n in text.split(",")]
    except ValueError:
        raise NotFound(f"frames are numbered from 1, as a comma-separated list: not {text!r}") from None
    if not numbers or min(numbers) < 1:
        raise NotFound("frames are numbered from 1")
    return numbers


@router.get(
    "/studies/{study}/series/{series}/instances/{sop}/frames/{frames}",
    responses={200: {"content": {"multipart/related": {}}}},
)
async def retrieve_frames(
    study: Uid, series: Uid, sop: Uid, frames: str, request: Request, catalog: CatalogDep, caller: CallerDep
) -> Response:
    """WADO-RS: frames of an instance as uncompressed pixel bytes (``application/octet-stream``, one part each)."""
    numbers = _frame_numbers(frames)
    archives = _archives(request)

    def work() -> list[tuple[bytes, str]]:
        import pydicom  # here, not with the app: see api/dicomweb.py

        found = _one(web.locate(catalog, caller, archives, study, series, sop))
        ds = pydicom.dcmread(io.BytesIO(archives.file(catalog, found)))
        count = int(ds.get("NumberOfFrames") or 1)
        if max(numbers) > count:
            raise NotFound(f"the instance has {count} frame(s)")
        try:
            pixels = ds.pixel_array
        except Exception as exc:  # noqa: BLE001 - no pixel data, or a compressed syntax without a decoder here
            raise NotFound(f"its frames cannot be decoded here ({type(exc).__name__}): retrieve the instance") from None
        if count == 1:
            pixels = pixels[None, ...]
        return [
            (pixels[n - 1].tobytes(), "application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1") for n in numbers
        ]

    return _multipart(await run_in_threadpool(work), "application/octet-stream")


async def _rendered(
    request: Request, catalog: Catalog, caller: Caller, study: str, series: str, sop: str, frame: int
) -> Response:
    accept = request.headers.get("accept", "")
    if accept and not any(t in accept for t in ("image/png", "image/*", "*/*")):
        raise NotAcceptable("rendered images are offered as image/png")
    archives = _archives(request)

    def work() -> bytes:
        found = _one(web.locate(catalog, caller, archives, study, series, sop))
        dataset = catalog.get("ImagingDataset", found.dataset_id)
        why = burned_in_refusal((dataset.document or {}) if dataset else {})
        if why:
            raise NotFound(f"not rendered: {why}")
        size = max(int(found.header.get("Rows") or 512), int(found.header.get("Columns") or 512))
        try:
            return render(archives.file(catalog, found), frame - 1, size)
        except PreviewError as exc:
            raise NotFound(f"not rendered: {exc}") from None

    return Response(await run_in_threadpool(work), media_type="image/png", headers={"Vary": "Authorization"})


@router.get(
    "/studies/{study}/series/{series}/instances/{sop}/rendered", responses={200: {"content": {"image/png": {}}}}
)
async def rendered_instance(
    study: Uid, series: Uid, sop: Uid, request: Request, catalog: CatalogDep, caller: CallerDep
) -> Response:
    """WADO-RS: the instance's first frame rendered as PNG (its window, else the 1st-99th percentile)."""
    return await _rendered(request, catalog, caller, study, series, sop, 1)


@router.get(
    "/studies/{study}/series/{series}/instances/{sop}/frames/{frame}/rendered",
    responses={200: {"content": {"image/png": {}}}},
)
async def rendered_frame(
    study: Uid, series: Uid, sop: Uid, frame: int, request: Request, catalog: CatalogDep, caller: CallerDep
) -> Response:
    """WADO-RS: one frame rendered as PNG."""
    if frame < 1:
        raise NotFound("frames are numbered from 1")
    return await _rendered(request, catalog, caller, study, series, sop, frame)
