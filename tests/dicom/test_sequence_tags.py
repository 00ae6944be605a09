"""The sequence tags written out for the header reader (dicom/_sequence_tags.py) are pydicom's dictionary's."""

import importlib.util
from pathlib import Path

from medal_catalog.dicom.header import sequence_tags

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "dicom_sequence_tags.py"


def test_sequence_tags_file_matches_installed_pydicom_dictionary():
    """Regenerating the file from the installed pydicom gives the committed text, tag for tag."""
    spec = importlib.util.spec_from_file_location("dicom_sequence_tags", SCRIPT)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    from pydicom.datadict import DicomDictionary

    assert sequence_tags() == frozenset(t for t, e in DicomDictionary.items() if e[0] == "SQ")
    assert script.OUT.read_text(encoding="utf-8").split("\n", 1)[1] == script.render().split("\n", 1)[1]


def test_header_limit_default_is_the_settings_default(monkeypatch):
    """The header reader's default limit, used without loading the settings, is the Settings default."""
    from medal_catalog.config import Settings
    from medal_catalog.dicom.header import DEFAULT_MAX_HEADER_BYTES

    monkeypatch.delenv("MEDAL_DICOM_MAX_HEADER_BYTES", raising=False)
    assert Settings().dicom_max_header_bytes == DEFAULT_MAX_HEADER_BYTES
