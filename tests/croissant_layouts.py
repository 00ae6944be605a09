"""Small local Croissant datasets in the layouts of the Croissant repository's own examples, for import and
round-trip tests: CSV tables joined through `references` (like "titanic"), parquet file sets with a `cr:Split`
record set (like "simple-split" and the Hugging Face exports), JSON read with `jsonPath` (like "json-join"), and a
zip of DICOM files read as a FileSet `containedIn` the zip (like "zenodo-head-mri").

Each builder writes its data files and `<name>.croissant.json` into a folder and returns the document's path.
`load_records` loads record sets with mlcroissant in a child process, so that its download cache and credentials
stay private to the test.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

from croissant_fixtures import CONTEXT

ORCID = "https://orcid.org/0000-0002-1825-0097"  # ORCID's own documented example iD (valid check digit)
RAI = {
    "rai:dataCollection": "Synthetic rows generated for tests.",
    "rai:dataCollectionTimeframe": ["2024-01-01", "2024-06-30"],
    "rai:dataPreprocessingProtocol": "None: rows written as generated.",
    "rai:dataAnnotationProtocol": "Each row labelled by one rule.",
    "rai:annotatorDemographics": "One software rule.",
    "rai:dataAnnotationAnalysis": "Deterministic, so agreement is perfect.",
    "rai:dataBiases": ["Rows are balanced by design."],
    "rai:dataLimitations": ["Too small for training."],
    "rai:dataUseCases": ["Testing Croissant import."],
    "rai:personalSensitiveInformation": "None: no person is described.",
    "rai:dataSocialImpact": "None expected.",
}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write(folder: Path, rel: str, data: bytes) -> dict[str, Any]:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return {"contentSize": f"{len(data)} B", "sha256": _sha(data)}


def _doc(
    name: str, description: str, distribution: list, record_sets: list, *, version: str = "1.1", **extra: Any
) -> dict[str, Any]:
    context = dict(CONTEXT)
    if version == "1.1":
        context["containedIn"] = "cr:containedIn"
    return {
        "@context": context,
        "@type": "sc:Dataset",
        "conformsTo": f"http://mlcommons.org/croissant/{version}",
        "name": name,
        "description": description,
        "url": f"https://example.org/{name}",
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "version": "1.2.0",
        "datePublished": "2025-03-01",
        "keywords": ["test", name],
        "citeAs": f"Example Authors. {name} (2025).",
        "creator": [
            {"@type": "sc:Person", "name": "Ada Example", "@id": ORCID},
            {"@type": "sc:Organization", "name": "Example Lab", "url": "https://example.org/lab"},
        ],
        "distribution": distribution,
        "recordSet": record_sets,
        **extra,
    }


def _field(rs: str, name: str, dtype: Any, source: dict | None = None, **extra: Any) -> dict[str, Any]:
    out = {"@type": "cr:Field", "@id": f"{rs}/{name}", "name": name, "dataType": dtype, **extra}
    if source is not None:
        out["source"] = source
    return out


def _column(file_id: str, column: str, kind: str = "fileObject") -> dict[str, Any]:
    return {kind: {"@id": file_id}, "extract": {"column": column}}


def csv_joins(folder: Path, **extra: Any) -> Path:
    """Titanic-like: a passengers table whose `sex` and `embarked` columns reference two lookup tables."""
    passengers = (
        b"name,sex,age,survived,embarked\n"
        b"Allen,female,29,1,S\nBrown,male,,0,C\nCarter,female,54,1,Q\nDavies,male,18,0,S\n"
    )
    genders = b"label,url\nfemale,https://www.wikidata.org/wiki/Q6581072\nmale,https://www.wikidata.org/wiki/Q6581097\n"
    ports = b"key,label\nC,Cherbourg\nQ,Queenstown\nS,Southampton\n"
    files = {"passengers.csv": passengers, "data/genders.csv": genders, "data/embarkation_ports.csv": ports}
    distribution = [
        {
            "@type": "cr:FileObject",
            "@id": rel.rsplit("/", 1)[-1],
            "name": rel.rsplit("/", 1)[-1],
            "contentUrl": rel,
            "encodingFormat": "text/csv",
            **_write(folder, rel, data),
        }
        for rel, data in files.items()
    ]
    record_sets = [
        {
            "@type": "cr:RecordSet",
            "@id": "genders",
            "name": "genders",
            "key": {"@id": "genders/label"},
            "field": [
                _field("genders", "label", "sc:Text", _column("genders.csv", "label")),
                _field("genders", "url", "sc:URL", _column("genders.csv", "url")),
            ],
        },
        {
            "@type": "cr:RecordSet",
            "@id": "embarkation_ports",
            "name": "embarkation_ports",
            "key": {"@id": "embarkation_ports/key"},
            "field": [
                _field("embarkation_ports", "key", "sc:Text", _column("embarkation_ports.csv", "key")),
                _field("embarkation_ports", "label", "sc:Text", _column("embarkation_ports.csv", "label")),
            ],
        },
        {
            "@type": "cr:RecordSet",
            "@id": "passengers",
            "name": "passengers",
            "description": "The passengers.",
            "field": [
                _field("passengers", "name", "sc:Text", _column("passengers.csv", "name")),
                _field(
                    "passengers",
                    "gender",
                    "sc:Text",
                    _column("passengers.csv", "sex"),
                    references={"field": {"@id": "genders/label"}},
                ),
                _field("passengers", "age", "sc:Text", _column("passengers.csv", "age")),
                _field("passengers", "survived", "sc:Integer", _column("passengers.csv", "survived")),
                _field(
                    "passengers",
                    "embarked",
                    "sc:Text",
                    _column("passengers.csv", "embarked"),
                    references={"field": {"@id": "embarkation_ports/key"}},
                ),
            ],
        },
    ]
    doc = _doc(
        "titanic-mini",
        "Passengers with lookup tables joined by references.",
        distribution,
        record_sets,
        **{
            **RAI,
            "usageInfo": [
                "http://purl.obolibrary.org/obo/DUO_0000042",
                "http://purl.obolibrary.org/obo/DUO_0000019",
                "https://example.org/terms-of-use",
            ],
            **extra,
        },
    )
    return _save(folder, "titanic-mini", doc)


def parquet_splits(folder: Path, **extra: Any) -> Path:
    """simple-split / Hugging Face-like: one parquet file per split in a FileSet, and a cr:Split record set that
    the records' split field references."""
    import pandas as pd

    for split, rows in (("train", [1, 2, 3]), ("test", [4, 5])):
        (folder / "data").mkdir(parents=True, exist_ok=True)
        pd.DataFrame({"value": rows, "text": [f"row {r}" for r in rows]}).to_parquet(
            folder / "data" / f"{split}.parquet", index=False
        )
    distribution = [
        {
            "@type": "cr:FileSet",
            "@id": "parquet-files",
            "name": "parquet-files",
            "encodingFormat": "application/x-parquet",
            "includes": "data/*.parquet",
        }
    ]
    record_sets = [
        {
            "@type": "cr:RecordSet",
            "@id": "splits",
            "name": "splits",
            "dataType": "cr:Split",
            "key": {"@id": "splits/name"},
            "field": [_field("splits", "name", "sc:Text")],
            "data": [{"splits/name": "train"}, {"splits/name": "test"}],
        },
        {
            "@type": "cr:RecordSet",
            "@id": "default",
            "name": "default",
            "field": [
                _field(
                    "default",
                    "split",
                    "sc:Text",
                    {
                        "fileSet": {"@id": "parquet-files"},
                        "extract": {"fileProperty": "filename"},
                        "transform": {"regex": "^(train|test)\\.parquet$"},
                    },
                    references={"field": {"@id": "splits/name"}},
                ),
                _field("default", "value", "sc:Integer", _column("parquet-files", "value", "fileSet")),
                _field("default", "text", "sc:Text", _column("parquet-files", "text", "fileSet")),
            ],
        },
    ]
    return _save(
        folder,
        "simple-split",
        _doc("simple-split", "Parquet files, one per split.", distribution, record_sets, **extra),
    )


def json_path(folder: Path, **extra: Any) -> Path:
    """json-join-like: a JSON array of items read field by field with jsonPath (Croissant 1.0)."""
    items = [
        {"id": "a1", "name": "apple", "price": 3},
        {"id": "b2", "name": "banana", "price": 1},
        {"id": "c3", "name": "cherry", "price": 7},
    ]
    data = json.dumps(items).encode()
    distribution = [
        {
            "@type": "cr:FileObject",
            "@id": "items",
            "name": "items",
            "contentUrl": "data/items.json",
            "encodingFormat": "application/json",
            **_write(folder, "data/items.json", data),
        }
    ]
    record_sets = [
        {
            "@type": "cr:RecordSet",
            "@id": "items_recordset",
            "name": "items_recordset",
            "field": [
                _field(
                    "items_recordset",
                    name,
                    dtype,
                    {"fileObject": {"@id": "items"}, "extract": {"jsonPath": f"$[*].{name}"}},
                )
                for name, dtype in (("id", "sc:Text"), ("name", "sc:Text"), ("price", "sc:Integer"))
            ],
        }
    ]
    return _save(
        folder,
        "json-items",
        _doc("json-items", "Items read from JSON with jsonPath.", distribution, record_sets, version="1.0", **extra),
    )


def dicom_zip(folder: Path, **extra: Any) -> Path:
    """zenodo-head-mri-like: DICOM files in a zip; a FileSet containedIn the zip lists them (encodingFormat with
    image/dicom, which mlcroissant 1.1.1 needs to list them); records are file names and relative paths."""
    from dicom_samples import mr_dataset

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for series in ("se1", "se2"):
            for instance in (1, 2):
                ds, out = mr_dataset(series=series, instance=instance, deidentified=True), io.BytesIO()
                ds.save_as(out, enforce_file_format=True)
                archive.writestr(f"DICOM/{series}/IM{instance:04d}.dcm", out.getvalue())
    distribution = [
        {
            "@type": "cr:FileObject",
            "@id": "dicom.zip",
            "name": "dicom.zip",
            "contentUrl": "dicom.zip",
            "encodingFormat": "application/zip",
            **_write(folder, "dicom.zip", buffer.getvalue()),
        },
        {
            "@type": "cr:FileSet",
            "@id": "dicom-files",
            "name": "dicom-files",
            "containedIn": {"@id": "dicom.zip"},
            "encodingFormat": ["application/dicom", "image/dicom"],
            "includes": "DICOM/*/*.dcm",
        },
    ]
    record_sets = [
        {
            "@type": "cr:RecordSet",
            "@id": "images",
            "name": "images",
            "key": {"@id": "images/path"},
            "field": [
                _field(
                    "images",
                    "path",
                    "sc:Text",
                    {"fileSet": {"@id": "dicom-files"}, "extract": {"fileProperty": "fullpath"}},
                ),
                _field(
                    "images",
                    "filename",
                    "sc:Text",
                    {"fileSet": {"@id": "dicom-files"}, "extract": {"fileProperty": "filename"}},
                ),
            ],
        }
    ]
    # The catalog keeps DICOM only when burned-in annotation is declared NO (issue 15).
    extra = {"medal:burnedInAnnotation": "NO", **extra}
    return _save(
        folder,
        "head-mri-mini",
        _doc("head-mri-mini", "Two MR series of a phantom, as DICOM in a zip.", distribution, record_sets, **extra),
    )


def dicom_folder(folder: Path, **extra: Any) -> Path:
    """read_from_directory-like: DICOM files in sub-folders, listed by a FileSet over the local folder; records are
    each file's series folder (regex on its relative path) and file name."""
    from dicom_samples import mr_dataset, write

    for series in ("se1", "se2"):
        for instance in (1, 2, 3):
            # mlcroissant reads a local DICOM file set's pixels, so the image module must be complete.
            write(
                mr_dataset(series=series, instance=instance, deidentified=True, **PIXELS),
                folder / "dicom" / series / f"IM{instance:04d}.dcm",
            )
    distribution = [
        {
            "@type": "cr:FileSet",
            "@id": "dicom-files",
            "name": "dicom-files",
            "encodingFormat": ["application/dicom", "image/dicom"],
            "includes": "dicom/*/*.dcm",
        }
    ]
    source = {"fileSet": {"@id": "dicom-files"}}
    record_sets = [
        {
            "@type": "cr:RecordSet",
            "@id": "instances",
            "name": "instances",
            "field": [
                _field(
                    "instances",
                    "series",
                    "sc:Text",
                    {**source, "extract": {"fileProperty": "fullpath"}, "transform": {"regex": "^dicom/([^/]+)/.*$"}},
                ),
                _field("instances", "filename", "sc:Text", {**source, "extract": {"fileProperty": "filename"}}),
            ],
        }
    ]
    extra = {"medal:burnedInAnnotation": "NO", **extra}
    return _save(
        folder,
        "mr-folder-mini",
        _doc("mr-folder-mini", "Six MR instances of a phantom in series folders.", distribution, record_sets, **extra),
    )


PIXELS = {
    "BitsAllocated": 16,
    "BitsStored": 16,
    "HighBit": 15,
    "PixelRepresentation": 0,
    "SamplesPerPixel": 1,
    "PhotometricInterpretation": "MONOCHROME2",
}

LAYOUTS = {
    "csv-joins": csv_joins,
    "parquet-splits": parquet_splits,
    "json-path": json_path,
    "dicom-zip": dicom_zip,
    "dicom-folder": dicom_folder,
}


def _save(folder: Path, name: str, doc: dict[str, Any]) -> Path:
    path = folder / f"{name}.croissant.json"
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    return path


_LOADER = r"""
import json, sys
import mlcroissant as mlc
jsonld, names = sys.argv[1], sys.argv[2:]
dataset = mlc.Dataset(jsonld=jsonld)
out = {}
for name in names:
    out[name] = [{k: (v.decode("utf-8", "replace") if isinstance(v, bytes) else v) for k, v in record.items()}
                 for record in dataset.records(name)]
out["@warnings"] = sorted(dataset.metadata.ctx.issues.warnings)
print(json.dumps(out, default=str))
"""


def load_records(jsonld: str, names: list[str], cache: Path, env: dict[str, str] | None = None) -> dict[str, list]:
    """The records of ``names`` as mlcroissant loads them from ``jsonld`` (a path or URL), text decoded, in a child
    process with its own cache folder (and extra environment, e.g. credentials); "@warnings" holds mlcroissant's
    validation warnings (its errors make loading fail)."""
    environment = {**os.environ, "CROISSANT_CACHE": str(cache), **(env or {})}
    done = subprocess.run(
        [sys.executable, "-c", _LOADER, jsonld, *names], capture_output=True, text=True, env=environment, timeout=240
    )
    if done.returncode != 0:
        raise AssertionError(f"mlcroissant could not load {jsonld}: {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
