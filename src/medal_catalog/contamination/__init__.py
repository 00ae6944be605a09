"""Is "unpublished" true? Submitted images checked against public archives (the IDC index, public UID roots,
de-identification pipelines) and against each other inside the catalog (pixel hashes). See issue 19."""

from typing import Any

__all__ = ["INSTALL_HINT", "PublicIndex", "load_index", "try_load_index"]


def __getattr__(name: str) -> Any:
    # Lazy: index.py imports numpy (0.1 s), which a harvest's readers and a re-harvest never need (issue 29).
    if name in __all__:
        from medal_catalog.contamination import index  # inline: loads numpy, which this module does not

        return getattr(index, name)
    raise AttributeError(name)
