#!/usr/bin/env python3
"""Regenerate the vendored reference data in src/medal_catalog/data/ (run by hand; needs network-free PyPI only).

    python -m venv /tmp/dv && /tmp/dv/bin/pip install pycountry==26.2.16 license-expression==30.4.4
    /tmp/dv/bin/python scripts/vendor_data.py

- spdx_licenses.json: every SPDX licence identifier known to the ScanCode LicenseDB index shipped inside
  license-expression (CC-BY-4.0, nexB), with ScanCode's category, used to decide whether a licence is open.
- iso3166.json: ISO 3166-1 alpha-2 codes and names from pycountry (LGPL-2.1 package; the codes are facts).
The validator reads these files offline; nothing is fetched at run time.
"""

from __future__ import annotations

import json
from pathlib import Path

import license_expression
import pycountry

OUT = Path(__file__).resolve().parent.parent / "src" / "medal_catalog" / "data"


def spdx() -> dict:
    index_path = Path(license_expression.__file__).parent / "data" / "scancode-licensedb-index.json"
    licenses = {}
    for row in json.loads(index_path.read_text(encoding="utf-8")):
        keys = [row.get("spdx_license_key") or ""] + list(row.get("other_spdx_license_keys") or [])
        for key in keys:
            if key and not key.startswith("LicenseRef-") and not row.get("is_exception"):
                licenses[key] = {
                    "category": row["category"],
                    "deprecated": bool(row.get("is_deprecated")) or key != row.get("spdx_license_key"),
                }
    return {
        "source": "ScanCode LicenseDB index from license-expression "
        f"{getattr(license_expression, '__version__', '30.4.4')} (CC-BY-4.0, nexB)",
        "open_categories": ["Permissive", "Copyleft", "Copyleft Limited", "Public Domain"],
        "licenses": dict(sorted(licenses.items())),
    }


def iso3166() -> dict:
    return {
        "source": f"pycountry {pycountry.__version__ if hasattr(pycountry, '__version__') else '26.2.16'}",
        "countries": {c.alpha_2: c.name for c in sorted(pycountry.countries, key=lambda c: c.alpha_2)},
    }


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for name, data in [("spdx_licenses.json", spdx()), ("iso3166.json", iso3166())]:
        (OUT / name).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print("wrote", OUT / name)
