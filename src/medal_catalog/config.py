"""Settings from the environment (prefix ``MEDAL_``), read when asked for and never at import time."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_CATALOG_URL = "sqlite:///./medal-catalog.db"


class Settings(BaseSettings):
    """Where the catalog lives and how to reach its search index."""

    model_config = SettingsConfigDict(env_prefix="MEDAL_", extra="ignore")

    #: The store (source of truth), e.g. ``sqlite:///path/catalog.db`` (MEDAL_CATALOG).
    catalog: str = DEFAULT_CATALOG_URL
    #: The search index; empty means the SQLite FTS5 index inside the catalog file (MEDAL_INDEX).
    index: str | None = None
    #: Seconds a write waits for another process's lock on the SQLite file before failing (MEDAL_BUSY_TIMEOUT).
    busy_timeout: float = 5.0
    #: Seconds an Elasticsearch request may take before the index counts as unreachable (MEDAL_INDEX_TIMEOUT).
    index_timeout: float = 10.0
    #: The media types sent to Elasticsearch (MEDAL_ELASTICSEARCH_COMPAT): ``elasticsearch``, the client's
    #: ``compatible-with=9`` vendor types (Elasticsearch 8.x/9.x); ``json``, plain ``application/json``, for
    #: OpenSearch-compatible servers that refuse the vendor types.
    elasticsearch_compat: Literal["elasticsearch", "json"] = "elasticsearch"
    #: Origins allowed to call the HTTP API from a browser, e.g. ``["https://medal.example.org"]``; empty: none
    #: (MEDAL_CORS_ORIGINS, a JSON list).
    cors_origins: list[str] = []
    #: The largest request body the HTTP API reads, in bytes (MEDAL_MAX_BODY_BYTES).
    max_body_bytes: int = 2 * 1024 * 1024
    #: The largest data file a bundle sent by `medal submit` may upload, in bytes (MEDAL_MAX_FILE_BYTES); the
    #: whole request is still bounded by MEDAL_MAX_BODY_BYTES. 64 MiB, the largest file `medal harvest` keeps.
    max_file_bytes: int = 64 * 1024 * 1024
    #: The public base URL of the API, for identifiers (``{base}/id/...``); empty: taken from each request
    #: (MEDAL_BASE_URL).
    base_url: str = ""
    #: Reviews from reviewers without a declared conflict of interest a decision needs (MEDAL_MIN_REVIEWS).
    min_reviews: int = Field(2, ge=1)
    #: The weight of each criterion in a task's priority score (MEDAL_RANKING_WEIGHTS, a JSON object); the score
    #: is the weighted mean of the criteria's mean scores, over the criteria that have scores.
    ranking_weights: dict[str, float] = {
        "clinical_relevance": 0.3,
        "unmet_need": 0.25,
        "patient_impact": 0.25,
        "feasibility": 0.1,
        "data_quality": 0.1,
    }
    #: A criterion whose scores on a task span at least this many points (max - min) flags the task's reviewers
    #: as disagreeing (MEDAL_DISAGREEMENT_SPREAD).
    disagreement_spread: int = Field(2, ge=1)
    #: The key that signs download links (MEDAL_LINK_SECRET); empty: a random key the catalog makes on first use
    #: and keeps in its store, so that every catalog has its own and none sits in a repository.
    link_secret: str = ""
    #: Seconds a signed link stays valid (MEDAL_LINK_TTL).
    link_ttl: int = 3600
    #: The secret that keys UID pseudonyms and the de-identification rewrite of every dataset
    #: (MEDAL_DEID_SECRET). Set it in production: without it the keys derive from dataset ids, and someone who
    #: holds an original UID could confirm its replacement.
    deid_secret: str = ""
    #: Counts below this on the campaign page (people, datasets, tasks) are shown as "< N", never exactly
    #: (MEDAL_SMALL_CELL_THRESHOLD); a zero stays a zero, so gaps remain visible.
    small_cell_threshold: int = Field(5, ge=1)
    #: Whether harvest and validate hash each DICOM file's pixel data to find the same image in two datasets
    #: (MEDAL_PIXEL_HASH; `--no-pixel-hash` turns it off for one run).
    pixel_hash: bool = True
    #: Where the reduced IDC index is cached (MEDAL_PUBLIC_INDEX_CACHE); empty: the user cache folder
    #: ($XDG_CACHE_HOME or ~/.cache, then medal-catalog/).
    public_index_cache: str = ""
    #: The most bytes a DICOM header may take before its pixel data (MEDAL_DICOM_MAX_HEADER_BYTES); a file whose
    #: header runs further is refused with that reason. Real MR and CT headers take well under 1 MiB.
    dicom_max_header_bytes: int = Field(64 * 1024 * 1024, ge=1024)
    #: The persistent-identifier resolver for entries without a DOI (MEDAL_PID_BASE), e.g.
    #: ``https://w3id.org/medal/`` or ``https://n2t.net/ark:/99999/medal/``: an entry's PID is this base plus
    #: ``datasets/<id>`` (or ``tasks/<id>``), and the resolver must redirect it to ``{base_url}/id/...``
    #: (docs/aggregators.md). Empty: the catalog's own ``{base_url}/id/...`` URLs.
    pid_base: str = ""
    #: The DataCite REST API `medal doi` registers DOIs with (MEDAL_DATACITE_URL): the test API by default, so that
    #: nothing is minted for real until it is changed to https://api.datacite.org.
    datacite_url: str = "https://api.test.datacite.org"
    #: The DataCite repository account and its DOI prefix (MEDAL_DATACITE_USER, MEDAL_DATACITE_PASSWORD,
    #: MEDAL_DATACITE_PREFIX, e.g. 10.12345); without them `medal doi` refuses.
    datacite_user: str = ""
    datacite_password: str = ""
    datacite_prefix: str = ""
    #: Records per OAI-PMH list response before a resumption token (MEDAL_OAI_PAGE_SIZE).
    oai_page_size: int = Field(100, ge=1)
    #: The catalog's contact address for harvesters and data users (MEDAL_CONTACT_EMAIL): OAI-PMH's Identify
    #: adminEmail and HealthDCAT-AP's contact points.
    contact_email: str = "medal-catalog@example.org"
    #: Evaluations on a hidden split one member may ask for within MEDAL_EVALUATION_WINDOW_DAYS (failed ones do
    #: not count): the limit that stops label probing (MEDAL_EVALUATION_LIMIT; docs/evaluation.md).
    evaluation_limit: int = Field(3, ge=1)
    #: The window of MEDAL_EVALUATION_LIMIT, in days (MEDAL_EVALUATION_WINDOW_DAYS).
    evaluation_window_days: float = Field(7.0, gt=0)
    #: Subgroups (site, country, vendor, sex, age band) of fewer cases are not reported (MEDAL_MIN_GROUP).
    min_group: int = Field(20, ge=1)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use; tests call ``get_settings.cache_clear()``."""
    return Settings()
