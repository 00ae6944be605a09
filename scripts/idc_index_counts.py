#!/usr/bin/env python3
"""Write the distinct series and study counts of the installed IDC index into
src/medal_catalog/data/idc_index_counts.json (keeping other versions' entries).

    python scripts/idc_index_counts.py

Run it when the pinned ``idc-index-data`` version changes; tests/contamination/test_cold_index.py fails until the
installed version's counts are there and right. A harvest on a machine where the lookup was never built reads the
counts from there instead of counting a million UIDs (0.65 s, issue 29).
"""

from __future__ import annotations

import json
from pathlib import Path

from medal_catalog.contamination.index import _module, count_uids, counts_key, uid_columns

OUT = Path(__file__).resolve().parent.parent / "src" / "medal_catalog" / "data" / "idc_index_counts.json"


def main() -> None:
    module = _module()
    counts = count_uids(uid_columns(module))
    known = json.loads(OUT.read_text("utf-8")) if OUT.is_file() else {}
    known[counts_key(module)] = counts
    OUT.write_text(json.dumps(known, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{counts_key(module)}: {counts} -> {OUT}")


if __name__ == "__main__":
    main()
