"""One router per resource: health, search, tasks, datasets, entries (any kind, with versions), submissions,
identifiers (/id/...)."""
