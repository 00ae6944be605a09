"""Exports of catalog entries in other vocabularies (Croissant 1.1 with RAI)."""
