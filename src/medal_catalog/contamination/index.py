"""The public-archive index: the NCI Imaging Data Commons series list (PyPI ``idc-index-data``) as a compact lookup.

The IDC index is a parquet table of about a million public series (StudyInstanceUID, SeriesInstanceUID, collection,
licence, source DOI). Loading it with pandas takes seconds and hundreds of MB; the catalog needs only "is this UID
public, and where". So it is reduced once per index version to four sorted arrays of 64-bit hashes of the UIDs
(series and study) with, for each hash, a row number into a small table of (collection, DOI, licence), and cached
on disk as one ``.npz`` file. A warm load maps that file back in a fraction of a second (see
benchmarks/public_index.py for load times and memory).

A 64-bit hash of a UID (:func:`uid_hash`): among 2 million public UIDs, the chance that an unrelated UID matches
one by accident is about 1e-13, far below the chance that the UID itself was copied.

The index is an optional extra: without ``idc-index-data`` installed, :func:`load_index` raises
:class:`~medal_catalog.errors.MissingExtraError` naming ``pip install 'medal-catalog[public-index]'``, and
harvest and validate say that the public check was not made.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
import importlib.util
import time

import numpy as np

from medal_catalog.errors import MissingExtraError

if TYPE_CHECKING:
    from medal_catalog.config import Settings

EXTRA = "public-index"
INSTALL_HINT = f"pip install 'medal-catalog[{EXTRA}]'"
#: Bump when the layout of the cached arrays changes.
CACHE_FORMAT = 2
_COLUMNS = ("SeriesInstanceUID", "StudyInstanceUID", "collection_id", "source_DOI", "license_short_name")


# The key of a UID (uids.py, numpy-free for the harvest's readers); _hashes computes it for a whole column.
from medal_catalog.contamination.uids import _PRIME, _SEED, uid_hash  # noqa: E402,F401 (uid_hash re-exported)


def _hashes(column: Any) -> np.ndarray:
    """:func:`uid_hash` of every value of an Arrow string column, vectorised over its buffers (no Python strings:
    the cold build of a million UIDs takes a second, not ten, and a tenth of the memory). Nulls and empty
    values give 0."""
    # inline: pyarrow takes ~0.3 s to import
    import pyarrow as pa
    import pyarrow.compute as pc

    column = pc.utf8_trim_whitespace(column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column)
    column = column.cast(pa.large_string()).fill_null("")
    _, offsets_buf, data_buf = column.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int64)[column.offset : column.offset + len(column) + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    out = np.zeros(len(column), dtype=np.uint64)
    mult, seed = np.uint64(_PRIME), np.uint64(_SEED)
    with np.errstate(over="ignore"):
        for start in range(0, len(column), 65536):
            first, lengths = offsets[start : start + 65536 + 1][:-1], np.diff(offsets[start : start + 65536 + 1])
            width = int(-(-max(int(lengths.max(initial=0)), 1) // 8) * 8)
            cols = np.arange(width)
            where = first[:, None] + cols[None, :]
            np.minimum(where, max(len(data) - 1, 0), out=where)
            block = data[where] if len(data) else np.zeros(where.shape, np.uint8)
            block[cols[None, :] >= lengths[:, None]] = 0
            words = block.view("<u8")
            h = seed ^ lengths.astype(np.uint64)
            for j in range(words.shape[1]):
                active = lengths > 8 * j
                h = np.where(active, (h ^ words[:, j]) * mult, h)
            h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            h = h ^ (h >> np.uint64(31))
            h[h == 0] = 1
            h[lengths == 0] = 0
            out[start : start + len(first)] = h
    return out


@dataclass(frozen=True, slots=True)
class PublicMatch:
    """Where a UID is public: the IDC collection, its source DOI and licence (any may be None)."""

    collection: str | None
    doi: str | None
    license: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"collection": self.collection, "doi": self.doi, "license": self.license}

    def describe(self) -> str:
        return (
            f"IDC collection {self.collection or '(unnamed)'}"
            + (f" (DOI {self.doi})" if self.doi else "")
            + (f", licence {self.license}" if self.license else "")
        )


class PublicIndex:
    """Sorted 64-bit UID hashes of the public series and studies, each with a row of (collection, DOI, licence)."""

    def __init__(
        self,
        version: str,
        idc_version: str | None,
        series: np.ndarray,
        series_row: np.ndarray,
        studies: np.ndarray,
        study_row: np.ndarray,
        labels: list[tuple[str | None, str | None, str | None]],
        seconds: float = 0.0,
        built: bool = False,
    ) -> None:
        self.version, self.idc_version = version, idc_version
        self.series, self.series_row, self.studies, self.study_row = series, series_row, studies, study_row
        self.labels = labels
        #: How long this load took, and whether it built the cache (cold) or read it (warm).
        self.seconds, self.built = seconds, built

    @property
    def nbytes(self) -> int:
        """The memory the lookup arrays hold."""
        return int(self.series.nbytes + self.series_row.nbytes + self.studies.nbytes + self.study_row.nbytes)

    def describe(self) -> dict[str, Any]:
        """What was checked against: the package version and IDC data release, with sizes."""
        return {
            "source": "idc-index-data",
            "version": self.version,
            "idc_version": self.idc_version,
            "series": int(len(self.series)),
            "studies": int(len(self.studies)),
        }

    def _find(self, keys: np.ndarray, rows: np.ndarray, uid: str | None) -> PublicMatch | None:
        return self._find_hash(keys, rows, uid_hash(uid) if uid else 0)

    def _find_hash(self, keys: np.ndarray, rows: np.ndarray, key: int) -> PublicMatch | None:
        if not key:
            return None
        h = np.uint64(key)
        at = int(np.searchsorted(keys, h))
        if at < len(keys) and keys[at] == h:
            return PublicMatch(*self.labels[int(rows[at])])
        return None

    def series_match(self, uid: str | None) -> PublicMatch | None:
        """The public series with this SeriesInstanceUID, or None."""
        return self._find(self.series, self.series_row, uid)

    def matches(self, study_key: int, series_key: int) -> tuple[PublicMatch | None, PublicMatch | None]:
        """The public study and series whose UIDs have these keys (:func:`uid_hash`), each or None."""
        return (
            self._find_hash(self.studies, self.study_row, study_key),
            self._find_hash(self.series, self.series_row, series_key),
        )

    def find(self, keys: Any) -> tuple[PublicMatch | None, PublicMatch | None]:
        """:meth:`matches` of a file's check.uid_keys (study key, series key, root, then the raw UIDs)."""
        return self.matches(keys[0], keys[1])


class ScannedIndex:
    """The public check of one harvest on a machine where the lookup was never built: the parquet's UID and label
    columns read in a thread while the files are read (about a tenth of building the lookup, and a few MB held),
    then the harvest's UIDs looked up in them all at once (:meth:`resolve`). Answers as a PublicIndex does, UID for
    UID: the first row of a UID gives its (collection, DOI, licence), as the lookup keeps it (issue 29)."""

    def __init__(self, module: Any, cache_dir: Path | None = None) -> None:
        self._module = module
        self.version = str(getattr(module, "__version__", "unknown"))
        self.idc_version = _idc_version(module)
        # The UID columns only: the labels are read for the rows found, when any (public data is the exception).
        self._uids = uid_columns(module)
        self._counts = shipped_counts(module) or self._count(
            _lookup_path(module, cache_dir).with_suffix(".counts.json")
        )
        self._found: dict[tuple[str, str], PublicMatch] = {}
        self.seconds, self.built = 0.0, False

    def _count(self, path: Path) -> dict[str, int]:
        """Distinct series and studies, as the lookup counts them; kept next to it (once per index version)."""
        try:
            return {k: int(v) for k, v in json.loads(path.read_text(encoding="utf-8")).items()}
        except (OSError, ValueError, AttributeError):
            pass
        counts = count_uids(self._uids)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(counts), encoding="utf-8")
            tmp.replace(path)
        except OSError:
            pass
        return counts

    def describe(self) -> dict[str, Any]:
        return {
            "source": "idc-index-data",
            "version": self.version,
            "idc_version": self.idc_version,
            "series": self._counts["SeriesInstanceUID"],
            "studies": self._counts["StudyInstanceUID"],
        }

    def resolve(self, studies: set[str], series: set[str]) -> None:
        """Find these UIDs in the index at once (one vectorised pass per column)."""
        # inline: pyarrow takes ~0.3 s to import
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        hits: list[tuple[str, int]] = []
        for name, wanted in (("StudyInstanceUID", studies), ("SeriesInstanceUID", series)):
            wanted = {u.strip() for u in wanted if u and u.strip()}
            if wanted:
                rows = pc.indices_nonzero(
                    pc.is_in(self._uids[name], value_set=pa.array(sorted(wanted), pa.large_string()))
                )
                hits += [(name, int(r)) for r in rows.to_pylist()]
        if not hits:
            return
        labels = pq.read_table(
            self._module.IDC_INDEX_PARQUET_FILEPATH, columns=["collection_id", "source_DOI", "license_short_name"]
        )
        for name, row in sorted(hits, key=lambda hit: hit[1]):  # the first row of a UID gives its labels
            uid = self._uids[name][row].as_py()
            label = [labels.column(c)[row].as_py() for c in ("collection_id", "source_DOI", "license_short_name")]
            self._found.setdefault((name, uid), PublicMatch(*label))

    def find(self, keys: Any) -> tuple[PublicMatch | None, PublicMatch | None]:
        study, series = (keys[3] or "").strip(), (keys[4] or "").strip()
        return (
            self._found.get(("StudyInstanceUID", study)) if study else None,
            self._found.get(("SeriesInstanceUID", series)) if series else None,
        )


def uid_columns(module: Any) -> dict[str, Any]:
    """The index's SeriesInstanceUID and StudyInstanceUID columns, trimmed, each one Arrow array."""
    # inline: pyarrow takes ~0.3 s to import
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    # One thread: the harvest's readers have the cores; Arrow's threaded read took three times the CPU here
    # (1.0 s against 0.3 s in a fresh process on 2 cores) for a tenth of a second less wall time alone.
    table = pq.read_table(
        module.IDC_INDEX_PARQUET_FILEPATH, columns=["SeriesInstanceUID", "StudyInstanceUID"], use_threads=False
    )
    columns = {}
    for name in ("SeriesInstanceUID", "StudyInstanceUID"):
        column = table.column(name).cast(pa.large_string()).combine_chunks()
        # Trimming copies 70 MB a column (a fresh process pays it in page faults): only when a value needs it.
        columns[name] = pc.utf8_trim_whitespace(column) if _padded(column) else column
    return columns


_PAD = np.zeros(256, dtype=bool)
_PAD[list(b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f")] = True
_PAD[0x80:] = True  # a non-ASCII first or last byte may be Unicode whitespace: trim to be sure


def _padded(column: Any) -> bool:
    """Whether any value of a large_string array starts or ends with (possible) whitespace, found from its
    buffers without a copy of the strings."""
    _, offsets_buf, data_buf = column.buffers()
    if data_buf is None:
        return False
    offsets = np.frombuffer(offsets_buf, dtype=np.int64)[column.offset : column.offset + len(column) + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8)
    starts, ends = offsets[:-1], offsets[1:]
    filled = ends > starts  # nulls and empty values have nothing to trim
    return bool(_PAD[data[starts[filled]]].any() or _PAD[data[ends[filled] - 1]].any())


def count_uids(columns: dict[str, Any]) -> dict[str, int]:
    """Distinct non-blank values of each (trimmed) UID column, as the lookup counts them: 0.65 s for the million
    rows of the IDC index, which is why the counts of the pinned index version ship with the package."""
    import pyarrow.compute as pc  # inline: pyarrow takes ~0.3 s to import

    return {
        name: int(pc.count_distinct(column).as_py()) - (1 if pc.any(pc.equal(column, "")).as_py() else 0)
        for name, column in columns.items()
    }


def counts_key(module: Any) -> str:
    """The key of an index version in data/idc_index_counts.json: the package version and the parquet's size."""
    return f"{getattr(module, '__version__', 'unknown')}-{Path(module.IDC_INDEX_PARQUET_FILEPATH).stat().st_size}"


def shipped_counts(module: Any) -> dict[str, int] | None:
    """The distinct series and studies of this index version when they ship with the package
    (data/idc_index_counts.json, written by scripts/idc_index_counts.py and checked against the installed index by
    tests/contamination/test_cold_index.py), else None: a first harvest on a fresh machine then does not spend
    0.65 s counting a million UIDs (issue 29)."""
    from importlib import resources

    try:
        table = json.loads(resources.files("medal_catalog").joinpath("data/idc_index_counts.json").read_text("utf-8"))
        found = table.get(counts_key(module))
        return {k: int(v) for k, v in found.items()} if isinstance(found, dict) else None
    except (OSError, ValueError, AttributeError, TypeError):
        return None


def _module():
    try:
        import idc_index_data  # inline: the optional public-index extra
    except ImportError:
        raise MissingExtraError(
            f"the public-archive check needs the IDC index, which is not installed: {INSTALL_HINT}"
        ) from None
    return idc_index_data


def default_cache_dir(configured: str | os.PathLike[str] | None = None) -> Path:
    """Where the reduced index is cached: ``configured`` (the settings' ``public_index_cache``,
    MEDAL_PUBLIC_INDEX_CACHE) when set, else the user cache ($XDG_CACHE_HOME or ~/.cache, then medal-catalog/)."""
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "medal-catalog"


def index_cache(settings: Settings) -> Path:
    """The cache folder ``settings`` name (see :func:`default_cache_dir`)."""
    return default_cache_dir(settings.public_index_cache)


def _idc_version(module: Any) -> str | None:
    """The IDC data release the package holds (version_metadata_index), e.g. ``v23``."""
    try:
        import pyarrow.parquet as pq  # inline: pyarrow takes ~0.3 s to import

        path = Path(module.IDC_INDEX_PARQUET_FILEPATH).with_name("version_metadata_index.parquet")
        table = pq.read_table(path)
        for name in ("idc_version", "version", "idc_data_version"):
            if name in table.column_names:
                values = [v for v in table.column(name).to_pylist() if v is not None]
                if values:
                    return str(max(values, key=lambda v: (len(str(v)), str(v))))
    except Exception:  # noqa: BLE001 - the release number is a nicety; the package version identifies the index
        return None
    return None


def _build(module: Any) -> dict[str, Any]:
    import pyarrow.parquet as pq  # inline: pyarrow takes ~0.3 s to import

    import pyarrow.compute as pc  # inline: pyarrow takes ~0.3 s to import

    table = pq.read_table(module.IDC_INDEX_PARQUET_FILEPATH, columns=list(_COLUMNS))
    # (collection, DOI, licence) rows: a few hundred distinct ones, found by Arrow, not row by row in Python.
    import pyarrow as pa

    parts = [
        pc.fill_null(table.column(name).cast(pa.large_string()), "\x00")
        for name in ("collection_id", "source_DOI", "license_short_name")
    ]
    joined = pc.binary_join_element_wise(*parts, pa.scalar("\x1f", pa.large_string()))
    encoded = joined.combine_chunks().dictionary_encode()
    rows = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32)
    labels = [[None if v == "\x00" else v for v in text.split("\x1f")] for text in encoded.dictionary.to_pylist()]
    out: dict[str, Any] = {}
    for name, column in (("series", "SeriesInstanceUID"), ("studies", "StudyInstanceUID")):
        keys = _hashes(table.column(column))
        keep = keys != 0
        keys, kept_rows = keys[keep], rows[keep]
        order = np.argsort(keys, kind="stable")
        keys, kept_rows = keys[order], kept_rows[order]
        first = np.ones(len(keys), dtype=bool)  # a study has many series: keep one row per hash
        first[1:] = keys[1:] != keys[:-1]
        out[name], out[name + "_row"] = keys[first], kept_rows[first]
    out["labels"] = np.frombuffer(json.dumps(labels).encode(), dtype=np.uint8)
    return out


_lock = threading.Lock()
_loaded: dict[str, PublicIndex] = {}


def load_index(cache_dir: Path | None = None) -> PublicIndex:
    """The lookup for the installed IDC index, built on first use and cached in ``cache_dir`` per index version
    (then kept in this process). Raises MissingExtraError when the extra is not installed."""

    module = _module()
    parquet = Path(module.IDC_INDEX_PARQUET_FILEPATH)
    version = str(getattr(module, "__version__", "unknown"))
    st = parquet.stat()
    stamp = f"{version}-{st.st_size}-{CACHE_FORMAT}"
    folder = cache_dir or default_cache_dir()
    path = folder / f"idc-index-{stamp}.npz"
    with _lock:
        if str(path) in _loaded:
            return _loaded[str(path)]
        clock = time.perf_counter()
        built = False
        data: Any = None
        if path.is_file():
            try:
                data = dict(np.load(path, allow_pickle=False))
            except (OSError, ValueError, KeyError):
                data = None  # a damaged cache is rebuilt
        if data is None:
            data = _build(module)
            data["idc_version"] = np.frombuffer((_idc_version(module) or "").encode(), dtype=np.uint8)
            built = True
            try:
                folder.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(path.name + f".{os.getpid()}.tmp.npz")
                np.savez(tmp, **data)
                tmp.replace(path)
            except OSError:
                pass  # a read-only cache folder only costs the next process a rebuild
        labels = [tuple(x) for x in json.loads(bytes(data["labels"]).decode())]
        idc_version = bytes(data["idc_version"]).decode() or None
        index = PublicIndex(
            version,
            idc_version,
            data["series"],
            data["series_row"],
            data["studies"],
            data["studies_row"],
            labels,
            time.perf_counter() - clock,
            built,
        )
        _loaded[str(path)] = index
        return index


def try_load_index(cache_dir: Path | None = None) -> tuple[PublicIndex | None, str | None]:
    """The lookup, or None with the reason it is not there (the extra missing, an unreadable package)."""
    try:
        return load_index(cache_dir), None
    except MissingExtraError as err:
        return None, str(err)
    except (OSError, ValueError) as err:
        return None, f"the IDC index could not be read ({err.__class__.__name__}); the public check was not made"


def _lookup_path(module: Any, cache_dir: Path | None = None) -> Path:
    """Where the lookup of the installed index version is cached."""
    parquet = Path(module.IDC_INDEX_PARQUET_FILEPATH)
    version = str(getattr(module, "__version__", "unknown"))
    stamp = f"{version}-{parquet.stat().st_size}-{CACHE_FORMAT}"
    return (cache_dir or default_cache_dir()) / f"idc-index-{stamp}.npz"


def index_stamp() -> str | None:
    """A cheap identity of the installed IDC index: the size and mtime of its parquet file, found without importing
    the package (which costs a re-harvest 0.2 s scanning its distribution's files) and without reading the
    lookup; a new version of the package is a new file, so a new stamp. None when the extra is not installed."""

    try:
        spec = importlib.util.find_spec("idc_index_data")
    except (ImportError, ValueError):  # ValueError: sys.modules holds None for it (imports of it are blocked)
        return None
    if spec is None:
        return None
    for folder in spec.submodule_search_locations or []:
        try:
            st = (Path(folder) / "idc_index.parquet").stat()
        except OSError:
            continue
        return f"{st.st_size}-{st.st_mtime_ns}-{CACHE_FORMAT}"
    try:  # an editable or unusual install: ask the package itself
        parquet = Path(_module().IDC_INDEX_PARQUET_FILEPATH)
        st = parquet.stat()
    except (MissingExtraError, OSError):
        return None
    return f"{st.st_size}-{st.st_mtime_ns}-{CACHE_FORMAT}"


class IndexLoader:
    """The lookup loaded (or built, once per index version) in a thread while a harvest reads its files: the
    readers hand the parent keys of the original UIDs, which it looks up only after reading (issue 29).

    Start it only when the process will not fork again before :meth:`wait` (harvesters/dicom.py ``_run``)."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        self._cache_dir = cache_dir
        self._thread: threading.Thread | None = None
        self.index: PublicIndex | ScannedIndex | None = None
        self.missing: str | None = None

    def _load(self) -> None:
        try:
            try:
                module = _module()
                path = _lookup_path(module, self._cache_dir)
                cold = not path.is_file() and str(path) not in _loaded
            except (MissingExtraError, OSError):
                cold = False
            if cold:
                # Never built for this index version: building it would cost the harvest several seconds and
                # 650 MB; `medal check-public --prepare` builds it once, off the harvest's path.
                self.index, self.missing = ScannedIndex(module, self._cache_dir), None
                return
            self.index, self.missing = try_load_index(self._cache_dir)
        except Exception as err:  # noqa: BLE001 - the harvest goes on and says the public check was not made
            self.index, self.missing = (
                None,
                (f"the IDC index could not be read ({err.__class__.__name__}); the public check was not made"),
            )

    def start(self) -> None:
        """Start loading, once."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._load, name="medal-public-index", daemon=True)
            self._thread.start()

    def wait(self) -> tuple[PublicIndex | ScannedIndex | None, str | None]:
        """The lookup (or None and why not), loading it now if it was not started."""
        self.start()
        assert self._thread is not None
        self._thread.join()
        return self.index, self.missing
