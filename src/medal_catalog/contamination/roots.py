"""UID roots and de-identification method texts that mark a public release.

A UID under one of these roots was issued by a public archive's own de-identification or conversion pipeline, so
a file carrying one has most likely been through that archive: evidence (a warning), not proof. Device and toolkit
roots (DCMTK's 1.2.276.0.7230010.3, MATLAB's 1.3.6.1.4.1.9590.100.1, vendors') are left out on purpose: a lab's own
tools mint UIDs under them too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PublicRoot:
    root: str
    archive: str
    #: Where the root comes from.
    source: str


# Counts are from the IDC index (idc-index-data 25.0.5, IDC release 25), by prefix of SeriesInstanceUID over
# its 1,044,191 series (script in benchmarks/public_index.py --roots).
PUBLIC_ROOTS: tuple[PublicRoot, ...] = (
    # TCIA's CTP anonymizer replaces every UID under this root (TCIA's de-identification knowledge base, "UID
    # handling"; named in issue 19). IDC index: 300,551 series of 108 collections.
    PublicRoot("1.3.6.1.4.1.14519.5.2.1", "TCIA", "TCIA de-identification (CTP); 300,551 IDC series"),
    # The NCI NBIA archive's root, used by TCIA's earliest collections (CT Colonography, RIDER). IDC index: 5,076
    # series of 5 collections, no other use seen.
    PublicRoot("1.3.6.1.4.1.9328.50", "TCIA (NBIA)", "NCI NBIA; 5,076 IDC series"),
    # PixelMed (D. Clunie)'s root for the conversions made for IDC (slide microscopy of TCGA, GTEx, CCDI). IDC
    # index: 78,614 series of 76 collections.
    PublicRoot("1.3.6.1.4.1.5962.99.1", "IDC (PixelMed conversion)", "IDC conversions; 78,614 IDC series"),
    # IDC's own root for its converted slide-microscopy series (under the Medical Connections free root). IDC
    # index: 35,533 series of 31 collections.
    PublicRoot("1.2.826.0.1.3680043.10.511", "IDC", "IDC conversions; 35,533 IDC series"),
)


def public_root(uid: str | None) -> PublicRoot | None:
    """The public-release root this UID sits under, or None."""
    if not uid:
        return None
    for root in PUBLIC_ROOTS:
        if uid.startswith(root.root + "."):
            return root
    return None


# DeidentificationMethod (0012,0063) texts that name a public archive's pipeline. TCIA writes "Per DICOM PS 3.15
# AnnexE. Details in 0012,0064" and, for CTP recipes, "CTP Default: based on DICOM PS3.15 AnnexE" (TCIA
# de-identification knowledge base); XNAT's anonymizer names itself DicomEdit; NBIA and IDC name themselves.
PUBLIC_PIPELINES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"per dicom ps ?3\.15 annex ?e\.? details in 0012,0064", re.I), "TCIA"),
    (re.compile(r"\bCTP\b|clinical trial processor", re.I), "TCIA (RSNA CTP recipe)"),
    (re.compile(r"\bTCIA\b|cancer imaging archive", re.I), "TCIA"),
    (re.compile(r"\bNBIA\b", re.I), "TCIA (NBIA)"),
    (re.compile(r"dicom ?edit", re.I), "XNAT (DicomEdit)"),
    (re.compile(r"imaging data commons|\bIDC\b", re.I), "IDC"),
)


def public_pipeline(method: str | None) -> str | None:
    """The public archive whose pipeline a DeidentificationMethod text names, or None."""
    if not method:
        return None
    for pattern, archive in PUBLIC_PIPELINES:
        if pattern.search(method):
            return archive
    return None
