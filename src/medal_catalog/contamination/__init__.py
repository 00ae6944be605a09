"""Is "unpublished" true? Submitted images checked against public archives (the IDC index, public UID roots,
de-identification pipelines) and against each other inside the catalog (pixel hashes). See issue 19."""

from medal_catalog.contamination.index import INSTALL_HINT, PublicIndex, load_index, try_load_index

__all__ = ["INSTALL_HINT", "PublicIndex", "load_index", "try_load_index"]
