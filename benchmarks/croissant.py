#!/usr/bin/env python3
"""Benchmark the Croissant export of a 10,000-series dataset: our export time and mlcroissant's load time of it,
against mlcroissant loading a minimal hand-written Croissant over the same series manifest, in the same run.

    .venv/bin/python benchmarks/croissant.py [--series 10000] [--repeat 3]

The dataset and its series go into a fresh SQLite catalog (not timed). Then, `--repeat` times each, best run kept:
  export     export_dataset() (catalog reads, manifest, document) and writing both files
  load       mlcroissant.Dataset(jsonld=<our export>).records("series"), fully iterated
  reference  the same load of a hand-written Croissant naming only what mlcroissant needs (one FileObject, one
             record set with the same typed fields) over a byte-identical manifest
Both loads must yield the same records. Target (issue 7): load / reference <= 1.2; the export is printed too,
with (export + load) / reference.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from medal_catalog.catalog import Catalog  # noqa: E402
from medal_catalog.croissant.writing import SERIES_FIELDS  # noqa: E402
from medal_catalog.exports.croissant import export_dataset  # noqa: E402

DATASET = "bench-mr-brain"


def _series(i: int, rng: random.Random) -> dict:
    mr = rng.random() < 0.7
    return {
        "type": "ImagingSeries",
        "id": f"{DATASET}.s{i:05d}",
        "dataset": DATASET,
        "series_instance_uid": f"1.2.826.0.1.3680043.8.498.{rng.getrandbits(100)}",
        "study_instance_uid": f"1.2.826.0.1.3680043.8.498.{rng.getrandbits(90)}",
        "series_number": rng.randint(1, 40),
        "modality": "MR" if mr else "CT",
        "body_part": rng.choice(["BRAIN", "HEAD", "CHEST"]),
        "manufacturer": rng.choice(["GE MEDICAL SYSTEMS", "Philips", "SIEMENS"]),
        "manufacturer_model_name": rng.choice(["SIGNA Premier", "Ingenia", "SOMATOM Force"]),
        **(
            {
                "magnetic_field_strength": rng.choice([1.5, 3.0]),
                "repetition_time": round(rng.uniform(5, 9000), 2),
                "echo_time": round(rng.uniform(1, 120), 2),
            }
            if mr
            else {"kvp": rng.choice([100.0, 120.0]), "convolution_kernel": rng.choice(["Br40f", "B60f"])}
        ),
        "slice_thickness": rng.choice([0.9, 1.0, 3.0, 5.0]),
        "rows": rng.choice([256, 512]),
        "columns": rng.choice([256, 512]),
        "instance_count": rng.randint(20, 300),
        "series_description": rng.choice(["T1 MPRAGE", "AX FLAIR", "DWI b1000", "CHEST 1.0"]),
        "deidentification_status": "clean",
    }


def _catalog(folder: Path, count: int) -> Catalog:
    catalog = Catalog.open(f"sqlite:///{folder / 'catalog.db'}")
    dataset = {
        "type": "ImagingDataset",
        "id": DATASET,
        "title": "Benchmark MR brain cohort",
        "description": "Synthetic series for the Croissant benchmark.",
        "access_level": "open",
        "license": {"spdx_id": "CC-BY-4.0"},
        "modalities": ["MR", "CT"],
        "version": "1.0.0",
    }
    rng = random.Random(7)
    catalog.put_many([dataset, *(_series(i, rng) for i in range(count))], author="bench", reason="benchmark")
    return catalog


def _reference(manifest: Path) -> dict:
    """The smallest Croissant mlcroissant loads the manifest with: what a person would write by hand."""
    data = manifest.read_bytes()
    return {
        "@context": {
            "@language": "en",
            "@vocab": "https://schema.org/",
            "sc": "https://schema.org/",
            "cr": "http://mlcommons.org/croissant/",
            "dct": "http://purl.org/dc/terms/",
            "conformsTo": "dct:conformsTo",
            "recordSet": "cr:recordSet",
            "field": "cr:field",
            "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
            "source": "cr:source",
            "fileObject": "cr:fileObject",
            "extract": "cr:extract",
            "column": "cr:column",
            "key": "cr:key",
        },
        "@type": "sc:Dataset",
        "conformsTo": "http://mlcommons.org/croissant/1.1",
        "name": "series-reference",
        "description": "Hand-written reference.",
        "url": "https://example.org/reference",
        "license": "https://spdx.org/licenses/CC-BY-4.0.html",
        "creator": {"@type": "sc:Person", "name": "Bench"},
        "datePublished": "2026-01-01",
        "version": "1.0.0",
        "citeAs": "Bench (2026).",
        "distribution": [
            {
                "@type": "cr:FileObject",
                "@id": "m",
                "name": "m",
                "contentUrl": manifest.name,
                "encodingFormat": "application/jsonlines",
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        ],
        "recordSet": [
            {
                "@type": "cr:RecordSet",
                "@id": "series",
                "name": "series",
                "field": [
                    {
                        "@type": "cr:Field",
                        "@id": f"series/{name}",
                        "name": name,
                        "dataType": dtype,
                        "source": {"fileObject": {"@id": "m"}, "extract": {"column": name}},
                    }
                    for name, dtype in SERIES_FIELDS.items()
                ],
            }
        ],
    }


def _load(path: Path) -> tuple[float, list[dict]]:
    import mlcroissant as mlc

    start = time.perf_counter()
    records = list(mlc.Dataset(jsonld=str(path)).records("series"))
    return time.perf_counter() - start, records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import logging

    logging.disable(logging.WARNING)  # mlcroissant logs a line per operation
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        catalog = _catalog(folder, args.series)
        print(f"catalog with 1 dataset and {args.series} series built in {time.perf_counter() - start:.1f} s")
        ours, ref = folder / "ours", folder / "ref"
        ours.mkdir(), ref.mkdir()
        exports, loads, references = [], [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            doc, manifest = export_dataset(catalog, DATASET, "https://medal.example.org")
            (ours / f"{DATASET}.series.jsonl").write_bytes(manifest)
            (ours / f"{DATASET}.croissant.json").write_text(json.dumps(doc), encoding="utf-8")
            exports.append(time.perf_counter() - start)
            (ref / "series.jsonl").write_bytes(manifest)
            (ref / "reference.json").write_text(json.dumps(_reference(ref / "series.jsonl")), encoding="utf-8")
            seconds, loaded = _load(ours / f"{DATASET}.croissant.json")
            loads.append(seconds)
            seconds, expected = _load(ref / "reference.json")
            references.append(seconds)
            if len(loaded) != args.series or loaded != expected:
                raise SystemExit(
                    f"the loads differ: {len(loaded)} records from our export, {len(expected)} from the reference"
                )
        catalog.close()
    export, load, reference = min(exports), min(loads), min(references)
    print(f"export (best of {args.repeat}):            {export * 1000:8.1f} ms")
    print(f"mlcroissant load of our export:      {load * 1000:8.1f} ms  ({args.series / load:,.0f} records/s)")
    print(
        f"mlcroissant load of the reference:   {reference * 1000:8.1f} ms  ({args.series / reference:,.0f} records/s)"
    )
    print(f"load ratio ours/reference:           {load / reference:8.2f}x  (target <= 1.2x)")
    print(f"(export + load) / reference:         {(export + load) / reference:8.2f}x")


if __name__ == "__main__":
    main()
