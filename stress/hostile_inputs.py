"""Hostile inputs, made on demand: YAML aliases that expand to billions of values, documents nested thousands deep,
DICOM files of a preamble and hundreds of megabytes of zeros (sparse on disk), and zips of them.

Shared by the robustness suites (stress/) and their fast parts (tests/); nothing here is written to the checkout.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

ENTRY = "type: ImagingDataset\nid: hostile\ntitle: hostile\n"


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    """A YAML dataset whose keywords expand to ``width ** levels`` strings through nested aliases (a few hundred
    bytes: 9 levels of 9 give 387 million)."""
    text = ENTRY + "x0: &a0 [" + ", ".join(['"lol"'] * width) + "]\n"
    for level in range(1, levels):
        text += f"x{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]\n"
    return text + f"keywords: *a{levels - 1}\n"


def deep_yaml(depth: int) -> str:
    """A YAML dataset with one value nested ``depth`` lists deep (flow style: 2 bytes per level)."""
    return ENTRY + "keywords: " + "[" * depth + "]" * depth + "\n"


def deep_json(depth: int) -> str:
    """A JSON dataset with one value nested ``depth`` lists deep."""
    return (
        '{"type": "ImagingDataset", "id": "hostile", "title": "hostile", "keywords": ' + "[" * depth + "]" * depth + "}"
    )


def deep_croissant(depth: int) -> str:
    """A Croissant JSON-LD document whose description is nested ``depth`` objects deep."""
    doc = {
        "@context": {"@vocab": "https://schema.org/", "cr": "http://mlcommons.org/croissant/"},
        "@type": "Dataset",
        "conformsTo": "http://mlcommons.org/croissant/1.1",
        "name": "hostile",
    }
    text = json.dumps(doc)
    return text[:-1] + ', "description": ' + '{"a": ' * depth + "1" + "}" * depth + "}"


DOCUMENTS = {
    "laughs.yaml": lambda: billion_laughs(),
    "deep-50000.yaml": lambda: deep_yaml(50_000),
    "deep-300.yaml": lambda: deep_yaml(300),
    "deep-2000.json": lambda: deep_json(2_000),
    "deep-300.json": lambda: deep_json(300),
    "deep-5000.jsonld": lambda: deep_croissant(5_000),
    "deep-300.jsonld": lambda: deep_croissant(300),
}


def write_documents(folder: Path) -> list[Path]:
    """Write every hostile document of :data:`DOCUMENTS` into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, make in DOCUMENTS.items():
        path = folder / name
        path.write_text(make(), encoding="utf-8")
        paths.append(path)
    return paths


def zero_bomb(path: Path, zeros: int = 600 << 20) -> Path:
    """A "DICOM" file: a 128-byte preamble, DICM and ``zeros`` zero bytes, sparse on disk (a few KB)."""
    with path.open("wb") as out:
        out.write(b"\0" * 128 + b"DICM")
        out.truncate(132 + zeros)
    return path


def zero_bomb_zip(path: Path, members: int = 4, zeros: int = 600 << 20) -> Path:
    """A zip of ``members`` zero bombs (deflate makes each 600 MB of zeros about 600 KB)."""
    chunk = b"\0" * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(members):
            with archive.open(f"bomb-{i}.dcm", "w", force_zip64=True) as member:
                member.write(b"\0" * 128 + b"DICM")
                left = zeros
                while left > 0:
                    member.write(chunk[: min(left, len(chunk))])
                    left -= len(chunk)
    return path
