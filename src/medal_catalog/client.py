"""A small client of a running MEDAL catalog over HTTP, for scripts: search, get an entry, get a signed Croissant
link, and load a task's (or dataset's) record set with stock mlcroissant through that link.

It depends on httpx (and mlcroissant for :meth:`Client.records`) only, not on the rest of the package, so that it
reads as a recipe for any HTTP client::

    from medal_catalog.client import Client
    with Client("https://catalog.example", token=os.environ.get("MEDAL_TOKEN")) as medal:
        hits = medal.search("nodule", modality="ct", slice_thickness_max=1.5)["hits"]
        labels = medal.records("ct-lung-nodule-malignancy", "labels")
"""

from __future__ import annotations

from typing import Any

import httpx

_PATHS = {"task": "tasks", "dataset": "datasets", "series": "series", "review": "reviews"}


class CatalogError(Exception):
    """The catalog refused a request: ``status`` and its ``detail`` (the reason it gave)."""

    def __init__(self, status: int, detail: Any) -> None:
        super().__init__(f"{status}: {detail}")
        self.status, self.detail = status, detail


class Client:
    """A catalog at ``base_url``, called with ``token`` (a `medal token create` token) when given."""

    def __init__(self, base_url: str, token: str | None = None, timeout: float = 30.0) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _get(self, path: str, **params: Any) -> Any:
        return _answer(self._http.get(path, params={k: v for k, v in params.items() if v is not None}))

    def search(self, q: str = "", **params: Any) -> dict[str, Any]:
        """One page of ``/api/search``: ``params`` are its query parameters (filters such as ``modality="CT"``
        or a list of values, ``<field>_min`` / ``<field>_max`` bounds, ``facet``, ``sort``, ``page``, ``size``).
        A parameter the catalog does not know raises CatalogError (400) naming it."""
        return self._get("/api/search", q=q, **params)

    def get(self, kind: str, entry_id: str) -> dict[str, Any]:
        """An entry (``kind``: task, dataset, series or review) as the caller may see it."""
        return self._get(f"/api/{_PATHS[kind]}/{entry_id}")

    def submit(self, manifest: bytes, files: list[tuple[str, bytes, str]]) -> dict[str, Any]:
        """Send a bundle (see ``medal_catalog.harvesters.bundle``) to ``POST /api/submissions``: the manifest and
        the ``(name, content, media type)`` of every file it lists. Returns what was stored (``stored``,
        ``report``, ``files``); a refusal raises CatalogError with the catalog's reason (a 422's is the report)."""
        parts = [("bundle", ("bundle.json", manifest, "application/json"))]
        parts += [("file", (name, content, media)) for name, content, media in files]
        return _answer(self._http.post("/api/submissions", files=parts), ok=(201,))

    def evaluate(self, task_id: str, split: str, predictions: tuple[str, bytes], **about: str) -> dict[str, Any]:
        """Send a predictions file ``(name, content)`` to ``POST /api/tasks/{id}/evaluations`` for ``split``, with
        ``about`` (model_name, model_version, code_url); returns the queued evaluation (its ``url``)."""
        form = {"split": split, **{k: v for k, v in about.items() if v}}
        files = [("predictions", (predictions[0], predictions[1], "application/octet-stream"))]
        return _answer(self._http.post(f"/api/tasks/{task_id}/evaluations", data=form, files=files), ok=(202,))

    def evaluation(self, url: str) -> dict[str, Any]:
        """An evaluation as its submitter may read it (``status`` queued, running, done or failed)."""
        return _answer(self._http.get(url))

    def reviews(self, task_id: str) -> list[dict[str, Any]]:
        """The reviews of a task as the token's holder may read them (its contributor: once decided, without
        reviewer names; see ``GET /api/tasks/{id}/reviews``)."""
        return self._get(f"/api/tasks/{task_id}/reviews")["reviews"]

    def feedback(self, task_id: str) -> dict[str, Any]:
        """The panel's feedback on a task as the token's holder may read it: ``reviews`` (as :meth:`reviews`) and
        ``decision``, the chair's latest step and its reason (None before any)."""
        return self._get(f"/api/tasks/{task_id}/reviews")

    def link(self, entry_id: str, kind: str = "task") -> str:
        """A signed, short-lived link to the Croissant of a task (or ``kind="dataset"``) for this token's holder."""
        return self._get(f"/api/{_PATHS[kind]}/{entry_id}/croissant-link")["url"]

    def records(self, entry_id: str, record_set: str, kind: str = "task") -> list[dict[str, Any]]:
        """Every record of ``record_set`` (a task's splits, cases or labels; a dataset's series or images), loaded
        by stock mlcroissant through a signed link (with a token) or the public Croissant (without one); text
        values decoded."""
        import mlcroissant as mlc  # inline: mlcroissant takes ~1.7 s to import

        url = (
            self.link(entry_id, kind)
            if "authorization" in self._http.headers
            else f"{self._http.base_url}/api/{_PATHS[kind]}/{entry_id}/croissant"
        )
        return [
            {key: value.decode() if isinstance(value, bytes) else value for key, value in record.items()}
            for record in mlc.Dataset(jsonld=url).records(record_set)
        ]


def _answer(answer: httpx.Response, ok: tuple[int, ...] = (200,)) -> Any:
    """The JSON of an answer with an ``ok`` status; else CatalogError with the catalog's ``detail``."""
    if answer.status_code not in ok:
        try:
            detail = answer.json().get("detail")
        except ValueError:
            detail = answer.text[:500]
        raise CatalogError(answer.status_code, detail)
    return answer.json()
