"""Exports of catalog entries in other vocabularies: Croissant 1.1 with RAI, JSON-LD and Turtle, DCAT-AP 3.0."""
