#!/usr/bin/env python3
"""Benchmark the embedded search index: 100,000 series + 10,000 tasks/datasets, mixed faceted queries.

Builds a synthetic catalog with realistic vocabulary (series and study descriptions as scanners write them; task
and dataset prose), where "MR", "brain" and "scan" occur in most documents. Prints bulk-indexing docs/s and the
p50/p95/p99 latency of mixed queries (common and rare words, phrases, prefixes, OR/NOT, filters, ranges, 3-5
facets, some field sorts) against SQLite FTS5, then the same against osmem-server, labelled as not meaningful.

    .venv/bin/python benchmarks/search.py [--series 100000] [--entries 10000] [--queries 2000] [--es-docs 20000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from medal_catalog.search import SearchRequest, flatten, open_index  # noqa: E402
from medal_catalog.catalog import Catalog  # noqa: E402

MODALITIES = ["MR"] * 6 + ["CT"] * 3 + ["PT", "US", "CR", "DX", "MG", "NM"]
BODY = ["BRAIN"] * 6 + ["HEAD", "CHEST", "CHEST", "ABDOMEN", "PELVIS", "SPINE", "KNEE", "HEART", "BREAST", "LIVER"]
VENDORS = {
    "SIEMENS": ["Prisma", "Skyra", "Vida", "Aera", "SOMATOM Force"],
    "GE MEDICAL SYSTEMS": ["SIGNA Premier", "Discovery MR750", "Revolution CT"],
    "Philips": ["Ingenia", "Achieva", "IQon"],
    "Canon": ["Vantage Orian", "Aquilion ONE"],
}
SEQUENCES = [
    "T1 MPRAGE sag",
    "AX FLAIR",
    "DWI b1000",
    "ADC map",
    "T2 TSE ax",
    "SWI",
    "3D TOF angio",
    "T1 post contrast",
    "localizer",
    "BOLD resting state",
    "perfusion DSC",
    "cor T2 fat sat",
    "lung kernel thin",
    "soft tissue",
    "bone window",
    "arterial phase",
    "portal venous phase",
    "CTA head neck",
    "cine SSFP",
    "LGE short axis",
]
CONDITIONS = [
    "glioma",
    "glioblastoma",
    "meningioma",
    "metastasis",
    "stroke",
    "haemorrhage",
    "aneurysm",
    "multiple sclerosis",
    "dementia",
    "alzheimer",
    "pulmonary nodule",
    "pneumonia",
    "embolism",
    "fibrosis",
    "cirrhosis",
    "hepatocellular carcinoma",
    "fracture",
    "cardiomyopathy",
    "stenosis",
    "appendicitis",
]
WORDS = (
    "patients adults children cohort scans images annotated expert readers consensus multicentre retrospective "
    "prospective acquisition protocol contrast enhanced screening follow-up diagnosis prognosis outcome volume "
    "lesion tumour segmentation detection classification triage quantification reader study hospital"
).split()
TASK_TYPES = ["classification", "detection", "segmentation", "regression", "prognosis", "report_generation"]
SPECIALTIES = ["radiology", "neuroradiology", "oncology", "cardiology", "pulmonology", "emergency_medicine"]
FACETS = [
    "type",
    "modality",
    "body_part",
    "manufacturer",
    "model",
    "task_type",
    "specialty",
    "license",
    "access_level",
    "country",
    "status",
    "publication_status",
]


def _prose(rng: random.Random, n: int) -> str:
    words = rng.choices(WORDS + CONDITIONS + ["MR", "brain", "scan", "CT", "scan", "brain"], k=n)
    return " ".join(words).capitalize() + "."


def make_series(rng: random.Random, i: int, datasets: int) -> dict:
    modality, body = rng.choice(MODALITIES), rng.choice(BODY)
    vendor = rng.choice(list(VENDORS))
    study = rng.choice(
        [
            "MR brain scan",
            "MRI brain w/wo contrast scan",
            "CT head scan",
            "brain MR scan",
            "CT chest scan",
            "MR knee",
            "CT abdomen pelvis",
            "MR spine scan",
            "PET CT scan",
        ]
    )
    series = {
        "type": "ImagingSeries",
        "id": f"s{i:06d}",
        "dataset": f"d{rng.randrange(datasets):05d}",
        "series_instance_uid": f"1.2.826.0.1.{i}",
        "series_number": rng.randint(1, 30),
        "modality": modality,
        "body_part": body,
        "manufacturer": vendor,
        "manufacturer_model_name": rng.choice(VENDORS[vendor]),
        "slice_thickness": rng.choice([0.6, 1.0, 1.25, 2.0, 3.0, 5.0]),
        "instance_count": rng.randint(1, 400),
        "series_description": rng.choice(SEQUENCES) + (" brain" if rng.random() < 0.5 else ""),
        "study_description": study,
        "deidentification_status": rng.choice(["clean"] * 9 + ["flagged"]),
    }
    if modality == "MR":
        series["magnetic_field_strength"] = rng.choice([1.5, 3.0, 3.0, 7.0])
    return series


def make_entry(rng: random.Random, i: int) -> dict:
    condition, modality = rng.choice(CONDITIONS), rng.choice(MODALITIES)
    created = f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if i % 2:
        return {
            "type": "BenchmarkTask",
            "id": f"t{i:05d}",
            "title": f"{condition.capitalize()} {rng.choice(TASK_TYPES)} on {modality} brain scan",
            "description": _prose(rng, 40),
            "clinical_question": f"Does this {modality} scan show {condition}?",
            "task_type": rng.choice(TASK_TYPES),
            "clinical_specialty": rng.choice(SPECIALTIES),
            "modalities": [modality],
            "status": rng.choice(["submitted", "under_review", "accepted"]),
            "keywords": rng.sample(CONDITIONS, 2),
            "created": created,
            "target_conditions": [{"code_system": "SNOMEDCT", "code": "1234", "label": condition}],
            "anatomy": [{"code_system": "UBERON", "code": "0000955", "label": rng.choice(["brain", "lung"])}],
        }
    vendor = rng.choice(list(VENDORS))
    return {
        "type": "ImagingDataset",
        "id": f"d{i // 2:05d}",
        "title": f"{condition.capitalize()} {modality} scan collection",
        "description": _prose(rng, 60),
        "access_level": rng.choice(["open", "registered", "controlled"]),
        "license": {"spdx_id": rng.choice(["CC-BY-4.0", "CC-BY-NC-4.0", "CC0-1.0"])},
        "modalities": [modality],
        "body_parts": [rng.choice(BODY)],
        "subject_count": rng.randint(10, 5000),
        "series_count": rng.randint(10, 50000),
        "countries": [rng.choice(["DE", "NL", "FR", "US", "JP"])],
        "publication_status": rng.choice(["unpublished", "published"]),
        "created": created,
        "acquisition": {
            "manufacturers": [vendor],
            "models": [rng.choice(VENDORS[vendor])],
            "slice_thickness_range": {"minimum": 1.0, "maximum": 5.0},
        },
    }


def make_queries(rng: random.Random, n: int) -> list[SearchRequest]:
    common = ["MR", "brain", "scan", "brain scan", "MR brain", "scan brain MR", "CT"]
    rare = CONDITIONS + [s.split()[0] for s in SEQUENCES] + ["tumour", "consensus", "Prisma", "multicentre"]
    out = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.35:
            query = rng.choice(common)
        elif roll < 0.70:
            query = rng.choice(rare) + (" " + rng.choice(common) if rng.random() < 0.4 else "")
        elif roll < 0.85:
            query = rng.choice(
                [
                    f'"{rng.choice(SEQUENCES)}"',
                    f"{rng.choice(rare)[:4]}*",
                    f"{rng.choice(rare)} OR {rng.choice(rare)}",
                    f"brain NOT {rng.choice(rare)}",
                ]
            )
        else:
            query = ""
        filters = {}
        for _ in range(rng.choice([0, 1, 1, 2])):
            name = rng.choice(["modality", "body_part", "manufacturer", "type"])
            filters[name] = [
                rng.choice(
                    {
                        "modality": MODALITIES,
                        "body_part": BODY,
                        "manufacturer": list(VENDORS),
                        "type": ["ImagingSeries", "BenchmarkTask", "ImagingDataset"],
                    }[name]
                )
            ]
        ranges = {}
        if rng.random() < 0.2:
            ranges["slice_thickness"] = (None, rng.choice([1.0, 2.0, 3.0]))
        if rng.random() < 0.1:
            ranges["created"] = ("2020-01-01", None)
        sort = rng.choice(["relevance"] * 9 + ["-created", "subject_count"])
        out.append(
            SearchRequest.make(
                query,
                filters,
                rng.sample(FACETS, rng.randint(3, 5)),
                ranges,
                sort,
                page=rng.choice([1, 1, 1, 2]),
                size=10,
            )
        )
    return out


def percentiles(samples: list[float]) -> str:
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return f"p50 {q[49]:.1f} ms   p95 {q[94]:.1f} ms   p99 {q[98]:.1f} ms   max {max(samples):.1f} ms"


def run_queries(index, queries: list[SearchRequest], warmup: int = 20) -> list[float]:
    for request in queries[:warmup]:
        index.search(request)
    times = []
    for request in queries[warmup:]:
        start = time.perf_counter()
        index.search(request)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--store-sample", type=int, default=2000, help="entries written through Catalog.put_many")
    parser.add_argument("--es-docs", type=int, default=20_000, help="documents sent to osmem-server (0: skip)")
    args = parser.parse_args()
    rng = random.Random(5)

    entries = [make_entry(rng, i) for i in range(args.entries)]
    series = [make_series(rng, i, max(1, args.entries // 2)) for i in range(args.series)]
    start = time.perf_counter()
    docs = [flatten(e) for e in entries + series]
    print(f"flattened {len(docs):,} documents in {time.perf_counter() - start:.1f} s")

    with tempfile.TemporaryDirectory() as tmp:
        index = open_index(f"sqlite:///{tmp}/bench.db")
        start = time.perf_counter()
        index.rebuild(docs)
        took = time.perf_counter() - start
        print(f"SQLite FTS5 bulk indexing: {len(docs) / took:,.0f} docs/s ({len(docs):,} docs in {took:.1f} s)")
        start = time.perf_counter()
        index.count(SearchRequest.make())
        print(f"column view load (once per index change): {(time.perf_counter() - start) * 1000:.0f} ms")
        queries = make_queries(random.Random(11), args.queries)
        times = run_queries(index, queries)
        print(f"SQLite FTS5, {len(times)} mixed faceted queries: {percentiles(times)}")
        for word in ("MR", "brain", "scan"):
            share = index.count(SearchRequest.make(word)) / len(docs)
            t = run_queries(index, [SearchRequest.make(word, facets=FACETS[:5])] * 25, warmup=1)
            print(f"  common word {word!r} (in {share:.0%} of docs), 5 facets: median {statistics.median(t):.1f} ms")
        index.close()

        with Catalog.open(f"sqlite:///{tmp}/store.db") as catalog:
            sample = entries[: args.store_sample]
            start = time.perf_counter()
            catalog.put_many(sample, author="benchmark", reason="synthetic load")
            took = time.perf_counter() - start
            print(f"Catalog.put_many (validate, version, store, index): {len(sample) / took:,.0f} entries/s")

    if args.es_docs:
        run_osmem(docs[: args.es_docs], queries)


def run_osmem(docs: list[dict], queries: list[SearchRequest]) -> None:
    try:
        from osmem_server import OsmemServer
    except ImportError:
        print("osmem-server not installed: skipping the Elasticsearch figure")
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "search"))
    from search_corpus import es_options

    server = OsmemServer.start(japanese=False)
    try:
        index = open_index(f"{server.url}/bench", **es_options())
        start = time.perf_counter()
        index.rebuild(docs)
        took = time.perf_counter() - start
        times = run_queries(index, queries[:300])
        print(
            f"[NOT MEANINGFUL: osmem-server, an in-memory test double, {len(docs):,} docs] Elasticsearch backend: "
            f"{len(docs) / took:,.0f} docs/s bulk; {percentiles(times)}"
        )
        index.close()
    finally:
        server.close()


if __name__ == "__main__":
    main()
