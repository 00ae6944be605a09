"""The Croissant format: vocabulary, safe JSON-LD, reading, mapping to catalog entries, writing."""
