"""The Croissant format: vocabulary, safe JSON-LD, reading, mapping to catalog entries, writing.

- vocabulary.py: contexts, namespaces, DUO codes (from the schema), the names of kept files, JSON-LD node helpers;
- jsonld.py: JSON-LD processing that loads only the contexts shipped in ``medal_catalog/data/contexts``;
- reading.py: is this Croissant, are its locations safe, mlcroissant's validation, its local files and checksums;
- mapping.py: a Croissant document as an ImagingDataset;
- writing.py, task.py, source.py: the Croissant of a dataset, of a task, and an imported original's record sets.

The package sits below validators, harvesters and exports, which turn its findings into the report's issues,
harvest and store what it reads, and serve what it writes.
"""
