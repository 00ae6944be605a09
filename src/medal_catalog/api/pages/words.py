"""Catalog values in a reader's words: modality names, sizes in kB/MB/GB, numbers with the schema's units, a
series' title."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from medal_catalog.schema.facts import _schema

#: Modality codes (CID 29) in words, for the page title.
MODALITY_WORDS = {
    "MR": "Magnetic resonance",
    "CT": "Computed tomography",
    "CR": "Computed radiography",
    "DX": "Digital radiography",
    "US": "Ultrasound",
    "PT": "PET",
    "NM": "Nuclear medicine",
    "MG": "Mammography",
    "XA": "X-ray angiography",
    "SM": "Slide microscopy",
    "OT": "Other",
}


@lru_cache(maxsize=1)
def units() -> dict[str, str]:
    """Slot -> UCUM unit symbol, as the schema declares them (``unit: {ucum_code: ...}``)."""
    return {
        name: str(slot["unit"]["ucum_code"])
        for name, slot in _schema()["slots"].items()
        if isinstance(slot, dict) and isinstance(slot.get("unit"), dict) and slot["unit"].get("ucum_code")
    }


def human_size(n: int | float | None) -> str:
    """Bytes in words: ``99.9 MB`` (decimal units, as file managers show them)."""
    if n is None:
        return ""
    value = float(n)
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{int(value)} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"


def _number(value: float) -> str:
    return f"{value:g}"


#: Parameter names where the slot's own name does not read well.
LABELS = {
    "sop_class_uid": "SOP class",
    "transfer_syntax_uid": "Transfer syntax",
    "kvp": "Peak kilovoltage",
    "byte_size": "Size",
    "manufacturer_model_name": "Scanner model",
    "instance_count": "Instances",
}


def parameter_label(slot: str) -> str:
    return LABELS.get(slot) or slot.replace("_", " ").capitalize()


def parameter_value(slot: str, value: Any) -> str:
    """A parameter as a reader reads it: numbers with their unit, lists joined, sizes in bytes made human, UIDs
    of the standard by their name."""
    if value is None or value == "" or value == []:
        return ""
    if slot == "byte_size":
        return human_size(value)
    if slot in ("sop_class_uid", "transfer_syntax_uid"):
        from pydicom.uid import UID  # here, not with the app: pydicom adds 150-280 ms to its start (-X importtime)

        name = UID(str(value)).name
        return f"{name} ({value})" if name and name != str(value) else str(value)
    unit = units().get(slot)
    if isinstance(value, list):
        text = (
            " × ".join(_number(v) if isinstance(v, (int, float)) else str(v) for v in value)
            if all(isinstance(v, (int, float)) for v in value)
            else ", ".join(str(v) for v in value)
        )
    else:
        text = _number(value) if isinstance(value, float) else str(value)
    if unit and unit != "1":
        text += f" {unit}"
    return text


def series_title(doc: dict[str, Any]) -> str:
    """A series' title in words: what it is (its description, else its number) and how it was acquired."""
    modality = doc.get("modality")
    words = MODALITY_WORDS.get(str(modality), str(modality or "Imaging"))
    what = doc.get("series_description") or (
        f"series {doc['series_number']}" if doc.get("series_number") is not None else "series"
    )
    return f"{words}: {what}"
